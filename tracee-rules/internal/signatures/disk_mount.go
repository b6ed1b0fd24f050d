package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// DiskMount (TRC-1014) reports a process in a container mounting a device
// (dev_name under /dev/), successful or not: with the host's disk mounted the
// container reads and writes the host's files.
type DiskMount struct{ base }

// NewDiskMount returns TRC-1014.
func NewDiskMount() *DiskMount {
	return &DiskMount{newBase(sdk.Metadata{
		ID:             "TRC-1014",
		Name:           "Container device mount detected",
		Description:    "Container device filesystem mount detected. A mount of a host device filesystem can be exploited by adversaries to perform container escape.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
	}, "security_sb_mount")}
}

// OnEvent implements sdk.Signature.
func (s *DiskMount) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "security_sb_mount" || !inContainer(ev) {
		return nil
	}
	dev, _ := sdk.ArgString(ev, "dev_name")
	if !strings.HasPrefix(dev, "/dev/") {
		return nil
	}
	p, _ := sdk.ArgString(ev, "path")
	s.report(ev, map[string]any{"dev_name": dev, "path": p, "type": argDisplay(ev, "type")})
	return nil
}
