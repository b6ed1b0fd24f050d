package cmd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/capture"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/lifecycle"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/metrics"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/flagfile"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
)

// Version is set at build time with -ldflags.
var Version = "dev"

type options struct {
	trace       []string
	policies    []string
	budget      uint32
	output      []string
	list        bool
	installPath string
	bufferPages int
	wakeupKiB   int
	execArgsKiB int
	nice        int
	metrics     metrics.ServerConfig
	capture     []string
	input       string
	config      string
	canary      canaryOptions
	containers  bool
	cri         []string
	procFops    procFopsOptions
}

// procFopsOptions: the hooked_proc_fops check's interval, and the
// test-only overrides of its expected addresses (SYMBOL=ADDRESS).
type procFopsOptions struct {
	interval   time.Duration
	testExpect []string
}

type canaryOptions struct{ interval, timeout time.Duration }

// NewRootCommand returns the tracee-ebpf command writing to stdout/stderr.
func NewRootCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &options{}
	c := &cobra.Command{
		Use:   "tracee-ebpf",
		Short: "Trace a live system with eBPF: syscalls, process lifecycle and security events",
		Long: `tracee-ebpf traces a live system with eBPF and writes what it sees as a
table, JSON (Tracee's field names) or a length-prefixed protobuf stream for
tracee-rules.

Examples:
  tracee-ebpf --trace comm=bash --trace event=execve,openat
  tracee-ebpf --trace set=fs --output format:json --output out-file:/tmp/events.json
  tracee-ebpf --output format:protobuf --policy <(tracee-rules --list-policy) | tracee-rules --input-tracee file:stdin --input-tracee format:protobuf
  tracee-ebpf --policy ./policies/ --policy extra.yaml --output format:json`,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.config != "" {
				if err := flagfile.Load(c.Flags(), o.config); err != nil {
					return cli.Usage(err)
				}
			}
			if o.list {
				printList(stdout, probes.ProbeFeatures())
				return nil
			}
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if o.input != "" {
				return replay(ctx, o, stdout, stderr)
			}
			return run(ctx, o, stdout, stderr)
		},
	}
	cli.Configure(c, stdout, stderr)
	f := c.Flags()
	f.StringArrayVarP(&o.trace, "trace", "t", nil, `what to trace (repeatable; expressions AND-ed, comma values OR-ed):
  event=NAME[,NAME|prefix*]  event!=NAME  set=SET[,SET]
  pid=N|new  pid!=N  pid>N  pid<N  uid=N ...  comm=NAME  mntns=N  pidns=N  uts=NAME
  container  !container  container=ID  follow  tree=PID
  executable=PATH|host:PATH|MNTNS:PATH  executable!=PATH  (also exec=, binary=, bin=: the file run, by identity)
  EVENT.ARG=VALUE[*]  EVENT.retval<0 (user space)
--trace expressions form one policy, named "trace", next to --policy ones;
scope-only --trace expressions (container, comm=X) narrow every --policy instead`)
	f.StringArrayVarP(&o.policies, "policy", "p", nil, "Tracee policy file or directory of *.yaml files (repeatable; up to 64 policies), e.g. --policy <(tracee-rules --list-policy)")
	f.Uint32Var(&o.budget, "process-budget", 0, "events per second one process may send (0: no limit); over it its events are dropped in the kernel, counted and named (pid, count) in the stream's Lost frames; ptrace, module loads, exec and mount get ten times as many")
	f.StringArrayVarP(&o.output, "output", "o", nil, `output (repeatable):
  format:table|table-verbose|json|gotemplate=PATH|protobuf
  out-file:PATH  err-file:PATH  unix:PATH (serve the protobuf stream on a unix socket)
  rotate:SIZE (a protobuf out-file rotates to PATH.1, PATH.2 ... past SIZE)
  option:exec-env (envp of execve/execveat)`)
	f.BoolVarP(&o.list, "list", "l", false, "list the events that can be traced, with their sets and arguments")
	f.StringVar(&o.installPath, "install-path", "/tmp/tracee", "directory for run-time files (pid file under out/); locked: one tracee-ebpf per install path")
	f.IntVarP(&o.bufferPages, "perf-buffer-size", "b", 16384, "kernel event buffer size in pages (rounded up to a power of two; 16384 = 64 MiB)")
	f.IntVar(&o.wakeupKiB, "wakeup-kib", 256, "wake the reader when this many KiB of events are pending (it also polls every 100ms)")
	f.IntVar(&o.nice, "nice", -10, "CPU scheduling priority of tracee-ebpf (-20..19): below 0 a saturated host cannot starve the reader into losing events")
	f.IntVar(&o.execArgsKiB, "exec-args-max-kib", 128, fmt.Sprintf("KiB of argv, and of env, kept whole per exec (at most %d; more is cut and the event flagged truncated)", probes.ExecArgsCap>>10))
	o.metrics.AddFlags(f)
	f.BoolVar(&o.containers, "containers", true, "add container name, image and Kubernetes pod to events, from the container runtimes (--cri)")
	f.StringArrayVar(&o.cri, "cri", nil, "container runtime socket, RUNTIME:SOCKET, repeatable, asked in order (default docker:"+cri.DefaultDockerSocket+" and containerd:"+cri.DefaultContainerdSocket+")")
	f.StringVar(&o.input, "input", "", "print a recording (--output format:protobuf) instead of tracing: --trace and --output apply offline")
	f.StringArrayVarP(&o.capture, "capture", "c", nil, "artifact capture (repeatable; comma-separated):\n"+capture.Help())
	f.StringVar(&o.config, flagfile.FlagName, "", "read flags from this YAML file (keys are long flag names, lists for repeatable flags); the command line wins")
	f.DurationVar(&o.canary.interval, "canary-interval", 2*time.Second, "detection self-test: a helper process (tracee-canary) makes a marker syscall this often while "+obs.CanaryEvent+" is traced (0: off)")
	f.DurationVar(&o.canary.timeout, "canary-timeout", 10*time.Second, "/healthz fails when no marker came through for this long")
	f.DurationVar(&o.procFops.interval, "proc-fops-interval", time.Minute, "while hooked_proc_fops is traced: compare /proc's readdir and lookup operations with kallsyms at start and this often")
	f.StringArrayVar(&o.procFops.testExpect, "proc-fops-test-expect", nil, "TEST ONLY: SYMBOL=ADDRESS replaces the address hooked_proc_fops expects for SYMBOL (proc_root_readdir, proc_root_lookup, proc_tgid_base_readdir, proc_tgid_base_lookup), to exercise the mismatch path")
	_ = f.MarkHidden("proc-fops-test-expect")
	return c
}

// Execute runs the command with the process's arguments and returns the
// exit code (0 ok, 1 runtime error, 2 usage error: see pkg/cli).
func Execute() int {
	lifecycle.HandleSIGPIPE()
	slog.SetDefault(cli.NewLogger("tracee-ebpf", os.Stderr))
	c := NewRootCommand(os.Stdout, os.Stderr)
	return cli.Exit("tracee-ebpf", c.ExecuteContext(context.Background()), os.Stderr)
}
