# TRC-6-REGO: the Rego twin of the Go signature TRC-6 (Kernel Module Loading),
# with the same metadata, matches and finding data.
# Every attempt to load a kernel module is reported, whatever its result:
# modules give code full control of the host and rootkits are installed so.
package tracee.TRC_6_REGO

import data.tracee.helpers

__rego_metadoc__ := {
	"id": "TRC-6-REGO",
	"version": "1.0.0",
	"name": "Kernel Module Loading",
	"description": "An attempt to load a kernel module was detected. Adversaries may load kernel modules (rootkits) to run code with the highest privileges and to hide their activity.",
	"tags": ["linux", "container"],
	"properties": {
		"Severity": 2,
		"MITRE ATT&CK": "Persistence: T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions",
	},
}

module_loading_syscalls := {"init_module", "finit_module"}

tracee_selected_events[eventSelector] {
	name := module_loading_syscalls[_]
	eventSelector := {"source": "tracee", "name": name}
}

tracee_match = res {
	module_loading_syscalls[input.eventName]
	res := {key: value | entry := finding_data[_]; key := entry[0]; value := entry[1]}
}

# finding_data holds the [key, value] pairs of the finding's data.
finding_data[["syscall", input.eventName]]

finding_data[["return value", input.returnValue]]

finding_data[["param_values", params]] {
	params := helpers.get_tracee_argument("param_values")
	is_string(params)
	params != ""
}

finding_data[["fd", fd]] {
	input.eventName == "finit_module"
	fd := helpers.get_tracee_argument("fd")
	is_number(fd)
}

finding_data[["len", len]] {
	input.eventName == "init_module"
	len := helpers.get_tracee_argument("len")
	is_number(len)
}
