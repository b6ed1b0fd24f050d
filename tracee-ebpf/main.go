// Command tracee-ebpf traces a live system with eBPF and writes the events
// as a table, JSON or a length-prefixed protobuf stream.
package main

import (
	"os"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
