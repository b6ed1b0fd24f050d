package signatures

import (
	"path"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// isLogFile reports whether p is a file below /var/log.
func isLogFile(p string) bool { return under(p, "/var/log") && p != "/var/log" }

// maxPendingRemovals bounds the removals waiting for their process's exit;
// past it a removal is reported at once.
const maxPendingRemovals = 1024

type removal struct {
	pid  int32
	path string
}

// ClearLogs (FAL-005) reports logs under /var/log being emptied or removed:
// opened with O_TRUNC for writing, truncated to zero by path or through a
// descriptor (security_file_truncate: the file's real path, as
// `truncate -s 0` does it with ftruncate), or unlinked (by an absolute name,
// or any name through security_path_unlink, which makes it absolute from
// the cwd or dirfd) and not written again by the same process before it exits
// (rotation, as apt does with its own logs, replaces a log; clearing leaves
// it gone).
type ClearLogs struct {
	base
	pending map[removal]*pb.Event
}

// NewClearLogs returns FAL-005.
func NewClearLogs() *ClearLogs {
	return &ClearLogs{base: newBase(sdk.Metadata{
		ID:             "FAL-005",
		Name:           "Clear log activities",
		Description:    "A log file under /var/log was truncated or removed. Adversaries clear logs to remove the evidence of their activity.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1070.002 Indicator Removal: Clear Linux or Mac System Logs",
		Properties:     map[string]any{"falco_rule": "Clear Log Activities"},
	}, append(whole("truncate", "unlink", "unlinkat", "security_path_unlink", "sched_process_exit"),
		on("security_file_open", append([]string{"data.pathname=/var/log/*", writeOpen}, regularFile...)...),
		on("security_file_truncate", "data.pathname=/var/log/*", "data.length=0"))...)}
}

// Init implements sdk.Signature.
func (s *ClearLogs) Init(cb sdk.Callback) error {
	s.pending = map[removal]*pb.Event{}
	return s.base.Init(cb)
}

// OnSignal implements sdk.Signature: removals still pending are reported.
func (s *ClearLogs) OnSignal(sig sdk.Signal) error {
	if sig == sdk.SignalEndOfInput {
		for k := range s.pending {
			s.reportRemoval(k)
		}
	}
	return nil
}

func (s *ClearLogs) reportRemoval(k removal) {
	ev := s.pending[k]
	delete(s.pending, k)
	s.report(ev, map[string]any{"pathname": k.path, "action": "remove"})
}

// OnEvent implements sdk.Signature.
func (s *ClearLogs) OnEvent(ev *pb.Event) error {
	switch name := ev.GetEventName(); name {
	case "security_file_open":
		p, _ := sdk.ArgString(ev, "pathname")
		if !isLogFile(p) || !openedForWrite(ev) {
			return nil
		}
		if sdk.ArgHasFlag(ev, "flags", oTrunc, "O_TRUNC") {
			s.report(ev, map[string]any{"pathname": p, "action": "truncate", "flags": argDisplay(ev, "flags")})
			return nil
		}
		delete(s.pending, removal{ev.GetHostProcessId(), p}) // written again: rotated
	case "sched_process_exit":
		if g, _ := sdk.ArgBool(ev, "process_group_exit"); !g || len(s.pending) == 0 {
			return nil
		}
		for k := range s.pending {
			if k.pid == ev.GetHostProcessId() {
				s.reportRemoval(k)
			}
		}
	case "security_file_truncate":
		p, _ := sdk.ArgString(ev, "pathname")
		if n, ok := sdk.ArgInt(ev, "length"); ok && n == 0 && isLogFile(p) {
			s.report(ev, map[string]any{"pathname": p, "action": "truncate"})
		}
	case "truncate":
		p, _ := sdk.ArgString(ev, "path")
		if n, ok := sdk.ArgInt(ev, "length"); ok && n == 0 && isLogFile(p) {
			s.report(ev, map[string]any{"pathname": p, "action": "truncate", "return value": ev.GetReturnValue()})
		}
	case "unlink", "unlinkat", "security_path_unlink":
		p, _ := sdk.ArgString(ev, "pathname")
		if name == "security_path_unlink" && p != "" {
			// absolute from the cwd or dirfd, the name as written: ".." cleaned
			p = path.Clean(p)
		}
		if !isLogFile(p) || ev.GetReturnValue() != 0 {
			return nil
		}
		k := removal{ev.GetHostProcessId(), p}
		if _, seen := s.pending[k]; seen {
			return nil // the same removal (a syscall and its security_path_unlink)
		}
		s.pending[k] = ev
		if len(s.pending) > maxPendingRemovals {
			s.reportRemoval(k)
		}
	}
	return nil
}
