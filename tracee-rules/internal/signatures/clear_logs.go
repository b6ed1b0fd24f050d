package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// isLogFile reports whether p is a file below /var/log.
func isLogFile(p string) bool { return under(p, "/var/log") && p != "/var/log" }

// ClearLogs (FAL-005) reports logs under /var/log being emptied or removed:
// opened with O_TRUNC for writing, truncated to zero by path, or unlinked by
// absolute path.
type ClearLogs struct{ base }

// NewClearLogs returns FAL-005.
func NewClearLogs() *ClearLogs {
	return &ClearLogs{newBase(sdk.Metadata{
		ID:             "FAL-005",
		Name:           "Clear log activities",
		Description:    "A log file under /var/log was truncated or removed. Adversaries clear logs to remove the evidence of their activity.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1070.002 Indicator Removal: Clear Linux or Mac System Logs",
		Properties:     map[string]any{"falco_rule": "Clear Log Activities"},
	}, "security_file_open", "truncate", "unlink", "unlinkat")}
}

// OnEvent implements sdk.Signature.
func (s *ClearLogs) OnEvent(ev *pb.Event) error {
	switch name := ev.GetEventName(); name {
	case "security_file_open":
		p, _ := sdk.ArgString(ev, "pathname")
		if isLogFile(p) && openedForWrite(ev) && sdk.ArgHasFlag(ev, "flags", oTrunc, "O_TRUNC") {
			s.report(ev, map[string]any{"pathname": p, "action": "truncate", "flags": argDisplay(ev, "flags")})
		}
	case "truncate":
		p, _ := sdk.ArgString(ev, "path")
		if n, ok := sdk.ArgInt(ev, "length"); ok && n == 0 && isLogFile(p) {
			s.report(ev, map[string]any{"pathname": p, "action": "truncate", "return value": ev.GetReturnValue()})
		}
	case "unlink", "unlinkat":
		p, _ := sdk.ArgString(ev, "pathname")
		if isLogFile(p) && ev.GetReturnValue() == 0 {
			s.report(ev, map[string]any{"pathname": p, "action": "remove"})
		}
	}
	return nil
}
