package signatures

import (
	"reflect"
	"regexp"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

// sigCase is one table-test case: the events fed in order and the findings
// expected, as (index of the triggering event, Data).
type sigCase struct {
	name   string
	events []*pb.Event
	want   []wantFinding
	// viaStreamOnly says why the case's findings come from events the
	// signature handles but does not request (sdk.SelectedEvent.StreamOnly):
	// the stream-as-tracee-ebpf-delivers-it rerun is skipped.
	viaStreamOnly string
}

type wantFinding struct {
	event int
	data  map[string]any
}

func runCases(t *testing.T, newSig func() sdk.Signature, cases []sigCase) {
	t.Helper()
	runCasesEnd(t, newSig, cases, false)
}

// runCasesToEnd is runCases with the end of the input signalled after the
// events: findings a signature holds until then (TRC-2) count too.
func runCasesToEnd(t *testing.T, newSig func() sdk.Signature, cases []sigCase) {
	t.Helper()
	runCasesEnd(t, newSig, cases, true)
}

func runCasesEnd(t *testing.T, newSig func() sdk.Signature, cases []sigCase, end bool) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig := newSig()
			meta, _ := sig.GetMetadata()
			h := sdktest.New(t, sig)
			got := h.Feed(tc.events...)
			if end {
				got = append(got, h.End()...)
			}
			if len(got) != len(tc.want) {
				for _, f := range got {
					t.Logf("finding on %s: %v", f.Event.GetEventName(), f.Data)
				}
				t.Fatalf("got %d findings, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				if got[i].Event != tc.events[w.event] {
					t.Errorf("finding %d: triggered by %s, want event %d (%s)", i, got[i].Event.GetEventName(), w.event, tc.events[w.event].GetEventName())
				}
				if !reflect.DeepEqual(got[i].Data, w.data) {
					t.Errorf("finding %d data = %#v, want %#v", i, got[i].Data, w.data)
				}
				if got[i].SigMetadata.ID != meta.ID {
					t.Errorf("finding %d metadata ID = %q, want %q", i, got[i].SigMetadata.ID, meta.ID)
				}
			}
			// The same stream as tracee-ebpf delivers it under the policy
			// built from the signature's data filters: same findings.
			if tc.viaStreamOnly != "" {
				return
			}
			h = sdktest.New(t, newSig())
			var kept []*pb.Event
			for _, e := range tc.events {
				if h.Requested(e) {
					kept = append(kept, e)
				}
			}
			filtered := h.Feed(kept...)
			if end {
				filtered = append(filtered, h.End()...)
			}
			if len(filtered) != len(got) {
				t.Fatalf("under the signature's own data filters: %d findings, want %d", len(filtered), len(got))
			}
			for i := range got {
				if filtered[i].Event != got[i].Event {
					t.Errorf("under the data filters, finding %d is on %s, want %s", i, filtered[i].Event.GetEventName(), got[i].Event.GetEventName())
				}
			}
		})
	}
}

// Shorthands.
var (
	ev       = sdktest.Event
	in       = sdktest.InProcess
	ret      = sdktest.Ret
	iarg     = sdktest.Int
	uarg     = sdktest.Uint
	sarg     = sdktest.Str
	flag     = sdktest.Flag
	repr     = sdktest.Repr
	strs     = sdktest.Strs
	barg     = sdktest.Bool
	inet     = sdktest.Inet
	unixa    = sdktest.Unix
	sdkBytes = sdktest.Bytes
)

func withSyscall(e *pb.Event, sc int32) *pb.Event {
	e.Syscall = sc
	return e
}

var idPattern = regexp.MustCompile(`^(TRC-10[0-9]|TRC-10[1-3][0-9]|FAL-[0-9]{3})$`)

