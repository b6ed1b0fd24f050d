package loss

import (
	"sync"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

type collector struct {
	mu sync.Mutex
	fs []sdk.Finding
}

func (c *collector) add(f sdk.Finding) { c.mu.Lock(); c.fs = append(c.fs, f); c.mu.Unlock() }
func (c *collector) n() int            { c.mu.Lock(); defer c.mu.Unlock(); return len(c.fs) }

func TestAtMostOnePerInterval(t *testing.T) {
	var c collector
	r := New(Config{Interval: 200 * time.Millisecond}, c.add)
	r.Header(&pb.Header{Hostname: "h", Producer: "tracee-ebpf"})
	r.Event(&pb.Event{Timestamp: 100})
	r.Lost(&pb.Lost{KernelEvents: 10})
	if c.n() != 1 {
		t.Fatalf("first loss: %d findings, want 1 at once", c.n())
	}
	for i := 0; i < 50; i++ {
		r.Lost(&pb.Lost{KernelEvents: 1})
	}
	if c.n() != 1 {
		t.Fatalf("within the interval: %d findings", c.n())
	}
	time.Sleep(400 * time.Millisecond) // the timer flushes the rest
	if c.n() != 2 {
		t.Fatalf("after the interval: %d findings, want 2", c.n())
	}
	if got := c.fs[1].Data["lost events"]; got != uint64(50) {
		t.Errorf("second finding counts %v, want 50", got)
	}
	if c.fs[0].SigMetadata.ID != "TRC-LOST" || c.fs[0].Event.GetHostName() != "h" || c.fs[0].Data["from"] == nil {
		t.Errorf("finding %+v", c.fs[0])
	}
	r.Lost(&pb.Lost{FailedReads: 5}) // nothing lost
	r.Close()
	if c.n() != 2 {
		t.Errorf("failed reads alone made a finding")
	}
}

func TestCutAndUnreportedEnd(t *testing.T) {
	var c collector
	r := New(Config{}, c.add)
	r.Lost(&pb.Lost{KernelEvents: 3})
	r.End(&pb.EndOfStream{KernelEventsLost: 3}) // all reported: nothing new
	r.Close()
	if c.n() != 1 {
		t.Fatalf("%d findings, want 1", c.n())
	}
	c = collector{}
	r = New(Config{}, c.add)
	r.End(&pb.EndOfStream{KernelEventsLost: 9})
	r.Cut("stdin")
	r.Close()
	if c.n() != 2 || c.fs[0].Data["lost in the kernel"] != uint64(9) || c.fs[1].Data["stream cut"] != 1 {
		t.Fatalf("findings %+v", c.fs)
	}
}

func TestThrottledNamesTheCulprit(t *testing.T) {
	var c collector
	r := New(Config{}, c.add)
	r.Lost(&pb.Lost{Throttled: []*pb.Throttled{{HostPid: 4242, Comm: "flood", Dropped: 90000, Budget: 2000}, {HostPid: 17, Comm: "make", Dropped: 10}}})
	r.Lost(&pb.Lost{Throttled: []*pb.Throttled{{HostPid: 4242, Comm: "flood", Dropped: 5}}}) // within the interval: pending
	r.Close()
	if c.n() != 2 {
		t.Fatalf("%d findings", c.n())
	}
	f := c.fs[0]
	if f.Event.GetHostProcessId() != 4242 || f.Event.GetProcessName() != "flood" || f.Data["flooding pid"] != int32(4242) || f.Data["lost events"] != uint64(90010) {
		t.Errorf("first finding %+v %v", f.Event, f.Data)
	}
	if c.fs[1].Data["over budget"] != uint64(5) {
		t.Errorf("second finding %v", c.fs[1].Data)
	}
}
