package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/capture"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/decode"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/derive"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/lifecycle"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/metrics"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/output"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/tracer"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/installlock"
)

// Version is set at build time with -ldflags.
var Version = "dev"

type options struct {
	trace       []string
	output      []string
	list        bool
	installPath string
	bufferPages int
	wakeupKiB   int
	execArgsKiB int
	metrics     metrics.ServerConfig
	capture     []string
}

// Execute runs the command and returns the process exit code.
func Execute() int {
	o := &options{}
	root := &cobra.Command{
		Use:   "tracee-ebpf",
		Short: "Trace a live system with eBPF: syscalls, process lifecycle and security events",
		Long: `tracee-ebpf traces a live system with eBPF and writes what it sees as a
table, JSON (Tracee's field names) or a length-prefixed protobuf stream for
tracee-rules.

Examples:
  tracee-ebpf --trace comm=bash --trace event=execve,openat
  tracee-ebpf --trace set=fs --output format:json --output out-file:/tmp/events.json
  tracee-ebpf --output format:protobuf --trace event=$(tracee-rules --list-events) | tracee-rules --input-tracee file:stdin --input-tracee format:protobuf`,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.list {
				printList(c.OutOrStdout(), probes.ProbeFeatures())
				return nil
			}
			return run(c.Context(), o, c.ErrOrStderr())
		},
	}
	f := root.Flags()
	f.StringArrayVarP(&o.trace, "trace", "t", nil, `what to trace (repeatable; expressions AND-ed, comma values OR-ed):
  event=NAME[,NAME|prefix*]  event!=NAME  set=SET[,SET]
  pid=N|new  pid!=N  pid>N  pid<N  uid=N ...  comm=NAME  mntns=N  pidns=N  uts=NAME
  container  !container  container=ID  follow  tree=PID
  EVENT.ARG=VALUE[*]  EVENT.retval<0 (user space)`)
	f.StringArrayVarP(&o.output, "output", "o", nil, `output (repeatable):
  format:table|table-verbose|json|gotemplate=PATH|protobuf
  out-file:PATH  err-file:PATH  unix:PATH (serve the protobuf stream on a unix socket)
  option:exec-env (envp of execve/execveat)`)
	f.BoolVarP(&o.list, "list", "l", false, "list the events that can be traced, with their sets and arguments")
	f.StringVar(&o.installPath, "install-path", "/tmp/tracee", "directory for run-time files (pid file under out/); locked: one tracee-ebpf per install path")
	f.IntVarP(&o.bufferPages, "perf-buffer-size", "b", 16384, "kernel event buffer size in pages (rounded up to a power of two; 16384 = 64 MiB)")
	f.IntVar(&o.wakeupKiB, "wakeup-kib", 256, "wake the reader when this many KiB of events are pending (it also polls every 100ms)")
	f.IntVar(&o.execArgsKiB, "exec-args-max-kib", 128, fmt.Sprintf("KiB of argv, and of env, kept whole per exec (at most %d; more is cut and the event flagged truncated)", probes.ExecArgsCap>>10))
	f.StringVar(&o.metrics.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address (e.g. 127.0.0.1:3366)")
	f.BoolVar(&o.metrics.Pprof, "pprof", false, "serve net/http/pprof on the metrics address")
	f.StringVar(&o.metrics.PprofAddr, "pprof-addr", "", "serve net/http/pprof on its own address")
	f.StringArrayVarP(&o.capture, "capture", "c", nil, "artifact capture (repeatable; comma-separated):\n"+capture.Help())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lifecycle.HandleSIGPIPE()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "tracee-ebpf: %v\n", err)
		return 1
	}
	return 0
}

