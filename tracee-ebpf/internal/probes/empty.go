package probes

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

// Empty probe variants for benchmarks.
const (
	EmptyBoth    = "both"     // raw_tracepoint sys_enter + sys_exit: the floor of hooking every syscall
	EmptyExitRaw = "exit-raw" // raw_tracepoint sys_exit only
	EmptyExitBTF = "exit-btf" // tp_btf sys_exit only
)

// EmptyProbe attaches empty programs to sys_enter and/or sys_exit: the cost
// floor of any design that hooks every syscall. Used by benchmarks.
func EmptyProbe(variant string) (func() error, error) {
	spec, err := abi.LoadTracee()
	if err != nil {
		return nil, err
	}
	progs := map[string]string{abi.TraceeProgTraceeEmptyEnter: "sys_enter", abi.TraceeProgTraceeEmptyExit: "sys_exit"}
	switch variant {
	case EmptyExitRaw:
		progs = map[string]string{abi.TraceeProgTraceeEmptyExit: "sys_exit"}
	case EmptyExitBTF:
		progs = map[string]string{abi.TraceeProgTraceeEmptyExitBtf: ""}
	}
	for name := range spec.Programs {
		if _, ok := progs[name]; !ok {
			delete(spec.Programs, name)
		}
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("load empty probes: %w", err)
	}
	var links []link.Link
	for name, tp := range progs {
		var l link.Link
		var err error
		if tp == "" {
			l, err = link.AttachTracing(link.TracingOptions{Program: coll.Programs[name]})
		} else {
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: tp, Program: coll.Programs[name]})
		}
		if err != nil {
			coll.Close()
			return nil, err
		}
		links = append(links, l)
	}
	return func() error {
		for _, l := range links {
			l.Close()
		}
		coll.Close()
		return nil
	}, nil
}
