package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binDir     string // built binaries and triggers
	repoRoot   string
	buildError error
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	dir, err := os.MkdirTemp("", "tracee-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	buildError = buildAll()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildAll() error {
	for b, pkg := range map[string]string{"tracee-ebpf": "./tracee-ebpf", "tracee-rules": "./tracee-rules", "tracee": "./tracee-ebpf/cmd/tracee"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b), pkg)
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", b, err, out)
		}
	}
	srcs, _ := filepath.Glob(filepath.Join(repoRoot, "tests", "triggers", "*.c"))
	for _, src := range srcs {
		for _, b := range triggerBuilds(src) {
			cmd := exec.Command("gcc", append(b.flags, "-o", filepath.Join(binDir, b.name), src)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("compile trigger %s: %v\n%s", b.name, err, out)
			}
		}
	}
	return nil
}

type triggerBuild struct {
	name  string
	flags []string
}

// triggerBuilds names the binaries built from a trigger source: NAME
// (x86_64) and NAME-m32 (gcc -m32: every syscall in the i386 ABI), except
// for NAME_int80.c, a 64-bit program making i386 syscalls with int $0x80
// itself, built 64-bit only.
func triggerBuilds(src string) []triggerBuild {
	name := strings.TrimSuffix(filepath.Base(src), ".c")
	bs := []triggerBuild{{name, []string{"-O2"}}}
	if !strings.HasSuffix(name, "_int80") {
		bs = append(bs, triggerBuild{name + "-m32", []string{"-O2", "-m32"}})
	}
	return bs
}

// requirePrivileged skips a test that needs root and eBPF, except under
// CI=true, where a skipped privileged test would hide a broken tracer.
func requirePrivileged(t *testing.T) {
	t.Helper()
	if buildError != nil {
		t.Fatal(buildError)
	}
	reason := ""
	if os.Geteuid() != 0 {
		reason = "needs root to load eBPF programs"
	} else if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		reason = "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("privileged: eBPF test cannot run under CI=true: %s", reason)
	}
	t.Skip("privileged: " + reason)
}

func bin(name string) string { return filepath.Join(binDir, name) }

// Finding is the part of tracee-rules' JSON output the tests look at.
type Finding struct {
	SignatureMetadata struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"signatureMetadata"`
	Event struct {
		Timestamp     json.Number `json:"timestamp"`
		HostThreadID  json.Number `json:"hostThreadId"`
		ProcessID     int         `json:"processId"`
		HostProcessID int         `json:"hostProcessId"`
		ProcessName   string      `json:"processName"`
		EventName     string      `json:"eventName"`
		ContainerID   string      `json:"containerId"`
		ContextFlags  struct {
			IsCompat bool `json:"isCompat"`
			IoUring  bool `json:"ioUring"`
		} `json:"contextFlags"`
		Args []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"args"`
		Ancestry []struct {
			HostProcessID int    `json:"hostProcessId"`
			ProcessName   string `json:"processName"`
		} `json:"ancestry"`
	} `json:"event"`
	Data map[string]any `json:"data"`
}

// Pipeline is a running tracee-ebpf | tracee-rules pair.
type Pipeline struct {
	t        *testing.T
	unix     bool
	ebpf     *exec.Cmd
	rules    *exec.Cmd
	install  string
	mu       sync.Mutex
	findings []Finding
	raw      bytes.Buffer
	ebpfErr  bytes.Buffer
	rulesErr bytes.Buffer
	done     chan struct{}
}

// PipelineOptions choose how the two processes are joined.
type PipelineOptions struct {
	Unix      bool     // serve the stream on a unix socket instead of a pipe
	Rules     []string // --rules; all signatures when empty
	EbpfArgs  []string // extra tracee-ebpf arguments
	EbpfWrap  []string // a command tracee-ebpf runs under (it execs its arguments), e.g. standInEtc's
	RulesArgs []string // extra tracee-rules arguments
}

