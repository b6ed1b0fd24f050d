// Command tracee-bench measures what tracing costs a syscall-heavy workload,
// side by side in one run: untraced, with empty programs on sys_enter and
// sys_exit (the floor of any design that hooks every syscall), with the
// tracee-ebpf | tracee-rules pipeline tracing what the signatures need, and
// with tracee-ebpf tracing every syscall to protobuf on /dev/null.
// Configurations are interleaved round by round so drift on a noisy machine
// hits them alike; medians are reported.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
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
	ns       []float64
	events   []float64
	lost     []float64
	received []float64
}

func main() {
	workload := flag.String("workload", "dist/syscall_loop", "workload binary (scripts/bench/syscall_loop.c)")
	n := flag.Int("n", 1000000, "workload rounds (3 syscalls each)")
	rounds := flag.Int("rounds", 5, "rounds per configuration")
	ebpf := flag.String("ebpf", "dist/tracee-ebpf", "tracee-ebpf binary")
	rules := flag.String("rules", "dist/tracee-rules", "tracee-rules binary")
	variants := flag.Bool("variants", false, "also measure empty sys_exit-only probes (raw_tp, tp_btf)")
	flag.Parse()
	if *recorderMode {
		recorder(*ebpf, *rounds)
		return
	}

	evs, err := exec.Command(*rules, "--list-events").Output()
	if err != nil {
		fatal("tracee-rules --list-events: %v", err)
	}
	ruleEvents := strings.TrimSpace(string(evs))

	type config struct {
		name  string
		start func() (stop func() (string, error), err error)
	}
	configs := []config{
		{"untraced", func() (func() (string, error), error) { return func() (string, error) { return "", nil }, nil }},
		{"empty probe", empty(probes.EmptyBoth)},
		{"pipeline (rules' events)", func() (func() (string, error), error) {
			return startTracer(*ebpf, []string{"--output", "format:protobuf", "--trace", "event=" + ruleEvents}, *rules)
		}},
		{"all syscalls -> protobuf", func() (func() (string, error), error) {
			return startTracer(*ebpf, []string{"--output", "format:protobuf", "--output", "out-file:/dev/null", "--trace", "set=syscalls"}, "")
		}},
	}
	if *variants {
		configs = append(configs,
			config{"empty sys_exit (raw_tp)", empty(probes.EmptyExitRaw)},
			config{"empty sys_exit (tp_btf)", empty(probes.EmptyExitBTF)})
	}
	res := make([]result, len(configs))
	for r := 0; r < *rounds; r++ {
		for i, c := range configs {
			stop, err := c.start()
			if err != nil {
				fatal("%s: %v", c.name, err)
			}
			ns, err := runWorkload(*workload, *n)
			if err != nil {
				stop()
				fatal("%s: workload: %v", c.name, err)
			}
			stderr, err := stop()
			if err != nil {
				fatal("%s: stop: %v\n%s", c.name, err, stderr)
			}
			res[i].ns = append(res[i].ns, ns)
			if st := parseStats(stderr); st != nil {
				res[i].events = append(res[i].events, st["EventCount"])
				res[i].lost = append(res[i].lost, st["LostEvCount"]+st["RecursionMisses"])
				res[i].received = append(res[i].received, st["Received"])
			}
		}
	}
	base := median(res[0].ns)
	floor := median(res[1].ns)
	fmt.Printf("workload: %d rounds of getppid+read+write (%d syscalls), %d runs per configuration, medians\n", *n, 3**n, *rounds)
	fmt.Printf("%-28s %10s %10s %10s %12s %16s %12s\n", "configuration", "time", "x untraced", "x empty", "events/run", "lost (max, runs)", "events/s")
	for i, c := range configs {
		m := median(res[i].ns)
		evs, lost, rate := "-", "-", "-"
		if len(res[i].events) > 0 {
			e := median(res[i].received)
			evs = fmt.Sprintf("%.0f", e)
			runs := 0
			for _, l := range res[i].lost {
				if l > 0 {
					runs++
				}
			}
			lost = fmt.Sprintf("%.0f, %d/%d", max(res[i].lost), runs, len(res[i].lost))
			rate = fmt.Sprintf("%.2fM", e/(m/1e9)/1e6)
		}
		fmt.Printf("%-28s %9.1fms %10.2f %10.2f %12s %16s %12s\n", c.name, m/1e6, m/base, m/floor, evs, lost, rate)
	}
}

func empty(variant string) func() (func() (string, error), error) {
	return func() (func() (string, error), error) {
		stop, err := probes.EmptyProbe(variant)
		if err != nil {
			return nil, err
		}
		return func() (string, error) { return "", stop() }, nil
	}
}

func startTracer(ebpf string, args []string, rules string) (func() (string, error), error) {
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
		rc.Stdout, _ = os.Open(os.DevNull)
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
	deadline := time.Now().Add(30 * time.Second)
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
	return func() (string, error) {
		defer os.RemoveAll(install)
		tr.Process.Signal(syscall.SIGINT)
		err := tr.Wait()
		if rc != nil {
			rc.Wait()
		}
		return stderr.String(), err
	}, nil
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

func runWorkload(path string, n int) (float64, error) {
	out, err := pinned(workloadCPU, path, strconv.Itoa(n)).Output()
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
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
