package filter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

type testCatalog []*events.Definition

func (c testCatalog) ByName(name string) (*events.Definition, bool) {
	for _, d := range c {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}

func (c testCatalog) All() []*events.Definition { return c }

var cat = testCatalog{
	{ID: 2, Name: "open", Sets: []string{"syscalls", "fs"}, Params: []events.Param{{Name: "pathname", Kind: events.ArgStr}, {Name: "flags", Kind: events.ArgInt}}},
	{ID: 42, Name: "connect", Sets: []string{"syscalls", "net"}, Params: []events.Param{{Name: "sockfd", Kind: events.ArgInt}, {Name: "addr", Kind: events.ArgSockaddr}}},
	{ID: 59, Name: "execve", Sets: []string{"syscalls", "proc", "default"}, Params: []events.Param{{Name: "pathname", Kind: events.ArgStr}, {Name: "argv", Kind: events.ArgStrArr}, {Name: "envp", Kind: events.ArgStrArr}}},
	{ID: 101, Name: "ptrace", Sets: []string{"syscalls", "proc"}, Params: []events.Param{{Name: "request", Kind: events.ArgLong}, {Name: "pid", Kind: events.ArgInt}}},
	{ID: 257, Name: "openat", Sets: []string{"syscalls", "fs"}, Params: []events.Param{{Name: "dirfd", Kind: events.ArgInt}, {Name: "pathname", Kind: events.ArgStr}, {Name: "flags", Kind: events.ArgInt}, {Name: "mode", Kind: events.ArgUint}}},
	{ID: 1003, Name: "sched_process_exec", Source: events.SourceKernel, Sets: []string{"proc", "default"}, Params: []events.Param{{Name: "pathname", Kind: events.ArgStr}, {Name: "is_memfd", Kind: events.ArgBool}}},
	{ID: 1010, Name: "security_file_open", Source: events.SourceKernel, Sets: []string{"lsm", "default", "fs"}, Params: []events.Param{{Name: "pathname", Kind: events.ArgStr}}},
	{ID: 1011, Name: "security_bprm_check", Source: events.SourceUserspace, Sets: []string{"lsm"}, Deps: []string{"sched_process_exec"}},
	{ID: 1012, Name: "security_socket_connect", Source: events.SourceUserspace, Sets: []string{"lsm", "default", "net"}, Deps: []string{"connect"}, Params: []events.Param{{Name: "remote_addr", Kind: events.ArgSockaddr}}},
	{ID: 1015, Name: "magic_write", Source: events.SourceKernel, Sets: []string{"default"}, Params: []events.Param{{Name: "bytes", Kind: events.ArgBytes}}},
	{ID: 1036, Name: "kallsyms_lookup_name", Source: events.SourceKernel, Sets: []string{"default"}, Requires: []string{"kprobe"}},
	{ID: 1500, Name: "helper", Internal: true, Sets: []string{"default"}},
}

func ids(xs ...events.ID) []events.ID { return xs }

func u(v uint64) *uint64 { return &v }
func b(v bool) *bool     { return &v }

func TestEventSelection(t *testing.T) {
	noKprobe := map[string]bool{"kprobe": false, "lsm": true}
	tests := []struct {
		name    string
		exprs   []string
		avail   map[string]bool
		events  []events.ID
		deps    []events.ID
		skipped []string
	}{
		{"default set", nil, nil, ids(59, 1003, 1010, 1012, 1015, 1036), ids(42), nil},
		{"default set without kprobe", nil, noKprobe, ids(59, 1003, 1010, 1012, 1015), ids(42), []string{"kallsyms_lookup_name"}},
		{"names", []string{"event=openat,execve"}, nil, ids(59, 257), nil, nil},
		{"names over two flags add up", []string{"event=openat", "event=open"}, nil, ids(2, 257), nil, nil},
		{"prefix glob", []string{"event=open*"}, nil, ids(2, 257), nil, nil},
		{"suffix glob", []string{"event=*_connect"}, nil, ids(1012), ids(42), nil},
		{"set", []string{"set=fs"}, nil, ids(2, 257, 1010), nil, nil},
		{"two sets", []string{"set=fs,net"}, nil, ids(2, 42, 257, 1010, 1012), nil, nil},
		{"set minus event", []string{"set=fs", "event!=open"}, nil, ids(257, 1010), nil, nil},
		{"default minus glob", []string{"event!=sched_*,magic*"}, nil, ids(59, 1010, 1012, 1036), ids(42), nil},
		{"derived event pulls its dep", []string{"event=security_bprm_check"}, nil, ids(1011), ids(1003), nil},
		{"dep already selected is not a dep", []string{"event=security_bprm_check,sched_process_exec"}, nil, ids(1003, 1011), nil, nil},
		{"glob skips unavailable", []string{"event=kallsyms*,magic_write"}, noKprobe, ids(1015), nil, []string{"kallsyms_lookup_name"}},
		{"arg filter selects its event", []string{"openat.pathname=/etc/*"}, nil, ids(257), nil, nil},
		{"arg filter with event", []string{"event=execve", "openat.retval<0"}, nil, ids(59, 257), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.exprs, cat, tc.avail)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Events, tc.events) {
				t.Errorf("Events = %v, want %v", p.Events, tc.events)
			}
			if !slices.Equal(p.Deps, tc.deps) {
				t.Errorf("Deps = %v, want %v", p.Deps, tc.deps)
			}
			var skipped []string
			for _, s := range p.Skipped {
				skipped = append(skipped, s.Name)
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("Skipped = %v, want %v", skipped, tc.skipped)
			}
			for _, id := range tc.events {
				if !p.Selected(id) {
					t.Errorf("Selected(%d) = false", id)
				}
			}
			for _, id := range tc.deps {
				if p.Selected(id) {
					t.Errorf("dep %d is Selected", id)
				}
			}
		})
	}
}

