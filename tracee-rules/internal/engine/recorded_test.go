package engine

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// testdata/recorded.pb.gz is a real tracee-ebpf recording (see
// testdata/README.md): an ordinary workload and one run of each attack
// trigger of tests/triggers.
const recordedPath = "testdata/recorded.pb.gz"

var recorded struct {
	once sync.Once
	evs  []*pb.Event
	lost int
	err  error
}

// loadRecorded decodes the recording once per test binary.
func loadRecorded(tb testing.TB) []*pb.Event {
	tb.Helper()
	recorded.once.Do(func() {
		recorded.evs, recorded.lost, recorded.err = readRecording(recordedPath)
	})
	if recorded.err != nil {
		tb.Fatal(recorded.err)
	}
	return recorded.evs
}

func readRecording(path string) (evs []*pb.Event, lost int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	r, err := stream.NewReader(zr)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	for {
		var m pb.StreamMessage
		err := r.Next(&m)
		if errors.Is(err, io.EOF) {
			return evs, lost, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		switch {
		case m.GetEvent() != nil:
			evs = append(evs, m.GetEvent())
		case m.GetLost() != nil:
			lost++
		}
	}
}

// replay dispatches evs through an engine with sigs and returns the findings.
func replay(tb testing.TB, sigs []sdk.Signature, evs []*pb.Event) []sdk.Finding {
	tb.Helper()
	var findings []sdk.Finding
	e, err := New(sigs, func(f sdk.Finding) { findings = append(findings, f) },
		WithErrorReporter(func(id string, n uint64, err error) { tb.Errorf("signature %s failed (%d): %v", id, n, err) }))
	if err != nil {
		tb.Fatal(err)
	}
	for _, ev := range evs {
		e.Dispatch(ev)
	}
	e.EndOfInput()
	e.Close()
	return findings
}

// recordedFindings are the findings the triggers in the recording raise
// (pids as recorded, see testdata/README.md); the ordinary workload around
// them (gcc, ls -R, cp -r, dpkg -l) raises none.
var recordedFindings = []struct {
	id, comm, event string
	pid             int32
	key             string // one Data entry that identifies the finding
	value           any
}{
	{"TRC-2", "anti_debug", "ptrace", 26104, "ptrace request", "PTRACE_TRACEME"},
	{"TRC-6", "kmod", "init_module", 26105, "syscall", "init_module"},
	{"TRC-6", "kmod", "finit_module", 26105, "syscall", "finit_module"},
	{"TRC-4", "wx_mem", "mmap", 26106, "prot", "PROT_READ|PROT_WRITE|PROT_EXEC"},
	{"TRC-3", "code_injection", "ptrace", 26107, "ptrace request", "PTRACE_POKETEXT"},
	{"TRC-5", "memfd:payload", "sched_process_exec", 26109, "reason", "memfd"},
	{"TRC-7", "true", "sched_process_exec", 26110, "LD_PRELOAD", "/nonexistent.so"},
	{"TRC-1", "reverse_shell", "dup2", 26111, "fd", int64(0)},
	{"TRC-1", "reverse_shell", "dup2", 26111, "fd", int64(1)},
	{"TRC-1", "reverse_shell", "dup2", 26111, "fd", int64(2)},
}

// regoFindings are the extra findings of the built-in Rego signatures.
var regoFindings = []struct {
	id, comm, event string
	pid             int32
	key             string
	value           any
}{
	{"TRC-2-REGO", "anti_debug", "ptrace", 26104, "ptrace request", "PTRACE_TRACEME"},
	{"TRC-6-REGO", "kmod", "init_module", 26105, "syscall", "init_module"},
	{"TRC-6-REGO", "kmod", "finit_module", 26105, "syscall", "finit_module"},
}

// TestRecordedStream replays the real recording through the engine: every
// trigger is found, in the process that ran it, and nothing else is.
func TestRecordedStream(t *testing.T) {
	evs := loadRecorded(t)
	if len(evs) < 15000 {
		t.Fatalf("recording has %d events, want the whole sample", len(evs))
	}
	if recorded.lost != 1 {
		t.Errorf("recording has %d Lost frames, want the 1 it was cut with", recorded.lost)
	}
	rs, err := rego.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sigs []sdk.Signature
		want int // how many of recordedFindings+regoFindings
	}{
		{"go", signatures.All(), len(recordedFindings)},
		{"go+rego", append(signatures.All(), rs...), len(recordedFindings) + len(regoFindings)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := replay(t, tc.sigs, evs)
			want := append(append(recordedFindings[:0:0], recordedFindings...), regoFindings...)[:tc.want]
			matched := make([]bool, len(got))
		next:
			for _, w := range want {
				for i, f := range got {
					if !matched[i] && f.SigMetadata.ID == w.id && f.Event.GetHostProcessId() == w.pid &&
						f.Event.GetProcessName() == w.comm && f.Event.GetEventName() == w.event && f.Data[w.key] == w.value {
						matched[i] = true
						continue next
					}
				}
				t.Errorf("missing finding %s in pid %d (%s) on %s with %s=%v", w.id, w.pid, w.comm, w.event, w.key, w.value)
			}
			for i, f := range got {
				if !matched[i] {
					t.Errorf("unexpected finding %s in pid %d (%s) on %s: %v", f.SigMetadata.ID, f.Event.GetHostProcessId(), f.Event.GetProcessName(), f.Event.GetEventName(), f.Data)
				}
			}
		})
	}
}
