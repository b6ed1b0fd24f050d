package tracer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/policy"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
)

// startFiltered loads the real probes with the kernel data filters of the
// given policies (YAML), scoped to this test process. No user-space matcher
// runs: the collector sees exactly what the kernel let through.
func startFiltered(t *testing.T, yaml string) (*collector, *probes.Probes) {
	t.Helper()
	c, p, _ := startPolicies(t, yaml, ownTrees)
	return c, p
}

// ownTrees is the kernel scope of the set's policies, each narrowed to
// tree= this test process.
func ownTrees(t *testing.T, set *policy.Set) probes.Scope {
	t.Helper()
	var ks []*filter.Kernel
	for _, k := range set.Kernels() {
		k := *k
		k.Tree = []uint32{uint32(os.Getpid())}
		ks = append(ks, &k)
	}
	s, err := KernelScopes(ks, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const policyHead = "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: %s}\nspec:\n  scope: [global]\n  rules:\n"

func pol(name, rules string) string {
	return strings.Replace(policyHead, "%s", name, 1) + rules
}

// mine: events of this process with the given name.
func (c *collector) mine(name string) []*pb.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*pb.Event
	for _, e := range c.evs {
		if e.EventName == name && int(e.HostProcessId) == os.Getpid() {
			out = append(out, e)
		}
	}
	return out
}

// waitCount polls until n events of this process with the name arrived.
func waitCount(t *testing.T, c *collector, name string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.mine(name)) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // and nothing more
}

func closeFds(c *collector, name string) []int64 {
	var fds []int64
	for _, e := range c.mine(name) {
		fds = append(fds, int64(arg(e, "fd").GetUint()))
	}
	return fds
}

func filteredCount(t *testing.T, p *probes.Probes) uint64 {
	st, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st.DataFiltered
}

// Integer equality, none-of and ranges on an argument, and a range on the
// return value, against real close(2) calls on descriptors that are not open.
func TestKernelDataFilterIntegers(t *testing.T) {
	c, p := startFiltered(t, pol("ints", `    - event: close
      filters: ["data.fd=7001,7003"]
    - event: close
      filters: ["data.fd>=7100", "data.fd<7103", "data.fd!=7101"]
    - event: close
      filters: [data.fd=7200, "retval<0"]
`))
	before := filteredCount(t, p)
	for _, fd := range []int{7000, 7001, 7002, 7003, 7099, 7100, 7101, 7102, 7103} {
		syscall.Close(fd) // EBADF: only the kernel's view matters
	}
	// retval: close(7200) fails (passes retval<0); an open fd dup'ed to 7200 closes fine (dropped).
	syscall.Close(7200)
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(f.Fd()), 7200); err != nil {
		t.Fatal(err)
	}
	f.Close()
	syscall.Close(7200)
	syscall.Close(7003)
	waitCount(t, c, "close", 6)
	got := closeFds(c, "close")
	want := []int64{7001, 7003, 7100, 7102, 7200, 7003}
	if !slices.Equal(got, want) {
		t.Fatalf("closes that reached user space: %v, want %v", got, want)
	}
	for _, e := range c.mine("close") {
		if arg(e, "fd").GetUint() == 7200 && e.ReturnValue >= 0 {
			t.Errorf("successful close(7200) passed retval<0")
		}
	}
	if n := filteredCount(t, p) - before; n < 6 {
		t.Errorf("kernel counted %d data-filtered events, want at least 6", n)
	}
}

// Flag bits and enum fields on open flags and mmap prot, against real
// openat(2) and mmap(2) calls.
func TestKernelDataFilterFlags(t *testing.T) {
	dir := t.TempDir()
	c, _ := startFiltered(t, pol("flags", `    - event: openat
      filters: ["data.flags=O_WRONLY,O_RDWR", data.pathname=`+dir+`/*]
    - event: mmap
      filters: [data.prot=PROT_EXEC, data.length=40960]
`))
	path := filepath.Join(dir, "f")
	for _, fl := range []int{os.O_RDONLY | os.O_CREATE, os.O_WRONLY, os.O_RDWR | os.O_APPEND, os.O_RDONLY} {
		if f, err := os.OpenFile(path, fl, 0o644); err == nil {
			f.Close()
		}
	}
	for _, prot := range []int{syscall.PROT_READ, syscall.PROT_READ | syscall.PROT_EXEC, syscall.PROT_WRITE} {
		if b, err := syscall.Mmap(-1, 0, 40960, prot, syscall.MAP_PRIVATE|syscall.MAP_ANON); err == nil {
			syscall.Munmap(b)
		}
	}
	c.waitFor(t, "the PROT_EXEC mmap", func(e *pb.Event) bool { return e.EventName == "mmap" })
	c.waitFor(t, "the O_RDWR open", func(e *pb.Event) bool {
		return e.EventName == "openat" && strings.Contains(arg(e, "flags").GetRepr(), "O_RDWR")
	})
	time.Sleep(100 * time.Millisecond)
	var opens []string
	for _, e := range c.mine("openat") {
		opens = append(opens, arg(e, "flags").GetRepr())
	}
	if len(opens) != 2 || !strings.Contains(opens[0], "O_WRONLY") || !strings.Contains(opens[1], "O_RDWR") {
		t.Errorf("opens that reached user space: %q, want the O_WRONLY and the O_RDWR one", opens)
	}
	var prots []string
	for _, e := range c.mine("mmap") {
		prots = append(prots, arg(e, "prot").GetRepr())
	}
	if !slices.Equal(prots, []string{"PROT_READ|PROT_EXEC"}) {
		t.Errorf("mmaps that reached user space: %q, want only PROT_READ|PROT_EXEC", prots)
	}
}

