package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// saTokenSuffix ends the path of a Kubernetes service account token
// (/var/run/secrets/..., /run/secrets/..., or a custom mount of the volume).
const saTokenSuffix = "/secrets/kubernetes.io/serviceaccount/token"

// k8sTokenReaders are the cluster components that read their own token.
var k8sTokenReaders = map[string]bool{
	"flanneld": true, "kube-proxy": true, "etcd": true, "kube-apiserver": true,
	"coredns": true, "kube-controller": true, "kubectl": true, "kubelet": true,
	"kube-scheduler": true, "calico-node": true, "cilium-agent": true,
}

// K8sServiceAccountToken (TRC-108) reports a process in a container reading
// the Kubernetes service account token, other than the cluster components
// that use theirs.
type K8sServiceAccountToken struct{ fileWatch }

// NewK8sServiceAccountToken returns TRC-108.
func NewK8sServiceAccountToken() *K8sServiceAccountToken {
	s := &K8sServiceAccountToken{newFileWatch(sdk.Metadata{
		ID:             "TRC-108",
		Name:           "K8s service account token file read",
		Description:    "The Kubernetes service account token file was read on your container. This token is used to communicate with the Kubernetes API Server. Adversaries may try to communicate with the API Server to steal information and/or credentials, or even run more containers and laterally extend their grip on the systems.",
		Severity:       sdk.SeverityInfo,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1212 Exploitation for Credential Access",
	}, accessRead, true, func(p string) bool { return strings.HasSuffix(p, saTokenSuffix) }).paths("*" + saTokenSuffix)}
	s.allow = func(ev *pb.Event) bool { return k8sTokenReaders[ev.GetProcessName()] }
	return s
}
