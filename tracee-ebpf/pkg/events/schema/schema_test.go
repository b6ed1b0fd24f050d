package schema

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) < 380 {
		t.Fatalf("%d events", len(s.Events))
	}
	for i := 1; i < len(s.Events); i++ {
		if s.Events[i-1].ID >= s.Events[i].ID {
			t.Fatalf("not sorted at %s", s.Events[i].Name)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const okSys = "- {id: 0, name: read, params: [{name: fd, type: int, kind: int}]}\n"
	tests := []struct {
		name     string
		sys, evs string
		want     string
	}{
		{"duplicate id", okSys + "- {id: 0, name: write}\n", "", "id 0 used by"},
		{"duplicate name", okSys, "- {id: 1002, name: read, source: kernel}\n", "name read used twice"},
		{"bad kind", "- {id: 0, name: read, params: [{name: fd, type: int, kind: integer}]}\n", "", "bad kind"},
		{"no type", "- {id: 0, name: read, params: [{name: fd, kind: int}]}\n", "", "has no type"},
		{"syscall id too big", "- {id: 600, name: read}\n", "", "outside"},
		{"event id too small", okSys, "- {id: 10, name: x, source: kernel}\n", "below"},
		{"unknown dep", okSys, "- {id: 1011, name: x, source: userspace, deps: [nope]}\n", "unknown dependency"},
		{"userspace without deps", okSys, "- {id: 1011, name: x, source: userspace}\n", "without deps"},
		{"unknown source", okSys, "- {id: 1011, name: x, source: magic}\n", "unknown source"},
		{"unknown requirement", okSys, "- {id: 1011, name: x, source: kernel, requires: [fentry]}\n", "unknown requirement"},
		{"unknown field", "- {id: 0, name: read, color: blue}\n", "", "color"},
		{"kernel event without hook", okSys, "- {id: 1010, name: x, source: kernel}\n", "without a hook"},
		{"unknown hook", okSys, "- {id: 1010, name: x, source: kernel, hook: kprobe_x}\n", "unknown hook"},
		{"sys_exit without syscalls", okSys, "- {id: 1010, name: x, source: kernel, hook: sys_exit}\n", "lists its syscalls"},
		{"derived from a non-syscall", okSys, "- {id: 1010, name: x, source: kernel, hook: sys_exit, syscalls: [x]}\n", "not a syscall"},
		{"hook on userspace event", okSys, "- {id: 1011, name: x, source: userspace, deps: [read], hook: sys_exit, syscalls: [read]}\n", "only kernel events"},
		{"duplicate param", "- {id: 0, name: read, params: [{name: fd, type: int, kind: int}, {name: fd, type: int, kind: int}]}\n", "", "fd twice"},
		{"proc fops pointer without its argument", okSys, "- {id: 1061, name: hooked_proc_fops, source: kernel, hook: proc_fops_check, params: [{name: hooked, type: u32, kind: uint}]}\n",
			"hooked_proc_fops has no pointer argument \"proc_root_iterate_shared\""},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.sys), []byte(tt.evs))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
	// Internal kernel events come from the capture programs, outside the hook list.
	if _, err := Parse([]byte(okSys), []byte("- {id: 1010, name: x, source: kernel, internal: true}\n")); err != nil {
		t.Errorf("internal kernel event without hook: %v", err)
	}
	s, err := Parse([]byte(okSys), []byte("- {id: 1011, name: x, source: userspace, deps: [read]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Events[0].Source != "syscall" || s.Events[0].Sets[0] != "syscalls" {
		t.Errorf("syscall defaults not applied: %+v", s.Events[0])
	}
}
