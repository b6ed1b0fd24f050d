package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The recorder table (-recorder): tracee-ebpf tracing every syscall to
// protobuf, nothing pinned (the scheduler places the workload, the tracer
// and its reader goroutines), against the same workload untraced, round by
// round. Reported per workload: the slowdown, events per run and per
// second, events lost (max and in how many runs), and tracee-ebpf's peak RSS.
var (
	recorderMode  = flag.Bool("recorder", false, "run the recorder table instead: all syscalls to protobuf, unpinned, per workload")
	recorderLoads = flag.String("recorder-workloads", "openclose=dist/openclose 500000,treewalk=dist/treewalk 30 /usr/include",
		"name=command args, comma-separated; each command prints its elapsed ns")
)

type recorderRun struct {
	ns, events, lost, rssKiB, anonKiB []float64
}

func recorder(ebpf string, rounds int) {
	type load struct {
		name string
		argv []string
	}
	var loads []load
	for _, spec := range strings.Split(*recorderLoads, ",") {
		name, cmd, ok := strings.Cut(strings.TrimSpace(spec), "=")
		if !ok || len(strings.Fields(cmd)) == 0 {
			fatal("-recorder-workloads %q: want name=command args", spec)
		}
		loads = append(loads, load{name, strings.Fields(cmd)})
	}
	fmt.Printf("recorder: tracee-ebpf --trace set=syscalls --output format:protobuf (out-file /dev/null), unpinned; %d runs per configuration, medians\n", rounds)
	fmt.Printf("%-10s %10s %10s %10s %12s %16s %12s %14s %15s\n", "workload", "untraced", "recorded", "x untraced", "events/run", "lost (max, runs)", "events/s", "RSS max (MiB)", "anon max (MiB)")
	for _, l := range loads {
		var base, rec recorderRun
		for r := 0; r < rounds; r++ {
			ns, err := timeLoad(l.argv)
			if err != nil {
				fatal("%s untraced: %v", l.name, err)
			}
			base.ns = append(base.ns, ns)
			st, ns, rss, anon, err := recordLoad(ebpf, l.argv)
			if err != nil {
				fatal("%s recorded: %v", l.name, err)
			}
			rec.ns = append(rec.ns, ns)
			rec.events = append(rec.events, st["Received"])
			rec.lost = append(rec.lost, st["LostEvCount"]+st["RecursionMisses"]+st["Shed"])
			rec.rssKiB = append(rec.rssKiB, rss)
			rec.anonKiB = append(rec.anonKiB, anon)
		}
		lostRuns := 0
		for _, v := range rec.lost {
			if v > 0 {
				lostRuns++
			}
		}
		m, b := median(rec.ns), median(base.ns)
		fmt.Printf("%-10s %9.1fms %9.1fms %10.2f %12.0f %16s %11.2fM %14.1f %15.1f\n", l.name, b/1e6, m/1e6, m/b,
			median(rec.events), fmt.Sprintf("%.0f, %d/%d", max(rec.lost), lostRuns, rounds),
			median(rec.events)/(m/1e9)/1e6, max(rec.rssKiB)/1024, max(rec.anonKiB)/1024)
	}
	fmt.Println("RSS includes the kernel ring buffer (--perf-buffer-size, 64 MiB), which the kernel maps twice (wrap-around); anon is tracee-ebpf's own memory.")
}

func timeLoad(argv []string) (float64, error) {
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
}

// recordLoad runs the workload under an unpinned all-syscalls recorder and
// returns the recorder's summary, the workload's time and the recorder's
// peak RSS and anonymous RSS at the end (KiB).
func recordLoad(ebpf string, argv []string) (map[string]float64, float64, float64, float64, error) {
	install, err := os.MkdirTemp("", "tracee-bench-")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	defer os.RemoveAll(install)
	tr := exec.Command(ebpf, "--install-path", install, "--output", "format:protobuf", "--output", "out-file:/dev/null", "--trace", "set=syscalls")
	var stderr bytes.Buffer
	tr.Stderr = &stderr
	if err := tr.Start(); err != nil {
		return nil, 0, 0, 0, err
	}
	pidFile := filepath.Join(install, "out", "tracee.pid")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			tr.Process.Kill()
			tr.Wait()
			return nil, 0, 0, 0, fmt.Errorf("tracee-ebpf not ready: %s", stderr.String())
		}
	}
	ns, err := timeLoad(argv)
	rss, anon := procStatus(tr.Process.Pid, "VmHWM:"), procStatus(tr.Process.Pid, "RssAnon:")
	tr.Process.Signal(syscall.SIGINT)
	werr := tr.Wait()
	if err != nil {
		return nil, 0, 0, 0, err
	}
	if werr != nil {
		return nil, 0, 0, 0, fmt.Errorf("tracee-ebpf: %v\n%s", werr, stderr.String())
	}
	st := parseStats(stderr.String())
	if st == nil {
		return nil, 0, 0, 0, fmt.Errorf("no summary from tracee-ebpf:\n%s", stderr.String())
	}
	return st, ns, rss, anon, nil
}

// procStatus is a kB field of /proc/PID/status (VmHWM:, RssAnon:), 0 if unreadable.
func procStatus(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			f, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return f
		}
	}
	return 0
}
