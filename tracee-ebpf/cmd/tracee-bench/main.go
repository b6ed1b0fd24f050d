// Command tracee-bench measures what tracing costs the workloads a host
// really runs, side by side in one run: an open/close loop, a file-tree walk
// (find /usr), a fork/exec loop, compiling a few dozen small C files and
// loopback TCP request/response. Each runs untraced, with empty programs on
// sys_enter and sys_exit (the floor of any design that hooks every syscall),
// with the policy-driven pipeline (tracee-ebpf --policy from tracee-rules
// --list-policy, --process-budget, | tracee-rules) and, for comparison,
// the pipeline of bare event names (--trace event=$(tracee-rules
// --list-events)), which ships every event of the selected kinds.
// Configurations are interleaved round by round so drift on a noisy machine
// hits them alike, each round starting at another one, with a pause after
// each (a tracer's detach leaves the kernel work to do for a while, which
// otherwise lands on the next run). A configuration runs each workload a few
// times per round and the median counts; ratios are taken within a round
// (its runs are seconds apart) and their median reported, with the events the tracer
// shipped, lost and throttled, and the CPU time of both processes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
)

type result struct {
	ns, cpu           []float64 // workload wall time, workload CPU
	events, lost, thr []float64
	ebpfCPU, rulesCPU []float64
}

// workload is one command to time.
type workload struct {
	name string
	argv []string
	dir  string
}

