package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/gen/generate"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/schema"
)

func main() {
	// Defaults are relative to the tracee-ebpf module root (go run
	// ./pkg/events/gen); go generate passes paths relative to the package.
	goOut := flag.String("go", "pkg/events/table_gen.go", "Go table output")
	cOut := flag.String("c", "../bpf/lib/events_gen.h", "C header output")
	derivedOut := flag.String("derived", "../bpf/derived/derived_gen.h", "C header output: the events derived at sys_exit")
	abiOut := flag.String("abi", "internal/abi/abi_gen.go", "Go output: the ABI constants")
	compatGoOut := flag.String("compat-go", "pkg/events/compat_gen.go", "Go i386 table output")
	compatCOut := flag.String("compat-c", "../bpf/lib/compat_gen.h", "C i386 header output")
	flag.Parse()
	if err := run(*goOut, *cOut, *derivedOut, *abiOut, *compatGoOut, *compatCOut); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(goOut, cOut, derivedOut, abiOut, compatGoOut, compatCOut string) error {
	s, err := schema.Load()
	if err != nil {
		return fmt.Errorf("load schema: %w", err)
	}
	g, err := generate.Go(s)
	if err != nil {
		return err
	}
	c, err := generate.C(s)
	if err != nil {
		return err
	}
	abi, err := generate.GoABI(s)
	if err != nil {
		return err
	}
	cs, err := schema.LoadCompat(s)
	if err != nil {
		return fmt.Errorf("load compat schema: %w", err)
	}
	cg, err := generate.CompatGo(s, cs)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{goOut, g}, {cOut, c}, {derivedOut, generate.Derived(s)}, {abiOut, abi}, {compatGoOut, cg}, {compatCOut, generate.CompatC()}} {
		if old, err := os.ReadFile(f.path); err == nil && bytes.Equal(old, f.data) {
			continue
		}
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	return nil
}
