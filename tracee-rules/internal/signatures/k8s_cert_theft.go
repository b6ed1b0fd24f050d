package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// k8sPKIDirs hold the cluster's and the kubelet's certificates and keys.
var k8sPKIDirs = []string{"/etc/kubernetes/pki", "/var/lib/kubelet/pki"}

// k8sPKIReaders are the components that read their own certificates,
// trusted by the file they executed, or by name for processes older than
// the stream.
var (
	k8sPKIReaders = map[string]bool{
		"kube-apiserver": true, "kubelet": true, "kube-controller": true, "kube-controller-manager": true,
		"kube-scheduler": true, "etcd": true, "kubeadm": true,
	}
	k8sPKIPrograms = programsIn(k8sBinDirs, k8sPKIReaders)
)

// K8sCertTheft (TRC-1018) reports a process other than the cluster's
// components reading a Kubernetes certificate or key.
type K8sCertTheft struct {
	fileWatch
	procs procExe
}

// NewK8sCertTheft returns TRC-1018.
func NewK8sCertTheft() *K8sCertTheft {
	s := &K8sCertTheft{fileWatch: newFileWatch(sdk.Metadata{
		ID:             "TRC-1018",
		Name:           "K8s TLS certificate theft detected",
		Description:    "Theft of Kubernetes TLS certificates was detected. TLS certificates are used to establish trust between systems. The Kubernetes certificate is used to to enable secure communication between Kubernetes components, such as kubelet scheduler controller and API Server. An adversary may steal a Kubernetes certificate on a compromised system to impersonate Kubernetes components within the cluster.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1528 Steal Application Access Token",
	}, accessRead, false, func(p string) bool {
		for _, d := range k8sPKIDirs {
			if under(p, d) && p != d {
				return true
			}
		}
		return false
	}, procExeEvents...).withRenames(renameAway).paths("/etc/kubernetes/pki/*", "/var/lib/kubelet/pki/*").regular()}
	s.allow = func(ev *pb.Event) bool { return s.procs.trusted(ev, k8sPKIPrograms, k8sPKIReaders) }
	return s
}

// Init implements sdk.Signature.
func (s *K8sCertTheft) Init(cb sdk.Callback) error {
	s.procs.init()
	return s.fileWatch.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *K8sCertTheft) OnEvent(ev *pb.Event) error {
	if s.procs.observe(ev) {
		return nil
	}
	return s.fileWatch.OnEvent(ev)
}
