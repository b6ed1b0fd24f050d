package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const ldSoPreload = "/etc/ld.so.preload"

// preloadEnvVars are the loader variables TRC-7 looks for.
var preloadEnvVars = []string{"LD_PRELOAD", "LD_LIBRARY_PATH"}

// LDPreload (TRC-7) reports dynamic-linker hijacking: a program executed
// with LD_PRELOAD or LD_LIBRARY_PATH set to a non-empty value, and writes to
// /etc/ld.so.preload (opened for writing, or a magic_write to it; one
// finding when one process does both).
type LDPreload struct {
	base
	dedup pairDedup
}

// NewLDPreload returns TRC-7.
func NewLDPreload() *LDPreload {
	return &LDPreload{base: newBase(sdk.Metadata{
		ID:             "TRC-7",
		Name:           "LD_PRELOAD",
		Description:    "Usage of LD_PRELOAD to preload libraries was detected. Adversaries may hijack the dynamic linker to load malicious shared libraries into processes.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Persistence",
		MitreTechnique: "T1574.006 Hijack Execution Flow: Dynamic Linker Hijacking",
	},
		on("sched_process_exec"),
		on("security_file_open", "data.pathname="+ldSoPreload, writeOpen),
		on("magic_write", "data.pathname="+ldSoPreload),
	)}
}

// Init implements sdk.Signature.
func (s *LDPreload) Init(cb sdk.Callback) error {
	s.dedup = pairDedup{}
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *LDPreload) OnEvent(ev *pb.Event) error {
	switch name := ev.GetEventName(); name {
	case "sched_process_exec":
		env, _ := sdk.ArgStrings(ev, "env")
		var data map[string]any
		for _, kv := range env {
			for _, v := range preloadEnvVars {
				val, ok := strings.CutPrefix(kv, v)
				if !ok || len(val) < 2 || val[0] != '=' {
					continue
				}
				if data == nil {
					data = map[string]any{}
				}
				data[v] = val[1:]
			}
		}
		if data != nil {
			s.report(ev, data)
		}
	case "security_file_open", "magic_write":
		path, _ := sdk.ArgString(ev, "pathname")
		if path != ldSoPreload || (name == "security_file_open" && !openedForWrite(ev)) {
			return nil
		}
		if s.dedup.duplicate(dedupKey{tid: ev.GetHostProcessId(), class: "ld.so.preload"}, name) {
			return nil
		}
		data := map[string]any{"pathname": path}
		if name == "security_file_open" {
			data["flags"] = argDisplay(ev, "flags")
		}
		s.report(ev, data)
	}
	return nil
}