// writePolicy writes what tracee-rules --list-policy prints for the
// selected signatures into dir and returns the file.
func writePolicy(t *testing.T, dir string, rules []string) string {
	t.Helper()
	args := []string{"--list-policy"}
	if len(rules) > 0 {
		args = append(args, "--rules", strings.Join(rules, ","))
	}
	out, err := exec.Command(bin("tracee-rules"), args...).Output()
	if err != nil {
		t.Fatalf("tracee-rules --list-policy: %v", err)
	}
	path := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// StartPipeline starts both binaries and waits until every probe is attached.
func StartPipeline(t *testing.T, o PipelineOptions) *Pipeline {
	t.Helper()
	requirePrivileged(t)
	p := &Pipeline{t: t, unix: o.Unix, install: t.TempDir(), done: make(chan struct{})}
	ebpfArgs := []string{"--install-path", p.install, "--output", "format:protobuf", "--policy", writePolicy(t, p.install, o.Rules)}
	rulesArgs := []string{"--input-tracee", "format:protobuf", "--output", "format:json"}
	if len(o.Rules) > 0 {
		rulesArgs = append(rulesArgs, "--rules", strings.Join(o.Rules, ","))
	}
	sock := filepath.Join(p.install, "tracee.sock")
	if o.Unix {
		ebpfArgs = append(ebpfArgs, "--output", "unix:"+sock)
		rulesArgs = append(rulesArgs, "--input-tracee", "unix:"+sock)
	} else {
		rulesArgs = append(rulesArgs, "--input-tracee", "file:stdin")
	}
	argv := append(append(append([]string{}, o.EbpfWrap...), bin("tracee-ebpf")), append(ebpfArgs, o.EbpfArgs...)...)
	p.ebpf = exec.Command(argv[0], argv[1:]...)
	p.rules = exec.Command(bin("tracee-rules"), append(rulesArgs, o.RulesArgs...)...)
	p.ebpf.Stderr = &p.ebpfErr
	p.rules.Stderr = &p.rulesErr
	rulesOut, err := p.rules.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if !o.Unix {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		p.ebpf.Stdout = pw
		p.rules.Stdin = pr
		defer pr.Close()
		defer pw.Close()
	}
	if err := p.ebpf.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	p.waitReady()
	if err := p.rules.Start(); err != nil {
		t.Fatal(err)
	}
	go p.collect(rulesOut)
	if o.Unix {
		// the reader connects asynchronously; give it a moment to get the header
		time.Sleep(300 * time.Millisecond)
	}
	return p
}

func (p *Pipeline) waitReady() {
	pidFile := filepath.Join(p.install, "out", "tracee.pid")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(pidFile); err == nil {
			return
		}
		if p.ebpf.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("tracee-ebpf did not become ready (no %s)\nstderr:\n%s", pidFile, p.ebpfErr.String())
}

func (p *Pipeline) collect(r io.Reader) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		p.mu.Lock()
		p.raw.Write(line)
		p.raw.WriteByte('\n')
		var f Finding
		if err := json.Unmarshal(line, &f); err == nil {
			p.findings = append(p.findings, f)
		}
		p.mu.Unlock()
	}
}

// Stop ends tracee-ebpf with SIGINT (over a pipe the rules engine then sees
// the end of its input; a unix-socket reader waits for the producer to come
// back, so it gets SIGINT too) and waits for both. Idempotent.
func (p *Pipeline) Stop() {
	if p.ebpf.ProcessState == nil && p.ebpf.Process != nil {
		p.ebpf.Process.Signal(syscall.SIGINT)
		waitTimeout(p.ebpf, 20*time.Second)
	}
	if p.unix && p.rules.Process != nil && p.rules.ProcessState == nil {
		time.Sleep(200 * time.Millisecond) // let it drain what it already read
		p.rules.Process.Signal(syscall.SIGINT)
	}
	if p.rules.Process != nil && p.rules.ProcessState == nil {
		if !waitTimeout(p.rules, 20*time.Second) {
			p.t.Errorf("tracee-rules did not exit after its input ended")
		}
		<-p.done
	}
}

func waitTimeout(c *exec.Cmd, d time.Duration) bool {
	ch := make(chan struct{})
	go func() { c.Wait(); close(ch) }()
	select {
	case <-ch:
		return true
	case <-time.After(d):
		c.Process.Kill()
		<-ch
		return false
	}
}

// WaitFor polls until match finds a finding or the timeout passes.
func (p *Pipeline) WaitFor(timeout time.Duration, match func(Finding) bool) (Finding, bool) {
	deadline := time.Now().Add(timeout)
	for {
		p.mu.Lock()
		for _, f := range p.findings {
			if match(f) {
				p.mu.Unlock()
				return f, true
			}
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			return Finding{}, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Findings returns a copy of what was reported so far.
func (p *Pipeline) Findings() []Finding {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Finding(nil), p.findings...)
}

// Diagnostics is stderr of both processes and the raw output, for failures.
func (p *Pipeline) Diagnostics() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("tracee-ebpf stderr:\n%s\ntracee-rules stderr:\n%s\ntracee-rules stdout:\n%s",
		p.ebpfErr.String(), p.rulesErr.String(), p.raw.String())
}

// RunTrigger runs a trigger program and returns its pid (as the trigger saw
// it) and output.
func RunTrigger(t *testing.T, name string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin(name), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trigger %s: %v\n%s", name, err, out)
	}
	return cmd.Process.Pid, string(out)
}

// bySigPid matches a finding of signature id for host pid.
func bySigPid(id string, pid int) func(Finding) bool {
	return func(f Finding) bool {
		return f.SignatureMetadata.ID == id && f.Event.HostProcessID == pid
	}
}
