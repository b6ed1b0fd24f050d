package launcher

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config is the launcher's environment, resolved.
type Config struct {
	Bin          string   // directory of tracee-ebpf and tracee-rules
	Install      string   // --install-path of both
	EbpfArgs     []string // extra tracee-ebpf arguments
	RulesArgs    []string // extra tracee-rules arguments
	Select       string   // --rules
	Webhook      []string // --webhook... flags for tracee-rules
	ReadyTimeout time.Duration
	// StopGrace bounds each process's exit after it was asked to stop;
	// then it is killed (its BPF links are file descriptors: the kernel
	// detaches them when the process dies).
	StopGrace time.Duration
}

// ConfigFromEnv reads the TRACEE_* variables.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Bin:          getenv("TRACEE_BIN"),
		Install:      getenv("TRACEE_INSTALL_PATH"),
		EbpfArgs:     strings.Fields(getenv("TRACEE_EBPF_ARGS")),
		RulesArgs:    strings.Fields(getenv("TRACEE_RULES_ARGS")),
		Select:       getenv("TRACEE_RULES_SELECT"),
		ReadyTimeout: 60 * time.Second,
		StopGrace:    3 * time.Second,
	}
	if c.Bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("find the binaries (set TRACEE_BIN): %w", err)
		}
		c.Bin = filepath.Dir(exe)
	}
	if c.Install == "" {
		c.Install = "/tmp/tracee"
	}
	if s := getenv("TRACEE_WEBHOOK_CONFIG"); s != "" {
		w, err := ParseWebhook(s)
		if err != nil {
			return c, fmt.Errorf("TRACEE_WEBHOOK_CONFIG: %w", err)
		}
		c.Webhook = w
	}
	return c, nil
}

// ParseWebhook turns "url=URL,format=F,template=PATH,content-type=T" into
// tracee-rules flags. The format is falcosidekick unless given.
func ParseWebhook(s string) ([]string, error) {
	flags := map[string]string{"url": "--webhook", "format": "--webhook-format",
		"template": "--webhook-template", "content-type": "--webhook-content-type"}
	vals := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if _, known := flags[k]; !ok || !known || v == "" {
			return nil, fmt.Errorf("%q: want key=value with key url, format, template or content-type", kv)
		}
		if _, dup := vals[k]; dup {
			return nil, fmt.Errorf("%q: %s given twice", kv, k)
		}
		vals[k] = v
	}
	if vals["url"] == "" {
		return nil, fmt.Errorf("%q has no url=", s)
	}
	if vals["format"] == "" && vals["template"] == "" {
		vals["format"] = "falcosidekick"
	}
	var out []string
	for _, k := range []string{"url", "format", "template", "content-type"} {
		if v := vals[k]; v != "" {
			out = append(out, flags[k], v)
		}
	}
	return out, nil
}

func (c Config) ebpf() string  { return filepath.Join(c.Bin, "tracee-ebpf") }
func (c Config) rules() string { return filepath.Join(c.Bin, "tracee-rules") }

// PidFile is where tracee-ebpf says it is attached.
func (c Config) PidFile() string { return filepath.Join(c.Install, "out", "tracee.pid") }

// Main runs the launcher with args (without the program name) and returns
// the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	cfg, err := ConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "tracee: %v\n", err)
		return 2
	}
	if len(args) > 0 {
		switch args[0] {
		case "trace":
			return execve(stderr, cfg.ebpf(), append([]string{"--install-path", cfg.Install}, args[1:]...))
		case "rules":
			return execve(stderr, cfg.rules(), args[1:])
		case "ready":
			if err := Ready(cfg); err != nil {
				fmt.Fprintf(stderr, "tracee: not ready: %v\n", err)
				return 1
			}
			return 0
		}
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return Run(cfg, args, stdout, stderr, sigs)
}

// execve replaces the launcher with one binary (signals then go straight
// to it).
func execve(stderr io.Writer, path string, args []string) int {
	err := syscall.Exec(path, append([]string{filepath.Base(path)}, args...), os.Environ())
	fmt.Fprintf(stderr, "tracee: exec %s: %v\n", path, err)
	return 127
}

// Ready reports whether the pipeline's tracee-ebpf is running and attached.
func Ready(cfg Config) error {
	b, err := os.ReadFile(cfg.PidFile())
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return fmt.Errorf("%s: bad pid %q", cfg.PidFile(), b)
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("tracee-ebpf pid %d from %s: %w", pid, cfg.PidFile(), err)
	}
	return nil
}

