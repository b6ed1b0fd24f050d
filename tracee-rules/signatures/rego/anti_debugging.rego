# TRC-2-REGO: the Rego twin of the Go signature TRC-2 (Anti-Debugging), with
# the same metadata, matches and finding data.
# A process that calls ptrace(PTRACE_TRACEME) declares its parent as its
# tracer, which prevents any other debugger from attaching to it.
package tracee.TRC_2_REGO

import data.tracee.helpers

__rego_metadoc__ := {
	"id": "TRC-2-REGO",
	"version": "1.0.0",
	"name": "Anti-Debugging",
	"description": "A process used anti-debugging techniques to block a debugger. Malware uses anti-debugging to stay invisible and inhibit analysis of its behavior.",
	"tags": ["linux", "container"],
	"properties": {
		"Severity": 3,
		"MITRE ATT&CK": "Defense Evasion: T1622 Debugger Evasion",
	},
}

tracee_selected_events[eventSelector] {
	eventSelector := {"source": "tracee", "name": "ptrace", "filters": ["data.request=PTRACE_TRACEME"]}
}

tracee_match = {"ptrace request": "PTRACE_TRACEME"} {
	input.eventName == "ptrace"
	is_traceme(helpers.get_tracee_argument("request"))
}

# The request is its symbolic name when the producer rendered it, else the
# raw number (PTRACE_TRACEME is 0).
is_traceme(request) {
	request == "PTRACE_TRACEME"
}

is_traceme(request) {
	request == 0
}
