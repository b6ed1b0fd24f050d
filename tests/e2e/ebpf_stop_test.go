package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// liveLinks returns which of ids are BPF links the kernel still has.
func liveLinks(t *testing.T, ids []int) []int {
	t.Helper()
	want := map[int]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var live []int
	for _, l := range bpftoolObjects(t, "link") {
		if want[objID(l)] {
			live = append(live, objID(l))
		}
	}
	return live
}

// When its reader goes away (tracee-rules killed, gently or not),
// tracee-ebpf stops in order: exit 0, the summary, its pid file removed and
// every link it held gone (checked by the ids it held: other tracers may run).
func TestEbpfStopsWhenReaderExits(t *testing.T) {
	requirePrivileged(t)
	requireBpftool(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			p := StartPipeline(t, PipelineOptions{})
			held := heldBPF(t, p.ebpf.Process.Pid)
			if len(held.links) == 0 {
				t.Fatalf("tracee-ebpf holds no links")
			}
			p.rules.Process.Signal(sig)
			waitTimeout(p.rules, 20*time.Second)
			<-p.done
			// some activity, so a write also meets the closed pipe
			for i := 0; i < 20; i++ {
				if f, err := os.Open("/etc/hostname"); err == nil {
					f.Close()
				}
			}
			if !waitTimeout(p.ebpf, 20*time.Second) {
				t.Fatalf("tracee-ebpf still runs 20s after its reader exited\n%s", p.ebpfErr.String())
			}
			errOut := p.ebpfErr.String()
			if code := p.ebpf.ProcessState.ExitCode(); code != 0 {
				t.Errorf("tracee-ebpf exit code %d (%v), want 0\n%s", code, p.ebpf.ProcessState, errOut)
			}
			for _, want := range []string{"End of events stream", "Stats: {EventCount:", "reader of the output went away"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if _, err := os.Stat(filepath.Join(p.install, "out", "tracee.pid")); !os.IsNotExist(err) {
				t.Errorf("pid file left behind: %v", err)
			}
			if live := liveLinks(t, held.links); len(live) > 0 {
				t.Errorf("links %v of the exited tracer are still attached", live)
			}
		})
	}
}

// --output unix:PATH serves the stream on the socket only: stdout stays
// empty, and a reader gets the end-of-stream frame when the tracer stops.
func TestEbpfUnixOutputOnly(t *testing.T) {
	requirePrivileged(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "tracee.sock")
	tr := StartTracer(t, "--output", "format:protobuf", "--output", "unix:"+sock, "--trace", "event=openat", "--trace", "comm=cat")
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	frames := make(chan *pb.StreamMessage, 1024)
	go func() {
		defer close(frames)
		sr, err := stream.NewReader(conn)
		if err != nil {
			return
		}
		for {
			m := new(pb.StreamMessage)
			if err := sr.Next(m); err != nil {
				return
			}
			frames <- m
		}
	}()
	time.Sleep(300 * time.Millisecond)
	runCmd(t, "cat", "/etc/hostname")
	time.Sleep(300 * time.Millisecond)
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d\n%s", code, tr.Diagnostics())
	}
	var events int
	var end *pb.EndOfStream
	for m := range frames {
		if m.GetEvent() != nil {
			events++
		}
		if m.GetEnd() != nil {
			end = m.GetEnd()
		}
	}
	if events == 0 || end == nil || end.Reason != "signal" || end.Events < uint64(events) {
		t.Errorf("socket reader got %d events and end frame %v; want events then an end frame (reason signal)", events, end)
	}
	if n := len(tr.Stdout()); n != 0 {
		t.Errorf("tracee-ebpf wrote %d bytes to stdout with --output unix:", n)
	}
}
