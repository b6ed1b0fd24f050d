package e2e

import (
	"os"
	"strings"
	"testing"
)

// The private-dockerd harness itself: a FROM-scratch image of a static
// trigger runs with --network none and with --network host, with explicit
// capabilities.
func TestDockerdHarness(t *testing.T) {
	d := StartDockerd(t)
	img := d.BuildScratchImage(t, "e2e-harness:1", map[string]string{"/anti_debug": StaticTrigger(t, "anti_debug")}, "/anti_debug")
	out := d.Run(t, ContainerOptions{Image: img, Network: "none", CapAdd: []string{"SYS_PTRACE"}})
	if !strings.Contains(out, "pid=1 ") || !strings.Contains(out, "ptrace_traceme=0") {
		t.Errorf("container output %q, want pid=1 and ptrace_traceme=0", out)
	}
	id := d.Start(t, ContainerOptions{Image: img, Network: "host", CapAdd: []string{"ALL"}, CapDrop: []string{"SYS_RESOURCE"}})
	if got := d.Inspect(t, id, "{{.HostConfig.NetworkMode}}"); got != "host" {
		t.Errorf("network mode %q, want host", got)
	}
	if _, err := os.Stat(d.Sock); err != nil {
		t.Errorf("daemon socket: %v", err)
	}
}
