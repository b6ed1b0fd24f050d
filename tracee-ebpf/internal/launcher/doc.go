// Package launcher is the container entrypoint (the "tracee" binary of the
// image): it wires tracee-ebpf | tracee-rules through a pipe, tracing what
// the selected signatures need (tracee-rules --list-policy as tracee-ebpf
// --policy; --list-events as --trace event= from a tracee-rules without
// policies), waits for tracee-ebpf's pid file
// (readiness), forwards SIGINT/SIGTERM, and when either process ends stops
// the other and says why; the exit code is the first failure's.
//
//	tracee [TRACEE-RULES ARGS...]   the pipeline; findings on stdout
//	tracee trace [ARGS...]          tracee-ebpf alone (forensics recorder)
//	tracee rules [ARGS...]          tracee-rules alone
//	tracee ready                    exit 0 when the pipeline's tracer is attached (readiness probe)
//
// Environment: TRACEE_BIN (where the binaries are; default the launcher's
// directory), TRACEE_INSTALL_PATH (default /tmp/tracee), TRACEE_EBPF_ARGS and
// TRACEE_RULES_ARGS (extra arguments, split on white space),
// TRACEE_RULES_SELECT (--rules for both the policy and tracee-rules),
// TRACEE_WEBHOOK_CONFIG (falcosidekick or any webhook:
// "url=URL[,format=falcosidekick|json|template][,template=PATH][,content-type=TYPE]",
// format falcosidekick by default). TRACEE_BPF_FILE is read by tracee-ebpf.
package launcher
