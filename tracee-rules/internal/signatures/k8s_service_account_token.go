package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// saTokenSuffix ends the path of a Kubernetes service account token
// (/var/run/secrets/..., /run/secrets/..., or a custom mount of the volume).
const saTokenSuffix = "/secrets/kubernetes.io/serviceaccount/token"

// k8sTokenReaders are the cluster components that read their own token,
// trusted by the file they executed (k8sTokenPrograms), or by name
// ("kube-controller" is kube-controller-manager's, cut to 15 bytes) for
// processes older than the stream.
var (
	k8sTokenReaders = map[string]bool{
		"flanneld": true, "kube-proxy": true, "etcd": true, "kube-apiserver": true,
		"coredns": true, "kube-controller": true, "kube-controller-manager": true, "kubectl": true,
		"kubelet": true, "kube-scheduler": true, "calico-node": true, "cilium-agent": true,
	}
	k8sTokenPrograms = programsIn(k8sBinDirs, k8sTokenReaders)
)

// k8sBinDirs are where cluster components' images and packages install them
// ("" : the image's root, /coredns).
var k8sBinDirs = []string{"", "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/opt/bin", "/opt/cni/bin"}

// K8sServiceAccountToken (TRC-108) reports a process in a container reading
// the Kubernetes service account token, other than the cluster components
// that use theirs.
type K8sServiceAccountToken struct {
	fileWatch
	procs procExe
}

// NewK8sServiceAccountToken returns TRC-108.
func NewK8sServiceAccountToken() *K8sServiceAccountToken {
	s := &K8sServiceAccountToken{fileWatch: newFileWatch(sdk.Metadata{
		ID:             "TRC-108",
		Name:           "K8s service account token file read",
		Description:    "The Kubernetes service account token file was read on your container. This token is used to communicate with the Kubernetes API Server. Adversaries may try to communicate with the API Server to steal information and/or credentials, or even run more containers and laterally extend their grip on the systems.",
		Severity:       sdk.SeverityInfo,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1212 Exploitation for Credential Access",
	}, accessRead, true, func(p string) bool { return strings.HasSuffix(p, saTokenSuffix) }, procExeEvents...).paths("*" + saTokenSuffix).regular()}
	s.allow = func(ev *pb.Event) bool { return s.procs.trusted(ev, k8sTokenPrograms, k8sTokenReaders) }
	return s
}

// Init implements sdk.Signature.
func (s *K8sServiceAccountToken) Init(cb sdk.Callback) error {
	s.procs.init()
	return s.fileWatch.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *K8sServiceAccountToken) OnEvent(ev *pb.Event) error {
	s.procs.observe(ev) // the container watch needs sched_process_exec too
	return s.fileWatch.OnEvent(ev)
}
