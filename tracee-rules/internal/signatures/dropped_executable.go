package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// DroppedExecutable (TRC-1022) reports a process in a container writing an
// ELF file: images carry their programs, so a new one at run time is
// suspicious. Anonymous memory files (memfd:...) are left to TRC-5, which
// sees them executed.
type DroppedExecutable struct{ base }

// NewDroppedExecutable returns TRC-1022.
func NewDroppedExecutable() *DroppedExecutable {
	return &DroppedExecutable{newBase(sdk.Metadata{
		ID:             "TRC-1022",
		Name:           "New executable dropped",
		Description:    "An Executable file was dropped in the system during runtime. Container images are usually built with all binaries needed inside. A dropped binary may indicate that an adversary infiltrated your container.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1036 Masquerading",
	}, whole("magic_write")...)}
}

// OnEvent implements sdk.Signature.
func (s *DroppedExecutable) OnEvent(ev *pb.Event) error {
	p, ok := writesELF(ev)
	if !ok || !inContainer(ev) || strings.HasPrefix(p, "memfd:") || strings.HasPrefix(p, "/memfd:") {
		return nil
	}
	s.report(ev, map[string]any{"path": p})
	return nil
}
