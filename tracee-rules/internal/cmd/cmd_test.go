package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
	"github.com/tracee-go/tracee/tracee-rules/internal/input"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

func execute(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	c := NewRootCommand(&out, &errb)
	c.SetArgs(args)
	err := c.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestListEvents(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		// prctl: the detection canary's marker (always, unless --canary-timeout 0)
		// sched_process_exit with security_file_open: it carries the written files of an open for writing (evidence follow-ups)
		{[]string{"--list-events"}, "bpf,close,close_range,connect,dup,dup2,dup3,finit_module,hooked_proc_fops,init_module,magic_write,mem_prot_alert,mmap,mprotect,personality,pkey_mprotect,prctl,process_vm_readv,process_vm_writev,ptrace,sched_process_exec,sched_process_exit,sched_process_fork,security_file_open,security_file_truncate,security_fsmount,security_inode_link,security_inode_rename,security_inode_symlink,security_mmap_file,security_path_unlink,security_sb_mount,security_socket_connect,shmat,socket,socket_dup,truncate,unlink,unlinkat\n"},
		{[]string{"--list-events", "--rules", "TRC-102,TRC-1017"}, "finit_module,init_module,prctl,ptrace,sched_process_exec,sched_process_exit\n"},
		{[]string{"--list-events", "--rules", "TRC-1025,TRC-3,TRC-103"}, "prctl,process_vm_writev,ptrace,sched_process_exit,sched_process_fork,security_file_open\n"},
		{[]string{"--list-events", "--rules", "TRC-1014,TRC-1021", "--canary-timeout", "0"}, "sched_process_exit,security_file_open,security_fsmount,security_sb_mount\n"},
		{[]string{"--list-events", "--rules", "TRC-2,TRC-6"}, "finit_module,init_module,prctl,ptrace,sched_process_exec,sched_process_exit\n"},
		{[]string{"--list-events", "--rules", "TRC-6", "--rules", "TRC-2"}, "finit_module,init_module,prctl,ptrace,sched_process_exec,sched_process_exit\n"},
		{[]string{"--list-events", "--rules", "TRC-3,TRC-2"}, "prctl,process_vm_writev,ptrace,sched_process_exec,sched_process_exit,sched_process_fork,security_file_open\n"},
		{[]string{"--list-events", "--rules", "TRC-2-REGO,TRC-6-REGO"}, "finit_module,init_module,prctl,ptrace\n"},
		{[]string{"--list-events", "--rules", "TRC-1020"}, "hooked_proc_fops,prctl\n"},
		{[]string{"--list-events", "--rules", "TRC-2", "--canary-timeout", "0"}, "ptrace,sched_process_exec,sched_process_exit\n"},
	} {
		out, _, err := execute(t, tc.args...)
		if err != nil || out != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.args, out, err, tc.want)
		}
	}
}

// catalogue is every detection of issue 11: Tracee's detections beyond the
// seven (its detectors/ IDs) and the Falco-derived ones.
var catalogue = []string{
	"TRC-106", "TRC-1010", "TRC-108", "TRC-1018", "TRC-1013", "TRC-109", "TRC-1011", "TRC-1031", "TRC-1029",
	"TRC-1021", "TRC-1012", "TRC-1026", "TRC-1027", "TRC-1028", "TRC-1014", "TRC-1019", "TRC-1015", "TRC-1022",
	"TRC-1016", "TRC-1023",
	"FAL-001", "FAL-002", "FAL-003", "FAL-004", "FAL-005", "FAL-006", "FAL-007", "FAL-008", "FAL-009", "FAL-010",
}

