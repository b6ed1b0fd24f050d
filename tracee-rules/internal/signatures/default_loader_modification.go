package signatures

import (
	"path"
	"strings"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// isLoaderPath reports whether p is a dynamic loader in a library directory
// (/lib*, /usr/lib*, also below them: /lib/x86_64-linux-gnu/...), named as
// glibc, musl and their multi-arch builds name it.
func isLoaderPath(p string) bool {
	if !strings.HasPrefix(p, "/lib") && !strings.HasPrefix(p, "/usr/lib") {
		return false
	}
	b := path.Base(p)
	switch {
	case b == "ld.so":
		return true
	case strings.HasPrefix(b, "ld-linux") && strings.Contains(b, ".so"):
		return true
	case strings.HasPrefix(b, "ld-musl-") && strings.HasSuffix(b, ".so.1"):
		return true
	case strings.HasPrefix(b, "ld-") && strings.HasSuffix(b, ".so"): // ld-2.31.so
		return true
	case strings.HasPrefix(b, "ld64.so"):
		return true
	}
	return false
}

// DefaultLoaderModification (TRC-1012) reports the dynamic loader opened for
// writing.
type DefaultLoaderModification struct{ fileWatch }

// NewDefaultLoaderModification returns TRC-1012.
func NewDefaultLoaderModification() *DefaultLoaderModification {
	return &DefaultLoaderModification{newFileWatch(sdk.Metadata{
		ID:             "TRC-1012",
		Name:           "Default dynamic loader modification detected",
		Description:    "The default dynamic loader has been modified. The dynamic loader is an executable file loaded to process memory and run before the executable to load dynamic libraries to the process. An attacker might use this technique to hijack the execution context of each new process and bypass defenses.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1574 Hijack Execution Flow",
	}, accessWrite, false, isLoaderPath).withRenames(renameOnto).paths("/lib*", "/usr/lib*").regular().
		inDirs([]string{"/lib", "/lib32", "/lib64", "/lib/x86_64-linux-gnu", "/lib/i386-linux-gnu", "/usr/lib", "/usr/lib32",
			"/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib/i386-linux-gnu"})}
}
