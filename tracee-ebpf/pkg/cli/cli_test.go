package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestExitCodes(t *testing.T) {
	run := func(args []string, runErr error) (int, string) {
		var out, errOut bytes.Buffer
		c := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return runErr }}
		c.Flags().Int("n", 0, "a number")
		Configure(c, &out, &errOut)
		c.SetArgs(args)
		return Exit("x", c.Execute(), &errOut), errOut.String()
	}
	for _, tc := range []struct {
		args []string
		err  error
		code int
		msg  string
	}{
		{nil, nil, ExitOK, ""},
		{nil, errors.New("boom"), ExitError, "x: boom\n"},
		{nil, fmt.Errorf("flag --y: %w", Usage(errors.New("bad"))), ExitUsage, "x: flag --y: bad\n"},
		{[]string{"--nope"}, nil, ExitUsage, "unknown flag: --nope"},
		{[]string{"--n", "abc"}, nil, ExitUsage, "invalid argument"},
		{[]string{"stray"}, nil, ExitUsage, `unexpected arguments ["stray"]`},
	} {
		code, msg := run(tc.args, tc.err)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%q / %v: exit %d, stderr %q; want %d and %q", tc.args, tc.err, code, msg, tc.code, tc.msg)
		}
	}
	if Usage(nil) != nil {
		t.Error("Usage(nil) is an error")
	}
}

func TestLogger(t *testing.T) {
	var b bytes.Buffer
	l := NewLogger("tracee-rules", &b)
	l.Info("webhook spooling", "queued", 3)
	l.With("addr", "127.0.0.1:1").Error("metrics server stopped")
	l.Debug("not shown")
	want := "tracee-rules: webhook spooling queued=3\ntracee-rules: error: metrics server stopped addr=127.0.0.1:1\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
