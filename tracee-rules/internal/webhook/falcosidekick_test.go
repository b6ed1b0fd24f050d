package webhook

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestPriority(t *testing.T) {
	tests := []struct {
		severity int
		want     string
	}{
		{-1, "Debug"},
		{sdk.SeverityInfo, "Informational"},
		{sdk.SeverityLow, "Notice"},
		{sdk.SeverityMedium, "Warning"},
		{sdk.SeverityHigh, "Error"},
		{sdk.SeverityCritical, "Critical"},
		{5, "Critical"},
		{100, "Critical"},
	}
	for _, tt := range tests {
		got := Priority(tt.severity)
		if got != tt.want {
			t.Errorf("Priority(%d) = %q, want %q", tt.severity, got, tt.want)
		}
		if !ValidFalcoPriority(got) {
			t.Errorf("Priority(%d) = %q is not a falcosidekick priority", tt.severity, got)
		}
	}
}

func TestValidFalcoPriority(t *testing.T) {
	for _, p := range []string{"Emergency", "alert", "CRITICAL", "Error", "Warning", "Notice", "Informational", "Debug"} {
		if !ValidFalcoPriority(p) {
			t.Errorf("%q refused", p)
		}
	}
	for _, p := range []string{"", "Info", "High", "Medium", "Low"} {
		if ValidFalcoPriority(p) {
			t.Errorf("%q accepted", p)
		}
	}
}

// execEvent is a sched_process_exec in a container, at a fixed time.
func execEvent() *pb.Event {
	return &pb.Event{
		Timestamp:           time.Date(2024, 3, 5, 7, 8, 9, 12000, time.UTC).UnixNano(), // .000012000
		ProcessId:           7,
		ThreadId:            7,
		ParentProcessId:     1,
		HostProcessId:       4242,
		HostThreadId:        4242,
		HostParentProcessId: 4000,
		UserId:              0,
		GroupId:             0,
		ProcessName:         "bash",
		ContainerId:         "c0ffee",
		EventId:             1003,
		EventName:           "sched_process_exec",
		Args: []*pb.Argument{
			{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/usr/bin/bash"}},
			{Name: "argv", Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: []string{"/bin/bash", "-c", "id"}}}},
		},
		Ancestry: []*pb.Ancestor{{HostPid: 4000, Pid: 1, Comm: "containerd-shim"}},
	}
}

func testFinding(severity int, data map[string]any) sdk.Finding {
	return sdk.Finding{
		SigMetadata: sdk.Metadata{
			ID: "TRC-2", Version: "1.0.0", Name: "Anti-Debugging", Description: "Process uses anti-debugging technique",
			Severity: severity, MitreCategory: "Defense Evasion", MitreTechnique: "T1622 Debugger Evasion",
			Tags: []string{"linux", "container", "linux"},
		},
		Event: execEvent(),
		Data:  data,
	}
}

func fixedNow() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

func TestNewFalcoPayload(t *testing.T) {
	p := NewFalcoPayload(testFinding(sdk.SeverityHigh, map[string]any{
		"request":     "PTRACE_TRACEME",
		"k8s.ns.name": 12, // made a string
	}), "node-1", fixedNow)

	if p.Rule != "Anti-Debugging" || p.Priority != "Error" || p.Source != "tracee" || p.Hostname != "node-1" {
		t.Errorf("rule/priority/source/hostname = %q %q %q %q", p.Rule, p.Priority, p.Source, p.Hostname)
	}
	if want := "2024-03-05T07:08:09.000012000Z"; p.Time != want {
		t.Errorf("time = %q, want %q (event time, 9 digits)", p.Time, want)
	}
	if _, err := time.Parse(time.RFC3339Nano, p.Time); err != nil {
		t.Errorf("time does not parse as RFC 3339: %v", err)
	}
	// Sorted as sort.Strings does (upper case first), without duplicates.
	wantTags := []string{"Defense Evasion", "T1622", "T1622 Debugger Evasion", "container", "linux"}
	if !reflect.DeepEqual(p.Tags, wantTags) {
		t.Errorf("tags = %q, want %q", p.Tags, wantTags)
	}
	wantFields := map[string]any{
		"evt.type":           "sched_process_exec",
		"evt.time":           execEvent().Timestamp,
		"evt.rawres":         int64(0),
		"proc.pid":           int32(4242),
		"proc.vpid":          int32(7),
		"proc.ppid":          int32(4000),
		"thread.tid":         int32(4242),
		"thread.vtid":        int32(7),
		"proc.name":          "bash",
		"proc.pname":         "containerd-shim",
		"proc.exepath":       "/usr/bin/bash",
		"proc.cmdline":       "bash -c id",
		"user.uid":           uint32(0),
		"group.gid":          uint32(0),
		"container.id":       "c0ffee",
		"k8s.ns.name":        "12",
		"tracee.request":     "PTRACE_TRACEME",
		"tracee.k8s.ns.name": 12,
		"sig.id":             "TRC-2",
		"sig.name":           "Anti-Debugging",
		"sig.version":        "1.0.0",
		"sig.severity":       3,
		"mitre.tactic":       "Defense Evasion",
		"mitre.technique":    "T1622 Debugger Evasion",
	}
	if !reflect.DeepEqual(p.OutputFields, wantFields) {
		t.Errorf("output_fields:\n got %#v\nwant %#v", p.OutputFields, wantFields)
	}
	wantOut := "07:08:09.000012000: Error Anti-Debugging: Process uses anti-debugging technique " +
		"(evt.type=sched_process_exec proc.name=bash proc.pid=4242 proc.ppid=4000 proc.pname=containerd-shim " +
		"proc.cmdline=bash -c id user.uid=0 container.id=c0ffee k8s.ns.name=12 " +
		"tracee.k8s.ns.name=12 tracee.request=PTRACE_TRACEME)"
	if p.Output != wantOut {
		t.Errorf("output:\n got %q\nwant %q", p.Output, wantOut)
	}

	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkSidekick(b); err != nil {
		t.Errorf("falcosidekick would refuse it: %v\n%s", err, b)
	}
}

func TestFalcoPayloadEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		f         sdk.Finding
		wantTime  string
		wantRule  string
		wantCID   any
		wantField string
	}{
		{
			name:     "no event: render time, fields from the signature",
			f:        sdk.Finding{SigMetadata: sdk.Metadata{ID: "TRC-9", Name: "X", Severity: 1}},
			wantTime: "2030-01-01T00:00:00.000000000Z", wantRule: "X", wantCID: nil, wantField: "sig.id",
		},
		{
			name:     "host process, no name: rule is the id",
			f:        sdk.Finding{SigMetadata: sdk.Metadata{ID: "TRC-9"}, Event: &pb.Event{Timestamp: 1, EventName: "ptrace"}},
			wantTime: "1970-01-01T00:00:00.000000001Z", wantRule: "TRC-9", wantCID: "host", wantField: "evt.type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewFalcoPayload(tt.f, "h", fixedNow)
			if p.Time != tt.wantTime || p.Rule != tt.wantRule {
				t.Errorf("time, rule = %q, %q; want %q, %q", p.Time, p.Rule, tt.wantTime, tt.wantRule)
			}
			if got := p.OutputFields["container.id"]; got != tt.wantCID {
				t.Errorf("container.id = %v, want %v", got, tt.wantCID)
			}
			if _, ok := p.OutputFields[tt.wantField]; !ok {
				t.Errorf("no %s in %v", tt.wantField, p.OutputFields)
			}
			b, _ := json.Marshal(p)
			if _, err := checkSidekick(b); err != nil {
				t.Errorf("falcosidekick would refuse it: %v", err)
			}
		})
	}
}

