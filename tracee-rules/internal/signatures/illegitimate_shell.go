package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// webServers are web server process names (as the kernel truncates them to
// 15 characters); webServerPrefixes match worker and thread names (Tomcat's
// connector threads, php-fpm's versioned names).
var (
	webServers = map[string]bool{
		"nginx": true, "httpd": true, "httpd-foregroun": true, "lighttpd": true, "apache": true,
		"apache2": true, "caddy": true, "uwsgi": true, "gunicorn": true, "tomcat": true, "catalina.sh": true,
	}
	webServerPrefixes = []string{"php-fpm", "http-nio", "https-jsse-nio", "ajp-nio"}
)

func isWebServer(comm string) bool {
	if webServers[comm] {
		return true
	}
	for _, p := range webServerPrefixes {
		if strings.HasPrefix(comm, p) {
			return true
		}
	}
	return false
}

// IllegitimateShell (TRC-1016) reports a web server process that becomes a
// shell: the exec's prev_comm (the name before the exec, which a forked
// child inherits from the server) is a web server and the program run is a
// shell.
type IllegitimateShell struct{ base }

// NewIllegitimateShell returns TRC-1016.
func NewIllegitimateShell() *IllegitimateShell {
	return &IllegitimateShell{newBase(sdk.Metadata{
		ID:             "TRC-1016",
		Name:           "Web server spawned a shell",
		Description:    "A web-server program on your server spawned a shell program. Shell is the linux command-line program, web servers usually don't run shell programs, so this alert might indicate an adversary is exploiting a web server program to gain command execution on the server.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Initial Access",
		MitreTechnique: "T1190 Exploit Public-Facing Application",
	}, whole("sched_process_exec")...)}
}

// OnEvent implements sdk.Signature.
func (s *IllegitimateShell) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" {
		return nil
	}
	prev, _ := sdk.ArgString(ev, "prev_comm")
	if !isWebServer(prev) {
		return nil
	}
	sh := execBase(ev)
	if !shells[sh] {
		return nil
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	s.report(ev, map[string]any{"web server": prev, "shell": sh, "argv": argv})
	return nil
}
