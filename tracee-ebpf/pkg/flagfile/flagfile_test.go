package flagfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

type opts struct {
	trace   []string
	rules   []string
	addr    string
	pages   int
	pprof   bool
	timeout time.Duration
}

func newFlags(o *opts) *pflag.FlagSet {
	fs := pflag.NewFlagSet("tool", pflag.ContinueOnError)
	fs.StringArrayVarP(&o.trace, "trace", "t", nil, "")
	fs.StringSliceVar(&o.rules, "rules", nil, "")
	fs.StringVar(&o.addr, "metrics-addr", "", "")
	fs.IntVar(&o.pages, "perf-buffer-size", 16384, "")
	fs.BoolVar(&o.pprof, "pprof", false, "")
	fs.DurationVar(&o.timeout, "canary-timeout", 10*time.Second, "")
	fs.String(FlagName, "", "")
	return fs
}

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		yaml string
		want opts
	}{
		{
			name: "every kind of flag",
			yaml: `
trace:
  - event=execve,openat
  - comm=bash
rules: [TRC-2, TRC-7]
metrics-addr: 127.0.0.1:3366
perf-buffer-size: 1024
pprof: true
canary-timeout: 3s
`,
			want: opts{trace: []string{"event=execve,openat", "comm=bash"}, rules: []string{"TRC-2", "TRC-7"},
				addr: "127.0.0.1:3366", pages: 1024, pprof: true, timeout: 3 * time.Second},
		},
		{
			name: "the command line wins, lists included",
			args: []string{"--trace", "pid=1", "--perf-buffer-size=8", "--rules", "TRC-5"},
			yaml: "trace: [comm=bash]\nperf-buffer-size: 1024\nrules: TRC-2,TRC-7\nmetrics-addr: ':9'\n",
			want: opts{trace: []string{"pid=1"}, rules: []string{"TRC-5"}, addr: ":9", pages: 8, timeout: 10 * time.Second},
		},
		{
			name: "a scalar for a repeatable flag is one entry",
			yaml: "trace: event=execve\n",
			want: opts{trace: []string{"event=execve"}, pages: 16384, timeout: 10 * time.Second},
		},
		{
			name: "empty file",
			yaml: "",
			want: opts{pages: 16384, timeout: 10 * time.Second},
		},
		{
			name: "comments only",
			yaml: "# nothing yet\n",
			want: opts{pages: 16384, timeout: 10 * time.Second},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o opts
			fs := newFlags(&o)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := Apply(fs, "tracee.yaml", []byte(tc.yaml)); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o, tc.want) {
				t.Errorf("got  %+v\nwant %+v", o, tc.want)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown key", "pprof: true\ntrase: [event=execve]\n", []string{"tracee.yaml", "line 2", `"trase"`, "unknown key"}},
		{"shorthand is no key", "t: event=execve\n", []string{`"t"`, "unknown key"}},
		{"config names no file", "config: other.yaml\n", []string{`"config"`, "unknown key"}},
		{"list for a single flag", "metrics-addr: [a, b]\n", []string{`"metrics-addr"`, "takes one value"}},
		{"mapping value", "trace:\n  event: execve\n", []string{`"trace"`, "mapping"}},
		{"no value", "metrics-addr:\n", []string{`"metrics-addr"`, "no value"}},
		{"bad value", "perf-buffer-size: lots\n", []string{`"perf-buffer-size"`, "lots"}},
		{"bad duration", "canary-timeout: soon\n", []string{`"canary-timeout"`}},
		{"duplicate key", "pprof: true\npprof: false\n", []string{"tracee.yaml", "pprof"}},
		{"not a mapping", "- trace\n", []string{"tracee.yaml", "mapping"}},
		{"two documents", "pprof: true\n---\npprof: false\n", []string{"more than one"}},
		{"syntax", "trace: [unclosed\n", []string{"tracee.yaml"}},
		{"nested list", "trace:\n  - [a, b]\n", []string{`"trace"`, "plain values"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o opts
			err := Apply(newFlags(&o), "tracee.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error for %q", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	var o opts
	fs := newFlags(&o)
	if err := Load(fs, filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("metrics-addr: 127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Load(fs, p); err != nil || o.addr != "127.0.0.1:1" {
		t.Errorf("Load: %v, addr %q", err, o.addr)
	}
	if !fs.Changed("metrics-addr") {
		t.Error("a flag set from the file is not marked changed")
	}
}