// The container runtime's names become Falco's fields and show in the
// output line; a signature's own k8s names still win.
func TestFalcoPayloadContainer(t *testing.T) {
	ev := &pb.Event{Timestamp: 1, EventName: "ptrace", ContainerId: "c0ffee", ContainerName: "web",
		ContainerImage: "registry.local:5000/shop/web:1.2@sha256:ab", ContainerImageDigest: "sha256:ab",
		PodName: "web-1", PodNamespace: "shop", PodUid: "u-1"}
	p := NewFalcoPayload(sdk.Finding{SigMetadata: sdk.Metadata{ID: "TRC-2", Name: "Anti-Debugging"}, Event: ev}, "h", fixedNow)
	for k, want := range map[string]string{
		"container.name": "web", "container.image.repository": "registry.local:5000/shop/web", "container.image.tag": "1.2",
		"container.image.digest": "sha256:ab", "k8s.pod.name": "web-1", "k8s.ns.name": "shop", "k8s.pod.uid": "u-1",
	} {
		if got := p.OutputFields[k]; got != want {
			t.Errorf("%s = %v, want %q", k, got, want)
		}
	}
	if want := "container.id=c0ffee container.name=web container.image.repository=registry.local:5000/shop/web k8s.ns.name=shop k8s.pod.name=web-1"; !strings.Contains(p.Output, want) {
		t.Errorf("output %q\nwant it to contain %q", p.Output, want)
	}
	p = NewFalcoPayload(sdk.Finding{Event: &pb.Event{Timestamp: 1}}, "h", fixedNow)
	for _, k := range []string{"container.name", "container.image.repository", "k8s.pod.name"} {
		if _, ok := p.OutputFields[k]; ok {
			t.Errorf("host event has %s", k)
		}
	}
	for in, want := range map[string][2]string{"nginx": {"nginx", ""}, "nginx:1": {"nginx", "1"}, "h:5000/n": {"h:5000/n", ""}, "h:5000/n:2@sha256:x": {"h:5000/n", "2"}} {
		if r, tg := splitImage(in); r != want[0] || tg != want[1] {
			t.Errorf("splitImage(%q) = %q, %q", in, r, tg)
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "str" }

type point struct {
	X int    `json:"x"`
	Y string `json:"y"`
}

func TestFlatten(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any
	}{
		{"scalars", map[string]any{"s": "x", "b": true, "i": -3, "u": uint64(math.MaxUint64), "f": 1.5},
			map[string]any{"t.s": "x", "t.b": true, "t.i": -3, "t.u": uint64(math.MaxUint64), "t.f": 1.5}},
		{"nil left out", map[string]any{"n": nil, "p": (*point)(nil)}, map[string]any{}},
		{"nested maps", map[string]any{"a": map[string]any{"b": map[string]string{"c": "d"}, "e": 1}},
			map[string]any{"t.a.b.c": "d", "t.a.e": 1}},
		{"int keys", map[string]any{"m": map[int]bool{4: true}}, map[string]any{"t.m.4": true}},
		{"lists as JSON text", map[string]any{"argv": []string{"a", "b c"}, "mixed": []any{1, "x", map[string]any{"k": 2}}},
			map[string]any{"t.argv": `["a","b c"]`, "t.mixed": `[1,"x",{"k":2}]`}},
		{"bytes", map[string]any{"txt": []byte("hello\n"), "bin": []byte{0x7f, 'E', 'L', 'F', 0}},
			map[string]any{"t.txt": "hello\n", "t.bin": "7f454c4600"}},
		{"special", map[string]any{"nan": math.NaN(), "inf": math.Inf(1), "time": ts, "dur": 1500 * time.Millisecond, "err": errors.New("boom"), "str": stringer{}},
			map[string]any{"t.nan": "NaN", "t.inf": "+Inf", "t.time": "2024-01-02T03:04:05.000000006Z", "t.dur": "1.5s", "t.err": "boom", "t.str": "str"}},
		{"struct through JSON", map[string]any{"pt": point{X: 1, Y: "z"}, "ptr": &point{X: 2}},
			map[string]any{"t.pt.x": json.Number("1"), "t.pt.y": "z", "t.ptr.x": json.Number("2"), "t.ptr.y": ""}},
		{"proto message", map[string]any{"addr": &pb.SockAddr{Family: "AF_INET", Ip: "10.0.0.1", Port: 443}},
			map[string]any{"t.addr.family": "AF_INET", "t.addr.ip": "10.0.0.1", "t.addr.port": json.Number("443")}},
		{"func", map[string]any{"fn": func() {}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Flatten("t", tt.in)
			if tt.want == nil { // only check that it is JSON-safe
				if _, err := json.Marshal(got); err != nil {
					t.Fatalf("not JSON-safe: %v", err)
				}
				if len(got) != 1 {
					t.Fatalf("got %v", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
			if _, err := json.Marshal(got); err != nil {
				t.Errorf("not JSON-safe: %v", err)
			}
		})
	}
}

func TestMarshalFinding(t *testing.T) {
	b, err := MarshalFinding(testFinding(2, map[string]any{"nan": math.NaN(), "n": 1}))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		SigMetadata sdk.Metadata   `json:"signatureMetadata"`
		Context     map[string]any `json:"event"`
		Data        map[string]any `json:"data"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if got.SigMetadata.ID != "TRC-2" || got.Context["eventName"] != "sched_process_exec" || got.Context["hostProcessId"] != 4242.0 {
		t.Errorf("finding JSON = %s", b)
	}
	if got.Data["nan"] != "NaN" || got.Data["n"] != 1.0 {
		t.Errorf("data = %v", got.Data)
	}
}

// The artifact of a finding (tracee-ebpf --capture) reaches falcosidekick
// as tracee.artifact_* output fields.
func TestFalcoPayloadArtifact(t *testing.T) {
	f := testFinding(sdk.SeverityHigh, map[string]any{"artifact_sha256": "ab12", "artifact_path": "/out/exec/ab12", "artifact_kind": "exec"})
	p := NewFalcoPayload(f, "node-1", fixedNow)
	for k, v := range map[string]any{"tracee.artifact_sha256": "ab12", "tracee.artifact_path": "/out/exec/ab12", "tracee.artifact_kind": "exec"} {
		if p.OutputFields[k] != v {
			t.Errorf("output_fields[%s] = %v, want %v", k, p.OutputFields[k], v)
		}
	}
	if !strings.Contains(p.Output, "tracee.artifact_sha256=ab12") {
		t.Errorf("output line %q does not name the artifact", p.Output)
	}
}