func main() {
	bin := flag.String("workloads", "dist/workloads", "workload binary (scripts/bench/workloads.c)")
	rounds := flag.Int("rounds", 3, "rounds per configuration and workload")
	scale := flag.Float64("scale", 1, "multiply the workloads' sizes")
	ebpf := flag.String("ebpf", "dist/tracee-ebpf", "tracee-ebpf binary")
	rules := flag.String("rules", "dist/tracee-rules", "tracee-rules binary")
	budget := flag.Int("budget", 5000, "--process-budget of the policy pipeline")
	only := flag.String("only", "", "comma-separated workload names to run (default all)")
	reps := flag.Int("reps", 3, "runs of a workload per configuration and round (one tracer start); their median counts")
	settle := flag.Duration("settle", time.Second, "pause after each run, for the kernel to finish freeing a detached tracer's programs and maps (without it the run after a tracer's stop pays for that)")
	policyFile := flag.String("policy", "", "the policy pipeline's --policy file (default: tracee-rules --list-policy)")
	hold := flag.String("hold-empty", "", "attach only the empty probe (both, exit-raw, exit-btf) until interrupted: to measure it with other tools")
	flag.Parse()
	if *hold != "" {
		stop, err := probes.EmptyProbe(*hold)
		if err != nil {
			fatal("empty probe %q: %v", *hold, err)
		}
		fmt.Fprintf(os.Stderr, "tracee-bench: empty probe %q attached; interrupt to detach\n", *hold)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		if err := stop(); err != nil {
			fatal("detach: %v", err)
		}
		return
	}
	if *recorderMode {
		recorder(*ebpf, *rounds)
		return
	}

	evs, err := exec.Command(*rules, "--list-events").Output()
	if err != nil {
		fatal("tracee-rules --list-events: %v", err)
	}
	ruleEvents := strings.TrimSpace(string(evs))
	var pol []byte
	if *policyFile != "" {
		pol, err = os.ReadFile(*policyFile)
	} else if pol, err = exec.Command(*rules, "--list-policy").Output(); err != nil {
		err = fmt.Errorf("tracee-rules --list-policy: %w", err)
	}
	if err != nil {
		fatal("%v", err)
	}
	tmp, err := os.MkdirTemp("", "tracee-bench-")
	if err != nil {
		fatal("%v", err)
	}
	defer os.RemoveAll(tmp)
	polFile := filepath.Join(tmp, "policy.yaml")
	if err := os.WriteFile(polFile, pol, 0o644); err != nil {
		fatal("%v", err)
	}
	srcDir := filepath.Join(tmp, "src")
	if err := writeSources(srcDir, 36); err != nil {
		fatal("%v", err)
	}
	n := func(v int) string { return strconv.Itoa(int(float64(v) * *scale)) }
	workloads := []workload{
		{"open/close loop", []string{*bin, "openclose", n(100000)}, ""},
		{"find /usr", []string{"find", "/usr", "-xdev"}, ""},
		{"fork/exec loop", []string{*bin, "forkexec", n(500)}, ""},
		{"compile 36 C files", []string{"sh", "-c", "for f in *.c; do gcc -O1 -c $f -o /dev/null || exit 1; done"}, srcDir},
		{"loopback TCP req/resp", []string{*bin, "tcp", n(40000)}, ""},
	}
	if *only != "" {
		var keep []workload
		for _, w := range workloads {
			for _, o := range strings.Split(*only, ",") {
				if strings.Contains(w.name, o) {
					keep = append(keep, w)
				}
			}
		}
		if len(keep) == 0 {
			var names []string
			for _, w := range workloads {
				names = append(names, w.name)
			}
			fatal("-only %q names none of the workloads (%s)", *only, strings.Join(names, "; "))
		}
		workloads = keep
	}

	type config struct {
		name  string
		start func() (stop func() (*tracerRun, error), err error)
	}
	none := func() (func() (*tracerRun, error), error) { return func() (*tracerRun, error) { return nil, nil }, nil }
	configs := []config{
		{"untraced", none},
		{"empty probe", empty(probes.EmptyBoth)},
		{"policy pipeline", func() (func() (*tracerRun, error), error) {
			return startTracer(*ebpf, []string{"--output", "format:protobuf", "--policy", polFile, "--process-budget", strconv.Itoa(*budget)}, *rules)
		}},
		{"event-name pipeline (before)", func() (func() (*tracerRun, error), error) {
			return startTracer(*ebpf, []string{"--output", "format:protobuf", "--trace", "event=" + ruleEvents}, *rules)
		}},
	}
	res := make([][]result, len(workloads))
	for wi := range workloads {
		res[wi] = make([]result, len(configs))
	}
	for r := 0; r < *rounds; r++ {
		for wi, w := range workloads {
			// Each round starts at another configuration, so that none
			// always runs first (cold caches) or after the same one.
			for k := range configs {
				ci := (k + r) % len(configs)
				c := configs[ci]
				stop, err := c.start()
				if err != nil {
					fatal("%s: %v", c.name, err)
				}
				var nss, cpus []float64
				for i := 0; i < *reps; i++ {
					ns, cpu, err := runWorkload(w)
					if err != nil {
						stop()
						fatal("%s under %s: %v", w.name, c.name, err)
					}
					nss, cpus = append(nss, ns), append(cpus, cpu)
				}
				ns, cpu := median(nss), median(cpus)
				tr, err := stop()
				if err != nil {
					fatal("%s: stop: %v", c.name, err)
				}
				x := &res[wi][ci]
				x.ns, x.cpu = append(x.ns, ns), append(x.cpu, cpu)
				if tr != nil {
					x.events = append(x.events, tr.stats["Received"]/float64(*reps)) // per run
					x.lost = append(x.lost, tr.stats["LostEvCount"]+tr.stats["RecursionMisses"]+tr.stats["Shed"])
					x.thr = append(x.thr, tr.stats["Throttled"])
					x.ebpfCPU, x.rulesCPU = append(x.ebpfCPU, tr.ebpfCPU), append(x.rulesCPU, tr.rulesCPU)
				}
				time.Sleep(*settle)
			}
		}
	}
	fmt.Printf("%d rounds of %d runs per workload and configuration, interleaved; time: median of the rounds' medians; x none, x empty: median of the rounds' ratios to the untraced and empty-probe runs of the same round (drift between rounds cancels); lost: the most in one round\n", *rounds, *reps)
	fmt.Printf("%-22s %-30s %9s %7s %7s %9s %10s %7s %9s %10s %10s\n", "workload", "configuration", "time", "x none", "x empty", "CPU x em", "shipped", "lost", "throttled", "ebpf CPU", "rules CPU")
	for wi, w := range workloads {
		for ci, c := range configs {
			x := res[wi][ci]
			m := median(x.ns)
			var toBase, toFloor, cpuFloor []float64
			for r := range x.ns {
				toBase = append(toBase, x.ns[r]/res[wi][0].ns[r])
				toFloor = append(toFloor, x.ns[r]/res[wi][1].ns[r])
				cpuFloor = append(cpuFloor, x.cpu[r]/res[wi][1].cpu[r])
			}
			shipped, lost, thr, ecpu, rcpu := "-", "-", "-", "-", "-"
			if len(x.events) > 0 {
				shipped = fmt.Sprintf("%.0f", median(x.events))
				lost = fmt.Sprintf("%.0f", max(x.lost))
				thr = fmt.Sprintf("%.0f", median(x.thr))
				ecpu = fmt.Sprintf("%.0fms", median(x.ebpfCPU)/1e6)
				rcpu = fmt.Sprintf("%.0fms", median(x.rulesCPU)/1e6)
			}
			fmt.Printf("%-22s %-30s %7.0fms %7.2f %7.2f %9.2f %10s %7s %9s %10s %10s\n", w.name, c.name, m/1e6, median(toBase), median(toFloor), median(cpuFloor), shipped, lost, thr, ecpu, rcpu)
		}
	}
}

