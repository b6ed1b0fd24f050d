// Package rego runs signatures written in Rego (Open Policy Agent) as
// sdk.Signature values.
//
// A signature is one .rego file in Tracee's convention:
//
//	package tracee.TRC_X
//
//	import data.tracee.helpers
//
//	__rego_metadoc__ := {"id": "TRC-X", "version": "1.0.0", "name": "...",
//		"description": "...", "tags": ["linux"],
//		"properties": {"Severity": 2, "MITRE ATT&CK": "Defense Evasion: ..."}}
//
//	tracee_selected_events[eventSelector] {
//		eventSelector := {"source": "tracee", "name": "ptrace"}
//	}
//
//	tracee_match { ... }          # a finding without data, or
//	tracee_match = res { ... }    # a finding whose Data is the object res
//
// Files may be written in Rego v0 (Tracee's syntax, as above) or v1 (rules
// with "if"). Each file is compiled with the helper library (package
// tracee.helpers, helpers.rego) and its queries are prepared once at load; each
// event is converted straight into an OPA value (Input) and evaluated without
// a JSON round trip.
//
// LoadDir loads a user directory; Builtin loads the signatures shipped in
// tracee-rules/signatures/rego.
package rego
