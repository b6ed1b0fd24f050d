package capture

import (
	"bytes"
	"path/filepath"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func exitEv(pid, tid int32, groupExit bool) *pb.Event {
	return &pb.Event{EventName: "sched_process_exit", EventId: 1004, HostProcessId: pid, HostThreadId: tid,
		Args: []*pb.Argument{{Name: "process_group_exit", Value: &pb.Argument_Bool{Bool: groupExit}}}}
}

// A watched file opened for writing: the opener's last exit carries the
// file's captured bytes (kind written, sha256 of what was written, the
// stored path); a thread's exit, another process's exit, an opener that
// wrote nothing and a second exit carry nothing.
func TestWrittenAtWriterExit(t *testing.T) {
	c, _ := newTestCapturer(t, "write=/etc/ld.so.preload")
	open := func(pid int32, ino uint64) *pb.Event {
		return &pb.Event{EventName: "security_file_open", EventId: 1010, HostProcessId: pid, HostThreadId: pid, Args: []*pb.Argument{
			{Name: "pathname", Value: &pb.Argument_Str{Str: "/etc/ld.so.preload"}},
			{Name: "flags", Value: &pb.Argument_Int{Int: 1}},
			{Name: "dev", Value: &pb.Argument_Uint{Uint: 7}},
			{Name: "inode", Value: &pb.Argument_Uint{Uint: ino}},
		}}
	}
	c.Process(open(60, 99))
	c.Process(open(61, 100)) // opens, writes nothing
	data := bytes.Repeat([]byte("/tmp/evil.so\n"), 700)
	for _, ev := range chunks(60, 3, 1, 5000, chunkWrite, "/etc/ld.so.preload", 99, 0, data[:5000], 4096) {
		c.Process(ev)
	}
	for _, ev := range chunks(60, 4, 1, int64(len(data)-5000), chunkWrite, "/etc/ld.so.preload", 99, 5000, data[5000:], 4096) {
		c.Process(ev)
	}
	thread, other, idle := exitEv(60, 62, false), exitEv(63, 63, true), exitEv(61, 61, true)
	last, again := exitEv(60, 60, true), exitEv(60, 60, true)
	for _, ev := range []*pb.Event{thread, other, idle, last, again} {
		c.Process(ev)
	}
	if len(thread.Artifacts)+len(other.Artifacts)+len(idle.Artifacts)+len(again.Artifacts) != 0 {
		t.Errorf("artifacts on the wrong exits: %v %v %v %v", thread.Artifacts, other.Artifacts, idle.Artifacts, again.Artifacts)
	}
	want := &pb.Artifact{Kind: KindWritten, Sha256: sum(data), Path: filepath.Join(c.cfg.Dir, "write", "dev-7.inode-99"), Size: uint64(len(data))}
	if len(last.Artifacts) != 1 || last.Artifacts[0].String() != want.String() {
		t.Errorf("writer's exit: %v, want %v", last.Artifacts, want)
	}
	recs := readIndex[writtenRecord](t, filepath.Join(c.cfg.Dir, "write", "index.jsonl"))
	if n := len(recs); n == 0 || recs[n-1].SHA256 != sum(data) || recs[n-1].Written != "dev-7.inode-99" || recs[n-1].HostPid != 60 {
		t.Errorf("index %+v", recs)
	}
}

// The opens waiting for their writer's exit are bounded.
func TestWriteOpensBounded(t *testing.T) {
	var w writeOpens
	for i := 0; i < maxWriteOpens+10; i++ {
		w.add(int32(i), "/f")
	}
	if len(w.order) != maxWriteOpens || len(w.byPid) != maxWriteOpens || w.take(0) != nil || len(w.take(maxWriteOpens+9)) != 1 {
		t.Errorf("%d opens, %d pids", len(w.order), len(w.byPid))
	}
}

// A magic_write (a file's first bytes, whatever opened it) also makes its
// writer's exit carry the whole written file.
func TestWrittenAfterMagicWrite(t *testing.T) {
	c, _ := newTestCapturer(t, "write")
	data := append([]byte("\x7fELF"), bytes.Repeat([]byte{0x90}, 6000)...)
	for _, ev := range chunks(70, 5, 1, 4096, chunkWrite, "/tmp/.x", 11, 0, data[:4096], 4096) {
		c.Process(ev)
	}
	magic := &pb.Event{EventName: "magic_write", EventId: 1015, HostProcessId: 70, HostThreadId: 70, Syscall: 1, Args: []*pb.Argument{
		{Name: "dev", Value: &pb.Argument_Uint{Uint: 7}}, {Name: "inode", Value: &pb.Argument_Uint{Uint: 11}}}}
	c.Process(magic)
	for _, ev := range chunks(70, 6, 1, int64(len(data)-4096), chunkWrite, "/tmp/.x", 11, 4096, data[4096:], 4096) {
		c.Process(ev)
	}
	exit := exitEv(70, 70, true)
	c.Process(exit)
	if len(magic.Artifacts) != 1 || magic.Artifacts[0].Sha256 != sum(data[:4096]) {
		t.Errorf("magic_write %v", magic.Artifacts)
	}
	if len(exit.Artifacts) != 1 || exit.Artifacts[0].Kind != KindWritten || exit.Artifacts[0].Sha256 != sum(data) {
		t.Errorf("exit %v, want the whole file %s", exit.Artifacts, sum(data))
	}
}
