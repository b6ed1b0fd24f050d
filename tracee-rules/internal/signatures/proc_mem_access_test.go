package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestProcMemAccess(t *testing.T) {
	runCases(t, func() sdkSig { return NewProcMemAccess() }, []sigCase{
		{name: "other process read", events: []*pb.Event{open("/proc/2000/mem", 0, "O_RDONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/2000/mem", "flags": "O_RDONLY"}}}},
		{name: "thread of another process", events: []*pb.Event{open("/proc/2000/task/2001/mem", 2, "O_RDWR")},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/2000/task/2001/mem", "flags": "O_RDWR"}}}},
		{name: "own memory", events: []*pb.Event{open("/proc/1000/mem", 0, "O_RDONLY"), open("/proc/1000/task/1000/mem", 0, "O_RDONLY")}},
		{name: "write only is TRC-3's", events: []*pb.Event{open("/proc/2000/mem", 1, "O_WRONLY")}},
		{name: "maps is not memory", events: []*pb.Event{open("/proc/2000/maps", 0, "O_RDONLY")}},
		{name: "not a pid", events: []*pb.Event{open("/proc/self/mem", 0, "O_RDONLY"), open("/proc/x/task/1/mem", 0, "O_RDONLY")}},
	})
	if got, ok := procPidFile("/proc/7/task/9/mem", "mem"); !ok || got != 9 {
		t.Errorf("tid of a thread's mem = %d, %v; want 9", got, ok)
	}
}
