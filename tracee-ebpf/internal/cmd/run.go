package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/canary"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/capture"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/decode"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/derive"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/lifecycle"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/metrics"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/output"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/priority"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/procfops"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/procfs"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/tracer"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/installlock"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
)

// captureDrain bounds how long captures queued at exit may still take.
const captureDrain = 10 * time.Second

// cleanup is the one way out of run: what was opened, closed in reverse
// order on every return, early or not.
type cleanup []func() error

func (c *cleanup) add(f func() error) { *c = append(*c, f) }

func (c cleanup) run() error {
	var errs []error
	for i := len(c) - 1; i >= 0; i-- {
		errs = append(errs, c[i]())
	}
	return errors.Join(errs...)
}

// run wires flags, probes, tracer and outputs. Outputs and captures come
// first, so that a bad path is refused before anything is attached; the
// pid file last, once the probes are attached.
func run(parent context.Context, o *options, stdout, stderr io.Writer) (err error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	var cl cleanup
	defer func() { err = errors.Join(err, cl.run()) }()

	p, err := makePlan(o, stderr)
	if err != nil {
		return err
	}
	// One tracee-ebpf per install path: it owns the pid file and out/.
	lock, err := installlock.Acquire(o.installPath, "tracee-ebpf")
	if err != nil {
		return err
	}
	cl.add(lock.Release)
	if err := priority.Set(o.nice); err != nil {
		fmt.Fprintf(stderr, "tracee-ebpf: scheduling priority unchanged: %v\n", err)
	}
	scope, err := kernelScope(p)
	if err != nil {
		return err
	}
	override, err := procFopsOverride(o.procFops)
	if err != nil {
		return cli.Usage(err)
	}
	header, err := streamHeader()
	if err != nil {
		return err
	}

	printer, err := output.New(p.output, output.Options{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return err
	}
	outputGone := false // nobody is left to read what was not written
	cl.add(func() error {
		if err := printer.Close(); err != nil && !outputGone {
			return err
		}
		return nil
	})
	if err := printer.Header(header); err != nil {
		return fmt.Errorf("write stream header: %w", err)
	}
	var capt *capture.Capturer
	var taps, capturers []tracer.Stage
	var en *enrich.Enricher // made once the probes are attached; pcap:container resolves through it
	if p.capture.Enabled() {
		p.capture.Containers = func(cgroupID uint64, pid int32) string {
			if en == nil || en.Containers == nil {
				return ""
			}
			return en.Containers.Lookup(cgroupID, pid)
		}
		if capt, err = capture.New(p.capture, stderr); err != nil {
			return err
		}
		cl.add(func() error { fmt.Fprintln(stderr, capt.Close(captureDrain)); return nil })
		capturers = append(capturers, capt)
	}
	watch := canaryWatch(o.canary, p.wanted, o.metrics.MetricsAddr != "", stderr)
	if watch != nil {
		taps = append(taps, canaryTap{watch})
	}
	mx, err := startMetrics(o, watch, &cl)
	if err != nil {
		return err
	}
	pr, err := probes.Load(probes.Options{
		Selected:        p.sel.Selected,
		ArgKinds:        p.sel.ArgKinds,
		Emit:            p.sel.Emit,
		Scope:           scope,
		RingBufferBytes: ringBytes(o.bufferPages),
		WakeupBytes:     uint64(o.wakeupKiB) << 10,
		ExecArgsMax:     uint32(o.execArgsKiB) << 10,
		TraceePID:       uint32(os.Getpid()),
		DataFilters:     p.dataFilters,
		Budget:          o.budget,
		Priority:        priorityEvents(),
		ObjectFile:      os.Getenv(probes.ObjectEnv),
		Capture:         kernelCapture(&p.capture),
		Network:         kernelNetwork(&p.capture),
	}, p.feat)
	if err != nil {
		return err
	}
	cl.add(pr.Close)
	if capt != nil {
		capt.OnStop(pr.StopCapture)
	}
	fmt.Fprintf(stderr, "tracee-ebpf: attached %s; object %s; kernel %s\n", pr.Describe(), pr.Object, p.feat.Summary())

	en = newEnricher(stderr)
	if en.Containers != nil && o.containers {
		en.Runtimes = cri.NewCache(cri.Config{Log: stderr}, p.runtimes...)
	}
	t, err := tracer.New(tracer.Config{
		Metrics:     mx,
		ReuseEvents: true, // every printer encodes synchronously
		Budget:      o.budget,
		Probes:      pr,
		Decoder:     &decode.Decoder{BootTime: header.BootTimeUnixNano},
		Wanted:      p.wanted,
		Observers:   []tracer.Stage{stageFunc(en.Observe)},
		Enrichers:   []tracer.Stage{stageFunc(en.Enrich)},
		Capturers:   capturers,
		Taps:        taps,
		Deriver:     derive.New(),
		Matcher:     withOwnCanaries(p.policy, watch),
		Printer:     printer,
		Log:         stderr,
	})
	if err != nil {
		return err
	}
	// The pid file says the probes are attached (the entrypoint and tests wait for it).
	pidFile := filepath.Join(o.installPath, "out", "tracee.pid")
	if err := writePidFile(pidFile); err != nil {
		return err
	}
	cl.add(func() error { os.Remove(pidFile); return nil })
	if watch != nil {
		snd, err := canary.Start(o.canary.interval, watch.Nonce(), stderr)
		if err != nil {
			return err
		}
		cl.add(func() error { snd.Stop(); return nil })
	}

	if p.sel.Emit&abi.EmitHookedProcFops != 0 {
		stop, err := startProcFops(ctx, pr, o.procFops, override, stderr)
		switch {
		case err != nil && len(override) > 0:
			return err
		case err != nil:
			// One detection that cannot be armed (e.g. kallsyms shows
			// zeros without CAP_SYSLOG) does not stop the tracer: it is
			// said once, loudly, and the rest traces on.
			fmt.Fprintf(stderr, "tracee-ebpf: WARNING: hooked_proc_fops unavailable, TRC-1020 cannot fire: %v\n", err)
		default:
			cl.add(func() error { stop(); return nil })
		}
	}

	if f, ok := stdout.(*os.File); ok && p.output.OutFile == "" && p.output.UnixPath == "" {
		lifecycle.WatchReader(ctx, f, func() { cancel(lifecycle.ErrOutputClosed) })
	}
	sum, runErr := t.Run(ctx)
	reason := lifecycle.Reason(ctx, sum.OutputClosed, runErr)
	endErr := output.End(printer, sum.EndOfStream(reason))
	if reason == lifecycle.ReasonOutputClosed {
		fmt.Fprintln(stderr, "tracee-ebpf: the reader of the output went away: stopped in order")
		outputGone, endErr = true, nil
	}
	sum.Write(stderr)
	if en.Runtimes != nil {
		fmt.Fprintln(stderr, "tracee-ebpf:", en.Runtimes.Stats())
	}
	return errors.Join(runErr, endErr)
}

// procFopsOverride checks the hooked_proc_fops flags and returns the
// test-only overrides.
func procFopsOverride(o procFopsOptions) (map[string]uint64, error) {
	if o.interval <= 0 {
		return nil, fmt.Errorf("--proc-fops-interval %v: must be positive", o.interval)
	}
	override := map[string]uint64{}
	for _, s := range o.testExpect {
		sym, addr, err := procfops.ParseOverride(s)
		if err != nil {
			return nil, fmt.Errorf("--proc-fops-test-expect: %w", err)
		}
		override[sym] = addr
	}
	return override, nil
}

// startProcFops starts the hooked_proc_fops check (internal/procfops).
func startProcFops(ctx context.Context, pr *probes.Probes, o procFopsOptions, override map[string]uint64, stderr io.Writer) (func(), error) {
	if len(override) > 0 {
		fmt.Fprintf(stderr, "tracee-ebpf: TEST ONLY: hooked_proc_fops expects overridden addresses %v\n", o.testExpect)
	}
	chk, err := procfops.New(pr, "/proc", "/proc/kallsyms", override, stderr)
	if err != nil {
		return nil, err
	}
	return chk.Start(ctx, o.interval), nil
}

// kernelNetwork configures the cgroup_skb programs for --capture network.
func kernelNetwork(cfg *capture.Config) *probes.NetworkOptions {
	if !cfg.Network {
		return nil
	}
	return &probes.NetworkOptions{Snaplen: uint32(cfg.Snaplen)}
}

// kernelCapture is what the capture program copies for cfg, or nil.
func kernelCapture(cfg *capture.Config) *probes.CaptureOptions {
	var flags uint32
	for _, f := range []struct {
		on  bool
		bit uint32
	}{{cfg.Write, probes.CaptureWrite}, {cfg.Module, probes.CaptureModule}, {cfg.BPF, probes.CaptureBPF},
		{cfg.Exec, probes.CaptureMemfd}, {cfg.Mem, probes.CaptureMem}} {
		if f.on {
			flags |= f.bit
		}
	}
	if flags == 0 {
		return nil
	}
	return &probes.CaptureOptions{Flags: flags, Prefixes: cfg.WritePrefixes, MaxBytes: uint64(cfg.CopyMax)}
}

// kernelScope turns the policy's kernel filters into the probes' scope.
func kernelScope(p *plan) (probes.Scope, error) {
	// The host's mount namespace is init's; where that is hidden from us
	// (some sandboxes), ours: tracee-ebpf runs on the host.
	hostMntNS, err := procfs.NSInode("/proc/1/ns/mnt")
	if err != nil {
		if hostMntNS, err = procfs.NSInode("/proc/self/ns/mnt"); err != nil {
			return probes.Scope{}, fmt.Errorf("host mount namespace: %w", err)
		}
	}
	start, err := decode.Monotonic()
	if err != nil {
		return probes.Scope{}, err
	}
	// every policy's scope in the kernel, policy i as bit i
	scope, err := tracer.KernelScopes(p.policy.Kernels(), hostMntNS, start)
	if err != nil {
		return probes.Scope{}, err
	}
	// tree=PID covers the processes that already exist below PID too
	for i, k := range p.policy.Kernels() {
		if len(k.Tree) == 0 {
			continue
		}
		for _, pid := range procfs.Descendants("/proc", k.Tree) {
			scope.Tree[pid] |= 1 << i
		}
	}
	return scope, nil
}

func streamHeader() (*pb.Header, error) {
	bootTime, err := decode.BootTime()
	if err != nil {
		return nil, fmt.Errorf("boot time: %w", err)
	}
	hostname, _ := os.Hostname()
	return &pb.Header{
		ProtocolVersion:  pb.ProtocolVersion_PROTOCOL_VERSION_1,
		Producer:         "tracee-ebpf",
		ProducerVersion:  Version,
		Hostname:         hostname,
		BootTimeUnixNano: bootTime,
		KernelRelease:    kernelRelease(),
	}, nil
}

// startMetrics serves --metrics-addr/--pprof (and /healthz with the
// detection canary's check); nil metrics when not asked.
func startMetrics(o *options, watch *obs.Canary, cl *cleanup) (*metrics.Metrics, error) {
	if o.metrics.MetricsAddr == "" && o.metrics.PprofAddr == "" && !o.metrics.Pprof {
		return nil, nil
	}
	mx := metrics.New(func(id int32) string {
		if d, ok := events.ByID(events.ID(id)); ok {
			return d.Name
		}
		return ""
	})
	o.metrics.Health = healthChecks(watch, mx)
	srv, err := metrics.Start(o.metrics, mx.Registry, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	cl.add(func() error { return srv.Close(context.Background()) })
	return mx, nil
}

// newEnricher builds the process tree (seeded from /proc) and the
// container resolver; each works without the other.
func newEnricher(stderr io.Writer) *enrich.Enricher {
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
	return en
}

// stageFunc makes a function a tracer stage.
type stageFunc func(*pb.Event)

func (f stageFunc) Process(ev *pb.Event) { f(ev) }

// writePidFile writes our pid to path atomically (a temporary file renamed
// into place): whoever sees the file sees the pid in it.
func writePidFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
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

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
