package derive

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/render"
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

const (
	r   = 1
	rw  = 3
	rx  = 5
	rwx = 7
)

func mmap(pid int32, ret int64, length, prot int64) *traceepb.Event {
	return event("mmap", pid, ret, uarg("addr", 0), uarg("length", uint64(length)), iarg("prot", prot), iarg("flags", 0x22), iarg("fd", -1), iarg("offset", 0))
}

const (
	mremapMaymove = 1
	mremapFixed   = 2
)

func mremap(pid int32, ret, old, oldSize, newSize, flags int64) *traceepb.Event {
	return event("mremap", pid, ret, uarg("old_address", uint64(old)), uarg("old_size", uint64(oldSize)),
		uarg("new_size", uint64(newSize)), uarg("flags", uint64(flags)), uarg("new_address", uint64(ret)))
}

func mprotect(pid int32, ret, addr, length, prot int64) *traceepb.Event {
	return event("mprotect", pid, ret, uarg("addr", uint64(addr)), uarg("len", uint64(length)), iarg("prot", prot))
}

func pkeyMprotect(pid int32, ret, addr, length, prot int64) *traceepb.Event {
	return event("pkey_mprotect", pid, ret, uarg("addr", uint64(addr)), uarg("len", uint64(length)), iarg("prot", prot), iarg("pkey", 1))
}

type alert struct {
	alert      uint64
	addr       uint64
	prot, prev int64
}

func TestMemProtAlert(t *testing.T) {
	type step struct {
		ev   *traceepb.Event
		want []alert
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"mmap W+E", []step{{mmap(1, 0x7000, 0x1000, rwx), []alert{{render.AlertMmapWX, 0x7000, rwx, 0}}}}},
		{"failed mmap W+E still alerts at the asked address", []step{{mmap(1, -12, 0x1000, rwx), []alert{{render.AlertMmapWX, 0, rwx, 0}}}}},
		{"mmap RW is quiet", []step{{mmap(1, 0x7000, 0x1000, rw), nil}}},
		{"W then E", []step{
			{mmap(1, 0x7000, 0x2000, rw), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, rw}}},
			// The second page is still RW; the first is now RX.
			{mprotect(1, 0, 0x8000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x8000, rx, rw}}},
			{mprotect(1, 0, 0x7000, 0x1000, rx), nil},
		}},
		{"E to W+E", []step{
			{mmap(1, 0x7000, 0x1000, rx), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rwx), []alert{{render.AlertXToWX, 0x7000, rwx, rx}}},
		}},
		{"W+E to E", []step{
			{mmap(1, 0x7000, 0x1000, rwx), []alert{{render.AlertMmapWX, 0x7000, rwx, 0}}},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertWXToX, 0x7000, rx, rwx}}},
		}},
		{"pkey_mprotect", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{pkeyMprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, rw}}},
		}},
		{"untracked region made executable", []step{{mprotect(1, 0, 0x9000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x9000, rx, 0}}}}},
		{"untracked region made RW is quiet", []step{{mprotect(1, 0, 0x9000, 0x1000, rw), nil}}},
		{"failed mprotect alerts but keeps the state", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mprotect(1, -13, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, rw}}},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, rw}}},
		}},
		{"processes are separate", []step{
			{mmap(1, 0x7000, 0x1000, rwx), []alert{{render.AlertMmapWX, 0x7000, rwx, 0}}},
			{mprotect(2, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, 0}}},
		}},
		{"exit forgets the process", []step{
			{mmap(1, 0x7000, 0x1000, rx), nil},
			{event("sched_process_exit", 1, 0, iarg("exit_code", 0), barg("process_group_exit", false)), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rwx), []alert{{render.AlertXToWX, 0x7000, rwx, rx}}},
			{event("sched_process_exit", 1, 0, iarg("exit_code", 0), barg("process_group_exit", true)), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, 0}}},
		}},
		{"exec forgets the address space", []step{
			{mmap(1, 0x7000, 0x1000, rx), nil},
			{event("sched_process_exec", 1, 0, sarg("pathname", "/bin/x")), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rwx), []alert{{render.AlertMprotectX, 0x7000, rwx, 0}}},
		}},
		{"fork copies the parent's mappings", []step{
			{mmap(1, 0x7000, 0x1000, rx), nil},
			{event("sched_process_fork", 1, 0, iarg("parent_pid", 1), iarg("child_pid", 2)), nil},
			{mprotect(2, 0, 0x7000, 0x1000, rwx), []alert{{render.AlertXToWX, 0x7000, rwx, rx}}},
		}},
		{"munmap forgets the range", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{event("munmap", 1, 0, uarg("addr", 0x7000), uarg("length", 0x1000)), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, 0}}},
		}},
		{"mremap moves a writable range: made executable at the new address", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mremap(1, 0x20000, 0x7000, 0x1000, 0x2000, mremapMaymove), nil},
			{mprotect(1, 0, 0x20000, 0x2000, rx), []alert{{render.AlertMprotectX, 0x20000, rx, rw}}},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, 0}}},
		}},
		{"mremap MREMAP_FIXED|MAYMOVE of W+X keeps E: W+E to E alerts", []step{
			{mmap(1, 0x7000, 0x1000, rwx), []alert{{render.AlertMmapWX, 0x7000, rwx, 0}}},
			{mremap(1, 0x30000, 0x7000, 0x1000, 0x1000, mremapMaymove|mremapFixed), nil},
			{mprotect(1, 0, 0x30000, 0x1000, rx), []alert{{render.AlertWXToX, 0x30000, rx, rwx}}},
		}},
		{"mremap in place keeps the protection over the grown range", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mremap(1, 0x7000, 0x7000, 0x1000, 0x3000, 0), nil},
			{mprotect(1, 0, 0x9000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x9000, rx, rw}}},
		}},
		{"mremap MREMAP_DONTUNMAP keeps the old range", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mremap(1, 0x40000, 0x7000, 0x1000, 0x1000, mremapMaymove|mremapDontUnmap), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, rw}}},
			{mprotect(1, 0, 0x40000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x40000, rx, rw}}},
		}},
		{"failed mremap changes nothing", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mremap(1, -12, 0x7000, 0x1000, 0x2000, mremapMaymove), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, rw}}},
		}},
		{"mremap of an untracked range clears the destination", []step{
			{mmap(1, 0x50000, 0x1000, rw), nil},
			{mremap(1, 0x50000, 0x9000, 0x1000, 0x1000, mremapMaymove|mremapFixed), nil},
			{mprotect(1, 0, 0x50000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x50000, rx, 0}}},
		}},
		{"mremap alias (old_size 0): RW alias of R-X pages is W+E", []step{
			{mmap(1, 0x7000, 0x2000, rx), nil},
			{mremap(1, 0x60000, 0x7000, 0, 0x2000, mremapMaymove), nil},
			{mprotect(1, 0, 0x60000, 0x2000, rw), []alert{{render.AlertXToWX, 0x60000, rwx, rx}}},
		}},
		{"mremap alias: R-X alias of RW pages is W+E; other pages are not", []step{
			{mmap(1, 0x7000, 0x2000, rw), nil},
			{mremap(1, 0x60000, 0x7000, 0, 0x2000, mremapMaymove), nil},
			{mprotect(1, 0, 0x7000, 0x1000, r), nil},
			// page 1 made R-X in the second mapping: the first maps it RW
			{mprotect(1, 0, 0x61000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x61000, rwx, rw}}},
			{mprotect(1, 0, 0x60000, 0x1000, r), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x7000, rx, r}}},
		}},
		{"an alias made read-only stays an alias", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mremap(1, 0x60000, 0x7000, 0, 0x1000, mremapMaymove), nil},
			{mprotect(1, 0, 0x60000, 0x1000, r), nil},
			{mprotect(1, 0, 0x60000, 0x1000, rx), []alert{{render.AlertMprotectX, 0x60000, rwx, rw}}},
		}},
		{"mmap over a tracked range replaces it", []step{
			{mmap(1, 0x7000, 0x1000, rw), nil},
			{mmap(1, 0x7000, 0x1000, r), nil},
			{mprotect(1, 0, 0x7000, 0x1000, rwx), []alert{{render.AlertMprotectX, 0x7000, rwx, 0}}},
		}},
		{"missing prot derives nothing", []step{{event("mprotect", 1, 0, uarg("addr", 0x7000)), nil}}},
	}
	for _, tt := range tests {
		d := New()
		for i, s := range tt.steps {
			out := d.Derive(s.ev)
			var got []alert
			for _, ev := range out {
				if ev.EventName == "security_bprm_check" && s.ev.EventName == "sched_process_exec" {
					continue
				}
				checkContext(t, s.ev, ev, "mem_prot_alert")
				got = append(got, alert{ev.Args[0].GetUint(), ev.Args[1].GetUint(), ev.Args[3].GetInt(), ev.Args[4].GetInt()})
				if ev.Args[0].Repr == "" || ev.Args[3].Repr == "" {
					t.Errorf("%s: alert without repr: %v", tt.name, ev.Args)
				}
			}
			if !slices.Equal(got, s.want) {
				t.Errorf("%s step %d (%s): got %+v, want %+v", tt.name, i, s.ev.EventName, got, s.want)
			}
		}
	}
}

