package testutil

import (
	"os"
	"testing"
)

// RequirePrivileged skips a test that needs root and a BTF kernel. Under
// CI=true it fails instead: a green run with the real tracer skipped would
// be a lie. Skip reasons start with "privileged:" so .ci/run can find them.
func RequirePrivileged(t testing.TB) {
	t.Helper()
	reason := ""
	switch {
	case os.Geteuid() != 0:
		reason = "needs root to load eBPF programs"
	default:
		if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
			reason = "kernel has no BTF (/sys/kernel/btf/vmlinux)"
		}
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("privileged: eBPF test cannot run under CI=true: %s", reason)
	}
	t.Skip("privileged: " + reason)
}
