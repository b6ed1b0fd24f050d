package cmd

import (
	"github.com/spf13/pflag"

	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// --rules-dir: Rego signatures in Tracee's convention, run alongside the Go
// ones. The shipped Rego twins (TRC-2-REGO, TRC-6-REGO) are opt-in.
func init() {
	var dir string
	RegisterExtension(Extension{
		Name: "rego",
		AddFlags: func(fs *pflag.FlagSet) {
			fs.StringVar(&dir, "rules-dir", "", "also load every *.rego signature in `DIR` (Tracee's Rego convention)")
		},
		Signatures: func() ([]sdk.Signature, error) {
			if dir == "" {
				return nil, nil
			}
			return rego.LoadDir(dir)
		},
		OptInSignatures: rego.Builtin,
	})
}
