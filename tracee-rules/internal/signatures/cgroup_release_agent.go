package signatures

import (
	"path"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// CgroupReleaseAgent (TRC-1010) reports a process in a container opening a
// cgroup's release_agent for writing: the kernel runs that program on the
// host, as root, when a cgroup with notify_on_release empties.
type CgroupReleaseAgent struct{ fileWatch }

// NewCgroupReleaseAgent returns TRC-1010.
func NewCgroupReleaseAgent() *CgroupReleaseAgent {
	return &CgroupReleaseAgent{newFileWatch(sdk.Metadata{
		ID:             "TRC-1010",
		Name:           "Cgroups release agent file modification",
		Description:    "An attempt to modify Cgroup release agent file was detected. Cgroups are a Linux kernel feature which limits the resource usage of a set of processes. Adversaries may use this feature for container escaping.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
	}, accessWrite, true, func(p string) bool { return path.Base(p) == "release_agent" }).withRenames(renameOnto).paths("*/release_agent").regular()}
}
