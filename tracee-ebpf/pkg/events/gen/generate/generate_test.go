package generate

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/schema"
)

// The C enum and the Go constants must agree value by value.
func TestKindsMatchGo(t *testing.T) {
	goKinds := []events.ArgKind{events.ArgNone, events.ArgInt, events.ArgUint, events.ArgLong,
		events.ArgUlong, events.ArgStr, events.ArgStrArr, events.ArgSockaddr, events.ArgBytes,
		events.ArgPointer, events.ArgBool, events.ArgU16}
	if len(goKinds) != len(kindInfo) || len(schema.Kinds) != len(kindInfo) {
		t.Fatalf("%d Go kinds, %d generator kinds, %d schema kinds", len(goKinds), len(kindInfo), len(schema.Kinds))
	}
	for i, k := range goKinds {
		if int(k) != i || k.String() != schema.Kinds[i] {
			t.Errorf("kind %d: Go %d/%s, schema %s", i, k, k, schema.Kinds[i])
		}
	}
}

func TestC(t *testing.T) {
	s, err := schema.Parse(
		[]byte("- {id: 0, name: read}\n"),
		[]byte("- {id: 1003, name: sched_process_exec, source: kernel, hook: sched_process_exec, params: [{name: cmdpath, type: str, kind: str}]}\n"+
			"- {id: 1010, name: security_file_open, source: kernel, hook: sys_exit, syscalls: [read]}\n"+
			"- {id: 1007, name: cap_capable, source: kernel, requires: [kprobe]}\n"+
			"- {id: 1011, name: security_bprm_check, source: userspace, deps: [sched_process_exec]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := C(s)
	if err != nil {
		t.Fatal(err)
	}
	got := string(c)
	for _, want := range []string{
		"\tARG_INT = 1,      /* s32 */\n",
		"\tARG_SOCKADDR = 7, /* u32 len + struct sockaddr bytes */\n",
		"enum event_id {\n\tEVENT_SCHED_PROCESS_EXEC = 1003,\n\tEVENT_SECURITY_FILE_OPEN = 1010,\n};\n",
		"#define MAX_SYSCALL_ID 512\n",
		"#define SEL_SECURITY_FILE_OPEN (1U << 5) /* derive security_file_open at sys_exit of read */\n",
		"#define SEL_AT_SYS_EXIT (SEL_EMIT_EXIT | SEL_SECURITY_FILE_OPEN)",
		"#define EMIT_SCHED_PROCESS_EXEC (1U << 0)",
		"\tSCHED_PROCESS_EXEC__CMDPATH = 0, /* str */\n",
		"\tSLOT_SYS_EXIT,",
		"\tSTAT_MAX,\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("header lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "CAP_CAPABLE") || strings.Contains(got, "BPRM") {
		t.Error("header lists events without a plain BPF program")
	}
	g, err := Go(s)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`SchedProcessExec\s+ID = 1003`).Match(g) {
		t.Error("Go output lacks the SchedProcessExec constant")
	}
	for _, want := range []string{`Deps: []string{"sched_process_exec"}`, `Requires: []string{"kprobe"}`, "Source: SourceUserspace"} {
		if !strings.Contains(string(g), want) {
			t.Errorf("Go output lacks %q", want)
		}
	}
	d := string(Derived(s))
	for _, want := range []string{"#include \"security_file_open.h\"\n", "\tif (sel & SEL_SECURITY_FILE_OPEN)\n\t\tderive_security_file_open(dc);\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("derived_gen.h lacks %q:\n%s", want, d)
		}
	}
	a, err := GoABI(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SelSecurityFileOpen uint32 = 1 << 5", "{ID: events.SecurityFileOpen, Sel: SelSecurityFileOpen, Syscalls: []string{\"read\"}}",
		"{ID: events.SchedProcessExec, Hook: \"sched_process_exec\", Emit: EmitSchedProcessExec}", "SlotMax = 11", `{Name: "proc_fops_check", Prog: "tracee_proc_fops_check", OnDemand: true}`} {
		if !strings.Contains(string(a), want) {
			t.Errorf("abi_gen.go lacks %q", want)
		}
	}
}