func TestList(t *testing.T) {
	out, _, err := execute(t, "--list")
	if err != nil {
		t.Fatal(err)
	}
	out, unavailable, _ := strings.Cut(out, "\nUNAVAILABLE")
	for _, u := range signatures.Unavailable {
		if !strings.Contains(unavailable, u.ID+" ") || !strings.Contains(unavailable, u.Reason) {
			t.Errorf("--list does not show %s as unavailable with its reason:\n%s", u.ID, unavailable)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// seven Go signatures, Tracee's newer detections, the Falco-derived
	// ones, then the opt-in Rego twins
	n := len(signatures.All())
	if len(lines) != n+3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "NAME") || !strings.Contains(lines[0], "SEVERITY") || !strings.Contains(lines[0], "DESCRIPTION") {
		t.Fatalf("list:\n%s", out)
	}
	for i, want := range []string{"TRC-1 ", "TRC-2 ", "TRC-3 ", "TRC-4 ", "TRC-5 ", "TRC-6 ", "TRC-7 "} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("row %d = %q, want prefix %q", i+1, lines[i+1], want)
		}
	}
	for i, want := range []string{"TRC-2-REGO ", "TRC-6-REGO "} {
		if !strings.HasPrefix(lines[n+1+i], want) {
			t.Errorf("row %d = %q, want prefix %q", n+1+i, lines[n+1+i], want)
		}
	}
	listed := map[string]bool{}
	for _, l := range lines[1:] {
		listed[strings.Fields(l)[0]] = true
	}
	for _, id := range catalogue {
		if !listed[id] {
			t.Errorf("--list lacks %s", id)
		}
	}
	if !strings.Contains(out, "Anti-Debugging") || !strings.Contains(out, "Kernel Module Loading") {
		t.Errorf("list lacks names:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--list-events", "--rules", "TRC-2,TRC-99"}, `unknown signature ID "TRC-99"`},
		{[]string{"--list-events", "--rules", "TRC-1030"}, `TRC-1030 (Syscall table hooking detected) is unavailable on this kernel: x86-64 Linux 6.18 dispatches`},
		{[]string{"--input-tracee", "format:gob"}, "format must be protobuf or json"},
		{[]string{"--output", "format:xml"}, "want line or json"},
		{[]string{"--output", "format:json", "--output-template", "json.tmpl"}, "exclusive"},
		{[]string{"--output-template", "nope.tmpl"}, "no such output template"},
		{[]string{"--no-such-flag"}, "unknown flag"},
		{[]string{"stray-argument"}, "unexpected arguments"},
	} {
		_, _, err := execute(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !cli.IsUsage(err) {
			t.Errorf("%q: err %v, want usage error with %q", tc.args, err, tc.want)
		}
	}
}

// writeStream records events as tracee-ebpf would send them.
func writeStream(t *testing.T, evs ...*pb.Event) string {
	t.Helper()
	return writeStreamEnd(t, true, evs...)
}

