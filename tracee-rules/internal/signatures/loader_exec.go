package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ldQueries are the loader options that only inspect (ldd uses them).
var ldQueries = map[string]bool{"--verify": true, "--list": true, "--help": true, "--version": true, "--list-tunables": true, "--list-diagnostics": true}

// ldValueOptions are the loader options followed by a value.
var ldValueOptions = map[string]bool{"--library-path": true, "--preload": true, "--audit": true, "--argv0": true,
	"--inhibit-rpath": true, "--glibc-hwcaps-prepend": true, "--glibc-hwcaps-mask": true}

// LoaderExec (FAL-009) reports a program run through the dynamic loader
// (/lib64/ld-linux-x86-64.so.2 ./prog): the program's own file is only read,
// never executed, which slips past controls on executables (noexec mounts,
// exec allow-lists). ldd's inspections (LD_TRACE_LOADED_OBJECTS, --verify,
// --list) are not reported.
type LoaderExec struct{ base }

// NewLoaderExec returns FAL-009.
func NewLoaderExec() *LoaderExec {
	return &LoaderExec{newBase(sdk.Metadata{
		ID:             "FAL-009",
		Name:           "Program run through the dynamic loader",
		Description:    "A program was run by executing the dynamic loader with the program as its argument. The program's file is then only read, not executed, which bypasses noexec mounts and execution allow-lists.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1218 System Binary Proxy Execution",
		Properties:     map[string]any{"falco_rule": "Program run with the dynamic loader"},
	}, whole("sched_process_exec")...)}
}

// OnEvent implements sdk.Signature.
func (s *LoaderExec) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" {
		return nil
	}
	p, _ := sdk.ArgString(ev, "pathname")
	if !isLoaderPath(p) {
		return nil
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	if len(argv) < 2 || ldQueries[argv[1]] {
		return nil
	}
	env, _ := sdk.ArgStrings(ev, "env")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "LD_TRACE_LOADED_OBJECTS="); ok && v != "" {
			return nil
		}
	}
	prog := ""
	for i := 1; i < len(argv); i++ {
		if !strings.HasPrefix(argv[i], "--") {
			prog = argv[i]
			break
		}
		if ldValueOptions[argv[i]] {
			i++
		}
	}
	s.report(ev, map[string]any{"loader": p, "program": prog, "argv": argv})
	return nil
}
