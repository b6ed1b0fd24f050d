package signatures

import (
	"path"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// sensitiveDirs are directories a link to is as good as a link to what they
// hold.
var sensitiveDirs = map[string]bool{"/": true, "/etc": true, "/root": true}

// LinkOverSensitiveFile (FAL-006) reports a symbolic or hard link created to
// a sensitive file (shadow, sudoers, PAM, SSH host keys) or directory (/,
// /etc, /root): a way to read or change the file under a name that access
// rules and file watches do not know.
type LinkOverSensitiveFile struct{ base }

// NewLinkOverSensitiveFile returns FAL-006.
func NewLinkOverSensitiveFile() *LinkOverSensitiveFile {
	return &LinkOverSensitiveFile{newBase(sdk.Metadata{
		ID:             "FAL-006",
		Name:           "Link created over sensitive file",
		Description:    "A symbolic or hard link to a sensitive file or directory (/etc/shadow, sudoers, PAM configuration, SSH host keys, /etc, /root) was created. Adversaries reach such files through links to evade access rules and monitoring that go by path.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1003.008 OS Credential Dumping: /etc/passwd and /etc/shadow",
		Properties:     map[string]any{"falco_rule": "Create Symlink Over Sensitive Files / Create Hardlink Over Sensitive Files"},
	}, whole("security_inode_symlink", "security_inode_link")...)}
}

// OnEvent implements sdk.Signature.
func (s *LinkOverSensitiveFile) OnEvent(ev *pb.Event) error {
	var link, target string
	switch ev.GetEventName() {
	case "security_inode_symlink":
		link, _ = sdk.ArgString(ev, "linkpath")
		target, _ = sdk.ArgString(ev, "target")
		if target != "" && !path.IsAbs(target) { // relative to the link's directory
			target = path.Join(path.Dir(link), target)
		}
	case "security_inode_link":
		target, _ = sdk.ArgString(ev, "old_path")
		link, _ = sdk.ArgString(ev, "new_path")
	default:
		return nil
	}
	if target == "" {
		return nil
	}
	target = path.Clean(target)
	if !isSensitiveFile(target) && !sensitiveDirs[target] {
		return nil
	}
	s.report(ev, map[string]any{"link": link, "target": target})
	return nil
}
