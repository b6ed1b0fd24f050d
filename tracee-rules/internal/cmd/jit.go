package cmd

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
)

// jitFlag sets TRC-4's JIT exclusions as it is parsed (before any
// signature is made).
type jitFlag struct{ set []string }

func (f *jitFlag) String() string { return strings.Join(f.set, ",") }
func (f *jitFlag) Type() string   { return "patterns" }

func (f *jitFlag) Set(v string) error {
	var ps []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	if err := signatures.SetJITExecutables(ps); err != nil {
		return err
	}
	f.set = ps
	return nil
}

func init() {
	RegisterExtension(Extension{
		Name: "jit",
		AddFlags: func(fs *pflag.FlagSet) {
			fs.Var(&jitFlag{set: signatures.DefaultJITExecutables}, "jit-executables",
				"TRC-4 ignores processes running these executables (JIT runtimes; resolved paths, path.Match patterns, comma-separated; \"\" for none)")
		},
	})
}