// String equality, prefix, suffix and their negation on a path the kernel
// resolves (security_file_open) and on a user string (openat), and the
// policies each event matched.
func TestKernelDataFilterStrings(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"exact", "exactly", "pre-1", "pre-2", "x.conf", "y.confx", "other"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := startFiltered(t, pol("eq", `    - event: security_file_open
      filters: [data.pathname=`+dir+`/exact]
`)+"---\n"+pol("pre", `    - event: security_file_open
      filters: [data.pathname=`+dir+`/pre*]
`)+"---\n"+pol("suf", `    - event: security_file_open
      filters: [data.pathname=*.conf, data.pathname=`+dir+`/*]
    - event: openat
      filters: [data.pathname=*/other, "data.pathname!=/nope/other"]
`))
	for _, n := range names {
		if f, err := os.Open(filepath.Join(dir, n)); err == nil {
			f.Close()
		}
	}
	c.waitFor(t, "openat of other", func(e *pb.Event) bool { return e.EventName == "openat" })
	c.waitFor(t, "x.conf", func(e *pb.Event) bool {
		return e.EventName == "security_file_open" && strings.HasSuffix(arg(e, "pathname").GetStr(), "x.conf")
	})
	time.Sleep(100 * time.Millisecond)
	var got []string
	for _, e := range c.mine("security_file_open") {
		got = append(got, strings.TrimPrefix(arg(e, "pathname").GetStr(), dir+"/"))
	}
	if want := []string{"exact", "pre-1", "pre-2", "x.conf"}; !slices.Equal(got, want) {
		t.Errorf("opens that reached user space: %q, want %q", got, want)
	}
	var oth []string
	for _, e := range c.mine("openat") {
		oth = append(oth, filepath.Base(arg(e, "pathname").GetStr()))
	}
	if !slices.Equal(oth, []string{"other"}) {
		t.Errorf("openat that reached user space: %q, want [other]", oth)
	}
}

