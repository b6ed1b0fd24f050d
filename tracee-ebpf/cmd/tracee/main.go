// Command tracee is the container entrypoint: tracee-ebpf | tracee-rules
// with signals, readiness and exit codes handled (see package launcher).
package main

import (
	"os"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/launcher"
)

func main() {
	os.Exit(launcher.Main(os.Args[1:], os.Stdout, os.Stderr))
}
