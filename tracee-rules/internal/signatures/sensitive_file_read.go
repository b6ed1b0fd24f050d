package signatures

import (
	"path"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// isSensitiveFile reports whether p holds password hashes, sudo or PAM
// configuration, or an SSH host private key.
func isSensitiveFile(p string) bool {
	if !strings.HasPrefix(p, "/etc/") {
		return false
	}
	switch p {
	case "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd":
		return true
	}
	if isSudoersPath(p) || inDir(p, "/etc/pam.d") {
		return true
	}
	b := path.Base(p)
	return inDir(p, "/etc/ssh") && strings.HasPrefix(b, "ssh_host_") && strings.HasSuffix(b, "_key")
}

// sensitiveFilePatterns are isSensitiveFile as kernel data filters: every
// path it accepts matches one (reads of the rest of /etc, such as every
// program's ld.so.cache, are dropped in the kernel).
var sensitiveFilePatterns = []string{"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
	"/etc/security/opasswd", "/etc/sudoers", "/etc/sudoers.d/*", "/etc/pam.d/*", "/etc/ssh/ssh_host_*"}

// sensitiveReaders are the programs that read these files for a living:
// authentication, account management, package management and backups of
// the system's own tools. They are trusted by the file they executed, or by
// name for processes older than the stream.
var (
	sensitiveReaderNames = map[string]bool{
		"sshd": true, "sshd-session": true, "sudo": true, "su": true, "login": true, "passwd": true,
		"chpasswd": true, "chage": true, "useradd": true, "usermod": true, "userdel": true,
		"groupadd": true, "groupmod": true, "groupdel": true, "newusers": true, "vipw": true,
		"unix_chkpwd": true, "pwck": true, "grpck": true, "cron": true, "crond": true, "atd": true,
		"systemd": true, "systemd-logind": true, "polkitd": true, "gdm-session-wor": true,
		"dpkg": true, "rpm": true, "visudo": true, "runuser": true, "cpio": true,
		// package management (debconf reads account data before configuring)
		"apt": true, "apt-get": true, "dpkg-preconfigure": true, "dpkg-reconfigure": true,
		"debconf-apt-progress": true, "dnf": true, "yum": true,
	}
	sensitiveReaders = programsIn([]string{"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/lib/openssh", "/usr/share/debconf"}, sensitiveReaderNames)
)

// programsIn lists names under each of dirs as absolute paths.
func programsIn(dirs []string, names map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, d := range dirs {
		for n := range names {
			out[d+"/"+n] = true
		}
	}
	return out
}

// SensitiveFileRead (FAL-001) reports a sensitive file (shadow, sudoers, PAM,
// SSH host keys) opened for reading by a program that has no business there.
type SensitiveFileRead struct {
	fileWatch
	procs procExe
}

// NewSensitiveFileRead returns FAL-001.
func NewSensitiveFileRead() *SensitiveFileRead {
	s := &SensitiveFileRead{fileWatch: newFileWatch(sdk.Metadata{
		ID:             "FAL-001",
		Name:           "Read sensitive file untrusted",
		Description:    "A program other than the system's authentication, account and package tools read a sensitive file (/etc/shadow, sudoers, PAM configuration, SSH host keys). Adversaries read them to crack passwords, find privilege escalation paths or impersonate the host.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1003.008 OS Credential Dumping: /etc/passwd and /etc/shadow",
		Properties:     map[string]any{"falco_rule": "Read sensitive file untrusted"},
	}, accessRead, false, isSensitiveFile, procExeEvents...).paths(sensitiveFilePatterns...).regular().
		inDirs([]string{"/etc", "/etc/security"}, "shadow", "shadow-", "gshadow", "gshadow-", "sudoers", "opasswd").
		inDirs([]string{"/etc/sudoers.d", "/etc/pam.d", "/etc/ssh"})}
	s.allow = func(ev *pb.Event) bool { return s.procs.trusted(ev, sensitiveReaders, sensitiveReaderNames) }
	return s
}

// Init implements sdk.Signature.
func (s *SensitiveFileRead) Init(cb sdk.Callback) error {
	s.procs.init()
	return s.fileWatch.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *SensitiveFileRead) OnEvent(ev *pb.Event) error {
	if s.procs.observe(ev) {
		return nil
	}
	return s.fileWatch.OnEvent(ev)
}
