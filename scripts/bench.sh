#!/usr/bin/env bash
# `make bench`: engine and decoder benchmarks, then the side-by-side tracing cost run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
gcc -O2 -o dist/workloads scripts/bench/workloads.c
gcc -O2 -o dist/openclose scripts/bench/openclose.c
gcc -O2 -o dist/treewalk scripts/bench/treewalk.c
go build -o dist/tracee-bench ./tracee-ebpf/cmd/tracee-bench
echo "== Go benchmarks (decoder, framing, rules engine)"
go test -run '^$' -bench . -benchmem ./proto/stream/ ./tracee-ebpf/internal/decode/ ./tracee-rules/internal/engine/ ./tracee-rules/internal/rego/ 2>&1 | grep -E '^(Benchmark|ok|FAIL|goos|cpu)' || true
echo
echo "== Tracing cost on real workloads (root): untraced, empty probe, policy pipeline, event-name pipeline"
dist/tracee-bench -workloads dist/workloads -rounds "${BENCH_ROUNDS:-3}" -scale "${BENCH_SCALE:-1}"
echo
echo "== Recorder: every syscall to protobuf, unpinned (open/close loop, file-tree walk)"
dist/tracee-bench -recorder -rounds "${BENCH_RECORDER_ROUNDS:-5}"
