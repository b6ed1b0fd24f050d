// Command tracee-ebpf traces a live system with eBPF and writes the events
// as a table, JSON or a length-prefixed protobuf stream.
package main

import (
	"os"
	"runtime/debug"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/canary"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/cmd"
)

// heapLimit is the Go heap's soft limit (debug.SetMemoryLimit): with the
// kernel ring buffer's mapping it keeps tracee-ebpf's own memory bounded.
const heapLimit = 96 << 20

func main() {
	canary.RunChildIfAsked() // the detection self-test's helper process
	// The live heap is small and the allocation rate of a busy trace high:
	// collect less often than Go's default (GOGC=100) so the reader keeps up
	// with bursts. An explicit GOGC wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// ... but never let that headroom grow the heap past a soft limit: a
	// burst of large events (a 256 KiB argv decodes to tens of thousands of
	// strings) would otherwise leave a heap of 5x its peak. An explicit
	// GOMEMLIMIT wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(heapLimit)
	}
	os.Exit(cmd.Execute())
}
