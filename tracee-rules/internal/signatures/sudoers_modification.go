package signatures

import "github.com/tracee-go/tracee/tracee-rules/pkg/sdk"

// isSudoersPath reports whether p is the sudoers file or one it includes
// from /etc/sudoers.d.
func isSudoersPath(p string) bool { return p == "/etc/sudoers" || inDir(p, "/etc/sudoers.d") }

// SudoersModification (TRC-1028) reports the sudoers configuration opened for
// writing.
type SudoersModification struct{ fileWatch }

// NewSudoersModification returns TRC-1028.
func NewSudoersModification() *SudoersModification {
	return &SudoersModification{newFileWatch(sdk.Metadata{
		ID:             "TRC-1028",
		Name:           "Sudoers file modification detected",
		Description:    "The sudoers file was modified. The sudoers file is a configuration file which controls the permissions and options of the sudo feature. Adversaries may alter the sudoers file to elevate privileges, execute commands as other users or spawn processes with higher privileges.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1548.003 Sudo and Sudo Caching",
	}, accessWrite, false, isSudoersPath).withRenames(renameOnto).
		paths("/etc/sudoers", "/etc/sudoers.d/*").regular().inDirs([]string{"/etc"}, "sudoers").inDirs([]string{"/etc/sudoers.d"})}
}
