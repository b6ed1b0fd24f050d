package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func finding() sdk.Finding {
	return sdk.Finding{
		SigMetadata: sdk.Metadata{ID: "TRC-2", Version: "1.0.0", Name: "Anti-Debugging", Description: "d", Severity: 3,
			MitreCategory: "Defense Evasion", MitreTechnique: "T1622 Debugger Evasion", Tags: []string{"linux", "container"}},
		Event: &pb.Event{Timestamp: 1700000000000000001, ProcessId: 7, HostProcessId: 4242, UserId: 0, ProcessName: "strace",
			HostName: "box", ContainerId: "c0ffee", EventId: 101, EventName: "ptrace",
			Args:     []*pb.Argument{{Name: "request", Type: "long", Value: &pb.Argument_Int{Int: 0}, Repr: "PTRACE_TRACEME"}},
			Ancestry: []*pb.Ancestor{{HostPid: 4000, Pid: 1, Comm: "bash"}}},
		Data: map[string]any{"ptrace request": "PTRACE_TRACEME", "note": `a, "quoted" <value>`},
	}
}

func send(t *testing.T, s Sink, fs ...sdk.Finding) {
	t.Helper()
	for _, f := range fs {
		if err := s.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestLine(t *testing.T) {
	var buf bytes.Buffer
	send(t, NewLine(&buf), finding(), finding())
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	want := `*** Detection *** Time: 2023-11-14T22:13:20.000000001Z Signature ID: TRC-2 Signature: Anti-Debugging Severity: 3 Event: ptrace Command: strace PID: 7 (host 4242) UID: 0 Container: c0ffee Hostname: box Data: note=a, "quoted" <value>, ptrace request=PTRACE_TRACEME`
	if lines[0] != want {
		t.Errorf("line\n got %s\nwant %s", lines[0], want)
	}
}

// A container's name, image and pod follow its id on the line.
func TestLineContainer(t *testing.T) {
	f := finding()
	f.Event.ContainerName, f.Event.ContainerImage = "web", "nginx:1.25"
	f.Event.PodName, f.Event.PodNamespace = "web-1", "shop"
	var buf bytes.Buffer
	send(t, NewLine(&buf), f)
	if want := " Container: c0ffee name=web image=nginx:1.25 pod=shop/web-1 Hostname: box "; !strings.Contains(buf.String(), want) {
		t.Errorf("line %s\nwant it to contain %q", buf.String(), want)
	}
	if got := ContainerText(&pb.Event{}); got != "-" {
		t.Errorf("host: %q", got)
	}
	buf.Reset()
	tmpl, err := NewTemplate(&buf, "simple.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	send(t, tmpl, f)
	if want := "container c0ffee name web image nginx:1.25 pod shop/web-1 |"; !strings.Contains(buf.String(), want) {
		t.Errorf("simple.tmpl: %s\nwant it to contain %q", buf.String(), want)
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	send(t, NewJSON(&buf), finding())
	var got struct {
		SignatureMetadata map[string]any `json:"signatureMetadata"`
		Event             map[string]any `json:"event"`
		Data              map[string]any `json:"data"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("want exactly one line: %q", buf.String())
	}
	for k, v := range map[string]any{"id": "TRC-2", "version": "1.0.0", "name": "Anti-Debugging", "description": "d", "severity": 3.0,
		"mitreCategory": "Defense Evasion", "mitreTechnique": "T1622 Debugger Evasion"} {
		if got.SignatureMetadata[k] != v {
			t.Errorf("signatureMetadata.%s = %v, want %v", k, got.SignatureMetadata[k], v)
		}
	}
	if !reflect.DeepEqual(got.SignatureMetadata["tags"], []any{"linux", "container"}) {
		t.Errorf("tags %v", got.SignatureMetadata["tags"])
	}
	if got.Event["processName"] != "strace" || got.Event["hostProcessId"] != 4242.0 || got.Event["eventName"] != "ptrace" {
		t.Errorf("event %v", got.Event)
	}
	if args := got.Event["args"].([]any); args[0].(map[string]any)["value"] != "PTRACE_TRACEME" {
		t.Errorf("args %v", args)
	}
	if anc := got.Event["ancestry"].([]any); anc[0].(map[string]any)["processName"] != "bash" {
		t.Errorf("ancestry %v", anc)
	}
	if got.Data["note"] != `a, "quoted" <value>` {
		t.Errorf("data %v", got.Data)
	}
}

func TestTemplates(t *testing.T) {
	if names := TemplateNames(); !reflect.DeepEqual(names, []string{"csv.tmpl", "json.tmpl", "simple.tmpl"}) {
		t.Fatalf("embedded templates %v", names)
	}
	render := func(name string) string {
		t.Helper()
		var buf bytes.Buffer
		p, err := NewTemplate(&buf, name)
		if err != nil {
			t.Fatal(err)
		}
		send(t, p, finding())
		return buf.String()
	}
	// json.tmpl is encoding/json of the same struct as --output format:json.
	var direct bytes.Buffer
	send(t, NewJSON(&direct), finding())
	if got := render("json.tmpl"); got != direct.String() {
		t.Errorf("json.tmpl\n got %s\nwant %s", got, direct.String())
	}
	if got := render("json"); got != direct.String() {
		t.Errorf("json by short name differs")
	}
	// csv.tmpl quotes with encoding/csv.
	rec, err := csv.NewReader(strings.NewReader(render("csv.tmpl"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2023-11-14T22:13:20.000000001Z", "TRC-2", "Anti-Debugging", "3", "ptrace", "strace", "4242", "c0ffee", `note=a, "quoted" <value>, ptrace request=PTRACE_TRACEME`}
	if len(rec) != 1 || !reflect.DeepEqual(rec[0], want) {
		t.Errorf("csv records %q, want %q", rec, want)
	}
	if got, want := render("simple.tmpl"), "*** Detection *** 2023-11-14T22:13:20.000000001Z [TRC-2] Anti-Debugging (severity 3) | strace pid 4242 container c0ffee | note=a, \"quoted\" <value>, ptrace request=PTRACE_TRACEME\n"; got != want {
		t.Errorf("simple\n got %q\nwant %q", got, want)
	}
	// A user's template file, using arg and toJSON on the event.
	path := filepath.Join(t.TempDir(), "mine.tmpl")
	os.WriteFile(path, []byte(`{{ .SigMetadata.ID }} {{ arg .Event "request" }} {{ (toJSON .Event) | len | lt 10 }}`+"\n"), 0o644)
	if got := render(path); got != "TRC-2 PTRACE_TRACEME true\n" {
		t.Errorf("user template: %q", got)
	}
}

func TestTemplateErrors(t *testing.T) {
	if _, err := NewTemplate(&bytes.Buffer{}, "nope.tmpl"); !errors.Is(err, ErrNoTemplate) || !strings.Contains(err.Error(), "csv.tmpl, json.tmpl, simple.tmpl") {
		t.Errorf("unknown template: %v", err)
	}
	if _, err := NewTemplate(&bytes.Buffer{}, "/no/such/dir/json.tmpl"); !errors.Is(err, ErrNoTemplate) {
		t.Errorf("missing file with an embedded base name must not fall back: %v", err)
	}
	path := filepath.Join(t.TempDir(), "bad.tmpl")
	os.WriteFile(path, []byte("{{ .Oops "), 0o644)
	if _, err := NewTemplate(&bytes.Buffer{}, path); err == nil || !strings.Contains(err.Error(), "parse output template") {
		t.Errorf("bad template: %v", err)
	}
	path = filepath.Join(t.TempDir(), "exec.tmpl")
	os.WriteFile(path, []byte("{{ .NoSuchField }}"), 0o644)
	p, _ := NewTemplate(&bytes.Buffer{}, path)
	if err := p.Send(finding()); err == nil || !strings.Contains(err.Error(), "execute output template") {
		t.Errorf("execution error: %v", err)
	}
}
