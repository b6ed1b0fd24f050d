package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestK8sServiceAccountToken(t *testing.T) {
	const p = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	runCases(t, func() sdkSig { return NewK8sServiceAccountToken() }, []sigCase{
		{name: "read in container", events: []*pb.Event{ctr(open(p, 0, "O_RDONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": p, "flags": "O_RDONLY"}}}},
		{name: "resolved /run path", events: []*pb.Event{ctr(open("/run/secrets/kubernetes.io/serviceaccount/token", 0x80000, "O_RDONLY|O_CLOEXEC"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/run/secrets/kubernetes.io/serviceaccount/token", "flags": "O_RDONLY|O_CLOEXEC"}}}},
		{name: "kube-proxy reads its own", events: []*pb.Event{comm(ctr(open(p, 0, "O_RDONLY")), "kube-proxy")}},
		{name: "on the host", events: []*pb.Event{open(p, 0, "O_RDONLY")}},
		{name: "namespace file", events: []*pb.Event{ctr(open("/var/run/secrets/kubernetes.io/serviceaccount/namespace", 0, "O_RDONLY"))}},
		{name: "written, not read", events: []*pb.Event{ctr(open(p, 1, "O_WRONLY"))}},
	})
}
