package e2e

import (
	"strings"
	"testing"
	"time"
)

// uts= compares the whole host name: two UTS namespaces whose names share
// their first 16 bytes (the event header keeps 16) are told apart.
func TestEbpfFilterUTSLongHostname(t *testing.T) {
	const want, other = "tracee-long-hostname-wanted-7", "tracee-long-hostname-other-77"
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catutslong")
	start := func(name string) *Gated {
		g := StartGated(t, "unshare", "-u", "sh", "-c", "hostname "+name+" && echo ready; read x; exec "+cat+" /etc/hostname")
		if !pollUntil(5*time.Second, func() bool { return strings.Contains(g.Output(), "ready") }) {
			t.Fatalf("the shell did not set its host name: %s", g.Output())
		}
		return g
	}
	gw, go2 := start(want), start(other)
	tr := StartJSON(t, "uts="+want, "event=openat")
	gw.Release()
	go2.Release()
	tr.MustEvent("the wanted host's cat", openedBy(gw.Pid(), "/etc/hostname"))
	time.Sleep(500 * time.Millisecond)
	evs := tr.StopEvents()
	mustNone(t, evs, "the other host (same first 16 bytes)", byPid(go2.Pid()))
	mustAll(t, evs, "of the wanted host", func(e EbpfEvent) bool { return strings.HasPrefix(want, e.HostName) })
}
