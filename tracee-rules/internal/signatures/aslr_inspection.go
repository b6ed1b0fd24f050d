package signatures

import "github.com/tracee-go/tracee/tracee-rules/pkg/sdk"

const aslrFile = "/proc/sys/kernel/randomize_va_space"

// ASLRInspection (TRC-109) reports the ASLR setting being read.
type ASLRInspection struct{ fileWatch }

// NewASLRInspection returns TRC-109.
func NewASLRInspection() *ASLRInspection {
	return &ASLRInspection{newFileWatch(sdk.Metadata{
		ID:             "TRC-109",
		Name:           "ASLR inspection detected",
		Description:    "The ASLR (address space layout randomization) configuration was inspected. ASLR is used by Linux to prevent memory vulnerabilities. An adversary may want to inspect and change the ASLR configuration in order to avoid detection.",
		Severity:       sdk.SeverityInfo,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1068 Exploitation for Privilege Escalation",
	}, accessRead, false, func(p string) bool { return p == aslrFile }).paths(aslrFile).regular()}
}
