package render

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		format string
		v      uint64
		width  int
		want   string
	}{
		{"open_flags", 0, 32, "O_RDONLY"},
		{"open_flags", 0x80000, 32, "O_RDONLY|O_CLOEXEC"},
		{"open_flags", 1 | 0x40 | 0x200, 32, "O_WRONLY|O_CREAT|O_TRUNC"},
		{"open_flags", 2 | 0x40 | 0x80, 32, "O_RDWR|O_CREAT|O_EXCL"},
		{"open_flags", 0x101000, 32, "O_RDONLY|O_SYNC"},
		{"open_flags", 0x1000, 32, "O_RDONLY|O_DSYNC"},
		{"open_flags", 0x410000 | 2, 32, "O_RDWR|O_TMPFILE"},
		{"open_flags", 0x10000 | 0x80000 | 0x800, 32, "O_RDONLY|O_NONBLOCK|O_DIRECTORY|O_CLOEXEC"},
		{"open_flags", 0x4000000, 32, "O_RDONLY|0x4000000"},
		{"open_flags", 0x200000, 32, "O_RDONLY|O_PATH"},
		{"prot", 0, 32, "PROT_NONE"},
		{"prot", 1 | 2 | 4, 32, "PROT_READ|PROT_WRITE|PROT_EXEC"},
		{"prot", 5, 32, "PROT_READ|PROT_EXEC"},
		{"prot", 0x10 | 1, 32, "PROT_READ|0x10"},
		{"mmap_flags", 0x22, 32, "MAP_PRIVATE|MAP_ANONYMOUS"},
		{"mmap_flags", 0x812, 32, "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"},
		{"mmap_flags", 0x1 | 0x20000, 32, "MAP_SHARED|MAP_STACK"},
		{"mmap_flags", 0x4, 32, "0x4"},
		{"ptrace_request", 0, 64, "PTRACE_TRACEME"},
		{"ptrace_request", 4, 64, "PTRACE_POKETEXT"},
		{"ptrace_request", 16, 64, "PTRACE_ATTACH"},
		{"ptrace_request", 0x4206, 64, "PTRACE_SEIZE"},
		{"ptrace_request", 1000, 64, ""},
		{"socket_domain", 2, 32, "AF_INET"},
		{"socket_domain", 10, 32, "AF_INET6"},
		{"socket_domain", 1, 32, "AF_UNIX"},
		{"socket_domain", 17, 32, "AF_PACKET"},
		{"socket_domain", 200, 32, ""},
		{"socket_type", 1, 32, "SOCK_STREAM"},
		{"socket_type", 1 | 0x80000, 32, "SOCK_STREAM|SOCK_CLOEXEC"},
		{"socket_type", 2 | 0x800 | 0x80000, 32, "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC"},
		{"socket_type", 3, 32, "SOCK_RAW"},
		{"socket_type", 9, 32, "0x9"},
		{"dirfd", uint64(0xffffff9c), 32, "AT_FDCWD"}, // -100 as an int32
		{"dirfd", uint64(1<<64 - 100), 64, "AT_FDCWD"},
		{"dirfd", 3, 32, ""},
		{"access_mode", 0, 32, "F_OK"},
		{"access_mode", 4 | 2, 32, "R_OK|W_OK"},
		{"access_mode", 1, 32, "X_OK"},
		{"at_flags", 0x100, 32, "AT_SYMLINK_NOFOLLOW"},
		{"at_flags", 0x1000 | 0x100, 32, "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"},
		{"at_flags", 0, 32, ""},
		{"clone_flags", 0x01200011, 64, "SIGCHLD|CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID"},
		{"clone_flags", 0x3d0f00, 64, "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"},
		{"clone_flags", 0x10000000 | 0x20000000, 64, "CLONE_NEWUSER|CLONE_NEWPID"},
		{"clone_flags", 0x80000000, 32, "CLONE_IO"},
		{"signal", 9, 32, "SIGKILL"},
		{"signal", 15, 32, "SIGTERM"},
		{"signal", 19, 32, "SIGSTOP"},
		{"signal", 34, 32, "SIGRTMIN+2"},
		{"signal", 0, 32, ""},
		{"signal", 65, 32, ""},
		{"prctl_option", 15, 32, "PR_SET_NAME"},
		{"prctl_option", 38, 32, "PR_SET_NO_NEW_PRIVS"},
		{"prctl_option", 0x59616d61, 32, "PR_SET_PTRACER"},
		{"fcntl_cmd", 1030, 32, "F_DUPFD_CLOEXEC"},
		{"fcntl_cmd", 4, 32, "F_SETFL"},
		{"capability", 21, 32, "CAP_SYS_ADMIN"},
		{"capability", 40, 32, "CAP_CHECKPOINT_RESTORE"},
		{"capability", 41, 32, ""},
		{"mem_prot_alert", 1, 32, "Mmaped region with W+E permissions!"},
		{"mem_prot_alert", 2, 32, "Protection changed to Executable!"},
		{"mem_prot_alert", 3, 32, "Protection changed from E to W+E!"},
		{"mem_prot_alert", 4, 32, "Protection changed from W+E to E!"},
		{"mem_prot_alert", 5, 32, "Shared file mapping made writable!"},
		{"mem_prot_alert", 6, 32, ""},
	}
	for _, tt := range tests {
		got, err := Format(tt.format, tt.v, tt.width)
		if err != nil {
			t.Errorf("Format(%s, %#x): %v", tt.format, tt.v, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Format(%s, %#x, %d) = %q, want %q", tt.format, tt.v, tt.width, got, tt.want)
		}
	}
}

func TestFormatUnknown(t *testing.T) {
	if _, err := Format("no_such_format", 1, 32); err == nil || !strings.Contains(err.Error(), "no_such_format") {
		t.Fatalf("want error naming the format, got %v", err)
	}
	if Known("no_such_format") || !Known("open_flags") {
		t.Fatal("Known disagrees with the table")
	}
}

// Every name in every table must be unique within its table, and flag tables
// must not have zero bits.
func TestTablesWellFormed(t *testing.T) {
	for _, name := range Formats() {
		f := formats[name]
		if (f.flags == nil) == (f.enum == nil) {
			t.Errorf("%s: need exactly one of flags and enum", name)
			continue
		}
		seen := map[string]bool{}
		if f.flags != nil {
			for _, fl := range f.flags.flags {
				if fl.bits == 0 {
					t.Errorf("%s: flag %s has no bits", name, fl.name)
				}
				if seen[fl.name] {
					t.Errorf("%s: flag %s twice", name, fl.name)
				}
				seen[fl.name] = true
			}
			continue
		}
		for _, n := range f.enum.names {
			if seen[n] {
				t.Errorf("%s: name %s twice", name, n)
			}
			seen[n] = true
		}
	}
}

func BenchmarkFormatOpenFlags(b *testing.B) {
	for b.Loop() {
		_, _ = Format("open_flags", 0x80000|0x40|0x2, 32)
	}
}
