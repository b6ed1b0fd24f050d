// Command tracee-rules runs detection signatures on tracee-ebpf's events.
package main

import (
	"os"

	"github.com/tracee-go/tracee/tracee-rules/internal/cmd"
)

func main() { os.Exit(cmd.Execute()) }