func run(parent context.Context, o *options, stderr io.Writer) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	capCfg, err := capture.ParseFlags(o.capture, o.installPath)
	if err != nil {
		return err
	}
	outCfg, err := output.ParseFlags(o.output)
	if err != nil {
		return err
	}
	if o.execArgsKiB < 0 || o.execArgsKiB > int(probes.ExecArgsCap>>10) {
		return fmt.Errorf("--exec-args-max-kib %d: want 0..%d", o.execArgsKiB, probes.ExecArgsCap>>10)
	}
	if err := probes.CheckPrivileges(); err != nil {
		return err
	}
	// One tracee-ebpf per install path: it owns the pid file and out/.
	lock, err := installlock.Acquire(o.installPath, "tracee-ebpf")
	if err != nil {
		return err
	}
	defer lock.Release()
	feat := probes.ProbeFeatures()

	policy, err := filter.Parse(o.trace, filter.EventTable{}, feat.Have)
	if err != nil {
		return err
	}
	for _, s := range policy.Skipped {
		fmt.Fprintf(stderr, "tracee-ebpf: not tracing %s: needs %s\n", s.Name, strings.Join(s.Missing, ","))
	}

	wanted := map[events.ID]bool{}
	for _, id := range policy.Events {
		wanted[id] = true
	}
	// The process tree needs the scheduler events whether or not they are printed.
	kernelIDs := append(append([]events.ID{}, policy.Events...), policy.Deps...)
	for _, n := range []string{"sched_process_fork", "sched_process_exec", "sched_process_exit"} {
		if d, ok := events.ByName(n); ok {
			kernelIDs = append(kernelIDs, d.ID)
		}
	}
	// Captures need their trigger events (and what those derive from)
	// traced, printed or not.
	if capCfg.Mem {
		if d, ok := events.ByName("mem_prot_alert"); ok {
			for _, n := range d.Deps {
				if dd, ok := events.ByName(n); ok {
					kernelIDs = append(kernelIDs, dd.ID)
				}
			}
		}
	}
	sel, err := tracer.Select(kernelIDs, feat, tracer.SelectionOptions{ExecEnv: outCfg.ExecEnv})
	if err != nil {
		return err
	}

	// The host's mount namespace is init's; where that is hidden from us
	// (some sandboxes), ours: tracee-ebpf runs on the host.
	hostMntNS, err := nsInode("/proc/1/ns/mnt")
	if err != nil {
		if hostMntNS, err = nsInode("/proc/self/ns/mnt"); err != nil {
			return fmt.Errorf("host mount namespace: %w", err)
		}
	}
	start, err := decode.Monotonic()
	if err != nil {
		return err
	}
	scope, err := tracer.KernelScope(&policy.Kernel, hostMntNS, start)
	if err != nil {
		return err
	}
	if len(policy.Kernel.Tree) > 0 {
		scope.Tree = descendants(policy.Kernel.Tree)
	}

	bootTime, err := decode.BootTime()
	if err != nil {
		return fmt.Errorf("boot time: %w", err)
	}
	hostname, _ := os.Hostname()
	header := &pb.Header{
		ProtocolVersion:  pb.ProtocolVersion_PROTOCOL_VERSION_1,
		Producer:         "tracee-ebpf",
		ProducerVersion:  Version,
		Hostname:         hostname,
		BootTimeUnixNano: bootTime,
		KernelRelease:    kernelRelease(),
	}

	// Outputs first: a bad path is refused before anything is attached.
	printer, err := output.New(outCfg, output.Options{})
	if err != nil {
		return err
	}
	if err := printer.Header(header); err != nil {
		printer.Close()
		return fmt.Errorf("write stream header: %w", err)
	}

	// Capture directories too: refused before anything is attached.
	var capt *capture.Capturer
	var taps []tracer.Stage
	if capCfg.Enabled() {
		if capt, err = capture.New(capCfg, stderr); err != nil {
			printer.Close()
			return err
		}
		defer capt.Close(captureDrain) // error paths; a no-op after the summary
		taps = append(taps, capt)
	}

	p, err := probes.Load(probes.Options{
		Selected:        sel.Selected,
		ArgKinds:        sel.ArgKinds,
		Emit:            sel.Emit,
		Scope:           scope,
		RingBufferBytes: ringBytes(o.bufferPages),
		WakeupBytes:     uint64(o.wakeupKiB) << 10,
		ExecArgsMax:     uint32(o.execArgsKiB) << 10,
		TraceePID:       uint32(os.Getpid()),
	}, feat)
	if err != nil {
		printer.Close()
		return err
	}
	defer p.Close()
	fmt.Fprintf(stderr, "tracee-ebpf: attached %s; kernel %s\n", p.Describe(), feat.Summary())

	tree := proctree.New(proctree.Config{})
	if _, err := tree.SeedFromProc("/proc"); err != nil {
		fmt.Fprintf(stderr, "tracee-ebpf: process tree: %v\n", err)
	}
	en := &enrich.Enricher{Tree: tree}
	if res, err := container.NewResolver(container.Config{}); err != nil {
		fmt.Fprintf(stderr, "tracee-ebpf: container ids unavailable: %v\n", err)
	} else {
		en.Containers = res
	}

	var mx *metrics.Metrics
	if o.metrics.MetricsAddr != "" || o.metrics.PprofAddr != "" || o.metrics.Pprof {
		mx = metrics.New(func(id int32) string {
			if d, ok := events.ByID(events.ID(id)); ok {
				return d.Name
			}
			return ""
		})
		srv, err := metrics.Start(o.metrics, mx.Registry, nil)
		if err != nil {
			printer.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		defer srv.Close(context.Background())
	}

	t, err := tracer.New(tracer.Config{
		Metrics:     mx,
		ReuseEvents: true, // every printer encodes synchronously
		Probes:      p,
		Decoder:     &decode.Decoder{BootTime: bootTime},
		Wanted:      wanted,
		Observers:   []tracer.Stage{treeUpdater{tree}},
		Enrichers:   []tracer.Stage{enricherStage{en}},
		Taps:        taps,
		Deriver:     derive.New(),
		Matcher:     policy,
		Printer:     printer,
		Log:         stderr,
	})
	if err != nil {
		printer.Close()
		return err
	}

	pidFile := filepath.Join(o.installPath, "out", "tracee.pid")
	if err := writePidFile(pidFile); err != nil {
		printer.Close()
		return err
	}
	defer os.Remove(pidFile)

	if outCfg.OutFile == "" && outCfg.UnixPath == "" {
		lifecycle.WatchReader(ctx, os.Stdout, func() { cancel(lifecycle.ErrOutputClosed) })
	}
	sum, runErr := t.Run(ctx)
	reason := lifecycle.Reason(ctx, sum.OutputClosed, runErr)
	endErr := output.End(printer, sum.EndOfStream(reason))
	closeErr := errors.Join(endErr, printer.Close())
	if reason == lifecycle.ReasonOutputClosed {
		fmt.Fprintln(stderr, "tracee-ebpf: the reader of the output went away: stopped in order")
		closeErr = nil // nobody is left to read what was not written
	}
	sum.Write(stderr)
	if capt != nil {
		fmt.Fprintln(stderr, capt.Close(captureDrain))
	}
	return errors.Join(runErr, closeErr)
}

// captureDrain bounds how long captures queued at exit may still take.
const captureDrain = 10 * time.Second

type treeUpdater struct{ t *proctree.Tree }

func (u treeUpdater) Process(ev *pb.Event) {
	if ev.EventId >= 1002 && ev.EventId <= 1004 {
		u.t.Update(ev)
	}
}

type enricherStage struct{ e *enrich.Enricher }

func (s enricherStage) Process(ev *pb.Event) { s.e.Enrich(ev) }

func writePidFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

func ringBytes(pages int) uint32 {
	if pages <= 0 {
		pages = 16384
	}
	n := uint32(os.Getpagesize())
	for int(n) < pages*os.Getpagesize() && n < 1<<30 {
		n <<= 1
	}
	return n
}

func nsInode(path string) (uint32, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return uint32(st.Ino), nil
}

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// descendants returns the roots and every live descendant, from /proc, so
// that tree=PID covers processes that already exist.
func descendants(roots []uint32) []uint32 {
	children := map[uint32][]uint32{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[uint32(ppid)] = append(children[uint32(ppid)], uint32(pid))
	}
	seen := map[uint32]bool{}
	var out []uint32
	queue := append([]uint32{}, roots...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out
}
