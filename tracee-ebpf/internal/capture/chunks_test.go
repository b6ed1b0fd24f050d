package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// chunkEv is a capture_chunk event as the decoder makes it.
func chunkEv(tid int32, ts int64, syscall int32, ret int64, kind uint64, path string, dev, ino, off, total, aux uint64, data []byte) *pb.Event {
	u := func(n string, v uint64) *pb.Argument { return &pb.Argument{Name: n, Value: &pb.Argument_Uint{Uint: v}} }
	return &pb.Event{EventName: chunkEvent, EventId: 1100, HostProcessId: tid, HostThreadId: tid, ProcessName: "t",
		Timestamp: ts, Syscall: syscall, ReturnValue: ret, Args: []*pb.Argument{
			u("kind", kind), {Name: "pathname", Value: &pb.Argument_Str{Str: path}}, u("dev", dev), u("inode", ino),
			u("offset", off), u("total", total), u("aux", aux), {Name: "data", Value: &pb.Argument_Bytes{Bytes: data}},
		}}
}

// chunks splits data into capture_chunk events of n bytes.
func chunks(tid int32, ts int64, syscall int32, ret int64, kind uint64, path string, ino, start uint64, data []byte, n int) []*pb.Event {
	var out []*pb.Event
	for off := 0; off < len(data); off += n {
		end := min(off+n, len(data))
		out = append(out, chunkEv(tid, ts, syscall, ret, kind, path, 7, ino, start+uint64(off), uint64(len(data)), 1, data[off:end]))
	}
	return out
}

