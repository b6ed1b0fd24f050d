package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestDockerAbuse(t *testing.T) {
	connect := func(path string) *pb.Event {
		return ev("security_socket_connect", iarg("sockfd", 3), unixa("remote_addr", path))
	}
	runCases(t, func() sdkSig { return NewDockerAbuse() }, []sigCase{
		{name: "connect in container", events: []*pb.Event{ctr(connect("/var/run/docker.sock"))},
			want: []wantFinding{{0, map[string]any{"remote_addr": "/var/run/docker.sock"}}}},
		{name: "open in container", events: []*pb.Event{ctr(withMode(open("/run/docker.sock", 0o10000000, "O_PATH"), 0o140755))},
			want: []wantFinding{{0, map[string]any{"pathname": "/run/docker.sock", "flags": "O_PATH"}}}},
		{name: "relative connect in container", events: []*pb.Event{ctr(connect("docker.sock"))},
			want: []wantFinding{{0, map[string]any{"remote_addr": "docker.sock"}}}},
		{name: "runtime binds the socket before the container starts", events: []*pb.Event{
			ctr(comm(open("/var/run/docker.sock", 0o10000000, "O_RDONLY|O_PATH"), "runc:[2:INIT]")),
			ctr(comm(open("/var/lib/docker/overlay2/x/merged/var/run/docker.sock", 0o100000, "O_RDONLY|O_LARGEFILE"), "runc:[2:INIT]"))}},
		{name: "runc re-executing itself does not start the container", events: []*pb.Event{
			ctr(withPrev(exec("/proc/self/exe", "runc", "init"), "runc")),
			ctr(comm(open("/var/run/docker.sock", 0o10000000, "O_RDONLY|O_PATH"), "runc:[2:INIT]"))}},
		{name: "after the entrypoint's exec, no name is excused", events: []*pb.Event{
			ctr(exec("/app", "app")),
			ctr(comm(withMode(open("/var/run/docker.sock", 0o10000000, "O_RDONLY|O_PATH"), 0o140755), "runc:[2:INIT]"))},
			want: []wantFinding{{1, map[string]any{"pathname": "/var/run/docker.sock", "flags": "O_RDONLY|O_PATH"}}}},
		{name: "docker cli on the host", events: []*pb.Event{connect("/var/run/docker.sock")}},
		{name: "other socket in container", events: []*pb.Event{ctr(connect("/run/containerd/containerd.sock")), ctr(connect("/tmp/notdocker.sock"))}},
		{name: "inet connect", events: []*pb.Event{ctr(ev("security_socket_connect", iarg("sockfd", 3), inet("remote_addr", "127.0.0.1", 2375)))}},
	})
}
