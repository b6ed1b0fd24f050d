package capture

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Defaults for the bounds of Config.
const (
	DefaultExecMaxSize = 256 << 20 // bytes of one executable
	DefaultMemMaxSize  = 64 << 20  // bytes of one memory dump
	DefaultMemBudget   = 1 << 30   // bytes of all memory dumps of a run
	DefaultCacheSize   = 4096      // remembered executable identities
	DefaultCopyMax     = 1 << 20   // bytes the kernel copies of one write, module image or BPF program
	DefaultBudget      = 1 << 30   // bytes of writes, modules and BPF programs of a run
	DefaultMemfdBudget = 256 << 20 // bytes of memfd writes kept for exec capture
	maxWritePrefixes   = 8         // capture.h CAPTURE_MAX_PREFIXES
	maxPrefixLen       = 255
	maxCopy            = 16 << 20 // capture.h: 4096 chunks of 4 KiB
)

// Config says what to capture and where.
type Config struct {
	Dir           string // output directory; exec/ and mem/ are created under it
	Exec          bool
	Mem           bool
	Write         bool // bytes written to files under WritePrefixes (every regular file without)
	WritePrefixes []string
	Module        bool   // init_module images, finit_module files
	BPF           bool   // instructions of BPF_PROG_LOAD
	Network       bool   // packets of traced processes to pcapng
	PcapSplit     string // Pcap*: one file, or one per process, container or command
	Snaplen       int64  // bytes of each packet from the IP header on
	// Containers resolves a cgroup to a container id (pcap:container); nil: none.
	Containers  func(cgroupID uint64, hostPID int32) string
	ClearDir    bool  // empty Dir's artifact directories at start
	ExecMaxSize int64 // executables larger than this are not stored
	MemMaxSize  int64 // one dump is cut at this size
	MemBudget   int64 // memory dumps stop once this many bytes were written
	CopyMax     int64 // bytes the kernel copies of one write, module image or BPF program
	Budget      int64 // write, module and BPF captures stop once this many bytes were stored
	MemfdBudget int64 // bytes of memfd writes kept in memory for exec capture
	CacheSize   int
	ProcRoot    string // "/proc" unless testing
}

// Enabled reports whether anything is captured.
func (c *Config) Enabled() bool { return c.Exec || c.Mem || c.Write || c.Module || c.BPF || c.Network }

// Kernel reports whether the kernel capture program is needed.
func (c *Config) Kernel() bool { return c.Exec || c.Mem || c.Write || c.Module || c.BPF }

func (c *Config) wants(k kind) bool {
	switch k {
	case kindExec:
		return c.Exec
	case kindMem:
		return c.Mem
	case kindWrite:
		return c.Write
	case kindModule:
		return c.Module
	case kindBPF:
		return c.BPF
	case kindNetwork:
		return c.Network
	}
	return false
}

// option is one --capture value: exactly name, or name followed by sep and
// a value.
type option struct {
	name  string
	sep   string // "" for a bare word
	apply func(c *Config, val string) error
	help  string
}

// unsupported are Tracee's other artifacts, refused by name.
var unsupported = []string{"read", "pcap-options", "profile"}

var options = []option{
	{name: "exec", apply: func(c *Config, _ string) error { c.Exec = true; return nil }, help: "store every executed binary as exec/<sha256>"},
	{name: "mem", apply: func(c *Config, _ string) error { c.Mem = true; return nil }, help: "dump memory regions of mem_prot_alert to mem/"},
	{name: "write", apply: func(c *Config, _ string) error { c.Write = true; return nil }, help: "bytes written to any regular file, to write/ (path, offset, pid in index.jsonl)"},
	{name: "write", sep: "=", apply: func(c *Config, v string) error {
		v = strings.TrimSuffix(v, "*")
		if !strings.HasPrefix(v, "/") || len(v) > maxPrefixLen {
			return fmt.Errorf("write prefix %q: want an absolute path prefix of at most %d bytes (write=/etc/*)", v, maxPrefixLen)
		}
		if len(c.WritePrefixes) == maxWritePrefixes {
			return fmt.Errorf("at most %d write prefixes", maxWritePrefixes)
		}
		c.Write = true
		c.WritePrefixes = append(c.WritePrefixes, v)
		return nil
	}, help: "only files whose path starts with PREFIX (repeatable, up to 8)"},
	{name: "module", apply: func(c *Config, _ string) error { c.Module = true; return nil }, help: "init_module images and finit_module files, attempts included, as module/<sha256>"},
	{name: "bpf", apply: func(c *Config, _ string) error { c.BPF = true; return nil }, help: "instructions of BPF programs other processes load, as bpf/<sha256>"},
	{name: "network", apply: func(c *Config, _ string) error { c.Network = true; return nil }, help: "packets of traced processes to pcap/all.pcapng (one pcapng interface per process)"},
	{name: "pcap", sep: ":", apply: func(c *Config, v string) error {
		switch v {
		case PcapSingle, PcapProcess, PcapContainer, PcapCommand:
			c.Network, c.PcapSplit = true, v
			return nil
		}
		return fmt.Errorf("pcap:%s: want single, process, container or command", v)
	}, help: "pcap files: single, or one per process, container or command (implies network)"},
	{name: "pcap-snaplen", sep: "=", apply: func(c *Config, v string) error {
		switch v {
		case "default":
			c.Snaplen = DefaultSnaplen
			return nil
		case "max":
			c.Snaplen = MaxSnaplen
			return nil
		}
		n, err := ParseSize(strings.TrimSuffix(strings.TrimSuffix(v, "b"), "B"))
		if err != nil {
			return err
		}
		if n > MaxSnaplen {
			return fmt.Errorf("pcap-snaplen=%s: at most %d bytes (max)", v, MaxSnaplen)
		}
		c.Snaplen = n
		return nil
	}, help: "bytes of each packet from the IP header on: N, default (96), max (4096)"},
	{name: "clear-dir", apply: func(c *Config, _ string) error { c.ClearDir = true; return nil }, help: "empty exec/ and mem/ of the output directory at start"},
	{name: "dir", sep: ":", apply: func(c *Config, v string) error {
		if v == "" {
			return fmt.Errorf("empty path")
		}
		c.Dir = filepath.Clean(v)
		return nil
	}, help: "output directory (default <install-path>/out)"},
	{name: "exec-max-size", sep: "=", apply: sizeSetter(func(c *Config) *int64 { return &c.ExecMaxSize }), help: "largest executable stored (bytes, K/M/G suffixes)"},
	{name: "mem-max-size", sep: "=", apply: sizeSetter(func(c *Config) *int64 { return &c.MemMaxSize }), help: "largest memory dump"},
	{name: "mem-budget", sep: "=", apply: sizeSetter(func(c *Config) *int64 { return &c.MemBudget }), help: "total bytes of memory dumps"},
	{name: "copy-max-size", sep: "=", apply: sizeSetter(func(c *Config) *int64 { return &c.CopyMax }), help: "bytes copied of one write, module image or BPF program (at most 16M)"},
	{name: "budget", sep: "=", apply: sizeSetter(func(c *Config) *int64 { return &c.Budget }), help: "total bytes of write, module and bpf captures; then they stop with a warning"},
}