func newTestCapturer(t *testing.T, flags ...string) (*Capturer, *bytes.Buffer) {
	t.Helper()
	cfg, err := ParseFlags(flags, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ProcRoot = t.TempDir() // no processes
	var log bytes.Buffer
	c, err := New(cfg, &log)
	if err != nil {
		t.Fatal(err)
	}
	return c, &log
}

func TestChunksLinkToTheirSyscall(t *testing.T) {
	c, _ := newTestCapturer(t, "module,bpf,write")
	image := bytes.Repeat([]byte("module image "), 1000)
	for _, ev := range chunks(10, 1, 175, -38, chunkModule, "", 0, 0, image, 4096) {
		c.Process(ev)
	}
	initMod := &pb.Event{EventName: "init_module", EventId: 175, HostThreadId: 10, Syscall: 175, ReturnValue: -38}
	c.Process(initMod)
	if len(initMod.Artifacts) != 1 || initMod.Artifacts[0].Sha256 != sum(image) || initMod.Artifacts[0].Kind != "module" {
		t.Fatalf("init_module artifacts %v", initMod.Artifacts)
	}
	if b, err := os.ReadFile(initMod.Artifacts[0].Path); err != nil || !bytes.Equal(b, image) {
		t.Errorf("stored image: %v", err)
	}

	insns := []byte{0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	c.Process(chunkEv(11, 2, 321, 5, chunkBPF, "prog_name", 0, 0, 0, 16, 1, insns))
	other := &pb.Event{EventName: "openat", EventId: 257, HostThreadId: 11, Syscall: 257}
	c.Process(other) // another syscall of the thread: not the bpf call's event
	bpfEv := &pb.Event{EventName: "bpf", EventId: 321, HostThreadId: 11, Syscall: 321, ReturnValue: 5}
	c.Process(bpfEv)
	if len(other.Artifacts) != 0 || len(bpfEv.Artifacts) != 0 {
		t.Errorf("artifact given to an unrelated event: %v / %v", other.Artifacts, bpfEv.Artifacts)
	}
	recs := readIndex[artifactRecord](t, filepath.Join(c.cfg.Dir, "bpf", "index.jsonl"))
	if len(recs) != 1 || recs[0].ProgName != "prog_name" || recs[0].ProgType != "socket_filter" || recs[0].SHA256 != sum(insns) {
		t.Errorf("bpf index %+v", recs)
	}

	// A write at offset 0 and a pwrite further on: the file is rebuilt at
	// its offsets; the write's own event and its magic_write get the
	// artifact, a later unrelated write of the thread does not.
	data := bytes.Repeat([]byte("0123456789"), 900)
	for _, ev := range chunks(12, 3, 1, int64(len(data)), chunkWrite, "/w/f", 99, 0, data, 4096) {
		c.Process(ev)
	}
	wr := &pb.Event{EventName: "write", EventId: 1, HostThreadId: 12, Syscall: 1, ReturnValue: int64(len(data))}
	magic := &pb.Event{EventName: "magic_write", EventId: 1015, HostThreadId: 12, Syscall: 1, Args: []*pb.Argument{
		{Name: "dev", Value: &pb.Argument_Uint{Uint: 7}}, {Name: "inode", Value: &pb.Argument_Uint{Uint: 99}}}}
	again := &pb.Event{EventName: "write", EventId: 1, HostThreadId: 12, Syscall: 1, ReturnValue: int64(len(data))}
	c.Process(wr)
	c.Process(magic)
	c.Process(again)
	if len(wr.Artifacts) != 1 || len(magic.Artifacts) != 1 || len(again.Artifacts) != 0 || wr.Artifacts[0].Sha256 != sum(data) {
		t.Errorf("write artifacts %v, magic_write %v, next write %v", wr.Artifacts, magic.Artifacts, again.Artifacts)
	}
	tail := []byte("tail bytes")
	for _, ev := range chunks(12, 4, 18, int64(len(tail)), chunkWrite, "/w/f", 99, 20000, tail, 4096) {
		c.Process(ev)
	}
	st := c.Close(time.Second)
	got, err := os.ReadFile(filepath.Join(c.cfg.Dir, "write", "dev-7.inode-99"))
	want := append(append(append([]byte{}, data...), make([]byte, 20000-len(data))...), tail...)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("rebuilt file: %v, %d bytes, want %d", err, len(got), len(want))
	}
	if st.Writes != 2 || st.Modules != 1 || st.BPF != 1 || st.Incomplete != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A chunk lost on the way (ring buffer full) makes the capture incomplete,
// flagged in the index and counted; the next syscall's chunks are apart.
func TestChunksLost(t *testing.T) {
	c, _ := newTestCapturer(t, "module")
	image := bytes.Repeat([]byte{1}, 10000)
	evs := chunks(20, 1, 175, -38, chunkModule, "", 0, 0, image, 4096)
	c.Process(evs[0])
	c.Process(evs[2]) // evs[1] lost
	next := chunks(20, 2, 175, -38, chunkModule, "", 0, 0, []byte("second"), 4096)
	c.Process(next[0])
	st := c.Close(time.Second)
	if st.Incomplete != 1 || st.Modules != 2 {
		t.Errorf("stats %+v", st)
	}
	recs := readIndex[artifactRecord](t, filepath.Join(c.cfg.Dir, "module", "index.jsonl"))
	if len(recs) != 2 || !recs[0].Incomplete || recs[1].Incomplete || recs[1].SHA256 != sum([]byte("second")) {
		t.Errorf("index %+v", recs)
	}
}

// A memfd executed by a process already gone is rebuilt from the writes
// into it.
func TestExecFromMemfdWrites(t *testing.T) {
	c, _ := newTestCapturer(t, "exec")
	payload := bytes.Repeat([]byte("\x7fELF payload"), 3000)
	for _, ev := range chunks(30, 1, 1, int64(len(payload)), chunkMemfd, "", 555, 0, payload, 4096) {
		c.Process(ev)
	}
	exec := execEvent(31, "payload", "memfd:x")
	exec.Args = append(exec.Args,
		&pb.Argument{Name: "dev", Value: &pb.Argument_Uint{Uint: 7}},
		&pb.Argument{Name: "inode", Value: &pb.Argument_Uint{Uint: 555}},
		&pb.Argument{Name: "is_memfd", Value: &pb.Argument_Bool{Bool: true}})
	c.Process(exec)
	if len(exec.Artifacts) != 1 || exec.Artifacts[0].Sha256 != sum(payload) {
		t.Fatalf("artifacts %v", exec.Artifacts)
	}
	if st := c.Close(time.Second); st.FromMemfd != 1 || st.Stored != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A spent budget stops the captures once, with a warning, the kernel copies
// switched off, and counts what it refuses.
func TestBudgetStops(t *testing.T) {
	c, log := newTestCapturer(t, "write", "budget=5K")
	stops := 0
	c.OnStop(func() error { stops++; return nil })
	data := bytes.Repeat([]byte("x"), 4096)
	for i := 0; i < 3; i++ {
		for _, ev := range chunks(40, int64(i+1), 1, 4096, chunkWrite, "/w/g", 5, uint64(i*4096), data, 4096) {
			c.Process(ev)
		}
	}
	st := c.Close(time.Second)
	if st.Writes != 1 || st.Dropped != 2 || stops != 1 {
		t.Errorf("stats %+v, %d stops", st, stops)
	}
	if !strings.Contains(log.String(), "capture budget of 5120 bytes spent") || !strings.Contains(log.String(), "tracing goes on") {
		t.Errorf("log %q", log.String())
	}
}

// A file opened for writing under a watched prefix names where its writes
// go; other opens do not.
func TestWriteTarget(t *testing.T) {
	c, _ := newTestCapturer(t, "write=/etc/ld.so.preload")
	open := func(path string, flags int64) *pb.Event {
		return &pb.Event{EventName: "security_file_open", EventId: 1010, HostThreadId: 50, Args: []*pb.Argument{
			{Name: "pathname", Value: &pb.Argument_Str{Str: path}},
			{Name: "flags", Value: &pb.Argument_Int{Int: flags}, Repr: "O_WRONLY"},
			{Name: "dev", Value: &pb.Argument_Uint{Uint: 8}},
			{Name: "inode", Value: &pb.Argument_Uint{Uint: 42}},
		}}
	}
	w, r, other := open("/etc/ld.so.preload", 1), open("/etc/ld.so.preload", 0), open("/etc/passwd", 2)
	for _, ev := range []*pb.Event{w, r, other} {
		c.Process(ev)
	}
	if len(w.Artifacts) != 1 || w.Artifacts[0].Kind != "write" || w.Artifacts[0].Sha256 != "" ||
		w.Artifacts[0].Path != filepath.Join(c.cfg.Dir, "write", "dev-8.inode-42") {
		t.Errorf("write open: %v", w.Artifacts)
	}
	if len(r.Artifacts) != 0 || len(other.Artifacts) != 0 {
		t.Errorf("read open %v, unwatched open %v", r.Artifacts, other.Artifacts)
	}
}
