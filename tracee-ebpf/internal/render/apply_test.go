package render

import (
	"testing"

	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

func intArg(name string, v int64) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Value: &traceepb.Argument_Int{Int: v}}
}

func uintArg(name string, v uint64) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Value: &traceepb.Argument_Uint{Uint: v}}
}

func strArg(name, v string) *traceepb.Argument {
	return &traceepb.Argument{Name: name, Value: &traceepb.Argument_Str{Str: v}}
}

func TestApply(t *testing.T) {
	def := func(name string) *events.Definition {
		d, ok := events.ByName(name)
		if !ok {
			t.Fatalf("no event %s", name)
		}
		return d
	}
	tests := []struct {
		event string
		args  []*traceepb.Argument
		want  map[string]string // arg name -> repr
	}{
		{"openat", []*traceepb.Argument{intArg("dirfd", -100), strArg("pathname", "/etc/passwd"), intArg("flags", 0x80000), uintArg("mode", 0)},
			map[string]string{"dirfd": "AT_FDCWD", "pathname": "", "flags": "O_RDONLY|O_CLOEXEC", "mode": ""}},
		{"openat", []*traceepb.Argument{intArg("dirfd", 3), strArg("pathname", "x"), intArg("flags", 0x241)},
			map[string]string{"dirfd": "", "flags": "O_WRONLY|O_CREAT|O_TRUNC"}},
		// Out of order arguments are matched by name.
		{"mmap", []*traceepb.Argument{intArg("flags", 0x22), intArg("prot", 7)},
			map[string]string{"flags": "MAP_PRIVATE|MAP_ANONYMOUS", "prot": "PROT_READ|PROT_WRITE|PROT_EXEC"}},
		{"ptrace", []*traceepb.Argument{intArg("request", 0), intArg("pid", 0)},
			map[string]string{"request": "PTRACE_TRACEME"}},
		{"socket", []*traceepb.Argument{intArg("domain", 2), intArg("type", 0x80001), intArg("protocol", 0)},
			map[string]string{"domain": "AF_INET", "type": "SOCK_STREAM|SOCK_CLOEXEC"}},
		{"kill", []*traceepb.Argument{intArg("pid", 1), intArg("sig", 9)},
			map[string]string{"sig": "SIGKILL"}},
		{"clone", []*traceepb.Argument{uintArg("flags", 0x80000000|17)},
			map[string]string{"flags": "SIGCHLD|CLONE_IO"}},
		{"mem_prot_alert", []*traceepb.Argument{uintArg("alert", 2), uintArg("addr", 0x1000), uintArg("len", 4096), intArg("prot", 5), intArg("prev_prot", 3)},
			map[string]string{"alert": "Protection changed to Executable!", "prot": "PROT_READ|PROT_EXEC", "prev_prot": "PROT_READ|PROT_WRITE", "addr": ""}},
		// A flag argument carrying a string is left alone.
		{"openat", []*traceepb.Argument{strArg("flags", "weird")}, map[string]string{"flags": ""}},
	}
	for _, tt := range tests {
		ev := &traceepb.Event{EventName: tt.event, Args: tt.args}
		Apply(def(tt.event), ev)
		for _, a := range ev.Args {
			if want, ok := tt.want[a.Name]; ok && a.Repr != want {
				t.Errorf("%s %s: repr %q, want %q", tt.event, a.Name, a.Repr, want)
			}
		}
	}
	Apply(nil, &traceepb.Event{})
	Apply(def("openat"), nil)
}

// Every format the event table names must have a renderer.
func TestTableFormatsAreKnown(t *testing.T) {
	for _, d := range events.All() {
		for _, p := range d.Params {
			if p.Format != "" && !Known(p.Format) {
				t.Errorf("%s.%s: format %q unknown to render", d.Name, p.Name, p.Format)
			}
		}
	}
}
