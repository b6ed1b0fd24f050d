package signatures

import "github.com/tracee-go/tracee/tracee-rules/pkg/sdk"

const corePatternFile = "/proc/sys/kernel/core_pattern"

// CorePattern (TRC-1011) reports a process in a container opening
// core_pattern for writing: a "|program" pattern runs on the host, as root,
// when any process dumps core.
type CorePattern struct{ fileWatch }

// NewCorePattern returns TRC-1011.
func NewCorePattern() *CorePattern {
	return &CorePattern{newFileWatch(sdk.Metadata{
		ID:             "TRC-1011",
		Name:           "Core dumps configuration file modification detected",
		Description:    "Modification of the core dump configuration file (core_pattern) detected. Core dumps are usually written to disk when a program crashes. Certain modifications enable container escaping through the kernel core_pattern feature.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
	}, accessWrite, true, func(p string) bool { return p == corePatternFile }).paths(corePatternFile).regular()}
}
