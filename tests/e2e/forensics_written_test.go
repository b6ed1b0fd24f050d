package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A watched file opened for writing and written: TRC-7 fires at the open
// (naming where the writes go, no sha256 yet), and when the writer exits a
// follow-up of TRC-7 names the written evidence, whose sha256 is that of
// the bytes written, linked to the first finding by evidence_for; the same
// in falcosidekick's output_fields. The trigger writes /etc/ld.so.preload in
// its own mount namespace, over a tmpfs: the host's file is never touched.
func TestForensicsWrittenEvidence(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeOK)
	p := StartPipeline(t, PipelineOptions{
		Rules:     []string{"TRC-7"},
		EbpfArgs:  []string{"--trace", "tree=" + strconv.Itoa(os.Getpid()), "--capture", "write=/etc/ld.so.preload"},
		RulesArgs: webhookArgs(r, t.TempDir()),
	})
	nonce := make([]byte, 8)
	rand.Read(nonce)
	payload := "/tmp/evil-" + hex.EncodeToString(nonce) + ".so\n"
	pid, _ := runTriggerPid(t, "ld_preload", "preload-write", payload)
	want := sum256([]byte(payload))

	first := waitFinding(t, p, "TRC-7", pid, func(f Finding) bool { return dataStr(f, "artifact_kind") == "write" })
	if dataStr(first, "artifact_sha256") != "" || dataStr(first, "artifact_path") == "" {
		t.Errorf("first finding: %v, want the write target's path and no sha256", first.Data)
	}
	f := waitFinding(t, p, "TRC-7", pid, func(f Finding) bool { return dataStr(f, "artifact_kind") == "written" })
	checkArtifact(t, f, "written", want)
	if dataStr(f, "artifact_path") != dataStr(first, "artifact_path") || f.Event.EventName != "security_file_open" {
		t.Errorf("follow-up %s %v, first %v", f.Event.EventName, f.Data, first.Data)
	}
	link := fmt.Sprintf("TRC-7@%v/%v", first.Event.Timestamp, first.Event.HostThreadID)
	if got := dataStr(f, "evidence_for"); got != link {
		t.Errorf("evidence_for %q, want %q (the first finding)", got, link)
	}

	rs, ok := r.WaitAccepted(20*time.Second, func(rs []received) bool {
		for _, x := range payloadsOf(rs, "", pid) {
			if fieldStr(x.Payload, "tracee.artifact_kind") == "written" {
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("no falcosidekick alert with the written evidence for pid %d\n%s", pid, p.Diagnostics())
	}
	for _, x := range payloadsOf(rs, "", pid) {
		a := x.Payload
		if fieldStr(a, "tracee.artifact_kind") != "written" {
			continue
		}
		if fieldStr(a, "tracee.artifact_sha256") != want || fieldStr(a, "tracee.evidence_for") != link ||
			fieldStr(a, "tracee.artifact_path") != dataStr(f, "artifact_path") {
			t.Errorf("output_fields %v, want sha256 %s, evidence_for %s", a.OutputFields, want, link)
		}
		if !strings.Contains(a.Output, "tracee.artifact_sha256="+want) {
			t.Errorf("output line %q does not name the written evidence", a.Output)
		}
	}
	if _, err := os.Stat("/etc/ld.so.preload"); err == nil {
		t.Log("note: /etc/ld.so.preload exists on this host (not written by this test)")
	}
}
