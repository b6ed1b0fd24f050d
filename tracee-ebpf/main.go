// Command tracee-ebpf traces a live system with eBPF and writes the events
// as a table, JSON or a length-prefixed protobuf stream.
package main

import (
	"os"
	"runtime/debug"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/canary"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/cmd"
)

func main() {
	canary.RunChildIfAsked() // the detection self-test's helper process
	// The live heap is small and the allocation rate of a busy trace high:
	// collect less often than Go's default (GOGC=100) so the reader keeps up
	// with bursts. An explicit GOGC wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(cmd.Execute())
}