func TestAllMetadata(t *testing.T) {
	seen := map[string]bool{}
	for i, sig := range All() {
		m, err := sig.GetMetadata()
		if err != nil {
			t.Fatal(err)
		}
		if i < 7 {
			if want := "TRC-" + string(rune('1'+i)); m.ID != want {
				t.Errorf("signature %d has ID %s, want %s (All starts with TRC-1..7)", i, m.ID, want)
			}
		} else if !idPattern.MatchString(m.ID) {
			t.Errorf("signature %d has ID %s, want TRC-1nn, TRC-10nn or FAL-nnn", i, m.ID)
		}
		if seen[m.ID] {
			t.Errorf("duplicate ID %s", m.ID)
		}
		seen[m.ID] = true
		for _, a := range Aliases[m.ID] {
			if seen[a] {
				t.Errorf("alias %s of %s is taken", a, m.ID)
			}
			seen[a] = true
		}
		if got, _ := m.Properties["aliases"].([]string); !reflect.DeepEqual(got, Aliases[m.ID]) {
			t.Errorf("%s: aliases property %v, want %v", m.ID, m.Properties["aliases"], Aliases[m.ID])
		}
		if m.Name == "" || m.Description == "" || m.Version == "" || m.MitreCategory == "" || m.MitreTechnique == "" {
			t.Errorf("%s: incomplete metadata %+v", m.ID, m)
		}
		if m.Severity < sdk.SeverityInfo || m.Severity > sdk.SeverityCritical {
			t.Errorf("%s: severity %d out of 0..4", m.ID, m.Severity)
		}
		if !reflect.DeepEqual(m.Tags, []string{"linux", "container"}) {
			t.Errorf("%s: tags %v", m.ID, m.Tags)
		}
		sel, err := sig.GetSelectedEvents()
		if err != nil || len(sel) == 0 {
			t.Errorf("%s: selected events %v, %v", m.ID, sel, err)
		}
		for _, s := range sel {
			if s.Source != "tracee" || s.Name == "" || s.Name == "*" {
				t.Errorf("%s: bad selection %+v", m.ID, s)
			}
		}
	}
}

type sdkSig = sdk.Signature

const testContainer = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// ctr puts the event in a container.
func ctr(e *pb.Event) *pb.Event {
	e.ContainerId = testContainer
	return e
}

// comm sets the event's process name.
func comm(e *pb.Event, name string) *pb.Event {
	e.ProcessName = name
	return e
}

// open is a security_file_open of path with flags (value and repr).
func open(path string, flags int64, r string) *pb.Event {
	mode := uint64(0o100644) // a regular file; O_DIRECTORY opens get a directory
	if flags&0o200000 != 0 {
		mode = 0o40755
	}
	return ev("security_file_open", sarg("pathname", path), flag("flags", flags, r), uarg("dev", 8), uarg("inode", 42), uarg("inode_mode", mode))
}

// withMode sets an open's inode_mode (the file's type and permissions).
func withMode(e *pb.Event, mode uint64) *pb.Event {
	for _, a := range e.Args {
		if a.Name == "inode_mode" {
			a.Value = uarg("inode_mode", mode).Value
		}
	}
	return e
}

// inWatched gives an open the watched directory the kernel found its file in.
func inWatched(e *pb.Event, dir string) *pb.Event {
	e.Args = append(e.Args, sarg("watched_dir", dir))
	return e
}

// exec is a sched_process_exec of path with argv.
func exec(path string, argv ...string) *pb.Event {
	e := ev("sched_process_exec", sarg("cmdpath", path), sarg("pathname", path), strs("argv", argv...), strs("env", "PATH=/bin"))
	e.ProcessName = lastElem(path)
	return e
}

func lastElem(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// withPrev adds prev_comm to an exec event.
func withPrev(e *pb.Event, prev string) *pb.Event {
	e.Args = append(e.Args, sarg("prev_comm", prev))
	return e
}

// ren is a security_inode_rename of old onto new.
func ren(old, new string) *pb.Event {
	return ev("security_inode_rename", sarg("old_path", old), sarg("new_path", new), uarg("dev", 8), uarg("inode", 9))
}
