package events_test

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/gen/generate"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/schema"
)

func TestTableInvariants(t *testing.T) {
	all := events.All()
	if len(all) < 350 {
		t.Fatalf("only %d events", len(all))
	}
	ids := map[events.ID]bool{}
	names := map[string]bool{}
	for i, d := range all {
		if i > 0 && all[i-1].ID >= d.ID {
			t.Errorf("All not sorted by id at %s", d.Name)
		}
		if ids[d.ID] || names[d.Name] {
			t.Errorf("duplicate id %d or name %s", d.ID, d.Name)
		}
		ids[d.ID], names[d.Name] = true, true
		if got, ok := events.ByID(d.ID); !ok || got != d {
			t.Errorf("ByID(%d) does not find %s", d.ID, d.Name)
		}
		if got, ok := events.ByName(d.Name); !ok || got != d {
			t.Errorf("ByName(%s) does not find it", d.Name)
		}
		if d.IsSyscall() != (d.ID < events.MaxSyscallID) {
			t.Errorf("%s: IsSyscall %v with id %d", d.Name, d.IsSyscall(), d.ID)
		}
		if d.IsSyscall() && !d.InSet("syscalls") {
			t.Errorf("syscall %s not in set syscalls", d.Name)
		}
		for _, p := range d.Params {
			if p.Kind == events.ArgNone || p.Kind > events.ArgU16 {
				t.Errorf("%s.%s: bad kind %v", d.Name, p.Name, p.Kind)
			}
			if p.Name == "" || p.Type == "" {
				t.Errorf("%s: parameter without name or type: %+v", d.Name, p)
			}
		}
		for _, dep := range d.Deps {
			if _, ok := events.ByName(dep); !ok {
				t.Errorf("%s: dependency %s does not exist", d.Name, dep)
			}
		}
		if d.Source == events.SourceUserspace && len(d.Deps) == 0 {
			t.Errorf("%s: user-space event without deps", d.Name)
		}
	}
	if _, ok := events.ByName("no_such_event"); ok {
		t.Error("ByName found a missing event")
	}
}

