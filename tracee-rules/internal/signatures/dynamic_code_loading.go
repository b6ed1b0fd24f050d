package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// mem_prot_alert alerts (Tracee's numbering and texts).
const (
	alertMmapWX        = 1 // "Mmaped region with W+E permissions!"
	alertMprotectToX   = 2 // "Protection changed to Executable!"
	alertMprotectXToW  = 3 // "Protection changed from E to W+E!"
	alertMprotectWXToX = 4 // "Protection changed from W+E to E!"
)

// x86_64 syscall numbers that produce mem_prot_alert.
const (
	sysMmap         = 9
	sysMprotect     = 10
	sysPkeyMprotect = 329
)

// DynamicCodeLoading (TRC-4) reports memory that is (or was) both writable
// and executable: mem_prot_alert's W+E alerts, and mmap/mprotect/pkey_mprotect
// asking for PROT_WRITE|PROT_EXEC. When a syscall and the mem_prot_alert
// derived from it both arrive, one finding is reported.
type DynamicCodeLoading struct {
	base
	dedup pairDedup
}

// NewDynamicCodeLoading returns TRC-4.
func NewDynamicCodeLoading() *DynamicCodeLoading {
	return &DynamicCodeLoading{base: newBase(sdk.Metadata{
		ID:             "TRC-4",
		Name:           "Dynamic Code Loading",
		Description:    "Writing to an executable allocated memory region was detected. Adversaries may write code to memory at runtime and execute it, to evade defenses that inspect files on disk.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1027 Obfuscated Files or Information",
	},
		// W+E memory is seen when it is made (an mmap asking for both, an
		// mprotect adding PROT_EXEC); tracee-ebpf derives mem_prot_alert's
		// W+E to E from the same filtered mmap/mprotect stream.
		on("mem_prot_alert"),
		on("mmap", "data.prot=PROT_WRITE", "data.prot=PROT_EXEC"),
		on("mprotect", "data.prot=PROT_EXEC"),
		on("pkey_mprotect", "data.prot=PROT_EXEC"),
	)}
}

// Init implements sdk.Signature.
func (s *DynamicCodeLoading) Init(cb sdk.Callback) error {
	s.dedup = pairDedup{}
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *DynamicCodeLoading) OnEvent(ev *pb.Event) error {
	switch name := ev.GetEventName(); name {
	case "mem_prot_alert":
		alert, text := memProtAlert(ev)
		if alert != alertMmapWX && alert != alertMprotectXToW && alert != alertMprotectWXToX {
			return nil
		}
		class := "mprotect"
		switch ev.GetSyscall() {
		case sysMmap:
			class = "mmap"
		case sysMprotect, sysPkeyMprotect:
		default:
			if alert == alertMmapWX {
				class = "mmap"
			}
		}
		length, _ := sdk.ArgUint(ev, "len")
		if s.dedup.duplicate(dedupKey{tid: ev.GetHostThreadId(), class: class, a: int64(length)}, name) {
			return nil
		}
		s.report(ev, map[string]any{"alert": text})
	case "mmap", "mprotect", "pkey_mprotect":
		if rv := ev.GetReturnValue(); rv < 0 && rv >= -4095 {
			return nil // failed
		}
		if !sdk.ArgHasFlag(ev, "prot", protWrite, "PROT_WRITE") || !sdk.ArgHasFlag(ev, "prot", protExec, "PROT_EXEC") {
			return nil
		}
		lenArg, class := "len", "mprotect"
		if name == "mmap" {
			lenArg, class = "length", "mmap"
		}
		length, _ := sdk.ArgUint(ev, lenArg)
		if s.dedup.duplicate(dedupKey{tid: ev.GetHostThreadId(), class: class, a: int64(length)}, "syscall") {
			return nil
		}
		s.report(ev, map[string]any{"syscall": name, "prot": argDisplay(ev, "prot"), "len": length})
	}
	return nil
}

// alertTexts are mem_prot_alert's renderings, indexed by alert number.
var alertTexts = map[uint64]string{
	alertMmapWX:        "Mmaped region with W+E permissions!",
	alertMprotectToX:   "Protection changed to Executable!",
	alertMprotectXToW:  "Protection changed from E to W+E!",
	alertMprotectWXToX: "Protection changed from W+E to E!",
}

// memProtAlert returns the alert number and text. The text (repr) decides
// when present, since it does not depend on the producer's numbering; a text
// this table does not know counts as a W+E mmap or mprotect alert when it
// mentions "W+E".
func memProtAlert(ev *pb.Event) (uint64, string) {
	text, _ := sdk.ArgString(ev, "alert")
	if text != "" {
		for v, t := range alertTexts {
			if strings.EqualFold(strings.TrimSpace(text), t) {
				return v, text
			}
		}
		switch {
		case strings.Contains(text, "W+E") && strings.Contains(strings.ToLower(text), "mmap"):
			return alertMmapWX, text
		case strings.Contains(text, "W+E"):
			return alertMprotectWXToX, text
		}
		return 0, text
	}
	v, _ := sdk.ArgUint(ev, "alert")
	return v, alertTexts[v]
}