func sizeSetter(field func(c *Config) *int64) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		n, err := ParseSize(v)
		if err != nil {
			return err
		}
		*field(c) = n
		return nil
	}
}

// Help describes the accepted values, one per line.
func Help() string {
	var b strings.Builder
	for _, o := range options {
		name := o.name
		switch o.sep {
		case ":":
			name += ":PATH"
		case "=":
			name += "=N"
		}
		fmt.Fprintf(&b, "  %-18s %s\n", name, o.help)
	}
	return strings.TrimRight(b.String(), "\n")
}

// ParseFlags parses the --capture values. The output directory defaults to
// <installPath>/out.
// Events are the events the captures need traced, whole, whether or not
// they are printed: the mem capture keeps a region for the kernel's
// mem_prot_alert of its syscall.
func (c Config) Events() []events.ID {
	var out []events.ID
	if c.Exec {
		out = append(out, events.SchedProcessExec)
	}
	if c.Mem {
		out = append(out, events.MemProtAlert)
	}
	return out
}

func ParseFlags(flags []string, installPath string) (Config, error) {
	c := Config{
		Dir:         filepath.Join(installPath, "out"),
		ExecMaxSize: DefaultExecMaxSize,
		MemMaxSize:  DefaultMemMaxSize,
		MemBudget:   DefaultMemBudget,
		CopyMax:     DefaultCopyMax,
		Budget:      DefaultBudget,
		MemfdBudget: DefaultMemfdBudget,
		PcapSplit:   PcapSingle,
		Snaplen:     DefaultSnaplen,
		CacheSize:   DefaultCacheSize,
		ProcRoot:    "/proc",
	}
	for _, f := range flags {
		for _, v := range strings.Split(f, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if err := parseOne(&c, v); err != nil {
				return Config{}, fmt.Errorf("--capture %s: %w", v, err)
			}
		}
	}
	if (c.ClearDir || c.Dir != filepath.Join(installPath, "out")) && !c.Enabled() {
		return Config{}, fmt.Errorf("--capture: dir and clear-dir need an artifact (exec, mem, write, module, bpf, network)")
	}
	if c.CopyMax > maxCopy {
		return Config{}, fmt.Errorf("--capture copy-max-size=%d: at most %d bytes", c.CopyMax, maxCopy)
	}
	return c, nil
}

func parseOne(c *Config, v string) error {
	for _, o := range options {
		switch {
		case o.sep == "" && v == o.name:
			return o.apply(c, "")
		case o.sep != "" && strings.HasPrefix(v, o.name+o.sep):
			return o.apply(c, v[len(o.name)+len(o.sep):])
		case o.sep != "" && v == o.name:
			return fmt.Errorf("%s needs a value (%s%sVALUE)", o.name, o.name, o.sep)
		}
	}
	name := v
	if i := strings.IndexAny(v, ":="); i >= 0 {
		name = v[:i]
	}
	for _, u := range unsupported {
		if name == u {
			return fmt.Errorf("capturing %q is not supported in this build (exec, mem, write, module, bpf, network and pcap are)", name)
		}
	}
	return fmt.Errorf("unknown capture option %q", name)
}

// sizeUnits are the accepted suffixes of ParseSize (binary multiples).
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10},
	{"", 1},
}

// ParseSize parses a positive byte count with an optional K, M, G (or KiB,
// MiB, GiB) suffix, all binary multiples.
func ParseSize(s string) (int64, error) {
	for _, u := range sizeUnits {
		if !strings.HasSuffix(s, u.suffix) {
			continue
		}
		num := strings.TrimSuffix(s, u.suffix)
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("size %q: want a positive number of bytes (K/M/G suffixes)", s)
		}
		if n > (1<<62)/u.mult {
			return 0, fmt.Errorf("size %q: too large", s)
		}
		return n * u.mult, nil
	}
	return 0, fmt.Errorf("size %q: want a positive number of bytes", s)
}
