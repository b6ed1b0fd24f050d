package signatures

import (
	"github.com/tracee-go/tracee/proto/traceejson"
	"sort"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// constructors lists every built-in signature.
var constructors = []func() sdk.Signature{
	func() sdk.Signature { return NewStdioOverSocket() },
	func() sdk.Signature { return NewAntiDebugging() },
	func() sdk.Signature { return NewCodeInjection() },
	func() sdk.Signature { return NewDynamicCodeLoading() },
	func() sdk.Signature { return NewFilelessExecution() },
	func() sdk.Signature { return NewKernelModuleLoading() },
	func() sdk.Signature { return NewLDPreload() },
	// Tracee's detections beyond the seven (its detectors/ IDs)
	func() sdk.Signature { return NewCgroupNotifyOnRelease() },
	func() sdk.Signature { return NewK8sServiceAccountToken() },
	func() sdk.Signature { return NewASLRInspection() },
	func() sdk.Signature { return NewCgroupReleaseAgent() },
	func() sdk.Signature { return NewCorePattern() },
	func() sdk.Signature { return NewDefaultLoaderModification() },
	func() sdk.Signature { return NewK8sAPIConnection() },
	func() sdk.Signature { return NewDiskMount() },
	func() sdk.Signature { return NewHiddenFileCreated() },
	func() sdk.Signature { return NewIllegitimateShell() },
	func() sdk.Signature { return NewK8sCertTheft() },
	func() sdk.Signature { return NewHookedProcFops() },
	func() sdk.Signature { return NewDockerAbuse() },
	func() sdk.Signature { return NewProcKcoreRead() },
	func() sdk.Signature { return NewDroppedExecutable() },
	func() sdk.Signature { return NewProcMemAccess() },
	func() sdk.Signature { return NewRcdModification() },
	func() sdk.Signature { return NewScheduledTaskModification() },
	func() sdk.Signature { return NewSudoersModification() },
	func() sdk.Signature { return NewSchedDebugRecon() },
	func() sdk.Signature { return NewSysrqConfig() },
	// Falco's stable rules that Tracee lacks (IDs of our own)
	func() sdk.Signature { return NewSensitiveFileRead() },
	func() sdk.Signature { return NewTerminalShellInContainer() },
	func() sdk.Signature { return NewPacketSocketInContainer() },
	func() sdk.Signature { return NewSearchPrivateKeys() },
	func() sdk.Signature { return NewClearLogs() },
	func() sdk.Signature { return NewLinkOverSensitiveFile() },
	func() sdk.Signature { return NewNetcatRemoteExec() },
	func() sdk.Signature { return NewDebugfsInContainer() },
	func() sdk.Signature { return NewLoaderExec() },
	func() sdk.Signature { return NewBPFProgramLoad() },
}

// All returns a new instance of every built-in signature: TRC-1 to TRC-7,
// then Tracee's newer IDs in order, then the Falco-derived FAL-nnn.
func All() []sdk.Signature {
	out := make([]sdk.Signature, 0, len(constructors))
	for _, c := range constructors {
		out = append(out, c())
	}
	return out
}

var defaultTags = []string{"linux", "container"}

// base implements the parts of sdk.Signature that every built-in shares.
type base struct {
	meta   sdk.Metadata
	events []sdk.SelectedEvent
	cb     sdk.Callback
}

// Aliases are Tracee's newer IDs (its detectors/) for the behaviours TRC-1 to
// TRC-7 cover; --rules accepts them and findings carry them in the metadata's
// "aliases" property.
var Aliases = map[string][]string{
	"TRC-1": {"TRC-101"},
	"TRC-2": {"TRC-102"},
	"TRC-3": {"TRC-103", "TRC-1024", "TRC-1025"},
	"TRC-4": {"TRC-104"},
	"TRC-5": {"TRC-105"},
	"TRC-6": {"TRC-1017"},
	"TRC-7": {"TRC-107"},
}

func newBase(meta sdk.Metadata, events ...sdk.SelectedEvent) base {
	if meta.Version == "" {
		meta.Version = "1.0.0"
	}
	if a := Aliases[meta.ID]; a != nil {
		props := map[string]any{"aliases": append([]string(nil), a...)}
		for k, v := range meta.Properties {
			props[k] = v
		}
		meta.Properties = props
	}
	if meta.Tags == nil {
		meta.Tags = defaultTags
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Name < events[j].Name })
	return base{meta: meta, events: events}
}

