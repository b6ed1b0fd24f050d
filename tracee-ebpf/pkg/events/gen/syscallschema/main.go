package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.Unistd, "unistd", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "unistd_64.h with the syscall numbers")
	flag.StringVar(&cfg.Tracefs, "tracefs", "/sys/kernel/tracing/events/syscalls", "tracefs syscalls events directory")
	flag.StringVar(&cfg.Overrides, "overrides", "pkg/events/schema/syscall_overrides.yaml", "override file")
	out := flag.String("out", "pkg/events/schema/syscalls.yaml", "output file")
	flag.Parse()

	data, warnings, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-syscall-schema:", err)
		os.Exit(1)
	}
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "gen-syscall-schema: note:", w)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen-syscall-schema:", err)
		os.Exit(1)
	}
}
