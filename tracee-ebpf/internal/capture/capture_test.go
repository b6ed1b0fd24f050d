package capture

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// fakeProc is a /proc stand-in: <root>/<pid>/exe links to a file and
// <root>/<pid>/mem is a file read at the region's address.
type fakeProc struct {
	t    *testing.T
	root string
}

func newFakeProc(t *testing.T) *fakeProc {
	return &fakeProc{t: t, root: t.TempDir()}
}

func (p *fakeProc) exe(pid int, target string) {
	dir := filepath.Join(p.root, strconv.Itoa(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "exe"))
	if err := os.Symlink(target, filepath.Join(dir, "exe")); err != nil {
		p.t.Fatal(err)
	}
}

func (p *fakeProc) mem(pid int, addr int64, data []byte) {
	dir := filepath.Join(p.root, strconv.Itoa(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "mem"))
	if err != nil {
		p.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, addr); err != nil {
		p.t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func execEvent(pid int32, comm, path string) *pb.Event {
	return &pb.Event{
		EventName: "sched_process_exec", EventId: 1003, HostProcessId: pid, ProcessName: comm,
		Timestamp: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano(),
		Args:      []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: path}}},
	}
}

func memEvent(pid int32, addr, length uint64) *pb.Event {
	return &pb.Event{
		EventName: "mem_prot_alert", EventId: 1014, HostProcessId: pid, ProcessName: "wx",
		Timestamp: 1700000000123456789,
		Args: []*pb.Argument{
			{Name: "alert", Value: &pb.Argument_Uint{Uint: 4}, Repr: "Protection changed from W+E to E!"},
			{Name: "addr", Value: &pb.Argument_Uint{Uint: addr}},
			{Name: "len", Value: &pb.Argument_Uint{Uint: length}},
			{Name: "prot", Value: &pb.Argument_Int{Int: 5}, Repr: "PROT_READ|PROT_EXEC"},
		},
	}
}