func TestKernelFilters(t *testing.T) {
	tests := []struct {
		name  string
		exprs []string
		want  Kernel
	}{
		{"pid list", []string{"pid=1,2"}, Kernel{PID: NumFilter{Equal: []uint64{1, 2}}}},
		{"pid and-ed equal", []string{"pid=1,2,3", "pid=2,3,4"}, Kernel{PID: NumFilter{Equal: []uint64{2, 3}}}},
		{"pid not", []string{"pid!=5,6", "pid!=7"}, Kernel{PID: NumFilter{NotEqual: []uint64{5, 6, 7}}}},
		{"pid range", []string{"pid>100", "pid<200"}, Kernel{PID: NumFilter{Greater: u(100), Less: u(200)}}},
		{"pid inclusive range", []string{"pid>=100", "pid<=200"}, Kernel{PID: NumFilter{Greater: u(99), Less: u(201)}}},
		{"tighter bound wins", []string{"pid>100", "pid>50", "pid<300", "pid<200"}, Kernel{PID: NumFilter{Greater: u(100), Less: u(200)}}},
		{"pid new", []string{"pid=new"}, Kernel{NewPID: true}},
		{"follow", []string{"comm=bash", "follow"}, Kernel{Comm: StringFilter{Equal: []string{"bash"}}, Follow: true}},
		{"tree", []string{"tree=10,20", "tree=20"}, Kernel{Tree: []uint32{10, 20}}},
		{"uid", []string{"uid>=1000", "uid!=65534"}, Kernel{UID: NumFilter{Greater: u(999), NotEqual: []uint64{65534}}}},
		{"uid zero", []string{"uid=0"}, Kernel{UID: NumFilter{Equal: []uint64{0}}}},
		{"namespaces", []string{"mntns=4026531840", "pidns!=4026531836"}, Kernel{MntNS: NumFilter{Equal: []uint64{4026531840}}, PidNS: NumFilter{NotEqual: []uint64{4026531836}}}},
		{"comm", []string{"comm=bash,zsh", "comm!=sshd"}, Kernel{Comm: StringFilter{Equal: []string{"bash", "zsh"}, NotEqual: []string{"sshd"}}}},
		{"uts", []string{"uts=web-1"}, Kernel{UTS: StringFilter{Equal: []string{"web-1"}}}},
		{"container", []string{"container"}, Kernel{Container: b(true)}},
		{"not container", []string{"!container"}, Kernel{Container: b(false)}},
		{"container new", []string{"container=new"}, Kernel{Container: b(true), ContainerNew: true}},
		{"spaces trimmed", []string{"  pid=7 "}, Kernel{PID: NumFilter{Equal: []uint64{7}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.exprs, cat, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !kernelEqual(p.Kernel, tc.want) {
				t.Fatalf("Kernel = %+v, want %+v", p.Kernel, tc.want)
			}
		})
	}
}

func kernelEqual(a, b Kernel) bool {
	numEq := func(x, y NumFilter) bool {
		pe := func(p, q *uint64) bool { return (p == nil) == (q == nil) && (p == nil || *p == *q) }
		return slices.Equal(x.Equal, y.Equal) && slices.Equal(x.NotEqual, y.NotEqual) && pe(x.Less, y.Less) && pe(x.Greater, y.Greater)
	}
	strEq := func(x, y StringFilter) bool {
		return slices.Equal(x.Equal, y.Equal) && slices.Equal(x.NotEqual, y.NotEqual)
	}
	bEq := (a.Container == nil) == (b.Container == nil) && (a.Container == nil || *a.Container == *b.Container)
	return numEq(a.UID, b.UID) && numEq(a.PID, b.PID) && numEq(a.MntNS, b.MntNS) && numEq(a.PidNS, b.PidNS) &&
		strEq(a.UTS, b.UTS) && strEq(a.Comm, b.Comm) && bEq && a.ContainerNew == b.ContainerNew &&
		a.Follow == b.Follow && a.NewPID == b.NewPID && slices.Equal(a.Tree, b.Tree)
}

func TestNumFilterMatch(t *testing.T) {
	f := NumFilter{Equal: []uint64{5, 150, 300}, NotEqual: []uint64{150}, Greater: u(100), Less: u(400)}
	for v, want := range map[uint64]bool{5: false, 150: false, 300: true, 301: false, 0: false} {
		if got := f.Match(v); got != want {
			t.Errorf("Match(%d) = %v, want %v", v, got, want)
		}
	}
	if (NumFilter{}).Active() || !(NumFilter{Less: u(1)}).Active() {
		t.Error("Active wrong")
	}
	if !(NumFilter{}).Match(12345) {
		t.Error("zero filter must pass everything")
	}
}

func TestMatchScope(t *testing.T) {
	p, err := Parse([]string{"uid=1000", "comm=bash", "pid>100", "container"}, cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := &pb.Event{UserId: 1000, ProcessName: "bash", HostProcessId: 200, ContainerId: "abc"}
	if !p.Kernel.MatchScope(ev) {
		t.Error("should match")
	}
	for name, mut := range map[string]func(*pb.Event){
		"uid":       func(e *pb.Event) { e.UserId = 0 },
		"comm":      func(e *pb.Event) { e.ProcessName = "sh" },
		"pid":       func(e *pb.Event) { e.HostProcessId = 100 },
		"container": func(e *pb.Event) { e.ContainerId = "" },
	} {
		e := &pb.Event{UserId: 1000, ProcessName: "bash", HostProcessId: 200, ContainerId: "abc"}
		mut(e)
		if p.Kernel.MatchScope(e) {
			t.Errorf("%s changed: should not match", name)
		}
	}
}

func str(name, v string) *pb.Argument {
	return &pb.Argument{Name: name, Value: &pb.Argument_Str{Str: v}}
}
func num(name string, v int64, repr string) *pb.Argument {
	return &pb.Argument{Name: name, Value: &pb.Argument_Int{Int: v}, Repr: repr}
}

func TestArgAndRetvalFilters(t *testing.T) {
	openat := func(path string, flags int64, flagsRepr string, ret int64) *pb.Event {
		return &pb.Event{EventId: 257, EventName: "openat", ReturnValue: ret, Args: []*pb.Argument{
			num("dirfd", -100, ""), str("pathname", path), num("flags", flags, flagsRepr),
			{Name: "mode", Value: &pb.Argument_Uint{Uint: 0o644}},
		}}
	}
	execve := func(path string, argv ...string) *pb.Event {
		return &pb.Event{EventId: 59, EventName: "execve", Args: []*pb.Argument{
			str("pathname", path), {Name: "argv", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: argv}}},
		}}
	}
	connect := func(sa *pb.SockAddr) *pb.Event {
		return &pb.Event{EventId: 42, EventName: "connect", Args: []*pb.Argument{num("sockfd", 3, ""), {Name: "addr", Value: &pb.Argument_Sockaddr{Sockaddr: sa}}}}
	}
	tests := []struct {
		name  string
		exprs []string
		ev    *pb.Event
		want  bool
	}{
		{"prefix glob hit", []string{"openat.pathname=/etc/*"}, openat("/etc/passwd", 0, "", 3), true},
		{"prefix glob miss", []string{"openat.pathname=/etc/*"}, openat("/tmp/etc", 0, "", 3), false},
		{"args. form", []string{"openat.args.pathname=/etc/passwd"}, openat("/etc/passwd", 0, "", 3), true},
		{"suffix glob", []string{"openat.pathname=*shadow"}, openat("/etc/gshadow", 0, "", 3), true},
		{"contains glob", []string{"openat.pathname=*ssh*"}, openat("/root/.ssh/id_rsa", 0, "", 3), true},
		{"exact miss", []string{"openat.pathname=/etc"}, openat("/etc/passwd", 0, "", 3), false},
		{"values or-ed", []string{"openat.pathname=/tmp/*,/etc/*"}, openat("/etc/passwd", 0, "", 3), true},
		{"not equal", []string{"openat.pathname!=/proc/*,/sys/*"}, openat("/proc/1/stat", 0, "", 3), false},
		{"not equal passes", []string{"openat.pathname!=/proc/*,/sys/*"}, openat("/etc/x", 0, "", 3), true},
		{"expressions and-ed", []string{"openat.pathname=/etc/*", "openat.retval<0"}, openat("/etc/passwd", 0, "", 3), false},
		{"expressions and-ed pass", []string{"openat.pathname=/etc/*", "openat.retval<0"}, openat("/etc/passwd", 0, "", -2), true},
		{"retval less", []string{"openat.retval<0"}, openat("/x", 0, "", -13), true},
		{"retval equal negative", []string{"openat.retval=-13"}, openat("/x", 0, "", -13), true},
		{"retval ge", []string{"openat.retval>=3"}, openat("/x", 0, "", 3), true},
		{"retval gt miss", []string{"openat.retval>3"}, openat("/x", 0, "", 3), false},
		{"int arg negative", []string{"openat.dirfd=-100"}, openat("/x", 0, "", 3), true},
		{"uint arg hex", []string{"openat.mode=0x1a4"}, openat("/x", 0, "", 3), true},
		{"uint arg vs negative", []string{"openat.mode>-1"}, openat("/x", 0, "", 3), true},
		{"flag in repr", []string{"openat.flags=O_CREAT"}, openat("/x", 0o102, "O_RDWR|O_CREAT", 3), true},
		{"whole repr", []string{"openat.flags=O_RDWR|O_CREAT"}, openat("/x", 0o102, "O_RDWR|O_CREAT", 3), true},
		{"flag not in repr", []string{"openat.flags=O_TRUNC"}, openat("/x", 0o102, "O_RDWR|O_CREAT", 3), false},
		{"flag numeric", []string{"openat.flags=66"}, openat("/x", 0o102, "O_RDWR|O_CREAT", 3), true},
		{"other event unaffected", []string{"event=execve", "openat.pathname=/etc/*"}, execve("/bin/ls"), true},
		{"unselected event", []string{"event=openat"}, execve("/bin/ls"), false},
		{"str array any element", []string{"execve.argv=-c"}, execve("/bin/sh", "sh", "-c", "id"), true},
		{"str array none", []string{"execve.argv=-c"}, execve("/bin/sh", "sh"), false},
		{"sockaddr ip", []string{"connect.addr=10.0.0.*"}, connect(&pb.SockAddr{Family: "AF_INET", Ip: "10.0.0.7", Port: 443}), true},
		{"sockaddr ip:port", []string{"connect.addr=*:443"}, connect(&pb.SockAddr{Family: "AF_INET", Ip: "10.0.0.7", Port: 443}), true},
		{"sockaddr path", []string{"connect.addr=/run/*"}, connect(&pb.SockAddr{Family: "AF_UNIX", Path: "/run/docker.sock"}), true},
		{"missing arg fails", []string{"openat.pathname=/etc/*"}, &pb.Event{EventId: 257}, false},
		{"bool arg", []string{"sched_process_exec.is_memfd=true"}, &pb.Event{EventId: 1003, Args: []*pb.Argument{{Name: "is_memfd", Value: &pb.Argument_Bool{Bool: true}}}}, true},
		{"bool arg false", []string{"sched_process_exec.is_memfd=true"}, &pb.Event{EventId: 1003, Args: []*pb.Argument{{Name: "is_memfd", Value: &pb.Argument_Bool{Bool: false}}}}, false},
		{"container id", []string{"container=abcdef012345"}, &pb.Event{EventId: 59, ContainerId: "abcdef012345" + strings.Repeat("0", 52)}, true},
		{"container id other", []string{"container=abcdef012345"}, &pb.Event{EventId: 59, ContainerId: strings.Repeat("1", 64)}, false},
		{"container id excluded", []string{"container!=abcdef012345"}, &pb.Event{EventId: 59, ContainerId: "abcdef012345" + strings.Repeat("0", 52)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.exprs, cat, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(tc.ev); got != tc.want {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	avail := map[string]bool{"kprobe": false}
	tests := []struct {
		exprs   []string
		wantErr string
	}{
		{[]string{"pid=abc"}, `--trace "pid=abc": pid expects a number`},
		{[]string{"mntns>5"}, `--trace "mntns>5": mntns only takes = or !=`},
		{[]string{"pidns<=5"}, `--trace "pidns<=5": pidns only takes = or !=`},
		{[]string{"pid=99999999"}, `pid expects a number (0..4194304)`},
		{[]string{"pid>1,2"}, "takes a single value"},
		{[]string{"pid<0"}, "nothing is below 0"},
		{[]string{"pid>200", "pid<100"}, `--trace "pid<100": pid: empty range`},
		{[]string{"pid=1", "pid=2"}, "no value can also satisfy"},
		{[]string{"uid=-1"}, "uid expects a number"},
		{[]string{"tree=0"}, "tree expects process ids"},
		{[]string{"tree!=5"}, "tree only takes ="},
		{[]string{"comm>bash"}, "comm only takes = or !="},
		{[]string{"comm=averyveryverylongname"}, "at most 15 bytes"},
		{[]string{"event=nosuch"}, `--trace "event=nosuch": unknown event "nosuch"`},
		{[]string{"event=helper"}, `unknown event "helper"`},
		{[]string{"event=zz*"}, `no event matches "zz*"`},
		{[]string{"event=a*b"}, "only prefix*"},
		{[]string{"event>open"}, "event only takes = or !="},
		{[]string{"event=kallsyms_lookup_name"}, "requires kprobe, which is not available"},
		{[]string{"set=nosuch"}, `unknown event set "nosuch"`},
		{[]string{"event!=execve,sched_process_exec,security_file_open,security_socket_connect,magic_write,kallsyms_lookup_name"}, "no events left"},
		{[]string{"bogus=1"}, `unknown filter "bogus"`},
		{[]string{"pid"}, "expected KEY=VALUE"},
		{[]string{"=5"}, "expected KEY=VALUE"},
		{[]string{"pid="}, "missing value"},
		{[]string{"pid=1,,2"}, "empty value"},
		{[]string{""}, "empty expression"},
		{[]string{"container", "!container"}, "contradicts"},
		{[]string{"container=xyz"}, "container expects new or container ids"},
		{[]string{"openat.nosuch=1"}, `event openat has no argument "nosuch" (arguments: dirfd, pathname, flags, mode, or retval)`},
		{[]string{"nosuch.pathname=/x"}, `unknown event "nosuch"`},
		{[]string{"openat.pathname>/x"}, "only = and != apply"},
		{[]string{"openat.pathname=/a*b*"}, "only prefix*"},
		{[]string{"openat.retval<abc"}, "expects a number"},
		{[]string{"openat.retval=abc"}, "retval expects a number"},
		{[]string{"openat.flags<O_RDONLY"}, "expects a number"},
		{[]string{"magic_write.bytes=x"}, "cannot be filtered"},
		{[]string{"sched_process_exec.is_memfd=maybe"}, "expects true or false"},
		{[]string{"openat.=x"}, "expected EVENT.ARG"},
		{[]string{"openat.pathname=/etc/*", "event!=openat"}, "which an event!= expression excludes"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.exprs, " "), func(t *testing.T) {
			_, err := Parse(tc.exprs, cat, avail)
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
			var ee *ExprError
			if !errors.As(err, &ee) && !strings.HasPrefix(err.Error(), "--trace") {
				t.Fatalf("error %q does not name --trace", err)
			}
		})
	}
}

// TestRealTable parses against the generated event table.
func TestRealTable(t *testing.T) {
	p, err := Parse([]string{"event=openat,execve", "openat.pathname=/etc/*"}, EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	openat, _ := events.ByName("openat")
	execve, _ := events.ByName("execve")
	want := []events.ID{openat.ID, execve.ID}
	slices.Sort(want)
	if !slices.Equal(p.Events, want) {
		t.Fatalf("Events = %v, want %v", p.Events, want)
	}
	def, err := Parse(nil, EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	selectable := len(events.InSet(DefaultSet)) - countInternal(events.InSet(DefaultSet))
	if len(def.Events) == 0 || len(def.Events)+len(def.Skipped) != selectable {
		t.Fatalf("default policy: %d events + %d skipped, default set has %d selectable", len(def.Events), len(def.Skipped), selectable)
	}
	for _, id := range def.Events {
		d, _ := events.ByID(id)
		if !d.InSet(DefaultSet) {
			t.Errorf("%s is not in the default set", d.Name)
		}
	}
}

func countInternal(ds []*events.Definition) int {
	n := 0
	for _, d := range ds {
		if d.Internal {
			n++
		}
	}
	return n
}
