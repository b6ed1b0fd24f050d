package engine

import (
	"fmt"
	"slices"
	"sync/atomic"

	"google.golang.org/protobuf/proto"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Evidence follow-ups. A finding made when a watched file is opened for
// writing (TRC-7 on /etc/ld.so.preload, the catalogue's sudoers, loader,
// cron and dropped-ELF detections) can only name where the file's writes
// are captured: nothing is written yet. The finding is emitted at once, as
// always, and remembered; when the opener exits, tracee-ebpf's
// sched_process_exit carries the file's captured bytes (artifact kind
// "written": sha256, stored path, size) and the engine emits a follow-up:
// the same signature and triggering event, the written artifact in
// artifact_*, and evidence_for naming the first finding. The follow-up
// depends only on the event stream, so a replay gives the same findings
// in the same order.

const (
	kindWriteTarget = "write"   // an open for writing (path, no sha256 yet) or a write (its own bytes)
	kindWritten     = "written" // the file's captured bytes at the opener's exit
	// maxPendingEvidence bounds the findings waiting for their writer's
	// exit; the oldest is forgotten first (counted in Stats.EvidenceDropped).
	maxPendingEvidence = 4096
)

// EvidenceFor is the data key of a follow-up that names its first finding:
// "<signature id>@<event timestamp, ns>/<host thread id>".
const EvidenceFor = "evidence_for"

type pendingEvidence struct {
	st   *sigState
	pid  int32
	path string
	f    sdk.Finding // its event cloned
}

type evidenceWaits struct {
	list    []*pendingEvidence // in the order the findings were made
	dropped atomic.Uint64
}

// note remembers a finding whose artifact is a write target.
func (w *evidenceWaits) note(st *sigState, f sdk.Finding) {
	if f.Event == nil {
		return
	}
	for _, a := range f.Event.GetArtifacts() {
		// An open for writing (no sha256 yet), or a magic_write (its first
		// write's sha256): the whole file follows at the writer's exit.
		if a.GetKind() != kindWriteTarget || a.GetPath() == "" {
			continue
		}
		data := make(map[string]any, len(f.Data))
		for k, v := range f.Data {
			data[k] = v
		}
		w.list = append(w.list, &pendingEvidence{st: st, pid: f.Event.GetHostProcessId(), path: a.GetPath(),
			f: sdk.Finding{SigMetadata: f.SigMetadata, Event: proto.Clone(f.Event).(*pb.Event), Data: data}})
		if len(w.list) > maxPendingEvidence {
			w.list = w.list[1:]
			w.dropped.Add(1)
		}
	}
}

// complete returns the follow-ups an event's written artifacts complete.
func (w *evidenceWaits) complete(ev *pb.Event) []*pendingEvidence {
	if len(w.list) == 0 {
		return nil
	}
	var out []*pendingEvidence
	for _, a := range ev.GetArtifacts() {
		if a.GetKind() != kindWritten {
			continue
		}
		keep := w.list[:0]
		for _, p := range w.list {
			if p.pid != ev.GetHostProcessId() || p.path != a.GetPath() {
				keep = append(keep, p)
				continue
			}
			first := p.f.Event
			data := p.f.Data
			for k := range data {
				if isArtifactKey(k) {
					delete(data, k)
				}
			}
			data[EvidenceFor] = fmt.Sprintf("%s@%d/%d", p.f.SigMetadata.ID, first.GetTimestamp(), first.GetHostThreadId())
			first.Artifacts = []*pb.Artifact{a}
			p.f.Data = withArtifacts(data, first)
			out = append(out, p)
		}
		clear(w.list[len(keep):])
		w.list = keep
	}
	return out
}

func isArtifactKey(k string) bool {
	for _, p := range []string{"artifact_kind", "artifact_sha256", "artifact_path", "artifact_size"} {
		if len(k) >= len(p) && k[:len(p)] == p {
			return true
		}
	}
	return false
}

// EvidenceEvents adds to the events signatures selected (sorted) the one
// their evidence follow-ups need: sched_process_exit, when a signature
// watches opens (security_file_open) or magic_write, carries the written
// files of the process that opened or wrote them.
// tracee-rules --list-events prints the result.
func EvidenceEvents(names []string) []string {
	if !(slices.Contains(names, "security_file_open") || slices.Contains(names, "magic_write")) || slices.Contains(names, "sched_process_exit") {
		return names
	}
	out := append(slices.Clone(names), "sched_process_exit")
	slices.Sort(out)
	return out
}
