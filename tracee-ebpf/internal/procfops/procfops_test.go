package procfops

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

const kallsyms = `ffffffff81000000 T _stext
ffffffff8177b070 t proc_root_readdir
ffffffff8177b140 t proc_root_lookup
ffffffff81781340 t proc_tgid_base_lookup
ffffffff81782320 t proc_tgid_base_readdir
ffffffff82400000 D proc_root_readdir_data
ffffffffc0000000 t proc_root_readdir_hook	[rootkit]
`

func TestExpected(t *testing.T) {
	got, err := Expected(strings.NewReader(kallsyms))
	if err != nil {
		t.Fatal(err)
	}
	want := []uint64{0xffffffff8177b070, 0xffffffff8177b140, 0xffffffff81782320, 0xffffffff81781340}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s = %#x, want %#x", abi.ProcFopsPointers[i].Symbol, got[i], want[i])
		}
	}
	for _, tc := range []struct{ name, in, err string }{
		{"missing", strings.Replace(kallsyms, "proc_root_lookup", "other", 1), "no text symbol proc_root_lookup"},
		{"hidden", strings.Replace(kallsyms, "ffffffff8177b140 t proc_root_lookup", "0000000000000000 t proc_root_lookup", 1), "kptr_restrict"},
		{"ambiguous", kallsyms + "ffffffff81999999 t proc_root_lookup\n", "listed twice"},
		{"data symbol", strings.Replace(kallsyms, "8177b140 t proc_root_lookup", "8177b140 d proc_root_lookup", 1), "no text symbol proc_root_lookup"},
		{"bad address", strings.Replace(kallsyms, "ffffffff8177b140 t", "zzzz t", 1), "address of proc_root_lookup"},
	} {
		if _, err := Expected(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestParseOverride(t *testing.T) {
	sym, addr, err := ParseOverride("proc_root_readdir=0xffffffff81000010")
	if err != nil || sym != "proc_root_readdir" || addr != 0xffffffff81000010 {
		t.Errorf("got %s %#x %v", sym, addr, err)
	}
	for _, bad := range []string{"proc_root_readdir", "sys_call_table=0x1", "proc_root_lookup=zz"} {
		if _, _, err := ParseOverride(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: err %v, want one naming it", bad, err)
		}
	}
}

type fakeRun struct {
	ret  uint32
	args []uint64
}

func (f *fakeRun) Run(hook string, args []uint64) (uint32, error) {
	f.args = args
	return f.ret, nil
}

// Check passes the fds and expected addresses, reports mismatch bits and
// turns the program's failure bits into errors; counters follow.
func TestCheckResults(t *testing.T) {
	dir := t.TempDir()
	ks := dir + "/kallsyms"
	if err := writeFile(ks, kallsyms); err != nil {
		t.Fatal(err)
	}
	f := &fakeRun{}
	c, err := New(f, "/proc", ks, map[string]uint64{"proc_tgid_base_lookup": 7}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if h, err := c.Check(); h != 0 || err != nil {
		t.Fatalf("clean: %#x %v", h, err)
	}
	if len(f.args) != 6 || f.args[abi.ProcFopsCtxRootFd] != uint64(c.root.Fd()) || f.args[abi.ProcFopsCtxPidFd] != uint64(c.self.Fd()) ||
		f.args[abi.ProcFopsCtxExpected] != 0xffffffff8177b070 || f.args[abi.ProcFopsCtxExpected+3] != 7 {
		t.Errorf("context %#x", f.args)
	}
	f.ret = 0b0101
	if h, err := c.Check(); h != 0b0101 || err != nil {
		t.Errorf("hooked: %#x %v", h, err)
	}
	for _, tc := range []struct {
		ret uint32
		err string
	}{{abi.ProcFopsReadFailed, "kernel read failed"}, {abi.ProcFopsNoFile, "did not resolve"}, {1 | abi.ProcFopsNoRecord, "not emitted"}} {
		f.ret = tc.ret
		if _, err := c.Check(); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ret %#x: err %v, want %q", tc.ret, err, tc.err)
		}
	}
	if c.Runs.Load() != 5 || c.Hooked.Load() != 2 || c.Failed.Load() != 3 {
		t.Errorf("runs %d hooked %d failed %d", c.Runs.Load(), c.Hooked.Load(), c.Failed.Load())
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
