package derive

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

func iarg(name string, v int64) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Value: &traceepb.Argument_Int{Int: v}}
}

func uarg(name string, v uint64) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Value: &traceepb.Argument_Uint{Uint: v}}
}

func sarg(name, v string) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Type: "const char*", Value: &traceepb.Argument_Str{Str: v}}
}

func barg(name string, v bool) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Value: &traceepb.Argument_Bool{Bool: v}}
}

func sockArg(name string, sa *traceepb.SockAddr) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Type: "struct sockaddr*", Value: &traceepb.Argument_Sockaddr{Sockaddr: sa}}
}

// event builds a source event with a full context.
func event(name string, pid int32, ret int64, args ...*traceepb.Argument) *traceepb.Event {
	d, _ := events.ByName(name)
	id := int32(-1)
	if d != nil {
		id = int32(d.ID)
	}
	return &traceepb.Event{
		Timestamp: 1700000000000000000, ProcessorId: 1, ProcessId: 7, ThreadId: 7,
		ParentProcessId: 1, HostProcessId: pid, HostThreadId: pid, HostParentProcessId: 1,
		UserId: 1000, GroupId: 1000, MountNamespace: 4026531840, PidNamespace: 4026531836,
		ProcessName: "proc", HostName: "host", CgroupId: 42, ContainerId: "abc",
		EventId: id, EventName: name, ReturnValue: ret, Args: args, Syscall: id,
		Ancestry: []*traceepb.Ancestor{{HostPid: 1, Pid: 1, Comm: "init"}},
	}
}

// checkContext verifies that out carries src's context and def's identity.
func checkContext(t *testing.T, src, out *traceepb.Event, target string) {
	t.Helper()
	def, _ := events.ByName(target)
	if out.EventName != target || out.EventId != int32(def.ID) {
		t.Errorf("derived %s/%d, want %s/%d", out.EventName, out.EventId, target, def.ID)
	}
	want := proto.Clone(src).(*traceepb.Event)
	want.EventId, want.EventName, want.ReturnValue, want.Args = out.EventId, out.EventName, 0, out.Args
	if !proto.Equal(want, out) {
		t.Errorf("context not copied:\n got %v\nwant %v", out, want)
	}
	if len(out.Ancestry) > 0 && out.Ancestry[0] == src.Ancestry[0] {
		t.Error("ancestry shared with the source")
	}
	if len(out.Args) != len(def.Params) {
		t.Fatalf("%d args, want %d", len(out.Args), len(def.Params))
	}
	for i, p := range def.Params {
		if out.Args[i].Name != p.Name || out.Args[i].Type != p.Type {
			t.Errorf("arg %d: %s/%s, want %s/%s", i, out.Args[i].Name, out.Args[i].Type, p.Name, p.Type)
		}
		if out.Args[i].Value == nil {
			t.Errorf("arg %s has no value", p.Name)
		}
	}
}

func TestBprmCheck(t *testing.T) {
	src := event("sched_process_exec", 100, 0,
		sarg("cmdpath", "./x"), sarg("pathname", "/usr/bin/x"), uarg("dev", 2049), uarg("inode", 1234),
		uarg("inode_mode", 0o100755), sarg("interp", "/usr/bin/x"),
		&traceepb.Argument{Name: "argv", Value: &traceepb.Argument_StrArray{StrArray: &traceepb.StringArray{Values: []string{"x", "-v"}}}},
		barg("is_memfd", false))
	out := New().Derive(src)
	if len(out) != 1 {
		t.Fatalf("got %d events", len(out))
	}
	checkContext(t, src, out[0], "security_bprm_check")
	ev := out[0]
	if ev.Args[0].GetStr() != "/usr/bin/x" || ev.Args[1].GetUint() != 2049 || ev.Args[2].GetUint() != 1234 ||
		!slices.Equal(ev.Args[3].GetStrArray().GetValues(), []string{"x", "-v"}) {
		t.Errorf("args %v", ev.Args)
	}
	// The derived argv is a copy.
	ev.Args[3].GetStrArray().Values[0] = "changed"
	if src.GetArg("argv").GetStrArray().Values[0] != "x" {
		t.Error("argv shared with the source")
	}
	// Missing dev/inode become zero values, not missing args.
	out = New().Derive(event("sched_process_exec", 100, 0, sarg("pathname", "/bin/sh")))
	if len(out) != 1 || out[0].Args[1].GetUint() != 0 || out[0].Args[3].GetStrArray() == nil {
		t.Errorf("partial exec: %v", out)
	}
}

