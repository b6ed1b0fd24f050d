package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tracee-rules.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFile(t *testing.T) {
	cfg := writeConfig(t, "rules: [TRC-2, TRC-6]\ncanary-timeout: 0s\n")
	out, _, err := execute(t, "--config", cfg, "--list-events")
	if err != nil || out != "finit_module,init_module,ptrace,sched_process_exec,sched_process_exit\n" {
		t.Errorf("rules from the file: %q, %v", out, err)
	}
	// the command line wins, a list included
	out, _, err = execute(t, "--config", cfg, "--list-events", "--rules", "TRC-3")
	if err != nil || out != "process_vm_writev,ptrace,sched_process_exit,sched_process_fork,security_file_open\n" {
		t.Errorf("--rules over the file: %q, %v", out, err)
	}
	out, _, err = execute(t, "--list-events", "--config", cfg, "--canary-timeout", "5s")
	if err != nil || out != "finit_module,init_module,prctl,ptrace,sched_process_exec,sched_process_exit\n" {
		t.Errorf("--canary-timeout over the file: %q, %v", out, err)
	}
}

func TestConfigFileErrors(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
	}{
		{"rules: [TRC-2]\nwebhok: http://127.0.0.1:1\n", []string{"tracee-rules.yaml", "line 2", `"webhok"`, "unknown key"}},
		{"list-events: [true, false]\n", []string{`"list-events"`, "one value"}},
		{"rules: [TRC-99]\n", []string{"TRC-99"}},
	} {
		cfg := writeConfig(t, tc.body)
		_, _, err := execute(t, "--config", cfg, "--list-events")
		if err == nil || !cli.IsUsage(err) {
			t.Errorf("%q: %v, want a usage error", tc.body, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q does not mention %s", tc.body, err, w)
			}
		}
	}
	if _, _, err := execute(t, "--config", filepath.Join(t.TempDir(), "none.yaml"), "--list"); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("missing config file: %v", err)
	}
}