// watched_dir is decided in the kernel's early check from the watched
// directory's entry (the patterns its name matches, set when the filters
// load): equality, prefix, suffix and a negation, against real opens of a
// file in /etc, one in /usr/lib (reached through the /etc/os-release
// symlink) and one in no watched directory. Each event carries exactly the
// policies whose filters it passed.
func TestKernelDataFilterWatchedDir(t *testing.T) {
	other := filepath.Join(t.TempDir(), "unwatched")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{"/etc/hostname", "/etc/os-release", other}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("this test opens %s: %v", f, err)
		}
	}
	// each file has one rule that wants it, so that a wrong early answer
	// cannot hide behind another rule that lets it through to the full check
	rule := func(filters, names string) string {
		return "    - event: security_file_open\n      filters: [" + filters + ", \"data.pathname=" + names + "\"]\n"
	}
	c, _ := startFiltered(t, pol("eq", rule("data.watched_dir=/etc", "*/hostname,*/os-release,*/unwatched"))+"---\n"+
		pol("pre", rule("data.watched_dir=/usr/l*", "*/hostname,*/os-release,*/unwatched"))+"---\n"+
		pol("suf", rule("data.watched_dir=*/lib", "*/hostname,*/os-release,*/unwatched"))+"---\n"+
		pol("neg", rule("data.watched_dir!=/etc", "*/os-release,*/unwatched")))
	for _, f := range files {
		if h, err := os.Open(f); err == nil {
			h.Close()
		}
	}
	c.waitFor(t, "the unwatched file", func(e *pb.Event) bool {
		return e.EventName == "security_file_open" && strings.HasSuffix(arg(e, "pathname").GetStr(), "/unwatched")
	})
	time.Sleep(100 * time.Millisecond)
	// the kernel's policy bitmaps, in the policies' order
	const eq, pre, suf, neg = 1, 2, 4, 8
	got := map[string]uint64{}
	c.mu.Lock()
	for i, e := range c.evs {
		if e.EventName == "security_file_open" && int(e.HostProcessId) == os.Getpid() {
			got[filepath.Base(arg(e, "pathname").GetStr())] |= c.bits[i]
		}
	}
	c.mu.Unlock()
	want := map[string]uint64{"hostname": eq, "os-release": pre | suf | neg, "unwatched": neg}
	for f, w := range want {
		if g := got[f]; g != w {
			t.Errorf("open of %s matched policies %04b, want %04b", f, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("opens that reached user space: %v", got)
	}
}

// The early checks refuse what they can decide: an open that no rule's
// pathname or watched-directory patterns can match is dropped before its
// record is built - by the path gate and the string tables - so the count
// of records built and then dropped (DataFilteredLate) does not move,
// while a file that matches arrives. /etc/hostname meets a pattern that
// needs the path's head, one that needs its tail and a watched directory's
// rule whose own pattern it misses.
func TestKernelDataFilterEarly(t *testing.T) {
	want := filepath.Join(t.TempDir(), "early-wanted")
	if err := os.WriteFile(want, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rule := func(filters string) string {
		return "    - event: security_file_open\n      filters: [" + filters + "]\n"
	}
	c, p := startFiltered(t, pol("early", rule(`"data.pathname=/etc/kubernetes/pki/*"`)+
		rule(`"data.pathname=*/early-wanted"`)+
		rule(`"data.watched_dir=/etc", "data.pathname=*/shadow"`)))
	stats := func() probes.Stats {
		st, err := p.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := stats()
	const n = 50
	for range n {
		if h, err := os.Open("/etc/hostname"); err == nil {
			h.Close()
		} else {
			t.Fatal(err)
		}
	}
	if h, err := os.Open(want); err == nil {
		h.Close()
	}
	c.waitFor(t, "the wanted file", func(e *pb.Event) bool {
		return e.EventName == "security_file_open" && arg(e, "pathname").GetStr() == want
	})
	after := stats()
	if d := after.DataFiltered - before.DataFiltered; d < n {
		t.Errorf("%d opens of /etc/hostname, %d dropped by the data filters", n, d)
	}
	if d := after.DataFilteredLate - before.DataFilteredLate; d != 0 {
		t.Errorf("%d records built and then dropped: the early checks let them through", d)
	}
	for _, e := range c.mine("security_file_open") {
		if p := arg(e, "pathname").GetStr(); p != want {
			t.Errorf("open of %s arrived", p)
		}
	}
}

// security_file_truncate's length is filtered before its path is built:
// with data.length=0, a file cut to 5 bytes is dropped in the kernel
// (counted) and the same file emptied arrives.
func TestKernelDataFilterFileTruncate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cut")
	if err := os.WriteFile(file, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, p := startFiltered(t, pol("empty", "    - event: security_file_truncate\n      filters: [data.length=0]\n"))
	before := filteredCount(t, p)
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []int64{5, 0} {
		if err := syscall.Ftruncate(int(f.Fd()), n); err != nil {
			t.Fatal(err)
		}
	}
	waitCount(t, c, "security_file_truncate", 1)
	evs := c.mine("security_file_truncate")
	if len(evs) != 1 || arg(evs[0], "length").GetInt() != 0 {
		var got []int64
		for _, e := range evs {
			got = append(got, arg(e, "length").GetInt())
		}
		t.Errorf("lengths that reached user space: %v, want [0]", got)
	}
	if after := filteredCount(t, p); after <= before {
		t.Errorf("the kernel's data-filtered count did not move (%d -> %d)", before, after)
	}
}

// security_mmap_file is filtered on its flags and prot before its path is
// built (TRC-4's two rules: executable, or shared and writable): real
// mappings of a file, read-only, private writable, shared writable through
// MAP_SHARED_VALIDATE, and executable; only the last two reach user space,
// and the kernel counts the others as data-filtered.
func TestKernelDataFilterMmapFile(t *testing.T) {
	c, p := startFiltered(t, pol("mmapfile", `    - event: security_mmap_file
      filters: [data.prot=PROT_EXEC]
    - event: security_mmap_file
      filters: [data.prot=PROT_WRITE, "data.flags=MAP_SHARED,MAP_SHARED_VALIDATE"]
`))
	path := filepath.Join(t.TempDir(), "mapped")
	if err := os.WriteFile(path, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := filteredCount(t, p)
	const mapSharedValidate = 0x3
	for _, m := range []struct{ prot, flags int }{
		{syscall.PROT_READ, syscall.MAP_PRIVATE},
		{syscall.PROT_READ | syscall.PROT_WRITE, syscall.MAP_PRIVATE},
		{syscall.PROT_READ | syscall.PROT_WRITE, mapSharedValidate},
		{syscall.PROT_READ | syscall.PROT_EXEC, syscall.MAP_PRIVATE},
	} {
		b, err := syscall.Mmap(int(f.Fd()), 0, 4096, m.prot, m.flags)
		if err != nil {
			t.Fatalf("mmap prot %#x flags %#x: %v", m.prot, m.flags, err)
		}
		syscall.Munmap(b)
	}
	waitCount(t, c, "security_mmap_file", 2)
	var got []string
	for _, e := range c.mine("security_mmap_file") {
		if arg(e, "pathname").GetStr() == path {
			got = append(got, arg(e, "prot").GetRepr()+" "+arg(e, "flags").GetRepr())
		}
	}
	want := []string{"PROT_READ|PROT_WRITE MAP_SHARED_VALIDATE", "PROT_READ|PROT_EXEC MAP_PRIVATE"}
	if !slices.Equal(got, want) {
		t.Errorf("mappings of %s that reached user space: %q, want %q", path, got, want)
	}
	if n := filteredCount(t, p) - before; n < 2 {
		t.Errorf("kernel counted %d data-filtered events, want at least 2", n)
	}
}