func TestSocketConnect(t *testing.T) {
	inet := &traceepb.SockAddr{Family: "AF_INET", Ip: "10.1.2.3", Port: 443}
	tests := []struct {
		name string
		src  *traceepb.Event
		want *traceepb.SockAddr // nil: no event
	}{
		{"success", event("connect", 5, 0, iarg("sockfd", 3), sockArg("addr", inet), iarg("addrlen", 16)), inet},
		{"refused", event("connect", 5, -111, iarg("sockfd", 3), sockArg("addr", inet), iarg("addrlen", 16)), inet},
		{"in progress", event("connect", 5, -115, iarg("sockfd", 4), sockArg("addr", &traceepb.SockAddr{Family: "AF_INET6", Ip: "::1", Port: 80}), iarg("addrlen", 28)),
			&traceepb.SockAddr{Family: "AF_INET6", Ip: "::1", Port: 80}},
		{"unix", event("connect", 5, 0, iarg("sockfd", 4), sockArg("addr", &traceepb.SockAddr{Family: "AF_UNIX", Path: "/run/docker.sock"})),
			&traceepb.SockAddr{Family: "AF_UNIX", Path: "/run/docker.sock"}},
		{"netlink ignored", event("connect", 5, 0, iarg("sockfd", 4), sockArg("addr", &traceepb.SockAddr{Family: "AF_NETLINK"})), nil},
		{"unread address", event("connect", 5, -14, iarg("sockfd", 4), uarg("addr", 0xdead)), nil},
		{"no address", event("connect", 5, -14, iarg("sockfd", 4)), nil},
	}
	for _, tt := range tests {
		out := New().Derive(tt.src)
		if tt.want == nil {
			if len(out) != 0 {
				t.Errorf("%s: want nothing, got %v", tt.name, out)
			}
			continue
		}
		if len(out) != 1 {
			t.Errorf("%s: got %d events", tt.name, len(out))
			continue
		}
		checkContext(t, tt.src, out[0], "security_socket_connect")
		if got := out[0].Args[1].GetSockaddr(); !proto.Equal(got, tt.want) {
			t.Errorf("%s: remote_addr %v, want %v", tt.name, got, tt.want)
		}
		if out[0].Args[0].GetInt() != tt.src.GetArg("sockfd").GetInt() {
			t.Errorf("%s: sockfd %v", tt.name, out[0].Args[0])
		}
	}
	d := New()
	d.Derive(event("connect", 5, -14, iarg("sockfd", 4)))
	if d.Stats().Skipped != 1 {
		t.Errorf("skipped %d, want 1", d.Stats().Skipped)
	}
}

func TestRegistryMatchesDeps(t *testing.T) {
	for _, target := range Targets() {
		def, ok := events.ByName(target)
		if !ok {
			t.Fatalf("no event %s", target)
		}
		if def.Source != events.SourceUserspace {
			t.Errorf("%s is not a user-space event", target)
		}
		got, want := Sources(target), slices.Clone(def.Deps)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: registry sources %v, table deps %v", target, got, want)
		}
	}
	for _, def := range events.All() {
		if def.Source == events.SourceUserspace && len(Sources(def.Name)) == 0 {
			t.Errorf("user-space event %s has no derivation", def.Name)
		}
	}
}

func TestWithTargets(t *testing.T) {
	d := New(WithTargets("security_socket_connect"))
	if out := d.Derive(event("sched_process_exec", 1, 0, sarg("pathname", "/usr/bin/x"))); len(out) != 0 {
		t.Errorf("security_bprm_check not wanted but derived: %v", out)
	}
	if out := d.Derive(event("connect", 1, 0, iarg("sockfd", 3), sockArg("addr", &traceepb.SockAddr{Family: "AF_INET"}))); len(out) != 1 {
		t.Errorf("security_socket_connect wanted but got %v", out)
	}
	if out := d.Derive(event("openat", 1, 3)); out != nil {
		t.Errorf("openat derived %v", out)
	}
	if d.Derive(nil) != nil {
		t.Error("nil event derived something")
	}
}
