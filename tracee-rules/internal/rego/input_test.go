package rego_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	ptj "github.com/tracee-go/tracee/proto/traceejson"
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

// inputEvents cover every argument kind and every event field.
func inputEvents() []*pb.Event {
	full := &pb.Event{
		Timestamp: 1_700_000_000_123_456_789, ProcessorId: 1, ProcessId: 7, ThreadId: 8, ParentProcessId: 1,
		HostProcessId: 4007, HostThreadId: 4008, HostParentProcessId: 4000, UserId: 1000, GroupId: 1001,
		MountNamespace: 4026531840, PidNamespace: 4026531836, ProcessName: "curl", HostName: "web-1",
		CgroupId: 1<<63 + 5, ContainerId: "0123456789ab", EventId: 1012, EventName: "security_socket_connect",
		ReturnValue: -115, Syscall: 42, ContainerName: "web", ContainerImage: "nginx:1", PodName: "web-1", PodUid: "u-1",
		Args: []*pb.Argument{
			sdktest.Int("sockfd", 3),
			sdktest.Inet("remote_addr", "10.1.2.3", 443),
		},
		Ancestry: []*pb.Ancestor{{HostPid: 4000, Pid: 1, Comm: "bash"}, {HostPid: 1, Pid: 1, Comm: "systemd"}},
	}
	return []*pb.Event{
		full,
		{},
		sdktest.Event("openat", sdktest.Int("dirfd", -100), sdktest.Str("pathname", "/etc/shadow"),
			sdktest.Flag("flags", 66, "O_RDWR|O_CREAT"), sdktest.Uint("mode", 0o644)),
		sdktest.Event("sched_process_exec", sdktest.Strs("argv", "sh", "-c", "id"), sdktest.Strs("env"),
			&pb.Argument{Name: "env2", Type: "const char**", Value: &pb.Argument_StrArray{}},
			sdktest.Bool("is_memfd", true), sdktest.Bool("is_deleted", false)),
		sdktest.Event("magic_write", sdktest.Bytes("bytes", []byte("\x7fELF\x02\x01\x01\x00")), sdktest.Bytes("empty", nil),
			sdktest.Uint("inode", 1<<64-1)),
		sdktest.Event("connect", sdktest.Inet("v6", "::1", 8080), sdktest.Unix("u", "@abstract"),
			&pb.Argument{Name: "other", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_PACKET", Ip: "x", Port: 1, Path: "p"}}},
			&pb.Argument{Name: "bare", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_NETLINK"}}},
			&pb.Argument{Name: "v6full", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET6", Ip: "fe80::1", Port: 22, Flowinfo: 3, ScopeId: 2}}},
			&pb.Argument{Name: "novalue", Type: "void*"}),
	}
}

// TestInputMatchesTraceeJSON checks that Input builds exactly the value OPA
// would parse from the event's Tracee JSON (proto/traceejson.Marshal).
func TestInputMatchesTraceeJSON(t *testing.T) {
	for i, ev := range inputEvents() {
		raw, err := ptj.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var generic any
		if err := util.NewJSONDecoder(bytes.NewReader(raw)).Decode(&generic); err != nil {
			t.Fatal(err)
		}
		want, err := ast.InterfaceToValue(generic)
		if err != nil {
			t.Fatal(err)
		}
		got := rego.Input(ev)
		if got.Compare(want) != 0 {
			t.Errorf("event %d (%s):\n got %v\nwant %v", i, ev.GetEventName(), got, want)
		}
	}
}

// evalHelper evaluates a helper-library expression against an event.
func evalHelper(t *testing.T, query string, ev *pb.Event) (any, bool) {
	t.Helper()
	// A throwaway signature compiles the helpers with a rule that exposes the
	// expression's value as finding data.
	src := `package tracee.HELPERTEST
import data.tracee.helpers
__rego_metadoc__ := {"id": "H", "name": "H"}
tracee_selected_events[s] { s := {"name": "*"} }
tracee_match = {"v": v} { v := ` + query + ` }
`
	sig := mustLoad(t, src)
	var data map[string]any
	if err := sig.Init(func(f sdk.Finding) { data = f.Data }); err != nil {
		t.Fatal(err)
	}
	if err := sig.OnEvent(ev); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if data == nil {
		return nil, false
	}
	return data["v"], true
}

func TestHelpers(t *testing.T) {
	open := func(flags *pb.Argument) *pb.Event {
		return sdktest.Event("openat", sdktest.Str("pathname", "/tmp/x"), flags)
	}
	elf := sdktest.Event("magic_write", sdktest.Bytes("bytes", []byte("\x7fELF\x02\x01")))
	script := sdktest.Event("magic_write", sdktest.Bytes("bytes", []byte("#!/bin/sh")))
	inContainer := sdktest.Event("openat")
	inContainer.ContainerId = "abc"
	withAncestry := sdktest.Event("execve")
	withAncestry.Ancestry = []*pb.Ancestor{{Comm: "bash"}, {Comm: "sshd"}}

	tests := []struct {
		query string
		ev    *pb.Event
		want  any // nil: undefined
	}{
		{`helpers.get_tracee_argument("pathname")`, open(sdktest.Int("flags", 0)), "/tmp/x"},
		{`helpers.get_tracee_argument("flags")`, open(sdktest.Flag("flags", 1, "O_WRONLY")), "O_WRONLY"},
		{`helpers.get_tracee_argument("flags")`, open(sdktest.Int("flags", 577)), int64(577)},
		{`helpers.get_tracee_argument("missing")`, open(sdktest.Int("flags", 0)), nil},
		{`helpers.has_tracee_argument("pathname")`, open(sdktest.Int("flags", 0)), true},
		{`helpers.has_tracee_argument("missing")`, open(sdktest.Int("flags", 0)), nil},
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_WRONLY|O_CREAT|O_TRUNC")), true},
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_CREAT | O_RDWR")), true},
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_RDONLY|O_CLOEXEC")), nil},
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_WRONLY_NOT")), nil},
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Int("flags", 0o1101)), true}, // O_WRONLY|O_CREAT|O_TRUNC
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Int("flags", 2)), true},
		{`helpers.is_file_write(helpers.get_tracee_argument("flags"))`, open(sdktest.Int("flags", 0o2000000)), nil}, // O_CLOEXEC only
		{`helpers.is_file_read(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_RDONLY")), true},
		{`helpers.is_file_read(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_CLOEXEC")), true},
		{`helpers.is_file_read(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_RDWR")), true},
		{`helpers.is_file_read(helpers.get_tracee_argument("flags"))`, open(sdktest.Repr("flags", "O_WRONLY|O_APPEND")), nil},
		{`helpers.is_file_read(helpers.get_tracee_argument("flags"))`, open(sdktest.Int("flags", 0)), true},
		{`helpers.is_file_read(helpers.get_tracee_argument("flags"))`, open(sdktest.Int("flags", 1)), nil},
		{`helpers.is_elf_file(helpers.get_tracee_argument("bytes"))`, elf, true},
		{`helpers.is_elf_file(helpers.get_tracee_argument("bytes"))`, script, nil},
		{`helpers.in_container`, inContainer, true},
		{`helpers.in_container`, sdktest.Event("openat"), nil},
		{`helpers.ancestor_names`, withAncestry, []any{"bash", "sshd"}},
		{`helpers.ancestor_names`, sdktest.Event("execve"), []any{}},
	}
	for _, tt := range tests {
		got, ok := evalHelper(t, tt.query, tt.ev)
		switch {
		case tt.want == nil && ok:
			t.Errorf("%s on %v = %#v, want undefined", tt.query, tt.ev.GetArgs(), got)
		case tt.want != nil && !ok:
			t.Errorf("%s on %v is undefined, want %#v", tt.query, tt.ev.GetArgs(), tt.want)
		case tt.want != nil && !equalJSON(got, tt.want):
			t.Errorf("%s on %v = %#v, want %#v", tt.query, tt.ev.GetArgs(), got, tt.want)
		}
	}
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// The helper library also loads on its own with OPA's default options.
func TestHelpersCompileAlone(t *testing.T) {
	_, err := opa.New(opa.Query("data.tracee.helpers"), opa.Module("helpers.rego", rego.HelpersSource())).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzInputMatchesTraceeJSON extends TestInputMatchesTraceeJSON to arbitrary
// values. Strings that are not valid UTF-8 are skipped: JSON replaces their
// bad bytes with U+FFFD, while Input passes them to Rego unchanged.
func FuzzInputMatchesTraceeJSON(f *testing.F) {
	f.Add("ptrace", "curl", "/etc/shadow", int64(-100), uint64(1<<63), "PTRACE_TRACEME", []byte("\x7fELF"), true)
	f.Add("", "", "", int64(0), uint64(0), "", []byte(nil), false)
	f.Fuzz(func(t *testing.T, name, comm, str string, i int64, u uint64, repr string, b []byte, flag bool) {
		for _, s := range []string{name, comm, str, repr} {
			if !utf8.ValidString(s) {
				t.Skip()
			}
		}
		ev := &pb.Event{EventName: name, ProcessName: comm, Timestamp: i, CgroupId: u, ReturnValue: -i, Args: []*pb.Argument{
			sdktest.Str("s", str), sdktest.Int("i", i), sdktest.Uint("u", u), sdktest.Flag("f", i, repr),
			sdktest.Bytes("b", b), sdktest.Bool("ok", flag), sdktest.Strs("argv", str, repr), sdktest.Unix("addr", str),
		}}
		if flag {
			ev.Ancestry = []*pb.Ancestor{{HostPid: int32(i), Pid: int32(u), Comm: comm}}
		}
		raw, err := ptj.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var generic any
		if err := util.NewJSONDecoder(bytes.NewReader(raw)).Decode(&generic); err != nil {
			t.Fatal(err)
		}
		want, err := ast.InterfaceToValue(generic)
		if err != nil {
			t.Fatal(err)
		}
		if got := rego.Input(ev); got.Compare(want) != 0 {
			t.Errorf("\n got %v\nwant %v", got, want)
		}
	})
}
