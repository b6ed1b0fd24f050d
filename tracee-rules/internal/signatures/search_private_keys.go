package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// searchTools look for files by name or content.
var searchTools = map[string]bool{
	"find": true, "grep": true, "egrep": true, "fgrep": true, "rg": true, "ag": true, "ack": true,
	"locate": true, "mlocate": true, "plocate": true, "fd": true, "fdfind": true,
}

// secretPatterns name private keys, certificates' keys and passwords.
var secretPatterns = []string{
	"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".pem", ".key", ".p12", ".pfx",
	"private key", "begin rsa private", "begin openssh private", "begin ec private", "begin dsa private",
	"password", "passwd",
}

// SearchPrivateKeys (FAL-004) reports a search tool run for private keys or
// passwords.
type SearchPrivateKeys struct{ base }

// NewSearchPrivateKeys returns FAL-004.
func NewSearchPrivateKeys() *SearchPrivateKeys {
	return &SearchPrivateKeys{newBase(sdk.Metadata{
		ID:             "FAL-004",
		Name:           "Search private keys or passwords",
		Description:    "A search tool (find, grep, locate, ...) was run for private keys or passwords. Adversaries search compromised systems for credentials they can use to move laterally.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1552.001 Unsecured Credentials: Credentials In Files",
		Properties:     map[string]any{"falco_rule": "Search Private Keys or Passwords"},
	}, whole("sched_process_exec")...)}
}

// OnEvent implements sdk.Signature.
func (s *SearchPrivateKeys) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" {
		return nil
	}
	tool := execBase(ev)
	if !searchTools[tool] {
		return nil
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	for _, a := range argv[min(1, len(argv)):] {
		l := strings.ToLower(a)
		for _, p := range secretPatterns {
			if strings.Contains(l, p) {
				s.report(ev, map[string]any{"tool": tool, "pattern": p, "argv": argv})
				return nil
			}
		}
	}
	return nil
}