func testConfig(t *testing.T, proc *fakeProc) Config {
	c, err := ParseFlags([]string{"exec,mem"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c.ProcRoot = proc.root
	return c
}

func readIndex[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r T
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("index line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestExecCapture(t *testing.T) {
	proc := newFakeProc(t)
	bins := t.TempDir()
	payload := bytes.Repeat([]byte("\x7fELF payload "), 1000)
	orig := writeFile(t, filepath.Join(bins, "true"), payload)
	clone := writeFile(t, filepath.Join(bins, "memfd-copy"), payload) // same content, other inode
	big := writeFile(t, filepath.Join(bins, "big"), make([]byte, len(payload)+1))
	proc.exe(10, orig)
	proc.exe(11, orig)
	proc.exe(12, clone)
	proc.exe(13, big)

	cfg := testConfig(t, proc)
	cfg.ExecMaxSize = int64(len(payload))
	var log bytes.Buffer
	c, err := New(cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []*pb.Event{
		execEvent(10, "true", orig),
		execEvent(11, "true", orig),            // same file: cache
		execEvent(12, "payload", "memfd:x"),    // same content, new identity: hashed, not stored again
		execEvent(13, "big", big),              // over the limit
		execEvent(14, "gone", "/bin/vanished"), // no such process
		{EventName: "openat", HostProcessId: 10},
	} {
		c.Process(ev)
		for _, a := range ev.Args { // the event goes back to the pool: the stage must have copied
			a.Value = &pb.Argument_Str{Str: "reused by the pool"}
		}
	}
	st := c.Close(5 * time.Second)
	want := Stats{Exec: 3, Stored: 1, Cached: 1, Failed: 1, Skipped: 1}
	if st != want {
		t.Errorf("stats = %+v, want %+v (log: %s)", st, want, log.String())
	}
	stored, err := os.ReadFile(filepath.Join(cfg.Dir, "exec", sum(payload)))
	if err != nil || !bytes.Equal(stored, payload) {
		t.Fatalf("stored payload: %v (%d bytes)", err, len(stored))
	}
	ents, _ := os.ReadDir(filepath.Join(cfg.Dir, "exec"))
	if len(ents) != 2 { // <sha256> and index.jsonl
		t.Errorf("exec dir has %d entries, want 2: %v", len(ents), ents)
	}
	recs := readIndex[execRecord](t, filepath.Join(cfg.Dir, "exec", "index.jsonl"))
	if len(recs) != 4 {
		t.Fatalf("index has %d lines, want 4: %+v", len(recs), recs)
	}
	checks := []struct {
		pid            int32
		pathname, hash string
		stored, cached bool
		skipped        bool
	}{
		{10, orig, sum(payload), true, false, false},
		{11, orig, sum(payload), false, true, false},
		{12, "memfd:x", sum(payload), false, false, false},
		{13, big, "", false, false, true},
	}
	for i, w := range checks {
		r := recs[i]
		if r.HostPid != w.pid || r.Pathname != w.pathname || r.SHA256 != w.hash || r.Stored != w.stored || r.Cached != w.cached || (r.Skipped != "") != w.skipped {
			t.Errorf("index[%d] = %+v, want %+v", i, r, w)
		}
		if r.Time != "2024-05-01T12:00:00Z" {
			t.Errorf("index[%d].Time = %q", i, r.Time)
		}
	}
	if recs[0].Size != int64(len(payload)) || recs[3].Size != int64(len(payload)+1) {
		t.Errorf("sizes %d, %d", recs[0].Size, recs[3].Size)
	}
	if !strings.Contains(log.String(), "capture exec of pid 14 (gone)") {
		t.Errorf("failure not logged: %q", log.String())
	}
}

func TestExecCacheNoticesRewrite(t *testing.T) {
	proc := newFakeProc(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "tool"), []byte("version 1"))
	proc.exe(20, path)
	c, err := New(testConfig(t, proc), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	c.Process(execEvent(20, "tool", path))
	time.Sleep(20 * time.Millisecond) // a later ctime
	for c.Stats().Exec == 0 {
		time.Sleep(time.Millisecond)
	}
	writeFile(t, path, []byte("version 2, same inode"))
	c.Process(execEvent(20, "tool", path))
	st := c.Close(5 * time.Second)
	if st.Stored != 2 || st.Cached != 0 {
		t.Errorf("stats = %+v, want 2 stored, none from the cache", st)
	}
	for _, v := range []string{"version 1", "version 2, same inode"} {
		if _, err := os.Stat(filepath.Join(c.cfg.Dir, "exec", sum([]byte(v)))); err != nil {
			t.Errorf("%q not stored: %v", v, err)
		}
	}
}

func TestIdentityCacheBounded(t *testing.T) {
	c := newIdentityCache(2)
	c.put(identity{ino: 1}, "a")
	c.put(identity{ino: 2}, "b")
	c.get(identity{ino: 1}) // 2 is now least recently used
	c.put(identity{ino: 3}, "c")
	if c.len() != 2 {
		t.Fatalf("len = %d", c.len())
	}
	if _, ok := c.get(identity{ino: 2}); ok {
		t.Error("least recently used entry kept")
	}
	if s, ok := c.get(identity{ino: 1}); !ok || s != "a" {
		t.Errorf("get(1) = %q, %v", s, ok)
	}
}

// An exec event whose inode is not the process's image any more (it
// exec'd again, or the pid was reused) captures nothing: the later event
// captures the new image.
func TestExecImageChanged(t *testing.T) {
	proc := newFakeProc(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "now"), []byte("the new image"))
	proc.exe(50, path)
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	c, err := New(testConfig(t, proc), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	old := execEvent(50, "first", "/old/image")
	old.Args = append(old.Args, &pb.Argument{Name: "inode", Value: &pb.Argument_Uint{Uint: st.Ino + 1}})
	cur := execEvent(50, "second", path)
	cur.Args = append(cur.Args, &pb.Argument{Name: "inode", Value: &pb.Argument_Uint{Uint: st.Ino}})
	c.Process(old)
	c.Process(cur)
	stats := c.Close(5 * time.Second)
	if stats.Skipped != 1 || stats.Stored != 1 {
		t.Errorf("stats = %+v", stats)
	}
	recs := readIndex[execRecord](t, filepath.Join(c.cfg.Dir, "exec", "index.jsonl"))
	if len(recs) != 2 || recs[0].SHA256 != "" || !strings.Contains(recs[0].Skipped, "image changed") ||
		recs[1].SHA256 != sum([]byte("the new image")) || recs[1].Pathname != path {
		t.Errorf("index = %+v", recs)
	}
}

func TestMemCapture(t *testing.T) {
	proc := newFakeProc(t)
	region := append(bytes.Repeat([]byte{0xc3}, 16), make([]byte, 4096-16)...)
	proc.mem(30, 0x10000, region)
	proc.mem(31, 0x2000, []byte("short"))
	cfg := testConfig(t, proc)
	cfg.MemMaxSize = 1024
	cfg.MemBudget = 5 + 1024 + 10
	c, err := New(cfg, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	c.Process(memEvent(31, 0x2000, 4096))  // ends at the file's end: 5 bytes
	c.Process(memEvent(30, 0x10000, 4096)) // cut at 1024
	c.Process(memEvent(30, 0x10000, 4096)) // cut at what is left of the budget
	c.Process(memEvent(30, 0x10000, 4096)) // budget spent
	c.Process(memEvent(32, 0x1000, 4096))  // budget spent (no such process either)
	st := c.Close(5 * time.Second)
	want := Stats{Mem: 3, MemBytes: 1039, Skipped: 2}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	recs := readIndex[memRecord](t, filepath.Join(cfg.Dir, "mem", "index.jsonl"))
	if len(recs) != 5 {
		t.Fatalf("index: %+v", recs)
	}
	if recs[0].Size != 5 || recs[0].Error == "" {
		t.Errorf("short dump record %+v", recs[0])
	}
	r := recs[1]
	if r.HostPid != 30 || r.Addr != "0x10000" || r.Len != 4096 || r.Size != 1024 || r.Alert != "Protection changed from W+E to E!" || r.Prot != "PROT_READ|PROT_EXEC" {
		t.Errorf("index[1] = %+v", r)
	}
	if r.File != "30-0x10000-1700000000123456789.bin" {
		t.Errorf("file name %q", r.File)
	}
	dump, err := os.ReadFile(filepath.Join(cfg.Dir, "mem", r.File))
	if err != nil || !bytes.Equal(dump, region[:1024]) || r.SHA256 != sum(region[:1024]) {
		t.Errorf("dump: %v, %d bytes, starts % x", err, len(dump), dump[:min(len(dump), 4)])
	}
	if recs[2].Size != 10 || recs[2].File == "" {
		t.Errorf("budget-cut record %+v", recs[2])
	}
	for _, r := range recs[3:] {
		if r.Skipped == "" || r.File != "" {
			t.Errorf("budget record %+v", r)
		}
	}
}

func TestClearDir(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "exec", "deadbeef")
	keep := filepath.Join(dir, "tracee.pid")
	os.MkdirAll(filepath.Dir(old), 0o755)
	writeFile(t, old, []byte("old"))
	writeFile(t, keep, []byte("1"))
	cfg, err := ParseFlags([]string{"exec", "clear-dir", "dir:" + dir}, "/unused")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close(time.Second)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old capture survived clear-dir: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("clear-dir removed a file it does not own: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mem")); !os.IsNotExist(err) {
		t.Errorf("mem/ created without --capture mem")
	}
}

// A process that exited before its event was handled is captured from the
// path on disk when that is still the inode it ran; a replaced file is not.
func TestExecFallsBackToPathForGoneProcess(t *testing.T) {
	proc := newFakeProc(t) // pid 60 has no /proc entry: it is gone
	path := writeFile(t, filepath.Join(t.TempDir(), "short-lived"), []byte("ran and exited"))
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	c, err := New(testConfig(t, proc), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	same := execEvent(60, "short", path)
	same.Args = append(same.Args, &pb.Argument{Name: "inode", Value: &pb.Argument_Uint{Uint: st.Ino}})
	replaced := execEvent(61, "short", path)
	replaced.Args = append(replaced.Args, &pb.Argument{Name: "inode", Value: &pb.Argument_Uint{Uint: st.Ino + 1}})
	memfd := execEvent(62, "payload", "memfd:payload")
	c.Process(same)
	c.Process(replaced)
	c.Process(memfd)
	stats := c.Close(5 * time.Second)
	if stats.Stored != 1 || stats.Failed != 2 {
		t.Errorf("stats = %+v, want 1 stored from the path and 2 failures", stats)
	}
	recs := readIndex[execRecord](t, filepath.Join(c.cfg.Dir, "exec", "index.jsonl"))
	if len(recs) != 1 || recs[0].SHA256 != sum([]byte("ran and exited")) || recs[0].HostPid != 60 {
		t.Errorf("index = %+v", recs)
	}
}
