// Package cli is what tracee-ebpf and tracee-rules share of their command
// lines: the exit codes (0 ok, 1 runtime error, 2 usage error), the usage
// error type, the error line and the cobra settings that make a bad flag
// a usage error.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes of both binaries.
const (
	ExitOK    = 0
	ExitError = 1 // the run failed
	ExitUsage = 2 // bad flags or arguments: nothing was started
)

// UsageError marks an error in the command line.
type UsageError struct{ Err error }

func (u UsageError) Error() string { return u.Err.Error() }
func (u UsageError) Unwrap() error { return u.Err }

// Usage wraps err (nil stays nil) as a usage error.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return UsageError{err}
}

// IsUsage reports whether err is (or wraps) a usage error.
func IsUsage(err error) bool {
	var ue UsageError
	return errors.As(err, &ue)
}

// Configure sets what both root commands share: output to stdout and
// stderr, errors printed once by Exit (not by cobra), no usage dump on
// runtime errors, and bad flags or stray arguments as usage errors.
func Configure(c *cobra.Command, stdout, stderr io.Writer) {
	c.SetOut(stdout)
	c.SetErr(stderr)
	c.SilenceUsage = true
	c.SilenceErrors = true
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Usage(err) })
	c.Args = func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return Usage(fmt.Errorf("unexpected arguments %q (everything is given with flags; see --help)", args))
		}
		return nil
	}
}

// Exit prints err as "name: err" on stderr and returns the exit code.
func Exit(name string, err error, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	if IsUsage(err) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
		return ExitUsage
	}
	return ExitError
}
