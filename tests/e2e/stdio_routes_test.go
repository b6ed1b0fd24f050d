package e2e

import (
	"strconv"
	"testing"
)

// TRC-1 through the routes that name no standard fd in a dup: fcntl
// F_DUPFD, a socket received over SCM_RIGHTS, one taken with pidfd_getfd
// (both then handed to sh as stdin), in both ABIs. The listener checks that
// the socket really was fd 0.
func TestStdioOverSocketRoutes(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1"}})
	for _, trig := range []string{"reverse_shell", "reverse_shell-m32"} {
		for _, mode := range []string{"fcntl", "scm", "pidfd"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				l := listen(t, "tcp4", "127.0.0.1:0")
				pid, out := runTriggerPid(t, trig, mode, "127.0.0.1", strconv.Itoa(l.port()))
				l.expect(t, "reverse_shell: harmless", out)
				f := mustFind(t, p, "TRC-1 "+mode, bySigPid("TRC-1", pid))
				if got, _ := dataInt(f, "fd"); got != 0 {
					t.Errorf("fd %d, want 0 (%s)", got, describe([]Finding{f}))
				}
				if got, _ := dataInt(f, "port"); got != int64(l.port()) {
					t.Errorf("port %d, want the listener's %d", got, l.port())
				}
				t.Logf("findings:\n%s", describe(findingsOf(p, "", pid)))
			})
		}
	}
}
