#!/bin/sh
# Container entrypoint: wires tracee-ebpf | tracee-rules with every signature.
#
#   entrypoint.sh                       full pipeline, findings on stdout
#   entrypoint.sh trace [ARGS...]       tracee-ebpf alone (forensics recorder)
#   entrypoint.sh rules [ARGS...]       tracee-rules alone
#   TRACEE_RULES_ARGS="--webhook http://falcosidekick:2801 --webhook-format falcosidekick"
#   TRACEE_EBPF_ARGS="--trace container"   (scope-only --trace narrows the signatures' policy)
#   TRACEE_PROCESS_BUDGET=5000              events/s one process may send (0: no limit)
#
# SIGINT/SIGTERM go to tracee-ebpf, which detaches its probes and ends the
# stream; tracee-rules then drains its input and exits.
set -eu
BIN=${TRACEE_BIN:-/tracee}
EBPF="$BIN/tracee-ebpf"
RULES="$BIN/tracee-rules"
INSTALL=${TRACEE_INSTALL_PATH:-/tmp/tracee}

case "${1:-}" in
trace)
	shift
	exec "$EBPF" --install-path "$INSTALL" "$@"
	;;
rules)
	shift
	exec "$RULES" "$@"
	;;
esac

mkdir -p "$INSTALL"
fifo="$INSTALL/pipeline.fifo"
rm -f "$fifo"
mkfifo -m 600 "$fifo"
# The policy the signatures need: their events and data filters, which
# tracee-ebpf applies in the kernel.
"$RULES" --list-policy ${TRACEE_RULES_SELECT:+--rules "$TRACEE_RULES_SELECT"} >"$INSTALL/policy.yaml"

# shellcheck disable=SC2086
"$RULES" --input-tracee file:"$fifo" --input-tracee format:protobuf ${TRACEE_RULES_ARGS:-} "$@" &
rules_pid=$!
# shellcheck disable=SC2086
"$EBPF" --install-path "$INSTALL" --output format:protobuf --output out-file:"$fifo" \
	--policy "$INSTALL/policy.yaml" --process-budget "${TRACEE_PROCESS_BUDGET:-5000}" ${TRACEE_EBPF_ARGS:-} &
ebpf_pid=$!

stop() { kill -INT "$ebpf_pid" 2>/dev/null || true; }
trap stop INT TERM
# A trapped signal interrupts `wait` (status > 128) before tracee-ebpf has
# exited or been reaped: wait again until it really has.
while :; do
	status=0
	wait "$ebpf_pid" || status=$?
	if [ "$status" -gt 128 ] && kill -0 "$ebpf_pid" 2>/dev/null; then
		continue
	fi
	break
done
rstatus=0
wait "$rules_pid" || rstatus=$?
[ "$status" -eq 0 ] && status=$rstatus
rm -f "$fifo" "$INSTALL/policy.yaml"
exit "$status"
