package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// docsCatalog is the real event table plus the Tracee events its policy
// documentation uses that tracee-ebpf does not produce.
type docsCatalog struct{}

var droppedExecutable = &events.Definition{ID: 9000, Name: "dropped_executable", Source: events.SourceKernel,
	Params: []events.Param{{Name: "path", Type: "const char*", Kind: events.ArgStr}}}

func (docsCatalog) ByName(n string) (*events.Definition, bool) {
	if n == droppedExecutable.Name {
		return droppedExecutable, true
	}
	return events.ByName(n)
}
func (docsCatalog) All() []*events.Definition { return append(events.All(), droppedExecutable) }

func id(t *testing.T, name string) events.ID {
	t.Helper()
	d, ok := events.ByName(name)
	if !ok {
		t.Fatalf("no event %s", name)
	}
	return d.ID
}

func TestTraceeDocExamplesParse(t *testing.T) {
	pols, err := Load([]string{"testdata/tracee-docs"}, docsCatalog{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pols {
		names = append(names, p.Name)
	}
	want := []string{"sample-context-filter", "sample-filters", "containers", "host-only", "overview-policy", "sample-scope-filter"}
	if !slices.Equal(names, want) {
		t.Fatalf("policies %v, want %v", names, want)
	}
	// different scopes, one following: each is evaluated in the kernel
	set, err := NewSet(pols, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ks := set.Kernels(); len(ks) != len(pols) || !ks[1].Follow {
		t.Fatalf("kernel scopes %+v", ks)
	}
	byName := map[string]*Policy{}
	for _, p := range pols {
		byName[p.Name] = p
	}
	f := byName["sample-filters"]
	if !f.Scope.Kernel.Follow || !slices.Equal(f.Scope.Kernel.Comm.Equal, []string{"bash"}) {
		t.Errorf("sample-filters scope %+v", f.Scope.Kernel)
	}
	if got := len(f.Rules[id(t, "openat")][0].Data); got != 2 {
		t.Errorf("openat rule has %d data filters, want 2", got)
	}
	if c := byName["sample-scope-filter"].Rules[id(t, "openat")][0].Context; c == nil || !slices.Equal(c.Kernel.UID.Equal, []uint64{1000}) {
		t.Errorf("context filter uid=1000 not parsed: %+v", c)
	}
	if c := byName["host-only"].Scope.Kernel; c.Container == nil || *c.Container || !slices.Equal(c.Tree, []uint32{1}) {
		t.Errorf("host-only scope %+v", c)
	}
}

func TestMatchSetsMatchedPolicies(t *testing.T) {
	src := `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: preload}
spec:
  scope: [global]
  rules:
    - event: security_file_open
      filters: [data.pathname=/etc/ld.so.preload, "data.flags=O_WRONLY,O_RDWR"]
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: procmem}
spec:
  scope: [global]
  rules:
    - event: security_file_open
      filters: [data.pathname=/proc/*, data.pathname=*/mem]
    - event: security_file_open
      filters: [data.pathname=/etc/*]
    - event: ptrace
      filters: [data.request=PTRACE_TRACEME]
`
	pols, err := Parse([]byte(src), "p.yaml", filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(pols, nil)
	if err != nil {
		t.Fatal(err)
	}
	open := func(path string, flags int64) *pb.Event {
		return &pb.Event{EventId: int32(id(t, "security_file_open")), Args: []*pb.Argument{
			{Name: "pathname", Value: &pb.Argument_Str{Str: path}},
			{Name: "flags", Value: &pb.Argument_Int{Int: flags}},
		}}
	}
	for _, tt := range []struct {
		ev   *pb.Event
		want []string
	}{
		{open("/etc/ld.so.preload", 1), []string{"preload", "procmem"}},
		{open("/etc/ld.so.preload", 0), []string{"procmem"}},
		{open("/proc/1/mem", 2), []string{"procmem"}},
		{open("/proc/1/maps", 2), nil},
		{open("/usr/lib/x", 2), nil},
		{&pb.Event{EventId: int32(id(t, "ptrace")), Args: []*pb.Argument{{Name: "request", Value: &pb.Argument_Int{Int: 0}}}}, []string{"procmem"}},
		{&pb.Event{EventId: int32(id(t, "ptrace")), Args: []*pb.Argument{{Name: "request", Value: &pb.Argument_Int{Int: 16}}}}, nil},
	} {
		got := set.Match(tt.ev, AllPolicies)
		if got != (len(tt.want) > 0) || !slices.Equal(tt.ev.MatchedPolicies, tt.want) {
			t.Errorf("%v: Match %v, policies %v; want %v", tt.ev.Args, got, tt.ev.MatchedPolicies, tt.want)
		}
	}
}

func TestTraceIsAPolicy(t *testing.T) {
	p, _, err := FromTrace([]string{"event=openat", "openat.pathname=/etc/*", "comm=cat"}, filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet([]*Policy{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := &pb.Event{EventId: int32(id(t, "openat")), ProcessName: "cat", Args: []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: "/etc/passwd"}}}}
	if !set.Match(ev, AllPolicies) || !slices.Equal(ev.MatchedPolicies, []string{TraceName}) {
		t.Fatalf("matched %v", ev.MatchedPolicies)
	}
	if !slices.Equal(set.Kernels()[0].Comm.Equal, []string{"cat"}) {
		t.Errorf("kernel scope %+v", set.Kernels()[0])
	}
}

func TestSixtyFourPolicies(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < MaxPolicies; i++ {
		src := fmt.Sprintf("apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata:\n  name: p%02d\nspec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters: [data.pathname=/p%02d/*]\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%02d.yaml", i)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pols, err := Load([]string{dir}, filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(pols, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := &pb.Event{EventId: int32(id(t, "openat")), Args: []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: "/p63/x"}}}}
	if !set.Match(ev, AllPolicies) || !slices.Equal(ev.MatchedPolicies, []string{"p63"}) {
		t.Fatalf("matched %v", ev.MatchedPolicies)
	}
	extra, _, _ := FromTrace(nil, filter.EventTable{}, nil)
	if _, err := NewSet(append(pols, extra), nil); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Fatalf("65 policies: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	head := "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata:\n  name: bad\n"
	tests := []struct {
		name, src string
		want      []string // substrings: position, field, reason
	}{
		{"not yaml", "a: [", []string{"bad.yaml", "not YAML"}},
		{"empty", "", []string{"no policy in the file"}},
		{"wrong api", strings.Replace(head, "tracee.aquasec.com/v1beta1", "aquasecurity.github.io/v1beta1", 1) + "spec: {scope: [global], rules: [{event: openat}]}\n",
			[]string{"bad.yaml:1:13", "apiVersion", `want "tracee.aquasec.com/v1beta1"`}},
		{"wrong kind", strings.Replace(head, "kind: Policy", "kind: TraceePolicy", 1) + "spec: {scope: [global], rules: [{event: openat}]}\n",
			[]string{"bad.yaml:2:7", "kind"}},
		{"no name", "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {}\nspec: {scope: [global], rules: [{event: openat}]}\n",
			[]string{"bad.yaml:3:11", "metadata.name", "missing"}},
		{"bad name", strings.Replace(head, "name: bad", "name: Bad Name", 1) + "spec: {scope: [global], rules: [{event: openat}]}\n",
			[]string{"bad.yaml:4:9", "metadata.name", "not a valid name"}},
		{"unknown top field", head + "specs: {}\n", []string{"bad.yaml:5:1", "specs", "unknown field"}},
		{"no scope", head + "spec:\n  rules: [{event: openat}]\n", []string{"bad.yaml:6:3", "spec.scope", "missing"}},
		{"global and more", head + "spec:\n  scope: [global, comm=x]\n  rules: [{event: openat}]\n", []string{"bad.yaml:6:11", "spec.scope[0]", "global cannot be combined"}},
		{"bad scope", head + "spec:\n  scope:\n    - global\n    - pid=abc\n", []string{"bad.yaml", "spec.scope"}},
		{"bad scope key", head + "spec:\n  scope: [colour=red]\n  rules: [{event: openat}]\n", []string{"bad.yaml:6:11", "spec.scope[0]", "unknown filter"}},
		{"executable missing", head + "spec:\n  scope: [executable=/no/such/tracee-exe]\n  rules: [{event: openat}]\n", []string{"bad.yaml:6:11", "spec.scope[0]", "/no/such/tracee-exe", "no such file"}},
		{"executable relative", head + "spec:\n  scope: [binary=bin/ls]\n  rules: [{event: openat}]\n", []string{"bad.yaml:6:11", "spec.scope[0]", "absolute path"}},
		{"executable dir", head + "spec:\n  scope: [bin=/tmp]\n  rules: [{event: openat}]\n", []string{"spec.scope[0]", "not a regular file"}},
		{"executable bad mntns", head + "spec:\n  scope: [exec=ns1:/bin/ls]\n  rules: [{event: openat}]\n", []string{"spec.scope[0]", "neither host nor a mount namespace"}},
		{"executable no such mntns", head + "spec:\n  scope: [exec=1:/bin/ls]\n  rules: [{event: openat}]\n", []string{"spec.scope[0]", "no process runs in that mount namespace"}},
		{"executable range", head + "spec:\n  scope: [\"executable>/bin/ls\"]\n  rules: [{event: openat}]\n", []string{"spec.scope[0]", "only takes = or !="}},
		{"context executable", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters: [executable=/bin/ls]\n", []string{"spec.rules[0].filters", "belong in spec.scope"}},
		{"no rules", head + "spec:\n  scope: [global]\n  rules: []\n", []string{"bad.yaml:7:10", "spec.rules", "non-empty list"}},
		{"unknown event", head + "spec:\n  scope: [global]\n  rules:\n    - event: opnat\n", []string{"bad.yaml:8:14", "spec.rules[0].event", `unknown event "opnat"`}},
		{"rule field", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filter: [retval<0]\n", []string{"bad.yaml:9:7", "spec.rules[0].filter", "unknown field"}},
		{"bad data arg", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters:\n        - data.path=/etc/*\n", []string{"bad.yaml:10:11", "spec.rules[0].filters[0]", `no argument "path"`}},
		{"bad retval", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters: [retval<x]\n", []string{"bad.yaml:9:17", "spec.rules[0].filters[0]", "expects a number"}},
		{"string range", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters: [data.pathname>/a]\n", []string{"spec.rules[0].filters[0]", "not a number"}},
		{"context follow", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters: [follow]\n", []string{"spec.rules[0].filters", "belong in spec.scope"}},
		{"action", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      actions: [webhook]\n", []string{"bad.yaml:9:17", "spec.rules[0].actions[0]", `"webhook" is not supported`}},
		{"filters not list", head + "spec:\n  scope: [global]\n  rules:\n    - event: openat\n      filters: {a: b}\n", []string{"bad.yaml:9:16", "spec.rules[0].filters", "want a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "bad.yaml", filter.EventTable{}, nil)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "bad.yaml" {
				t.Errorf("error %v is not a *policy.Error naming the file", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load([]string{filepath.Join(dir, "nope.yaml")}, filter.EventTable{}, nil); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load([]string{dir}, filter.EventTable{}, nil); err == nil || !strings.Contains(err.Error(), "no *.yaml") {
		t.Errorf("empty dir: %v", err)
	}
	one := "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: same}\nspec: {scope: [global], rules: [{event: openat}]}\n"
	for _, f := range []string{"a.yaml", "b.yml"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(one), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pols, err := Load([]string{dir}, filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSet(pols, nil); err == nil || !strings.Contains(err.Error(), "a.yaml") || !strings.Contains(err.Error(), "b.yml") {
		t.Errorf("duplicate names: %v", err)
	}
}

func TestNarrow(t *testing.T) {
	pols, err := Parse([]byte("apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: a}\nspec: {scope: [uid=0], rules: [{event: openat}]}\n"), "a.yaml", filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !OnlyScope([]string{"container", "comm=nginx"}) || OnlyScope([]string{"event=openat"}) || OnlyScope([]string{"openat.retval<0"}) {
		t.Fatal("OnlyScope")
	}
	if err := pols[0].Narrow([]string{"container"}); err != nil {
		t.Fatal(err)
	}
	k := pols[0].Scope.Kernel
	if k.Container == nil || !*k.Container || !slices.Equal(k.UID.Equal, []uint64{0}) {
		t.Fatalf("narrowed scope %+v", k)
	}
	if err := pols[0].Narrow([]string{"!container"}); err == nil {
		t.Fatal("contradiction accepted")
	}
}

// executable= and its aliases identify the file by device and inode: a
// hard link and a symlink name the same file, a copy does not; host: and
// MNTNS: prefixes resolve in that mount namespace.
func TestExecutableScope(t *testing.T) {
	dir := t.TempDir()
	orig, err := filepath.EvalSymlinks("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(dir, "true-copy")
	if err := os.WriteFile(cp, data, 0o755); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "true-link")
	if err := os.Symlink(orig, sym); err != nil {
		t.Fatal(err)
	}
	ownNS, err := os.Readlink("/proc/self/ns/mnt") // mnt:[N]
	if err != nil {
		t.Fatal(err)
	}
	ns := strings.TrimSuffix(strings.TrimPrefix(ownNS, "mnt:["), "]")
	scope := func(exprs ...string) filter.ExeFilter {
		t.Helper()
		src := "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: exe}\nspec:\n  scope:\n"
		for _, e := range exprs {
			src += "    - " + e + "\n"
		}
		src += "  rules: [{event: openat}]\n"
		pols, err := Parse([]byte(src), "exe.yaml", filter.EventTable{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return pols[0].Scope.Kernel.Exe
	}
	base := scope("executable=" + orig).Equal
	if len(base) != 1 {
		t.Fatalf("executable=%s: %v", orig, base)
	}
	for _, e := range []string{"exec=" + sym, "binary=host:" + orig, "bin=" + ns + ":" + orig} {
		if got := scope(e).Equal; !slices.Equal(got, base) {
			t.Errorf("%s: %v, want %v (the same file)", e, got, base)
		}
	}
	if got := scope("executable=" + cp).Equal; len(got) != 1 || got[0] == base[0] {
		t.Errorf("a copy: %v, want another identity than %v", got, base)
	}
	f := scope("executable!="+cp, "executable="+orig+","+cp)
	if len(f.Equal) != 2 || len(f.NotEqual) != 1 {
		t.Errorf("= and != together: %+v", f)
	}
	if got := scope("executable="+orig+","+cp, "executable="+sym).Equal; !slices.Equal(got, base) {
		t.Errorf("two = expressions AND: %v, want %v", got, base)
	}
}

// The kernel's bitmap says which policies' scopes hold: only those are
// candidates, and their rules still decide.
func TestMatchKernelBitmap(t *testing.T) {
	src := `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: by-comm}
spec:
  scope: [comm=a]
  rules: [{event: openat}, {event: close, filters: [data.fd=3]}]
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: by-uid}
spec:
  scope: [uid=1234]
  rules: [{event: close}]
`
	pols, err := Parse([]byte(src), "p.yaml", filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(pols, nil)
	if err != nil {
		t.Fatal(err)
	}
	if set.Bits(id(t, "close")) != 3 || set.Bits(id(t, "openat")) != 1 || set.Bits(id(t, "read")) != 0 {
		t.Errorf("Bits: close %b openat %b read %b", set.Bits(id(t, "close")), set.Bits(id(t, "openat")), set.Bits(id(t, "read")))
	}
	closeFd := func(fd uint64) *pb.Event {
		return &pb.Event{EventId: int32(id(t, "close")), Args: []*pb.Argument{{Name: "fd", Value: &pb.Argument_Uint{Uint: fd}}}}
	}
	for _, tt := range []struct {
		ev     *pb.Event
		kernel uint64
		want   []string
	}{
		{closeFd(3), 0b11, []string{"by-comm", "by-uid"}},
		{closeFd(4), 0b11, []string{"by-uid"}},
		{closeFd(3), 0b10, []string{"by-uid"}},
		{closeFd(3), 0b01, []string{"by-comm"}},
		{closeFd(4), 0b01, nil},
		{&pb.Event{EventId: int32(id(t, "openat"))}, 0b10, nil},
	} {
		got := set.Match(tt.ev, tt.kernel)
		if got != (len(tt.want) > 0) || !slices.Equal(tt.ev.MatchedPolicies, tt.want) {
			t.Errorf("%v with kernel bitmap %b: Match %v, policies %v; want %v", tt.ev.Args, tt.kernel, got, tt.ev.MatchedPolicies, tt.want)
		}
	}
}
