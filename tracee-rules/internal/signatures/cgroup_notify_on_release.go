package signatures

import (
	"path"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// CgroupNotifyOnRelease (TRC-106) reports a process in a container opening a
// cgroup's notify_on_release file for writing: with a release_agent it runs a
// program on the host when the cgroup empties (a container escape).
type CgroupNotifyOnRelease struct{ fileWatch }

// NewCgroupNotifyOnRelease returns TRC-106.
func NewCgroupNotifyOnRelease() *CgroupNotifyOnRelease {
	return &CgroupNotifyOnRelease{newFileWatch(sdk.Metadata{
		ID:             "TRC-106",
		Name:           "Cgroups notify_on_release file modification",
		Description:    "An attempt to modify Cgroup notify_on_release file was detected. Cgroups are a Linux kernel feature which limits the resource usage of a set of processes. Adversaries may use this feature for container escaping.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
	}, accessWrite, true, func(p string) bool { return path.Base(p) == "notify_on_release" }).paths("*/notify_on_release").regular()}
}
