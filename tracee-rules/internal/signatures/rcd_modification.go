package signatures

import (
	"path"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// isRcPath reports whether p is an rc/init script or runlevel link:
// /etc/rc.local, /etc/init.d/*, /etc/rc.d/**, /etc/rc[0-6S].d/*.
func isRcPath(p string) bool {
	if !strings.HasPrefix(p, "/etc/") {
		return false
	}
	if p == "/etc/rc.local" || p == "/etc/rc.common" || inDir(p, "/etc/init.d") || (under(p, "/etc/rc.d") && p != "/etc/rc.d") {
		return true
	}
	d := path.Dir(p)
	return len(d) == len("/etc/rc0.d") && strings.HasPrefix(d, "/etc/rc") && strings.HasSuffix(d, ".d") &&
		strings.ContainsRune("0123456S", rune(d[7])) && p != d
}

// rcTools install or enable rc scripts.
var rcTools = map[string]bool{"update-rc.d": true, "chkconfig": true, "rc-update": true}

// RcdModification (TRC-1026) reports rc/init scripts opened for writing and
// the tools that install them being run.
type RcdModification struct{ fileWatch }

// NewRcdModification returns TRC-1026.
func NewRcdModification() *RcdModification {
	return &RcdModification{newFileWatch(sdk.Metadata{
		ID:             "TRC-1026",
		Name:           "Rcd modification detected",
		Description:    "The rcd files were modified. rcd files are scripts executed on boot and runlevel switch. Those scripts are responsible for service control in runlevel switch. Adversaries may add or modify rcd files in order to persist a reboot, thus maintaining malicious execution on the affected host.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Persistence",
		MitreTechnique: "T1037.004 Boot or Logon Initialization Scripts: RC Scripts",
	}, accessWrite, false, isRcPath, "sched_process_exec").withRenames(renameOnto).
		// one prefix for rc.local, rc.common, rc.d and rc?.d: the kernel holds
		// 64 patterns per argument across all policies
		paths("/etc/rc*", "/etc/init.d/*").regular().
		inDirs([]string{"/etc"}, "rc.local", "rc.common").inDirs(append([]string{"/etc/init.d", "/etc/rc.d"}, rcRunlevelDirs()...))}
}

// rcRunlevelDirs are /etc/rc[0-6S].d.
func rcRunlevelDirs() []string {
	var out []string
	for _, c := range "0123456S" {
		out = append(out, "/etc/rc"+string(c)+".d")
	}
	return out
}

// OnEvent implements sdk.Signature.
func (s *RcdModification) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() == "sched_process_exec" {
		if b := execBase(ev); rcTools[b] {
			argv, _ := sdk.ArgStrings(ev, "argv")
			s.report(ev, map[string]any{"command": b, "argv": argv})
		}
		return nil
	}
	return s.fileWatch.OnEvent(ev)
}
