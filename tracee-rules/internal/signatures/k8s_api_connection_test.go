package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestK8sAPIConnection(t *testing.T) {
	withEnv := func(e *pb.Event, env ...string) *pb.Event {
		e.Args = append(e.Args[:3], strs("env", env...))
		return e
	}
	podExec := func() *pb.Event {
		return ctr(withEnv(exec("/app/server", "server"), "PATH=/bin", "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443"))
	}
	conn := func(ip string, port uint32) *pb.Event {
		return ev("security_socket_connect", iarg("sockfd", 3), inet("remote_addr", ip, port))
	}
	other := func(e *pb.Event) *pb.Event { e.ContainerId = "fedcba"; return e }
	runCases(t, func() sdkSig { return NewK8sAPIConnection() }, []sigCase{
		{name: "connect to the API server", events: []*pb.Event{podExec(), ctr(conn("10.96.0.1", 443))},
			want: []wantFinding{{1, map[string]any{"ip": "10.96.0.1", "port": uint32(443)}}}},
		{name: "connect elsewhere", events: []*pb.Event{podExec(), ctr(conn("10.96.0.10", 53))}},
		{name: "another container", events: []*pb.Event{podExec(), other(conn("10.96.0.1", 443))}},
		{name: "no address known", events: []*pb.Event{ctr(conn("10.96.0.1", 443))}},
		{name: "host process", events: []*pb.Event{withEnv(exec("/bin/kubectl", "kubectl"), "KUBERNETES_SERVICE_HOST=10.96.0.1"), conn("10.96.0.1", 443)}},
	})
}
