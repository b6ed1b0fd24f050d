package health

import (
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
	"github.com/tracee-go/tracee/tracee-rules/internal/engine"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func marker(seq uint64, sent time.Time) *pb.Event {
	ev := &pb.Event{EventName: obs.CanaryEvent, EventId: 157}
	for i, a := range obs.CanaryArgs(seq, sent, 0) {
		name := []string{"option", "arg2", "arg3", "arg4", "arg5"}[i]
		if i == 0 {
			ev.Args = append(ev.Args, &pb.Argument{Name: name, Value: &pb.Argument_Int{Int: int64(a)}})
			continue
		}
		ev.Args = append(ev.Args, &pb.Argument{Name: name, Value: &pb.Argument_Uint{Uint: a}})
	}
	return ev
}

// Through the real engine: the marker feeds the canary and no finding
// comes out; other prctl calls do not count.
func TestCanaryThroughEngine(t *testing.T) {
	start := time.Now()
	c := obs.NewCanary(time.Second, time.Hour, start)
	var findings []sdk.Finding
	eng, err := engine.New([]sdk.Signature{NewCanarySignature(c)}, func(f sdk.Finding) { findings = append(findings, f) })
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()

	other := &pb.Event{EventName: "prctl", EventId: 157, Args: []*pb.Argument{
		{Name: "option", Value: &pb.Argument_Int{Int: 15}}, {Name: "arg2", Value: &pb.Argument_Uint{Uint: obs.CanaryMagic}}}}
	eng.Dispatch(other)
	if !c.Last().IsZero() {
		t.Fatal("PR_SET_NAME taken for the marker")
	}
	sent := time.Now()
	eng.Dispatch(marker(1, sent))
	eng.EndOfInput()
	if !c.Last().Equal(time.Unix(0, sent.UnixNano())) {
		t.Errorf("last canary %v, want %v", c.Last(), sent)
	}
	if err := c.Check(sent.Add(500 * time.Millisecond)); err != nil {
		t.Errorf("fresh canary unhealthy: %v", err)
	}
	if err := c.Check(sent.Add(2 * time.Second)); err == nil {
		t.Error("stale canary healthy")
	}
	if len(findings) != 0 {
		t.Errorf("the canary reported findings: %+v", findings)
	}
}
