package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestK8sCertTheft(t *testing.T) {
	const key = "/etc/kubernetes/pki/apiserver.key"
	runCases(t, func() sdkSig { return NewK8sCertTheft() }, []sigCase{
		{name: "key read", events: []*pb.Event{open(key, 0, "O_RDONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": key, "flags": "O_RDONLY"}}}},
		{name: "kubelet pki in a subdirectory", events: []*pb.Event{ctr(open("/var/lib/kubelet/pki/sub/kubelet.crt", 0, "O_RDONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/lib/kubelet/pki/sub/kubelet.crt", "flags": "O_RDONLY"}}}},
		{name: "key renamed away", events: []*pb.Event{ren(key, "/tmp/k")},
			want: []wantFinding{{0, map[string]any{"old_path": key, "new_path": "/tmp/k"}}}},
		{name: "kubelet rotating its certificate", events: []*pb.Event{comm(ren("/var/lib/kubelet/pki/kubelet-client-current.pem", "/var/lib/kubelet/pki/old.pem"), "kubelet")}},
		{name: "kubelet reads its own", events: []*pb.Event{comm(open("/var/lib/kubelet/pki/kubelet.crt", 0, "O_RDONLY"), "kubelet")}},
		{name: "apiserver reads its own", events: []*pb.Event{comm(open(key, 0, "O_RDONLY"), "kube-apiserver")}},
		{name: "apiserver run from its path", events: []*pb.Event{exec("/usr/local/bin/kube-apiserver", "kube-apiserver"), open(key, 0, "O_RDONLY")}},
		{name: "a copy elsewhere named kube-apiserver", events: []*pb.Event{exec("/tmp/kube-apiserver", "kube-apiserver"), open(key, 0, "O_RDONLY")},
			want: []wantFinding{{1, map[string]any{"pathname": key, "flags": "O_RDONLY"}}}},
		{name: "the directory itself", events: []*pb.Event{open("/etc/kubernetes/pki", 0o200000, "O_RDONLY|O_DIRECTORY")}},
		{name: "similar directory", events: []*pb.Event{open("/etc/kubernetes/pki-backup/ca.key", 0, "O_RDONLY")}},
		{name: "write only", events: []*pb.Event{open(key, 1, "O_WRONLY")}},
	})
}
