package webhook

import "testing"

func TestFlattenKeysHaveNoSpaces(t *testing.T) {
	got := Flatten("tracee", map[string]any{"ptrace request": "PTRACE_TRACEME", "return value": -38})
	if got["tracee.ptrace_request"] != "PTRACE_TRACEME" || got["tracee.return_value"] != -38 {
		t.Fatalf("flattened %v", got)
	}
}
