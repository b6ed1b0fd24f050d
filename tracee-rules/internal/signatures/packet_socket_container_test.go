package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestPacketSocketInContainer(t *testing.T) {
	sock := func(dom int64, r string) *pb.Event {
		return ev("socket", flag("domain", dom, r), flag("type", 3, "SOCK_RAW"), iarg("protocol", 768))
	}
	runCases(t, func() sdkSig { return NewPacketSocketInContainer() }, []sigCase{
		{name: "packet socket in container", events: []*pb.Event{ctr(ret(sock(17, "AF_PACKET"), 3))},
			want: []wantFinding{{0, map[string]any{"domain": "AF_PACKET", "type": "SOCK_RAW", "return value": int64(3)}}}},
		{name: "refused attempt", events: []*pb.Event{ctr(ret(sock(17, "AF_PACKET"), -1))},
			want: []wantFinding{{0, map[string]any{"domain": "AF_PACKET", "type": "SOCK_RAW", "return value": int64(-1)}}}},
		{name: "json repr only", events: []*pb.Event{ctr(ev("socket", repr("domain", "AF_PACKET")))},
			want: []wantFinding{{0, map[string]any{"domain": "AF_PACKET", "type": nil, "return value": int64(0)}}}},
		{name: "inet socket in container", events: []*pb.Event{ctr(sock(2, "AF_INET"))}},
		{name: "packet socket on the host", events: []*pb.Event{sock(17, "AF_PACKET")}},
	})
}
