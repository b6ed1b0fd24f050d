package signatures

import (
	"sort"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// cronFiles and cronDirs hold cron's, anacron's and at's schedules.
var (
	cronFiles = map[string]bool{"/etc/crontab": true, "/etc/anacrontab": true}
	cronDirs  = []string{"/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly",
		"/etc/cron.monthly", "/var/spool/cron", "/var/spool/at", "/var/spool/anacron"}
	timerDirs = []string{"/etc/systemd", "/usr/lib/systemd", "/lib/systemd", "/run/systemd"}
)

// isScheduledTaskPath reports whether p is a cron/at schedule or a systemd
// timer unit.
func isScheduledTaskPath(p string) bool {
	timer := strings.HasSuffix(p, ".timer")
	if !timer && !strings.HasPrefix(p, "/etc/") && !strings.HasPrefix(p, "/var/spool/") {
		return false
	}
	if cronFiles[p] {
		return true
	}
	for _, d := range cronDirs {
		if under(p, d) && p != d {
			return true
		}
	}
	if timer {
		for _, d := range timerDirs {
			if under(p, d) {
				return true
			}
		}
		return strings.Contains(p, "/.config/systemd/user/")
	}
	return false
}

// schedulerTools change schedules when run.
var schedulerTools = map[string]bool{"crontab": true, "at": true, "batch": true}

// ScheduledTaskModification (TRC-1027) reports cron, at and systemd timer
// schedules opened for writing, and crontab/at being run to change them.
type ScheduledTaskModification struct{ fileWatch }

// NewScheduledTaskModification returns TRC-1027.
func NewScheduledTaskModification() *ScheduledTaskModification {
	return &ScheduledTaskModification{newFileWatch(sdk.Metadata{
		ID:             "TRC-1027",
		Name:           "Scheduled tasks modification detected",
		Description:    "The task scheduling functionality or files were modified. Crontab schedules task execution or enables task execution at boot time. Adversaries may add or modify scheduled tasks in order to persist a reboot, thus maintaining malicious execution on the affected host.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Persistence",
		MitreTechnique: "T1053.003 Scheduled Task/Job: Cron",
	}, accessWrite, false, isScheduledTaskPath, "sched_process_exec").withRenames(renameOnto).
		paths(scheduledTaskPatterns()...).regular().inDirs([]string{"/etc"}, "crontab", "anacrontab").
		inDirs([]string{"/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
			"/var/spool/cron", "/var/spool/cron/crontabs", "/var/spool/at", "/var/spool/anacron"})}
}

// scheduledTaskPatterns are isScheduledTaskPath as kernel data filters (a
// superset: one prefix for /etc/crontab and the /etc/cron.* directories,
// the kernel holding 64 patterns per argument across all policies).
func scheduledTaskPatterns() []string {
	out := []string{"*.timer", "/etc/cron*"}
	for f := range cronFiles {
		if !strings.HasPrefix(f, "/etc/cron") {
			out = append(out, f)
		}
	}
	for _, d := range cronDirs {
		if !strings.HasPrefix(d, "/etc/cron") {
			out = append(out, d+"/*")
		}
	}
	sort.Strings(out)
	return out
}

// OnEvent implements sdk.Signature.
func (s *ScheduledTaskModification) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() == "sched_process_exec" {
		b := execBase(ev)
		if !schedulerTools[b] {
			return nil
		}
		argv, _ := sdk.ArgStrings(ev, "argv")
		if b == "crontab" && onlyListsCrontab(argv) {
			return nil
		}
		s.report(ev, map[string]any{"command": b, "argv": argv})
		return nil
	}
	return s.fileWatch.OnEvent(ev)
}

// onlyListsCrontab reports whether crontab was run just to print a table.
func onlyListsCrontab(argv []string) bool {
	list := false
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; a {
		case "-l":
			list = true
		case "-u":
			i++
		default:
			return false
		}
	}
	return list
}
