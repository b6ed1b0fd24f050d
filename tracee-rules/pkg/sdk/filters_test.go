package sdk_test

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestDataFilterMatch(t *testing.T) {
	intArg := func(n string, v int64, repr string) *pb.Argument {
		return &pb.Argument{Name: n, Value: &pb.Argument_Int{Int: v}, Repr: repr}
	}
	str := func(n, v string) *pb.Argument { return &pb.Argument{Name: n, Value: &pb.Argument_Str{Str: v}} }
	ev := func(ret int64, args ...*pb.Argument) *pb.Event {
		return &pb.Event{EventName: "x", ReturnValue: ret, Args: args}
	}
	tests := []struct {
		filter string
		ev     *pb.Event
		want   bool
	}{
		{"data.pathname=/etc/ld.so.preload", ev(0, str("pathname", "/etc/ld.so.preload")), true},
		{"data.pathname=/etc/ld.so.preload", ev(0, str("pathname", "/etc/ld.so.preload2")), false},
		{"data.pathname=/proc/*", ev(0, str("pathname", "/proc/1/mem")), true},
		{"data.pathname=*/mem", ev(0, str("pathname", "/proc/1/mem")), true},
		{"data.pathname=*/mem", ev(0, str("pathname", "/proc/1/maps")), false},
		{"data.pathname=*proc*", ev(0, str("pathname", "/x/proc/y")), true},
		{"data.pathname!=/a,/b", ev(0, str("pathname", "/b")), false},
		{"data.pathname!=/a,/b", ev(0, str("pathname", "/c")), true},
		{"data.pathname=/a", ev(0), false},
		{"data.pathname!=/a", ev(0), true},
		{"data.request=PTRACE_TRACEME", ev(0, intArg("request", 0, "PTRACE_TRACEME")), true},
		{"data.request=PTRACE_TRACEME", ev(0, intArg("request", 16, "PTRACE_ATTACH")), false},
		{"data.request=0", ev(0, intArg("request", 0, "")), true},
		{"data.request=PTRACE_TRACEME", ev(0, intArg("request", 16, "")), true}, // undecidable: passes
		{"data.flags=O_WRONLY,O_RDWR", ev(0, intArg("flags", 0o101, "O_WRONLY|O_CREAT")), true},
		{"data.flags=O_WRONLY,O_RDWR", ev(0, intArg("flags", 0, "O_RDONLY")), false},
		{"data.prot=PROT_EXEC", ev(0, str("prot", "PROT_READ|PROT_EXEC")), true},
		{"data.fd<=2", ev(0, intArg("fd", 2, "")), true},
		{"data.fd<=2", ev(0, intArg("fd", 3, "")), false},
		{"data.fd<=2", ev(0, intArg("fd", -1, "")), true},
		{"data.fd<=2", ev(0, &pb.Argument{Name: "fd", Value: &pb.Argument_Uint{Uint: 1 << 63}}), false},
		{"retval<0", ev(-1), true},
		{"retval<0", ev(3), false},
		{"retval>=0", ev(0), true},
		{"retval>5", ev(5), false},
		{"retval=-2,-13", ev(-13), true},
	}
	for _, tt := range tests {
		f, err := sdk.ParseDataFilter(tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if got := f.Match(tt.ev); got != tt.want {
			t.Errorf("%s on %v = %v, want %v", tt.filter, tt.ev.Args, got, tt.want)
		}
	}
}

func TestParseDataFilterErrors(t *testing.T) {
	for _, s := range []string{"", "pathname=/x", "data.=x", "data.fd", "data.fd=", "data.fd=1,,2", "data.fd<1,2", "retval<x", "comm=bash", "data.fd~1"} {
		if _, err := sdk.ParseDataFilter(s); err == nil {
			t.Errorf("ParseDataFilter(%q) = nil error", s)
		}
	}
}

func TestWants(t *testing.T) {
	sel := []sdk.SelectedEvent{
		{Name: "security_file_open", Filters: []string{"data.pathname=/etc/ld.so.preload"}},
		{Name: "security_file_open", Filters: []string{"data.pathname=/proc/*"}},
		{Name: "mem_prot_alert", StreamOnly: true},
	}
	open := func(p string) *pb.Event {
		return &pb.Event{EventName: "security_file_open", Args: []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: p}}}}
	}
	for _, tt := range []struct {
		ev              *pb.Event
		wants, requests bool
	}{
		{open("/etc/ld.so.preload"), true, true},
		{open("/proc/self/mem"), true, true},
		{open("/etc/passwd"), false, false},
		{&pb.Event{EventName: "mem_prot_alert"}, true, false},
		{&pb.Event{EventName: "ptrace"}, false, false},
	} {
		w, err := sdk.Wants(sel, tt.ev)
		r, err2 := sdk.Requested(sel, tt.ev)
		if err != nil || err2 != nil || w != tt.wants || r != tt.requests {
			t.Errorf("%s %v: Wants %v Requested %v (%v %v), want %v %v", tt.ev.EventName, tt.ev.Args, w, r, err, err2, tt.wants, tt.requests)
		}
	}
}
