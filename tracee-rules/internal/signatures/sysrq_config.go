package signatures

import "github.com/tracee-go/tracee/tracee-rules/pkg/sdk"

// sysrqFiles enable the magic SysRq key and trigger its actions.
var sysrqFiles = map[string]bool{"/proc/sys/kernel/sysrq": true, "/proc/sysrq-trigger": true}

// SysrqConfig (TRC-1031) reports a process in a container opening the SysRq
// configuration or trigger for writing.
type SysrqConfig struct{ fileWatch }

// NewSysrqConfig returns TRC-1031.
func NewSysrqConfig() *SysrqConfig {
	return &SysrqConfig{newFileWatch(sdk.Metadata{
		ID:             "TRC-1031",
		Name:           "System request key configuration modification",
		Description:    "An attempt to modify and activate the System Request Key configuration file was detected. The system request key allows immediate input to the kernel through simple key combinations. Adversaries may use this feature to immediately shut down or restart a system. With read access to kernel logs, host related information such as listing tasks and CPU registers may be disclosed and could be used for container escape.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
	}, accessWrite, true, func(p string) bool { return sysrqFiles[p] }).paths("/proc/sys/kernel/sysrq", "/proc/sysrq-trigger").regular()}
}