// on selects an event under data filters (Tracee policy syntax, AND-ed);
// none selects the whole event.
func on(name string, filters ...string) sdk.SelectedEvent {
	return sdk.SelectedEvent{Source: "tracee", Name: name, Filters: filters}
}

// whole selects events without data filters.
func whole(names ...string) []sdk.SelectedEvent {
	out := make([]sdk.SelectedEvent, len(names))
	for i, n := range names {
		out[i] = on(n)
	}
	return out
}

// streamOnly selects an event the signature handles when a stream carries it
// but does not ask tracee-ebpf for (see sdk.SelectedEvent).
func streamOnly(name string) sdk.SelectedEvent {
	return sdk.SelectedEvent{Source: "tracee", Name: name, StreamOnly: true}
}

// writeOpen are the data filters of an open for writing.
const writeOpen = "data.flags=O_WRONLY,O_RDWR"

func (b *base) GetMetadata() (sdk.Metadata, error) { return b.meta, nil }

func (b *base) GetSelectedEvents() ([]sdk.SelectedEvent, error) {
	out := make([]sdk.SelectedEvent, len(b.events))
	for i, e := range b.events {
		out[i] = e
		out[i].Filters = append([]string(nil), e.Filters...)
	}
	return out, nil
}

func (b *base) Init(cb sdk.Callback) error {
	b.cb = cb
	return nil
}

func (b *base) OnSignal(sdk.Signal) error { return nil }

func (b *base) Close() {}

func (b *base) report(ev *pb.Event, data map[string]any) {
	if b.cb != nil {
		b.cb(sdk.Finding{SigMetadata: b.meta, Event: ev, Data: data})
	}
}

// Flag and enum values used by several signatures (x86_64 Linux).
const (
	oAccMode  = 0x3
	oWronly   = 0x1
	oRdwr     = 0x2
	protWrite = 0x2
	protExec  = 0x4
)

// openedForWrite reports whether an open's flags request write access.
func openedForWrite(ev *pb.Event) bool {
	a := sdk.GetArg(ev, "flags")
	if a == nil {
		return false
	}
	if v, ok := sdk.ArgInt(ev, "flags"); ok {
		m := v & oAccMode
		return m == oWronly || m == oRdwr
	}
	s, _ := sdk.ArgString(ev, "flags")
	return sdk.HasFlagName(s, "O_WRONLY") || sdk.HasFlagName(s, "O_RDWR")
}

// isInet reports whether sa is an IPv4 or IPv6 address.
func isInet(sa *pb.SockAddr) bool {
	return sa != nil && (sa.Family == "AF_INET" || sa.Family == "AF_INET6")
}

// isStdFd reports whether fd is standard input, output or error.
func isStdFd(fd int64) bool { return fd >= 0 && fd <= 2 }

// dedupKey identifies one action seen through two events (a syscall and the
// event tracee-ebpf derives from it).
type dedupKey struct {
	tid   int32
	class string
	a, b  int64
	s     string
}

// pairDedup remembers recent findings so that the second report of one action
// from a different source is dropped. A repeat from the same source is a new
// action and is reported, and so is a report from the other source outside
// the pair's time window: the two events of one syscall (a syscall and the
// event derived from it) share their timestamp (window 0), so an earlier
// finding can never swallow a later, separate action.
type pairDedup struct {
	ring [64]struct {
		key    dedupKey
		source string
		ts     int64
		live   bool
	}
	next int
}

// sameSyscall is the window of pairs made by one syscall.
const sameSyscall = 0

// duplicate reports whether key was reported from another source within
// window ns of ev (and forgets it); otherwise it remembers (key, source, ev's
// time) and returns false.
func (d *pairDedup) duplicate(ev *pb.Event, key dedupKey, source string, window int64) bool {
	ts := ev.GetTimestamp()
	for i := range d.ring {
		e := &d.ring[i]
		if e.live && e.key == key && e.source != source && ts-e.ts <= window && e.ts-ts <= window {
			e.live = false
			return true
		}
	}
	e := &d.ring[d.next]
	e.key, e.source, e.ts, e.live = key, source, ts, true
	d.next = (d.next + 1) % len(d.ring)
	return false
}

// argDisplay is an argument as a finding shows it: its repr when it has one,
// else its value (nil when missing).
func argDisplay(ev *pb.Event, name string) any {
	a := sdk.GetArg(ev, name)
	if a == nil {
		return nil
	}
	return traceejson.ArgValue(a)
}
