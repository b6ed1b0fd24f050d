package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const afPacket = 17

// PacketSocketInContainer (FAL-003) reports a process in a container asking
// for a packet socket (raw link-layer access: sniffing, spoofing, ARP
// poisoning), whether the kernel granted it or not.
type PacketSocketInContainer struct{ base }

// NewPacketSocketInContainer returns FAL-003.
func NewPacketSocketInContainer() *PacketSocketInContainer {
	return &PacketSocketInContainer{newBase(sdk.Metadata{
		ID:             "FAL-003",
		Name:           "Packet socket created in container",
		Description:    "A process in a container created a packet socket (AF_PACKET): raw access to the link layer, used to sniff traffic, spoof packets or poison ARP caches.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Discovery",
		MitreTechnique: "T1040 Network Sniffing",
		Properties:     map[string]any{"falco_rule": "Packet socket created in container"},
	}, whole("socket")...)}
}

// OnEvent implements sdk.Signature.
func (s *PacketSocketInContainer) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "socket" || !inContainer(ev) || !sdk.ArgIs(ev, "domain", afPacket, "AF_PACKET") {
		return nil
	}
	s.report(ev, map[string]any{"domain": "AF_PACKET", "type": argDisplay(ev, "type"), "return value": ev.GetReturnValue()})
	return nil
}
