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
// tracee.helpers, helpers.rego) and its queries are prepared once at load.
// The input is the event as Tracee JSON (proto/traceejson), built straight
// into an OPA value (Input) with no JSON round trip, and only with the
// top-level fields that tracee_match and the rules it uses refer to.
//
// OnEvent ignores events the signature did not select, reports a finding when
// tracee_match is true or an object, and returns evaluation errors (conflicting
// rule values, a result of another type). As in OPA's default mode, a built-in
// function error (division by zero, a bad type) only makes its expression
// undefined.
//
// LoadDir loads a user directory; Builtin loads the signatures shipped in
// tracee-rules/signatures/rego (TRC-2-REGO and TRC-6-REGO, twins of the Go
// signatures TRC-2 and TRC-6 with their own ids).
package rego
