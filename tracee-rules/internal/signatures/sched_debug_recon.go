package signatures

import "github.com/tracee-go/tracee/tracee-rules/pkg/sdk"

// schedDebugFiles list every task of the host with its CPU state.
var schedDebugFiles = map[string]bool{"/proc/sched_debug": true, "/sys/kernel/debug/sched/debug": true}

// SchedDebugRecon (TRC-1029) reports a process in a container opening the
// scheduler's debug file.
type SchedDebugRecon struct{ fileWatch }

// NewSchedDebugRecon returns TRC-1029.
func NewSchedDebugRecon() *SchedDebugRecon {
	return &SchedDebugRecon{newFileWatch(sdk.Metadata{
		ID:             "TRC-1029",
		Name:           "sched_debug CPU file was read",
		Description:    "The sched_debug file was read. This file contains information about your CPU and processes. Adversaries may read this file in order to gather that information for their use.",
		Severity:       sdk.SeverityLow,
		MitreCategory:  "Discovery",
		MitreTechnique: "T1613 Container and Resource Discovery",
	}, accessRead, true, func(p string) bool { return schedDebugFiles[p] }).paths("/proc/sched_debug", "/sys/kernel/debug/sched/debug").regular()}
}
