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
		{name: "kube-proxy from before the stream reads its own", events: []*pb.Event{comm(ctr(open(p, 0, "O_RDONLY")), "kube-proxy")}},
		{name: "kube-proxy run from its image reads its own", events: []*pb.Event{ctr(exec("/usr/local/bin/kube-proxy", "kube-proxy")), ctr(open(p, 0, "O_RDONLY"))}},
		{name: "coredns at the image's root", events: []*pb.Event{ctr(exec("/coredns", "coredns")), ctr(open(p, 0, "O_RDONLY"))}},
		{name: "a program that names itself kube-proxy", events: []*pb.Event{ctr(exec("/tmp/x", "x")), comm(ctr(open(p, 0, "O_RDONLY")), "kube-proxy")},
			want: []wantFinding{{1, map[string]any{"pathname": p, "flags": "O_RDONLY"}}}},
		{name: "on the host", events: []*pb.Event{open(p, 0, "O_RDONLY")}},
		{name: "namespace file", events: []*pb.Event{ctr(open("/var/run/secrets/kubernetes.io/serviceaccount/namespace", 0, "O_RDONLY"))}},
		{name: "written, not read", events: []*pb.Event{ctr(open(p, 1, "O_WRONLY"))}},
	})
}
