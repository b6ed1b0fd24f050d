package tracer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// TestKernelInodeRename drives real rename, renameat and renameat2 calls and
// checks security_inode_rename: absolute paths resolved from the directory
// each path is relative to (dirfd through a symlink, the cwd, the root), the
// renamed object's dev and inode when the new name is one component, and no
// event for a failed rename. Both builds: tp_btf and raw_tracepoint.
func TestKernelInodeRename(t *testing.T) {
	for _, rawTp := range []bool{false, true} {
		name := "tp_btf"
		if rawTp {
			name = "raw_tracepoint"
		}
		t.Run(name, func(t *testing.T) { testInodeRename(t, rawTp) })
	}
}

func testInodeRename(t *testing.T, rawTp bool) {
	testutil.RequirePrivileged(t)
	feat := probes.ProbeFeatures()
	if rawTp {
		feat.Have[probes.FacilityTpBtf] = false
	}
	c := startTracingWith(t, feat, "security_inode_rename")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	touch := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	renamed := func(what, oldPath, newPath string) *pb.Event {
		t.Helper()
		return c.waitFor(t, what, func(e *pb.Event) bool {
			return e.EventName == "security_inode_rename" && int(e.HostProcessId) == os.Getpid() &&
				arg(e, "old_path").GetStr() == oldPath && arg(e, "new_path").GetStr() == newPath
		})
	}
	identity := func(ev *pb.Event, path string) {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			t.Fatal(err)
		}
		// the kernel's s_dev is MKDEV(major, minor) = major<<20 | minor
		dev := uint64(unix.Major(st.Dev))<<20 | uint64(unix.Minor(st.Dev))
		if got := arg(ev, "inode").GetUint(); got != st.Ino {
			t.Errorf("%s: inode = %d, want %d", path, got, st.Ino)
		}
		if got := arg(ev, "dev").GetUint(); got != dev {
			t.Errorf("%s: dev = %#x, want %#x", path, got, dev)
		}
	}

	// rename with absolute paths: no directory to look the new name up in
	touch("a")
	if err := unix.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "b")); err != nil {
		t.Fatal(err)
	}
	ev := renamed("rename with absolute paths", filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if arg(ev, "inode").GetUint() != 0 {
		t.Errorf("absolute new path: inode %d, want 0 (not looked up)", arg(ev, "inode").GetUint())
	}

	// renameat through a dirfd opened via a symlink: the real directory
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(link, unix.O_DIRECTORY|unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	touch("c")
	if err := unix.Renameat(fd, "c", fd, "d"); err != nil {
		t.Fatal(err)
	}
	identity(renamed("renameat via a symlinked dirfd", filepath.Join(dir, "c"), filepath.Join(dir, "d")), filepath.Join(dir, "d"))

	// renameat2 relative to the cwd, into a subdirectory given by a relative path
	t.Chdir(dir)
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	touch("e")
	if err := unix.Renameat2(unix.AT_FDCWD, "e", unix.AT_FDCWD, "f", 0); err != nil {
		t.Fatal(err)
	}
	identity(renamed("renameat2 relative to the cwd", filepath.Join(dir, "e"), filepath.Join(dir, "f")), filepath.Join(dir, "f"))
	if err := unix.Renameat2(unix.AT_FDCWD, "f", unix.AT_FDCWD, "sub/g", unix.RENAME_NOREPLACE); err != nil {
		t.Fatal(err)
	}
	renamed("renameat2 into a subdirectory", filepath.Join(dir, "f"), filepath.Join(dir, "sub/g"))

	// a failed rename is no event: the next successful one arrives, it does not
	missing := filepath.Join(dir, "missing")
	if err := unix.Rename(missing, filepath.Join(dir, "x")); err == nil {
		t.Fatal("rename of a missing file succeeded")
	}
	touch("h")
	if err := unix.Rename("h", "i"); err != nil {
		t.Fatal(err)
	}
	identity(renamed("rename relative to the cwd", filepath.Join(dir, "h"), filepath.Join(dir, "i")), filepath.Join(dir, "i"))
	if e := c.find(func(e *pb.Event) bool { return arg(e, "old_path").GetStr() == missing }); e != nil {
		t.Errorf("failed rename reported: %v", e)
	}
}
