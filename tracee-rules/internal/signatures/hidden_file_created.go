package signatures

import (
	"bytes"
	"path"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

var elfMagic = []byte{0x7f, 'E', 'L', 'F'}

// writesELF reports whether a magic_write wrote an ELF header, and its path.
func writesELF(ev *pb.Event) (string, bool) {
	if ev.GetEventName() != "magic_write" {
		return "", false
	}
	b, _ := sdk.ArgBytes(ev, "bytes")
	if !bytes.HasPrefix(b, elfMagic) {
		return "", false
	}
	p, _ := sdk.ArgString(ev, "pathname")
	return p, true
}

// HiddenFileCreated (TRC-1015) reports an ELF file written to a dot-file.
type HiddenFileCreated struct{ base }

// NewHiddenFileCreated returns TRC-1015.
func NewHiddenFileCreated() *HiddenFileCreated {
	return &HiddenFileCreated{newBase(sdk.Metadata{
		ID:             "TRC-1015",
		Name:           "Hidden executable creation detected",
		Description:    "A hidden executable (ELF file) was created on disk. This activity could be legitimate; however, it could indicate that an adversary is trying to avoid detection by hiding their programs.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1564.001 Hide Artifacts: Hidden Files and Directories",
	}, whole("magic_write")...)}
}

// OnEvent implements sdk.Signature.
func (s *HiddenFileCreated) OnEvent(ev *pb.Event) error {
	p, ok := writesELF(ev)
	if !ok {
		return nil
	}
	if b := path.Base(p); len(b) < 2 || b[0] != '.' || b == ".." {
		return nil
	}
	s.report(ev, map[string]any{"pathname": p})
	return nil
}
