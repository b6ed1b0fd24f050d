package events

import "testing"

// The i386 numbers that decoded with the x86_64 table hid attacks or
// invented them are reported as their own events.
func TestCompatTable(t *testing.T) {
	byNr := map[int]Compat{}
	calls := map[string]Compat{}
	for _, c := range CompatSyscalls() {
		if c.I386 >= 0 {
			byNr[c.I386] = c
		} else {
			calls[c.Mux+":"+c.Name] = c
		}
	}
	for _, tt := range []struct {
		i386  int
		event string
	}{
		{26, "ptrace"}, {128, "init_module"}, {175, "rt_sigprocmask"}, {311, "set_robust_list"},
		{11, "execve"}, {358, "execveat"}, {1, "exit"}, {252, "exit_group"}, {192, "mmap"}, {90, "mmap"},
		{125, "mprotect"}, {63, "dup2"}, {330, "dup3"}, {55, "fcntl"}, {221, "fcntl"}, {362, "connect"},
		{212, "chown"}, {403, "clock_gettime"}, {422, "futex"}, {5, "open"}, {295, "openat"},
		{347, "process_vm_readv"}, {348, "process_vm_writev"}, {397, "shmat"},
	} {
		c, ok := byNr[tt.i386]
		if !ok {
			t.Errorf("i386 %d missing", tt.i386)
			continue
		}
		d, ok := ByID(c.Event)
		if !ok || d.Name != tt.event {
			t.Errorf("i386 %d (%s) reported as %v, want %s", tt.i386, c.Name, d, tt.event)
		}
	}
	if c := byNr[192]; c.Pgoff != 5 || c.ArgsMem != -1 {
		t.Errorf("mmap2: pgoff %d args_mem %d, want 5, -1", c.Pgoff, c.ArgsMem)
	}
	if c := byNr[90]; c.ArgsMem != 0 {
		t.Errorf("old mmap: args_mem %d, want 0 (struct at bx)", c.ArgsMem)
	}
	if c := byNr[120]; len(c.Args) != 5 || c.Args[3] != 4 || c.Args[4] != 3 {
		t.Errorf("clone: args %v, want tls and child_tid swapped", c.Args)
	}
	for _, mux := range []int{102, 117} {
		if c := byNr[mux]; c.Mux == "" || c.Event != 0 {
			t.Errorf("i386 %d: %+v, want a multiplexer without event", mux, c)
		}
	}
	for key, want := range map[string]string{
		"socketcall:SYS_CONNECT": "connect", "socketcall:SYS_ACCEPT4": "accept4", "socketcall:SYS_SEND": "sendto",
		"socketcall:SYS_SENDMSG": "sendmsg", "ipc:SHMAT": "shmat",
	} {
		c, ok := calls[key]
		if !ok {
			t.Errorf("%s missing", key)
			continue
		}
		if d, _ := ByID(c.Event); d == nil || d.Name != want {
			t.Errorf("%s reported as %v, want %s", key, d, want)
		}
	}
	if c := calls["ipc:SHMAT"]; len(c.Args) != 3 || c.Args[0] != 1 || c.Args[1] != 4 || c.Args[2] != 2 {
		t.Errorf("ipc SHMAT args %v, want [1 4 2] (shmid=first, shmaddr=ptr, shmflg=second)", c.Args)
	}
	// every target is a syscall event, listed back by CompatOf
	for _, c := range CompatSyscalls() {
		if c.I386 >= 0 && c.Mux != "" {
			continue
		}
		d, ok := ByID(c.Event)
		if !ok || !d.IsSyscall() {
			t.Errorf("%s: event %d is not a syscall", c.Name, c.Event)
			continue
		}
		found := false
		for _, o := range CompatOf(c.Event) {
			found = found || (o.I386 == c.I386 && o.Name == c.Name)
		}
		if !found {
			t.Errorf("CompatOf(%s) misses %s", d.Name, c.Name)
		}
	}
	if n := len(byNr); n < 400 {
		t.Errorf("only %d i386 syscalls mapped", n)
	}
}
