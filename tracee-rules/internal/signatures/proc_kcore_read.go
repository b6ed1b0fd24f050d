package signatures

import "github.com/tracee-go/tracee/tracee-rules/pkg/sdk"

const kcoreFile = "/proc/kcore"

// ProcKcoreRead (TRC-1021) reports /proc/kcore, the kernel's memory as an
// ELF core file, opened for reading.
type ProcKcoreRead struct{ fileWatch }

// NewProcKcoreRead returns TRC-1021.
func NewProcKcoreRead() *ProcKcoreRead {
	return &ProcKcoreRead{newFileWatch(sdk.Metadata{
		ID:             "TRC-1021",
		Name:           "Kcore memory file read",
		Description:    "An attempt to read /proc/kcore file was detected. KCore provides a full dump of the physical memory of the system in the core file format. Adversaries may read this file to get all of the host memory and use this information for container escape.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
	}, accessRead, false, func(p string) bool { return p == kcoreFile }).paths(kcoreFile).regular()}
}