// writeStreamEnd writes a stream file, ended in order or cut after the events.
func writeStreamEnd(t *testing.T, end bool, evs ...*pb.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.pb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if end {
		if err := w.WriteEnd(&pb.EndOfStream{Events: uint64(len(evs)), Reason: "signal"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A stream without its end-of-stream frame, or an empty one, is processed
// and then reported as an error (exit code 1), with a warning.
func TestRunCutOrEmptyStream(t *testing.T) {
	cut := writeStreamEnd(t, false, sdktest.Event("ptrace", sdktest.Flag("request", 0, "PTRACE_TRACEME")))
	out, errOut, err := execute(t, "--input-tracee", "file:"+cut)
	// TRC-2 on the event, TRC-LOST on the cut
	if !errors.Is(err, input.ErrNoEndOfStream) || strings.Count(out, "*** Detection ***") != 2 || !strings.Contains(out, "Events Lost") || !strings.Contains(errOut, "WARNING: 1 input streams ended without their end-of-stream frame") {
		t.Errorf("cut stream: err %v, out %q, stderr %q", err, out, errOut)
	}
	empty := filepath.Join(t.TempDir(), "empty.pb")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = execute(t, "--input-tracee", "file:"+empty)
	if !errors.Is(err, input.ErrEmptyStream) || cli.IsUsage(err) || !strings.Contains(errOut, "and 1 were empty") {
		t.Errorf("empty stream: err %v (want a runtime error: exit code 1), stderr %q", err, errOut)
	}
}

func attackStream(t *testing.T) string {
	return writeStream(t,
		sdktest.Event("openat", sdktest.Str("pathname", "/etc/hosts")),
		sdktest.Event("ptrace", sdktest.Flag("request", 0, "PTRACE_TRACEME")),
		sdktest.Event("security_socket_connect", sdktest.Int("sockfd", 3), sdktest.Inet("remote_addr", "10.0.0.9", 4444)),
		sdktest.Ret(sdktest.Event("dup2", sdktest.Int("oldfd", 3), sdktest.Int("newfd", 0)), 0),
		sdktest.Event("finit_module", sdktest.Int("fd", 3), sdktest.Str("param_values", ""), sdktest.Int("flags", 0)),
		sdktest.Event("close", sdktest.Int("fd", 3)),
	)
}

func TestRunJSON(t *testing.T) {
	out, errOut, err := execute(t, "--input-tracee", "file:"+attackStream(t), "--output", "format:json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f struct {
			SignatureMetadata struct{ ID string } `json:"signatureMetadata"`
			Event             struct {
				EventName string `json:"eventName"`
			} `json:"event"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		ids = append(ids, f.SignatureMetadata.ID+"/"+f.Event.EventName)
	}
	// TRC-2 holds a TRACEME until it knows no exec or tracing parent follows (here: the end of the input)
	if got := strings.Join(ids, " "); got != "TRC-1/dup2 TRC-6/finit_module TRC-2/ptrace" {
		t.Errorf("findings %s", got)
	}
}

func TestRunSelectedAndTemplate(t *testing.T) {
	out, _, err := execute(t, "--input-tracee", "file:"+attackStream(t), "--rules", "TRC-6", "--output-template", "csv.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], ",TRC-6,Kernel Module Loading,2,finit_module,") {
		t.Errorf("output %q", out)
	}
}

func TestRunDefaultLineAndBadInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	os.WriteFile(path, []byte(`{"eventName":"ptrace","processName":"strace","hostProcessId":42,"args":[{"name":"request","type":"long","value":"PTRACE_TRACEME"}]}`+"\nnot json\n"), 0o644)
	out, errOut, err := execute(t, "--input-tracee", "file:"+path, "--input-tracee", "format:json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "*** Detection *** ") || !strings.Contains(out, "Signature ID: TRC-2 Signature: Anti-Debugging") || !strings.Contains(out, "Command: strace") {
		t.Errorf("output %q", out)
	}
	if !strings.Contains(errOut, "line 2") || !strings.Contains(errOut, "summary: 1 events, 1 findings; 1 decode errors") {
		t.Errorf("stderr %q", errOut)
	}
	// A truncated protobuf stream is an error (after what was read is processed).
	data, _ := os.ReadFile(attackStream(t))
	trunc := filepath.Join(t.TempDir(), "trunc.pb")
	os.WriteFile(trunc, data[:len(data)-2], 0o644)
	out, errOut, err = execute(t, "--input-tracee", "file:"+trunc)
	if !errors.Is(err, stream.ErrTruncated) || strings.Count(out, "*** Detection ***") != 3 {
		t.Errorf("truncated: err %v, out %q, stderr %q", err, out, errOut)
	}
}

func TestListPolicy(t *testing.T) {
	out, _, err := execute(t, "--list-policy", "--rules", "TRC-2,TRC-7,TRC-2-REGO")
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata:
  name: trc-2
  annotations:
    description: TRC-2 Anti-Debugging
spec:
  scope:
    - global
  rules:
    - event: ptrace
    - event: sched_process_exec
    - event: sched_process_exit
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata:
  name: trc-7
  annotations:
    description: TRC-7 LD_PRELOAD
spec:
  scope:
    - global
  rules:
    - event: magic_write
    - event: sched_process_exec
    - event: sched_process_exit
    - event: security_file_open
      filters:
        - data.pathname=*/ld.so.preload
        - data.flags=O_WRONLY,O_RDWR
        - data.inode_mode>=32768
        - data.inode_mode<=36863
    - event: security_inode_link
      filters:
        - data.new_path=*/ld.so.preload
    - event: security_inode_rename
      filters:
        - data.new_path=*/ld.so.preload
    - event: security_inode_symlink
      filters:
        - data.linkpath=*/ld.so.preload
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata:
  name: trc-2-rego
  annotations:
    description: TRC-2-REGO Anti-Debugging
spec:
  scope:
    - global
  rules:
    - event: ptrace
      filters:
        - data.request=PTRACE_TRACEME
`
	// then the internal canary's policy (the detection self-test)
	if !strings.HasPrefix(out, want) || !strings.Contains(out[len(want):], "name: tracee-canary") {
		t.Fatalf("--list-policy:\n%s\nwant:\n%s---\n(the canary's policy)", out, want)
	}
	// Stream-only selections stay out; every built-in gets a policy.
	out, _, err = execute(t, "--list-policy")
	if err != nil {
		t.Fatal(err)
	}
	if n, want := strings.Count(out, "kind: Policy"), len(signatures.All())+1; n != want {
		t.Errorf("%d policies, want one per built-in and the canary's (%d)", n, want)
	}
	for _, no := range []string{"event: dup2", "event: dup3"} {
		if strings.Contains(out, no) {
			t.Errorf("--list-policy requests the stream-only %s", no)
		}
	}
}

// Lost frames become TRC-LOST findings, at most one per second: the first
// at once, the rest summed when the input ends.
func TestRunLostIsAFinding(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lost.pb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := stream.NewWriter(f, &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf", Hostname: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	ev := sdktest.Event("close", sdktest.Int("fd", 1))
	ev.Timestamp = 1_700_000_000_000_000_000
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.WriteEvent(ev))
	must(w.WriteLost(&pb.Lost{KernelEvents: 1000, KernelEventsTotal: 1000}))
	must(w.WriteLost(&pb.Lost{KernelEvents: 500, KernelEventsTotal: 1500, DroppedUserspace: 7}))
	must(w.WriteLost(&pb.Lost{FailedReads: 3})) // no event lost: not a finding
	must(w.WriteLost(&pb.Lost{KernelEvents: 25, KernelEventsTotal: 1525}))
	must(w.WriteEnd(&pb.EndOfStream{Events: 1, KernelEventsLost: 1525, Reason: "signal"}))
	must(w.Flush())
	f.Close()
	out, _, err := execute(t, "--input-tracee", "file:"+path, "--output", "format:json")
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var got struct {
			SignatureMetadata struct {
				ID, Name, MitreCategory, MitreTechnique string
				Severity                                int
			} `json:"signatureMetadata"`
			Event struct{ EventName, HostName string } `json:"event"`
			Data  map[string]any                       `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		m := got.SignatureMetadata
		if m.ID != "TRC-LOST" || m.Name != "Events Lost" || m.Severity != 3 || m.MitreCategory != "Defense Evasion" || !strings.HasPrefix(m.MitreTechnique, "T1562") {
			t.Errorf("metadata %+v", m)
		}
		if got.Event.EventName != "events_lost" || got.Event.HostName != "h1" {
			t.Errorf("event %+v", got.Event)
		}
		if n == 0 && (got.Data["lost events"] != 1000.0 || got.Data["from"] != "2023-11-14T22:13:20Z") {
			t.Errorf("first finding data %v", got.Data)
		}
		total += got.Data["lost events"].(float64)
		n++
	}
	if n != 2 || total != 1532 {
		t.Errorf("%d TRC-LOST findings, %v events in all; want 2 (the first at once, the rest in one) and 1532:\n%s", n, total, out)
	}
}
