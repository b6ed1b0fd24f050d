package e2e

import (
	"reflect"
	"testing"
)

// The Rego twins of TRC-2 and TRC-6 catch what the Go signatures catch, with
// the same finding data, when both run side by side on the same events.
func TestRegoSignatures(t *testing.T) {
	listed := map[string]bool{}
	for _, id := range listedSignatures(t) {
		listed[id] = true
	}
	var rules []string
	for _, id := range []string{"TRC-2-REGO", "TRC-6-REGO"} {
		if !listed[id] {
			t.Skipf("tracee-rules --list has no %s", id)
		}
		rules = append(rules, id)
	}
	p := StartPipeline(t, PipelineOptions{Rules: append(rules, "TRC-2", "TRC-6")})
	for _, v := range []struct {
		name, trigger, mode, goID, regoID, event string
	}{
		{"TRC-2-REGO", "anti_debug", "", "TRC-2", "TRC-2-REGO", "ptrace"},
		{"TRC-6-REGO/init", "kmod", "init", "TRC-6", "TRC-6-REGO", "init_module"},
		{"TRC-6-REGO/finit", "kmod", "finit", "TRC-6", "TRC-6-REGO", "finit_module"},
	} {
		t.Run(v.name, func(t *testing.T) {
			var args []string
			if v.mode != "" {
				args = append(args, v.mode)
			}
			pid, _ := runTriggerPid(t, v.trigger, args...)
			byEvent := func(id string) func(Finding) bool {
				return func(f Finding) bool { return bySigPid(id, pid)(f) && f.Event.EventName == v.event }
			}
			rf := mustFind(t, p, v.regoID+" "+v.event, byEvent(v.regoID))
			gf := mustFind(t, p, v.goID+" "+v.event, byEvent(v.goID))
			checkCommon(t, rf, v.regoID, pid, v.trigger)
			if !reflect.DeepEqual(rf.Data, gf.Data) {
				t.Errorf("data differs:\n rego %v\n   go %v", rf.Data, gf.Data)
			}
			if rf.SignatureMetadata.Name != gf.SignatureMetadata.Name {
				t.Errorf("name %q, Go signature's %q", rf.SignatureMetadata.Name, gf.SignatureMetadata.Name)
			}
			t.Logf("findings:\n%s", describe(findingsOf(p, "", pid)))
		})
	}
}
