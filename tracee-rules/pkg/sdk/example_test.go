package sdk_test

import (
	"fmt"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ShadowRead reports a process other than root's tools opening /etc/shadow.
type ShadowRead struct {
	cb sdk.Callback
}

func (s *ShadowRead) GetMetadata() (sdk.Metadata, error) {
	return sdk.Metadata{
		ID:             "CUSTOM-1",
		Version:        "1.0.0",
		Name:           "Shadow File Read",
		Description:    "A non-root process opened /etc/shadow.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1003.008 OS Credential Dumping: /etc/passwd and /etc/shadow",
		Tags:           []string{"linux", "container"},
	}, nil
}

func (s *ShadowRead) GetSelectedEvents() ([]sdk.SelectedEvent, error) {
	return []sdk.SelectedEvent{{Source: "tracee", Name: "security_file_open"}}, nil
}

func (s *ShadowRead) Init(cb sdk.Callback) error { s.cb = cb; return nil }

func (s *ShadowRead) OnEvent(ev *pb.Event) error {
	path, ok := sdk.ArgString(ev, "pathname")
	if !ok {
		return fmt.Errorf("security_file_open without pathname")
	}
	if path != "/etc/shadow" || ev.GetUserId() == 0 {
		return nil
	}
	meta, _ := s.GetMetadata()
	s.cb(sdk.Finding{SigMetadata: meta, Event: ev, Data: map[string]any{"pathname": path}})
	return nil
}

func (s *ShadowRead) OnSignal(sdk.Signal) error { return nil }
func (s *ShadowRead) Close()                    {}

// A complete user-written signature, fed one event by hand (the engine and
// pkg/sdk/sdktest do this for real).
func Example() {
	sig := &ShadowRead{}
	_ = sig.Init(func(f sdk.Finding) {
		fmt.Println(f.SigMetadata.ID, f.Event.GetProcessName(), f.Data["pathname"])
	})
	ev := &pb.Event{EventName: "security_file_open", ProcessName: "cat", UserId: 1000, Args: []*pb.Argument{
		{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/etc/shadow"}},
		{Name: "flags", Type: "int", Value: &pb.Argument_Int{Int: 0}, Repr: "O_RDONLY"},
	}}
	_ = sig.OnEvent(ev)
	fmt.Println(strings.Repeat("-", 3))
	// Output:
	// CUSTOM-1 cat /etc/shadow
	// ---
}
