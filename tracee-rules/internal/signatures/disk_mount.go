package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Mount flags that make a mount call something other than mounting a file
// system from a device: binding or moving an existing mount (container
// runtimes mask /proc files with binds of /dev/null), remounting, and
// propagation changes.
const (
	msRemount     = 0x20
	msBind        = 0x1000
	msMove        = 0x2000
	msPropagation = 0x20000 | 0x40000 | 0x80000 | 0x100000 // UNBINDABLE, PRIVATE, SLAVE, SHARED
	msNotNew      = msRemount | msBind | msMove | msPropagation
)

// DiskMount (TRC-1014) reports a process in a container mounting a device's
// file system (dev_name under /dev/, not a bind, move, remount or
// propagation change), successful or not: with the host's disk mounted the
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
	}, whole("security_sb_mount", "security_fsmount")...)}
}

// OnEvent implements sdk.Signature.
func (s *DiskMount) OnEvent(ev *pb.Event) error {
	if !inContainer(ev) {
		return nil
	}
	dev, _ := sdk.ArgString(ev, "dev_name")
	if !strings.HasPrefix(dev, "/dev/") {
		return nil
	}
	switch ev.GetEventName() {
	case "security_sb_mount":
		if sdk.ArgHasFlag(ev, "flags", msNotNew, "") {
			return nil
		}
		p, _ := sdk.ArgString(ev, "path")
		s.report(ev, map[string]any{"dev_name": dev, "path": p, "type": argDisplay(ev, "type")})
	case "security_fsmount":
		// the new mount API: a new mount from a configured file system
		// (never a bind or a move), still detached but usable through its fd
		s.report(ev, map[string]any{"dev_name": dev, "path": "", "type": argDisplay(ev, "type")})
	}
	return nil
}
