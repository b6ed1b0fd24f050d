package probes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

func TestObjectSpec(t *testing.T) {
	dir := t.TempDir()
	keep := map[string]bool{"tracee_sys_exit": true, "tracee_sched_exec": true}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	spec, origin, err := objectSpec("", abi.LoadTracee, keep)
	if err != nil || origin != "embedded" || spec.Programs["tracee_sys_exit"] == nil {
		t.Fatalf("embedded: %v %q", err, origin)
	}
	same := write("same.o", abi.TraceeELF())
	if _, origin, err := objectSpec(same, abi.LoadTracee, keep); err != nil || !strings.HasPrefix(origin, same+" (sha256 ") {
		t.Errorf("same object: %v %q", err, origin)
	}
	for _, tc := range []struct {
		name string
		data []byte
		err  string
	}{
		{"garbage.o", []byte("not an ELF file at all"), "is not a BPF object"},
		{"raw.o", abi.TraceeRawELF(), "program tracee_sched_exec is RawTracepoint"}, // the raw_tracepoint build
	} {
		p := write(tc.name, tc.data)
		_, _, err := objectSpec(p, abi.LoadTracee, keep)
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), ObjectEnv+"="+p) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.name, err, p, tc.err)
		}
	}
	if _, _, err := objectSpec(filepath.Join(dir, "absent.o"), abi.LoadTracee, keep); err == nil || !strings.Contains(err.Error(), "absent.o") {
		t.Errorf("absent file: %v", err)
	}

	// A map whose layout changed (an object from other sources).
	want, _ := abi.LoadTracee()
	got, _ := abi.LoadTracee()
	got.Maps["config_map"].ValueSize += 8
	if err := compatible(got, want, keep); err == nil || !strings.Contains(err.Error(), "map config_map") {
		t.Errorf("changed map: %v", err)
	}
}