func TestMemStateBounded(t *testing.T) {
	d := New(WithMemLimits(2, 3))
	for pid := int32(1); pid <= 3; pid++ {
		d.Derive(mmap(pid, 0x7000, 0x1000, rw))
	}
	if st := d.Stats(); st.TrackedProcs != 2 {
		t.Errorf("tracked %d processes, want 2", st.TrackedProcs)
	}
	// pid 1 was least recently active and is forgotten.
	if out := d.Derive(mprotect(1, 0, 0x7000, 0x1000, rx)); len(out) != 1 || out[0].Args[4].GetInt() != 0 {
		t.Errorf("pid 1 should be forgotten: %v", out)
	}
	for i := range int64(5) {
		d.Derive(mmap(9, 0x100000+i*0x10000, 0x1000, rw))
	}
	if st := d.Stats(); st.TrackedRegions > 2*3 {
		t.Errorf("%d regions tracked, cap is 6", st.TrackedRegions)
	}
	// The newest regions are kept, the oldest dropped.
	if out := d.Derive(mprotect(9, 0, 0x140000, 0x1000, rx)); len(out) != 1 || out[0].Args[4].GetInt() != rw {
		t.Errorf("newest region lost: %v", out)
	}
	if out := d.Derive(mprotect(9, 0, 0x100000, 0x1000, rx)); len(out) != 1 || out[0].Args[4].GetInt() != 0 {
		t.Errorf("oldest region kept: %v", out)
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
		for _, o := range observers {
			// the scheduler events are always traced; the system calls an
			// observer follows must be deps, or nothing selects them
			if o.target == target && !strings.HasPrefix(o.source, "sched_") && !slices.Contains(got, o.source) {
				got = append(got, o.source)
			}
		}
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
	if out := d.Derive(mmap(1, 0x7000, 0x1000, rwx)); len(out) != 0 {
		t.Errorf("mem_prot_alert not wanted but derived: %v", out)
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

func BenchmarkDeriveMprotect(b *testing.B) {
	d := New()
	d.Derive(mmap(1, 0x7000, 0x1000, rw))
	ev := mprotect(1, 0, 0x7000, 0x1000, rw)
	for b.Loop() {
		d.Derive(ev)
	}
}
