package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// maxAPIContainers bounds the containers whose API server address is kept.
const maxAPIContainers = 4096

// K8sAPIConnection (TRC-1013) reports a process in a container connecting to
// the Kubernetes API server, whose address the container learns from
// KUBERNETES_SERVICE_HOST in its processes' environment.
type K8sAPIConnection struct {
	base
	apiAddr map[string]string // container id -> API server IP
}

// NewK8sAPIConnection returns TRC-1013.
func NewK8sAPIConnection() *K8sAPIConnection {
	return &K8sAPIConnection{base: newBase(sdk.Metadata{
		ID:             "TRC-1013",
		Name:           "Kubernetes API server connection detected",
		Description:    "A connection to the kubernetes API server was detected. The K8S API server is the brain of your K8S cluster, adversaries may try and communicate with the K8S API server to gather information/credentials, or even run more containers and laterally expand their grip on your systems.",
		Severity:       sdk.SeverityLow,
		MitreCategory:  "Discovery",
		MitreTechnique: "T1526 Cloud Service Discovery",
	}, whole("sched_process_exec", "security_socket_connect")...)}
}

// Init implements sdk.Signature.
func (s *K8sAPIConnection) Init(cb sdk.Callback) error {
	s.apiAddr = map[string]string{}
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *K8sAPIConnection) OnEvent(ev *pb.Event) error {
	id := ev.GetContainerId()
	if id == "" {
		return nil
	}
	switch ev.GetEventName() {
	case "sched_process_exec":
		env, _ := sdk.ArgStrings(ev, "env")
		for _, kv := range env {
			if ip, ok := strings.CutPrefix(kv, "KUBERNETES_SERVICE_HOST="); ok && ip != "" {
				if _, known := s.apiAddr[id]; !known && len(s.apiAddr) >= maxAPIContainers {
					for k := range s.apiAddr { // forget one container to stay bounded
						delete(s.apiAddr, k)
						break
					}
				}
				s.apiAddr[id] = ip
			}
		}
	case "security_socket_connect":
		sa, ok := sdk.ArgSockAddr(ev, "remote_addr")
		if !ok || !isInet(sa) {
			return nil
		}
		if api, ok := s.apiAddr[id]; ok && sa.GetIp() == api {
			s.report(ev, map[string]any{"ip": api, "port": sa.GetPort()})
		}
	}
	return nil
}