// TestSyscallNumbers checks every syscall in the installed unistd_64.h
// against the table (the table may have newer syscalls the header lacks).
func TestSyscallNumbers(t *testing.T) {
	f, err := os.Open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
	if err != nil {
		t.Skipf("no unistd_64.h: %v", err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^#define __NR_(\w+)\s+(\d+)\s*$`)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		nr, _ := strconv.Atoi(m[2])
		d, ok := events.Syscall(nr)
		if !ok || d.Name != m[1] {
			t.Errorf("syscall %d: header says %s, table has %v", nr, m[1], d)
		}
		n++
	}
	if n < 300 {
		t.Fatalf("only %d syscalls in the header", n)
	}
}

// TestKnownSignatures pins the names and kinds the BPF side and the
// signatures rely on (docs/design.md).
func TestKnownSignatures(t *testing.T) {
	type p struct {
		name string
		kind events.ArgKind
	}
	tests := []struct {
		event  string
		id     events.ID
		params []p
	}{
		{"read", 0, []p{{"fd", events.ArgUint}, {"buf", events.ArgPointer}, {"count", events.ArgUlong}}},
		{"openat", 257, []p{{"dirfd", events.ArgInt}, {"pathname", events.ArgStr}, {"flags", events.ArgInt}, {"mode", events.ArgUint}}},
		{"ptrace", 101, []p{{"request", events.ArgLong}, {"pid", events.ArgInt}, {"addr", events.ArgPointer}, {"data", events.ArgPointer}}},
		{"init_module", 175, []p{{"module_image", events.ArgPointer}, {"len", events.ArgUlong}, {"param_values", events.ArgStr}}},
		{"finit_module", 313, []p{{"fd", events.ArgInt}, {"param_values", events.ArgStr}, {"flags", events.ArgInt}}},
		{"dup", 32, []p{{"oldfd", events.ArgUint}}},
		{"dup2", 33, []p{{"oldfd", events.ArgUint}, {"newfd", events.ArgUint}}},
		{"connect", 42, []p{{"sockfd", events.ArgInt}, {"addr", events.ArgSockaddr}, {"addrlen", events.ArgInt}}},
		{"mmap", 9, []p{{"addr", events.ArgPointer}, {"length", events.ArgUlong}, {"prot", events.ArgInt}, {"flags", events.ArgInt}, {"fd", events.ArgInt}, {"offset", events.ArgLong}}},
		{"mprotect", 10, []p{{"addr", events.ArgPointer}, {"len", events.ArgUlong}, {"prot", events.ArgInt}}},
		{"pkey_mprotect", 329, []p{{"addr", events.ArgPointer}, {"len", events.ArgUlong}, {"prot", events.ArgInt}, {"pkey", events.ArgInt}}},
		{"process_vm_writev", 311, []p{{"pid", events.ArgInt}, {"local_iov", events.ArgPointer}, {"liovcnt", events.ArgUlong}, {"remote_iov", events.ArgPointer}, {"riovcnt", events.ArgUlong}, {"flags", events.ArgUlong}}},
		{"execve", 59, []p{{"pathname", events.ArgStr}, {"argv", events.ArgStrArr}, {"envp", events.ArgStrArr}}},
		{"execveat", 322, []p{{"dirfd", events.ArgInt}, {"pathname", events.ArgStr}, {"argv", events.ArgStrArr}, {"envp", events.ArgStrArr}, {"flags", events.ArgInt}}},
		{"close", 3, []p{{"fd", events.ArgUint}}},
		{"open", 2, []p{{"pathname", events.ArgStr}, {"flags", events.ArgInt}, {"mode", events.ArgUint}}},
		{"sched_process_exec", 1003, []p{{"cmdpath", events.ArgStr}, {"pathname", events.ArgStr}, {"dev", events.ArgUint}, {"inode", events.ArgUlong}, {"inode_mode", events.ArgUint}, {"interp", events.ArgStr}, {"argv", events.ArgStrArr}, {"env", events.ArgStrArr}, {"is_memfd", events.ArgBool}, {"is_deleted", events.ArgBool}, {"fs_type", events.ArgStr}, {"prev_comm", events.ArgStr}, {"ld_env", events.ArgStrArr}}},
		{"security_socket_connect", 1012, []p{{"sockfd", events.ArgInt}, {"remote_addr", events.ArgSockaddr}}},
		{"mem_prot_alert", 1014, []p{{"alert", events.ArgUint}, {"addr", events.ArgUlong}, {"len", events.ArgUlong}, {"prot", events.ArgInt}, {"prev_prot", events.ArgInt}, {"pathname", events.ArgStr}, {"dev", events.ArgUint}, {"inode", events.ArgUlong}}},
		{"magic_write", 1015, []p{{"pathname", events.ArgStr}, {"bytes", events.ArgBytes}, {"dev", events.ArgUint}, {"inode", events.ArgUlong}}},
	}
	for _, tt := range tests {
		d, ok := events.ByName(tt.event)
		if !ok {
			t.Errorf("no event %s", tt.event)
			continue
		}
		if d.ID != tt.id {
			t.Errorf("%s: id %d, want %d", tt.event, d.ID, tt.id)
		}
		if len(d.Params) != len(tt.params) {
			t.Errorf("%s: %d params, want %d", tt.event, len(d.Params), len(tt.params))
			continue
		}
		for i, want := range tt.params {
			if got := d.Params[i]; got.Name != want.name || got.Kind != want.kind {
				t.Errorf("%s param %d: %s/%v, want %s/%v", tt.event, i, got.Name, got.Kind, want.name, want.kind)
			}
		}
	}
	for _, n := range []string{"execve", "execveat", "exit", "exit_group"} {
		if d, _ := events.ByName(n); d == nil || !d.AtEntry {
			t.Errorf("%s not at_entry", n)
		}
	}
	for name, deps := range map[string][]string{
		"security_bprm_check":     {"sched_process_exec"},
		"security_socket_connect": {"connect"},
		"security_sb_mount":       {"mount"},
	} {
		d, _ := events.ByName(name)
		if d == nil || d.Source != events.SourceUserspace || !equal(d.Deps, deps) {
			t.Errorf("%s: want user-space event with deps %v, got %+v", name, deps, d)
		}
	}
	// mem_prot_alert is the kernel's: whether memory holds written data is its state
	if d, _ := events.ByName("mem_prot_alert"); d == nil || d.Source != events.SourceKernel || len(d.Deps) != 0 {
		t.Errorf("mem_prot_alert: want a kernel event, got %+v", d)
	}
	for _, name := range []string{"cap_capable", "security_inode_unlink", "do_init_module"} {
		if d, _ := events.ByName(name); d == nil || len(d.Requires) == 0 {
			t.Errorf("%s should exist and require kprobe/lsm", name)
		}
	}
}

func TestSets(t *testing.T) {
	sets := events.Sets()
	for _, want := range []string{"syscalls", "default", "fs", "fs_read_write", "proc", "proc_life", "net", "net_sock", "ipc", "signals", "memory"} {
		members := events.InSet(want)
		if len(members) == 0 {
			t.Errorf("set %s is empty or missing (sets: %v)", want, sets)
		}
		for _, d := range members {
			if !d.InSet(want) {
				t.Errorf("InSet(%s) returned %s which is not in it", want, d.Name)
			}
		}
	}
	if got := len(events.InSet("syscalls")); got < 350 {
		t.Errorf("only %d syscalls", got)
	}
	if events.InSet("no_such_set") != nil {
		t.Error("unknown set has members")
	}
	if d, _ := events.ByName("openat"); !d.InSet("fs") {
		t.Error("openat not in fs")
	}
	if d, _ := events.ByName("connect"); !d.InSet("net_sock") || !d.InSet("default") {
		t.Error("connect not in net_sock/default")
	}
}

// TestGeneratedUpToDate is the drift test: the committed table_gen.go,
// bpf/lib/events_gen.h, bpf/derived/derived_gen.h and internal/abi/abi_gen.go
// must equal a fresh generation from the schema.
func TestGeneratedUpToDate(t *testing.T) {
	s, err := schema.Load()
	if err != nil {
		t.Fatal(err)
	}
	g, err := generate.Go(s)
	if err != nil {
		t.Fatal(err)
	}
	c, err := generate.C(s)
	if err != nil {
		t.Fatal(err)
	}
	abi, err := generate.GoABI(s)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"table_gen.go": g, "../../../bpf/lib/events_gen.h": c,
		"../../../bpf/derived/derived_gen.h": generate.Derived(s), "../../internal/abi/abi_gen.go": abi,
	} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run make generate", path)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
