package tracer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// The path gate (bpf/lib/pathgate.h) drops opens before their path is built,
// from the file's base name and its path's first two components. It must
// never drop an open whose path matches: checked against real opens of
// every shape the walk meets (exact, directory prefix at depth, suffix with
// and without "/", long names cut in the key, a file that is a mount's
// root, a bind-mounted directory, a memfd's bare name), and it must still
// drop the rest (counted as data-filtered).
func TestKernelPathGate(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("L", 200)
	files := []string{"exact", "exact2", "sub/a", "sub/deep/er/b", "subx", "x/leaf.key", "leaf.keyx",
		"a.conf", long + ".conf", long + "leaf.key", "bindsrc", "mnt/.keep", "other"}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		patterns string
		want     []string
	}{
		{"mixed", dir + "/exact," + dir + "/sub/*,*/leaf.key,*.conf,memfd:gatetest*",
			[]string{"exact", "sub/a", "sub/deep/er/b", "x/leaf.key", "a.conf", long + ".conf", "exact", "memfd:gatetest-1"}},
		// without prefixes the tail alone decides most opens
		{"ends", dir + "/exact,*/leaf.key,*.conf",
			[]string{"exact", "x/leaf.key", "a.conf", long + ".conf", "exact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := startFiltered(t, pol("gate", fmt.Sprintf(`    - event: security_file_open
      filters: ["data.pathname=%s"]
`, tc.patterns)))
			before := filteredCount(t, p)
			pathGateOpens(t, dir, files)
			var want []string
			for _, w := range tc.want {
				if !strings.HasPrefix(w, "memfd:") {
					w = dir + "/" + w
				}
				want = append(want, w)
			}
			got := func() []string {
				var got []string
				for _, e := range c.all("security_file_open") {
					got = append(got, arg(e, "pathname").GetStr())
				}
				slices.Sort(got)
				return got
			}
			deadline := time.Now().Add(5 * time.Second)
			for len(got()) < len(want) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // and nothing more
			slices.Sort(want)
			if g := got(); !slices.Equal(g, want) {
				t.Errorf("opens that reached user space:\n got %q\nwant %q", g, want)
			}
			// exact2, subx, leaf.keyx, the long leaf.key name, bindsrc,
			// mnt/.keep, other (twice), the memfd "other" at least, and
			// the libraries cat and sh opened.
			if n := filteredCount(t, p) - before; n < 9 {
				t.Errorf("%d opens dropped in the kernel, want at least 9", n)
			}
		})
	}
}

// pathGateOpens opens each file, then in a private mount namespace of a
// child a file that is a mount's root (bindsrc bind-mounted onto exact)
// and a file through a bind-mounted directory, then two memfds through
// /proc/self/fd.
func pathGateOpens(t *testing.T, dir string, files []string) {
	t.Helper()
	for _, f := range files {
		if fd, err := os.Open(filepath.Join(dir, f)); err == nil {
			fd.Close()
		}
	}
	script := fmt.Sprintf(`mount --bind %[1]s/bindsrc %[1]s/exact && mount --bind %[1]s/sub %[1]s/mnt &&
cat %[1]s/exact %[1]s/mnt/a %[1]s/other </dev/null >/dev/null`, dir)
	if out, err := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("unshare: %v: %s", err, out)
	}
	for _, name := range []string{"gatetest-1", "other"} {
		mfd, err := unix.MemfdCreate(name, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", mfd)); err == nil {
			f.Close()
		}
		unix.Close(mfd)
	}
}

// all: events with the given name from this process or its children.
func (c *collector) all(name string) []*pb.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*pb.Event
	for _, e := range c.evs {
		if e.EventName == name {
			out = append(out, e)
		}
	}
	return out
}