// Policy returns the tracee-ebpf arguments that trace what the selected
// signatures need: `--policy FILE` with what `tracee-rules --list-policy`
// prints (written under the install path), or, from a tracee-rules that
// has no --list-policy, `--trace event=` with its --list-events. The second
// value describes the choice for the log.
func Policy(cfg Config) ([]string, string, error) {
	out, errText, err := listRules(cfg, "--list-policy")
	if err == nil {
		path := filepath.Join(cfg.Install, "policy.yaml")
		if err := os.MkdirAll(cfg.Install, 0o755); err != nil {
			return nil, "", fmt.Errorf("policy: %w", err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return nil, "", fmt.Errorf("policy: %w", err)
		}
		return []string{"--policy", path}, "policy " + path + " from tracee-rules --list-policy", nil
	}
	if !strings.Contains(errText, "unknown flag") {
		return nil, "", err
	}
	out, _, err = listRules(cfg, "--list-events")
	if err != nil {
		return nil, "", err
	}
	events := strings.TrimSpace(string(out))
	if events == "" {
		return nil, "", fmt.Errorf("%s --list-events printed no events", cfg.rules())
	}
	return []string{"--trace", "event=" + events}, "events: " + events, nil
}

// listRules runs tracee-rules with flag (and --rules) and returns stdout,
// stderr and an error naming the command.
func listRules(cfg Config, flag string) ([]byte, string, error) {
	args := []string{flag}
	if cfg.Select != "" {
		args = append(args, "--rules", cfg.Select)
	}
	var errb strings.Builder
	cmd := exec.Command(cfg.rules(), args...)
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return nil, errb.String(), fmt.Errorf("%s %s: %w: %s", cfg.rules(), strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out, errb.String(), nil
}

// child is one running process of the pipeline.
type child struct {
	name  string
	cmd   *exec.Cmd
	done  chan struct{}
	state *os.ProcessState
	at    time.Time // when it was reaped
}

func start(name string, cmd *exec.Cmd) (*child, error) {
	// Own process group: a terminal's Ctrl-C reaches the launcher only,
	// which stops the pipeline in order (tracer first, then the drain).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		c.state, c.at = cmd.ProcessState, time.Now()
		close(c.done)
	}()
	return c, nil
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// signaled reports a death by signal.
func (c *child) signaled() bool {
	ws, ok := c.state.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// code is the exit code, 128+N for a death by signal N.
func (c *child) code() int {
	if c.signaled() {
		return 128 + int(c.state.Sys().(syscall.WaitStatus).Signal())
	}
	return c.state.ExitCode()
}

func (c *child) signal(sig os.Signal) {
	if !c.exited() {
		c.cmd.Process.Signal(sig)
	}
}

// stop asks c to exit with sig and kills it after grace.
func (c *child) stop(sig os.Signal, grace time.Duration, stderr io.Writer) {
	c.signal(sig)
	select {
	case <-c.done:
	case <-time.After(grace):
		fmt.Fprintf(stderr, "tracee: %s did not exit within %v of %v: killing it\n", c.name, grace, sig)
		c.signal(syscall.SIGKILL)
		<-c.done
	}
}

// Run runs the pipeline until a signal arrives on sigs or either process
// ends, and returns the exit code.
func Run(cfg Config, args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "tracee: %v\n", err)
		return 1
	}
	policyArgs, policyText, err := Policy(cfg)
	if err != nil {
		return fail(fmt.Errorf("policy: %w", err))
	}
	// A pid file left by a tracer that was killed would fake readiness.
	if err := os.Remove(cfg.PidFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(fmt.Errorf("stale pid file: %w", err))
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	rulesArgs := []string{"--input-tracee", "file:stdin", "--input-tracee", "format:protobuf", "--install-path", cfg.Install}
	if cfg.Select != "" {
		rulesArgs = append(rulesArgs, "--rules", cfg.Select)
	}
	rulesArgs = append(append(append(rulesArgs, cfg.Webhook...), cfg.RulesArgs...), args...)
	ebpfArgs := append(append([]string{"--install-path", cfg.Install, "--output", "format:protobuf"}, policyArgs...), cfg.EbpfArgs...)

	rcmd := exec.Command(cfg.rules(), rulesArgs...)
	rcmd.Stdin, rcmd.Stdout, rcmd.Stderr = pr, stdout, stderr
	rules, err := start("tracee-rules", rcmd)
	pr.Close()
	if err != nil {
		pw.Close()
		return fail(err)
	}
	ecmd := exec.Command(cfg.ebpf(), ebpfArgs...)
	ecmd.Stdout, ecmd.Stderr = pw, stderr
	ebpf, err := start("tracee-ebpf", ecmd)
	pw.Close()
	if err != nil {
		rules.stop(syscall.SIGTERM, cfg.StopGrace, stderr)
		return fail(err)
	}
	fmt.Fprintf(stderr, "tracee: started tracee-ebpf (pid %d) | tracee-rules (pid %d); %s\n",
		ebpf.cmd.Process.Pid, rules.cmd.Process.Pid, policyText)

	ready := false
	readyDeadline := time.After(cfg.ReadyTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var first *child // the process that ended on its own first
	var stopSig bool // we were told to stop
	for {
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "tracee: %v: stopping tracee-ebpf, then tracee-rules drains its input\n", sig)
			stopSig = true
			ebpf.signal(sig)
			go func() { // a second signal, or a stuck tracer, ends it for good
				select {
				case <-ebpf.done:
				case <-time.After(cfg.StopGrace):
					fmt.Fprintf(stderr, "tracee: tracee-ebpf did not exit within %v of %v: killing it\n", cfg.StopGrace, sig)
					ebpf.signal(syscall.SIGKILL)
				}
			}()
		case <-ebpf.done:
			if !stopSig && first == nil {
				first = cause(ebpf, rules, stderr)
			}
			// End of stream: tracee-rules drains what it has and exits.
			select {
			case <-rules.done:
			case <-time.After(cfg.StopGrace):
				rules.stop(syscall.SIGTERM, cfg.StopGrace, stderr)
			}
			return exitCode(stopSig, first, ebpf, rules, stderr)
		case <-rules.done:
			if !stopSig && first == nil {
				first = cause(rules, ebpf, stderr)
			}
			ebpf.stop(syscall.SIGTERM, cfg.StopGrace, stderr)
			return exitCode(stopSig, first, ebpf, rules, stderr)
		case <-tick.C:
			if !ready && Ready(cfg) == nil {
				ready = true
				fmt.Fprintf(stderr, "tracee: ready: tracee-ebpf attached (%s)\n", cfg.PidFile())
			}
		case <-readyDeadline:
			if !ready && Ready(cfg) != nil {
				fmt.Fprintf(stderr, "tracee: tracee-ebpf not attached within %v: stopping\n", cfg.ReadyTimeout)
				ebpf.stop(syscall.SIGTERM, cfg.StopGrace, stderr)
				rules.stop(syscall.SIGTERM, cfg.StopGrace, stderr)
				return 1
			}
		}
	}
}

// firstDead is the process that ended the pipeline, c having just ended.
// Each follows the other within moments (tracee-rules exits at the end of
// its input, tracee-ebpf exits 0 when its reader is gone), so the other is
// given a second; when both ended, the one a signal killed is the cause,
// else tracee-ebpf if it failed (the producer), else tracee-rules. Reap
// order alone is no guide: a killed tracee-ebpf closes the pipe before its
// long teardown ends.
func firstDead(c, other *child) *child {
	select {
	case <-other.done:
	case <-time.After(time.Second):
		return c
	}
	ebpf, rules := c, other
	if c.name != "tracee-ebpf" {
		ebpf, rules = other, c
	}
	switch es, rs := ebpf.signaled(), rules.signaled(); {
	case es && rs:
		if rules.at.Before(ebpf.at) {
			return rules
		}
		return ebpf
	case es:
		return ebpf
	case rs:
		return rules
	case ebpf.code() != 0:
		return ebpf
	default:
		return rules
	}
}

// cause says which process ended the pipeline (firstDead) and returns it.
func cause(c, other *child, stderr io.Writer) *child {
	first := firstDead(c, other)
	survivor := other
	if first == other {
		survivor = c
	}
	fmt.Fprintf(stderr, "tracee: %s exited on its own (code %d): stopping %s\n", first.name, first.code(), survivor.name)
	return first
}

// exitCode: after a stop signal, the first non-zero of tracee-ebpf and
// tracee-rules; after one process ended on its own, its code, or 1 if that
// was 0 (the pipeline is not meant to end by itself).
func exitCode(stopSig bool, first, ebpf, rules *child, stderr io.Writer) int {
	if first != nil {
		code := first.code()
		if code == 0 {
			code = 1
		}
		fmt.Fprintf(stderr, "tracee: exit %d (%s ended the pipeline)\n", code, first.name)
		return code
	}
	for _, c := range []*child{ebpf, rules} {
		if code := c.code(); code != 0 {
			fmt.Fprintf(stderr, "tracee: %s exited with code %d\n", c.name, code)
			return code
		}
	}
	return 0
}
