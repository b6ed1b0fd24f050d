package events

import "testing"

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   int32
	}{
		{"read", 0}, {"openat", 257}, {"mmap", 9}, {"mprotect", 10}, {"ptrace", 101}, {"dup2", 33},
		{"connect", 42}, {"init_module", 175}, {"finit_module", 313}, {"process_vm_writev", 311},
		{"pkey_mprotect", 329}, {"sched_process_exec", 1003}, {"socket_dup", 1013}, {"magic_write", 1015},
	} {
		id, ok := ID(tc.name)
		if !ok || id != tc.id {
			t.Errorf("ID(%q) = %d, %v; want %d", tc.name, id, ok, tc.id)
		}
		n, ok := Name(tc.id)
		if !ok || n != tc.name {
			t.Errorf("Name(%d) = %q, %v; want %q", tc.id, n, ok, tc.name)
		}
	}
	if Known("not_an_event") || Known("") {
		t.Error("unknown names reported known")
	}
	if _, ok := Name(999); ok {
		t.Error("id 999 reported known")
	}
}
