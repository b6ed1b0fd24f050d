package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestProcMemAccess(t *testing.T) {
	runCases(t, func() sdkSig { return NewProcMemAccess() }, []sigCase{
		{name: "other process read", events: []*pb.Event{open("/proc/2000/mem", 0, "O_RDONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/2000/mem", "flags": "O_RDONLY"}}}},
		{name: "thread of another process", events: []*pb.Event{open("/proc/2000/task/2001/mem", 0x80000, "O_RDONLY|O_CLOEXEC")},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/2000/task/2001/mem", "flags": "O_RDONLY|O_CLOEXEC"}}}},
		{name: "read-write is TRC-3's injection", events: []*pb.Event{open("/proc/2000/mem", 2, "O_RDWR")}},
		{name: "process_vm_readv of another process", events: []*pb.Event{ret(ev("process_vm_readv", iarg("pid", 2000), uarg("local_iov", 1), uarg("liovcnt", 1)), 64)},
			want: []wantFinding{{0, map[string]any{"target pid": int64(2000), "return value": int64(64)}}}},
		{name: "process_vm_readv of itself", events: []*pb.Event{ev("process_vm_readv", iarg("pid", 1000))}},
		{name: "own memory", events: []*pb.Event{open("/proc/1000/mem", 0, "O_RDONLY"), open("/proc/1000/task/1000/mem", 0, "O_RDONLY")}},
		{name: "write only is TRC-3's", events: []*pb.Event{open("/proc/2000/mem", 1, "O_WRONLY")}},
		{name: "maps is not memory", events: []*pb.Event{open("/proc/2000/maps", 0, "O_RDONLY")}},
		{name: "not a pid", events: []*pb.Event{open("/proc/self/mem", 0, "O_RDONLY"), open("/proc/x/task/1/mem", 0, "O_RDONLY")}},
	})
	if got, ok := procPidFile("/proc/7/task/9/mem", "mem"); !ok || got != 9 {
		t.Errorf("tid of a thread's mem = %d, %v; want 9", got, ok)
	}
}