// writeSources writes n small C files to compile.
func writeSources(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("#include <stdio.h>\n#include <string.h>\nstatic int t%d[64];\nint f%d(const char *s) {\n\tint h = %d;\n\tfor (size_t i = 0; i < strlen(s); i++) h = h * 31 + s[i] + t%d[i %% 64];\n\tprintf(\"%%d\\n\", h);\n\treturn h;\n}\n", i, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.c", i)), []byte(src), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tracerRun is what a traced run reports.
type tracerRun struct {
	stats             map[string]float64
	ebpfCPU, rulesCPU float64 // ns of user+system time
}

func empty(variant string) func() (func() (*tracerRun, error), error) {
	return func() (func() (*tracerRun, error), error) {
		stop, err := probes.EmptyProbe(variant)
		if err != nil {
			return nil, err
		}
		return func() (*tracerRun, error) { return nil, stop() }, nil
	}
}

func startTracer(ebpf string, args []string, rules string) (func() (*tracerRun, error), error) {
	install, err := os.MkdirTemp("", "tracee-bench-")
	if err != nil {
		return nil, err
	}
	args = append([]string{"--install-path", install}, args...)
	tr := pinned("0", ebpf, args...)
	var stderr bytes.Buffer
	tr.Stderr = &stderr
	var rc *exec.Cmd
	if rules != "" {
		rc = pinned("0", rules, "--input-tracee", "file:stdin", "--input-tracee", "format:protobuf", "--output", "format:json")
		pipe, err := tr.StdoutPipe()
		if err != nil {
			return nil, err
		}
		rc.Stdin = pipe
		rc.Stdout, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	}
	if err := tr.Start(); err != nil {
		return nil, err
	}
	if rc != nil {
		if err := rc.Start(); err != nil {
			tr.Process.Kill()
			return nil, err
		}
	}
	pidFile := filepath.Join(install, "out", "tracee.pid")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			tr.Process.Kill()
			return nil, fmt.Errorf("tracee-ebpf not ready: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return func() (*tracerRun, error) {
		defer os.RemoveAll(install)
		tr.Process.Signal(syscall.SIGINT)
		err := tr.Wait()
		run := &tracerRun{stats: parseStats(stderr.String()), ebpfCPU: cpuOf(tr)}
		if rc != nil {
			rc.Wait()
			run.rulesCPU = cpuOf(rc)
		}
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, stderr.String())
		}
		return run, nil
	}, nil
}

func cpuOf(c *exec.Cmd) float64 {
	if c.ProcessState == nil {
		return 0
	}
	return float64(c.ProcessState.UserTime() + c.ProcessState.SystemTime())
}

// pinned runs a command on one CPU when taskset exists: the workload on the
// last CPU, the tracer on the first, so they do not trade places between
// runs (this machine's timings vary twofold otherwise).
func pinned(cpu string, name string, args ...string) *exec.Cmd {
	if ts, err := exec.LookPath("taskset"); err == nil {
		return exec.Command(ts, append([]string{"-c", cpu, name}, args...)...)
	}
	return exec.Command(name, args...)
}

var workloadCPU = strconv.Itoa(max1(runtime.NumCPU()-1, 0))

func max1(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// runWorkload times one run of w, pinned to the last CPU: wall time and
// the CPU time of the workload and its children.
func runWorkload(w workload) (ns, cpu float64, err error) {
	c := pinned(workloadCPU, w.argv[0], w.argv[1:]...)
	c.Dir = w.dir
	c.Stdout, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	start := time.Now()
	if err := c.Run(); err != nil {
		return 0, 0, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return float64(time.Since(start)), cpuOf(c), nil
}

var statRe = regexp.MustCompile(`(\w+):(\d+)`)

func parseStats(stderr string) map[string]float64 {
	i := strings.Index(stderr, "Stats: {")
	if i < 0 {
		return nil
	}
	line := stderr[i:]
	if j := strings.IndexByte(line, '}'); j > 0 {
		line = line[:j]
	}
	m := map[string]float64{}
	for _, s := range statRe.FindAllStringSubmatch(line, -1) {
		v, _ := strconv.ParseFloat(s[2], 64)
		m[s[1]] = v
	}
	return m
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func max(v []float64) float64 {
	var m float64
	for _, x := range v {
		if x > m {
			m = x
		}
	}
	return m
}

func fatal(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "tracee-bench: "+f+"\n", a...)
	os.Exit(1)
}
