package e2e

// A private Docker engine for tests: each test that needs containers starts
// its own dockerd (with its own containerd) under a short temporary
// directory, talks to it through DOCKER_HOST, and stops it at cleanup. It
// never touches the host's /var/run/docker.sock, creates no bridge and no
// iptables rules: containers run with --network none or --network host.
//
//	d := StartDockerd(t)
//	img := d.BuildScratchImage(t, "e2e-attack:1", map[string]string{"/attack": StaticTrigger(t, "anti_debug")}, "/attack")
//	out := d.Run(t, ContainerOptions{Image: img, Network: "none"})
//
// Nothing is installed here: dockerd comes from `make deps` (docker.io). The
// test skips with the reason where no Docker engine can be installed (not
// root, no dockerd), and fails instead under CI=true.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dockerdTimeout bounds the daemon's start and its shutdown.
const dockerdTimeout = 60 * time.Second

// Dockerd is one private Docker engine.
type Dockerd struct {
	Dir  string // everything of this daemon lives under it
	Sock string // its API socket
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
}

// requireDocker is requirePrivileged for tests that need a Docker engine:
// root, eBPF and the dockerd, docker and gcc (static triggers) binaries.
func requireDocker(t *testing.T) {
	t.Helper()
	requirePrivileged(t)
	var missing []string
	for _, b := range []string{"dockerd", "docker", "containerd", "runc", "ctr"} {
		if _, err := exec.LookPath(b); err != nil {
			missing = append(missing, b)
		}
	}
	if len(missing) == 0 {
		return
	}
	reason := fmt.Sprintf("no Docker engine: %s not in PATH (make deps installs docker.io)", strings.Join(missing, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatalf("docker: test cannot run under CI=true: %s", reason)
	}
	t.Skip("docker: " + reason)
}

// StartDockerd starts a private dockerd and waits until it answers; it is
// stopped (containers removed, mounts gone, directory removed) at cleanup.
func StartDockerd(t *testing.T) *Dockerd {
	t.Helper()
	requireDocker(t)
	// Short: unix socket paths (ours and containerd's under exec) are
	// limited to 108 bytes, and t.TempDir names grow with the test name.
	dir, err := os.MkdirTemp("", "dkd-")
	if err != nil {
		t.Fatal(err)
	}
	d := &Dockerd{Dir: dir, Sock: filepath.Join(dir, "docker.sock"), done: make(chan struct{})}
	if d.log, err = os.Create(filepath.Join(dir, "dockerd.log")); err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command("dockerd",
		"--bridge=none", "--iptables=false", "--ip6tables=false",
		"--data-root", filepath.Join(dir, "root"),
		"--exec-root", filepath.Join(dir, "exec"),
		"-H", "unix://"+d.Sock,
		"--pidfile", filepath.Join(dir, "docker.pid"))
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("start dockerd: %v", err)
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() { d.stop(t) })

	deadline := time.Now().Add(dockerdTimeout)
	for {
		if _, err := d.Docker("version", "--format", "{{.Server.Version}}"); err == nil {
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("dockerd exited before it answered (%v)\n%s", d.cmd.ProcessState, d.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dockerd did not answer within %v\n%s", dockerdTimeout, d.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Env is the environment for a docker CLI talking to this daemon.
func (d *Dockerd) Env() []string {
	return append(os.Environ(), "DOCKER_HOST=unix://"+d.Sock, "DOCKER_BUILDKIT=0",
		"DOCKER_CONFIG="+filepath.Join(d.Dir, "cli"))
}

// Command is a docker CLI command against this daemon.
func (d *Dockerd) Command(args ...string) *exec.Cmd {
	cmd := exec.Command("docker", args...)
	cmd.Env = d.Env()
	return cmd
}

// Docker runs the docker CLI and returns its combined output.
func (d *Dockerd) Docker(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dockerdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = d.Env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// MustDocker is Docker that fails the test.
func (d *Dockerd) MustDocker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := d.Docker(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Log is the daemon's log so far (its tail), for failure messages.
func (d *Dockerd) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.Dir, "dockerd.log"))
	if len(b) > 8000 {
		b = append([]byte("...\n"), b[len(b)-8000:]...)
	}
	return string(b)
}

// BuildScratchImage builds tag FROM scratch with files (path in the image
// → path on the host; static binaries) and the given entrypoint.
func (d *Dockerd) BuildScratchImage(t *testing.T, tag string, files map[string]string, entrypoint ...string) string {
	t.Helper()
	ctx := filepath.Join(d.Dir, "build-"+strings.NewReplacer(":", "-", "/", "-").Replace(tag))
	var df strings.Builder
	df.WriteString("FROM scratch\n")
	i := 0
	for dst, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("f%d", i)
		i++
		if err := os.MkdirAll(ctx, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&df, "COPY %s %s\n", name, dst)
	}
	if len(entrypoint) > 0 {
		q := make([]string, len(entrypoint))
		for i, a := range entrypoint {
			q[i] = fmt.Sprintf("%q", a)
		}
		fmt.Fprintf(&df, "ENTRYPOINT [%s]\n", strings.Join(q, ", "))
	}
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(df.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d.MustDocker(t, "build", "-q", "-t", tag, ctx)
	return tag
}

// StaticTrigger compiles tests/triggers/NAME.c statically (for FROM
// scratch images) and returns the binary's path.
func StaticTrigger(t *testing.T, name string) string {
	t.Helper()
	out := filepath.Join(binDir, name+".static")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	src := filepath.Join(repoRoot, "tests", "triggers", name+".c")
	if b, err := exec.Command("gcc", "-O2", "-static", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc -static %s: %v\n%s", src, err, b)
	}
	return out
}

// ContainerOptions describe one docker run. Network is "none" or "host"
// (never a bridge); capabilities are explicit (--privileged fails here).
type ContainerOptions struct {
	Name       string
	Image      string
	Network    string   // "none" (default) or "host"
	PidHost    bool     // --pid host
	CgroupHost bool     // --cgroupns host
	CapAdd     []string // e.g. SYS_ADMIN, or ALL (with CapDrop SYS_RESOURCE)
	CapDrop    []string
	Volumes    []string // -v host:container[:ro]
	Env        []string // -e KEY=VALUE
	Args       []string // after the image
}

// runArgs is the docker run argument list for o (without "run").
func (o ContainerOptions) runArgs() []string {
	network := o.Network
	if network == "" {
		network = "none"
	}
	if network != "none" && network != "host" {
		panic("docker network must be none or host, not " + network)
	}
	args := []string{"--network", network}
	if o.Name != "" {
		args = append(args, "--name", o.Name)
	}
	if o.PidHost {
		args = append(args, "--pid", "host")
	}
	if o.CgroupHost {
		args = append(args, "--cgroupns", "host")
	}
	for _, c := range o.CapAdd {
		args = append(args, "--cap-add", c)
	}
	for _, c := range o.CapDrop {
		args = append(args, "--cap-drop", c)
	}
	for _, v := range o.Volumes {
		args = append(args, "-v", v)
	}
	for _, e := range o.Env {
		args = append(args, "-e", e)
	}
	return append(append(args, o.Image), o.Args...)
}

// Run runs a container to completion (--rm) and returns its output; a
// non-zero exit fails the test.
func (d *Dockerd) Run(t *testing.T, o ContainerOptions) string {
	t.Helper()
	return d.MustDocker(t, append([]string{"run", "--rm"}, o.runArgs()...)...)
}

// Start starts a detached container and returns its id; it is removed at
// cleanup (before the daemon stops).
func (d *Dockerd) Start(t *testing.T, o ContainerOptions) string {
	t.Helper()
	id := strings.TrimSpace(d.MustDocker(t, append([]string{"run", "-d"}, o.runArgs()...)...))
	t.Cleanup(func() { d.Docker("rm", "-f", id) })
	return id
}

// Logs is a container's stdout and stderr so far.
func (d *Dockerd) Logs(id string) (stdout, stderr string) {
	var o, e strings.Builder
	cmd := d.Command("logs", id)
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Run()
	return o.String(), e.String()
}

// Inspect is one field of docker inspect (a Go template such as
// {{.State.Pid}}).
func (d *Dockerd) Inspect(t *testing.T, id, format string) string {
	t.Helper()
	return strings.TrimSpace(d.MustDocker(t, "inspect", "--format", format, id))
}

// stop removes every container, stops the daemon (SIGTERM, then SIGKILL of
// its process group), detaches what it left mounted and removes its dir.
func (d *Dockerd) stop(t *testing.T) {
	if ids, err := d.Docker("ps", "-aq"); err == nil && strings.TrimSpace(ids) != "" {
		d.Docker(append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(dockerdTimeout):
		t.Errorf("dockerd did not exit within %v of SIGTERM; killing it\n%s", dockerdTimeout, d.Log())
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
	d.log.Close()
	unmountUnder(d.Dir)
	if err := os.RemoveAll(d.Dir); err != nil {
		t.Logf("remove %s: %v", d.Dir, err)
	}
}

// unmountUnder lazily unmounts every mount point below dir, deepest first.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			points = append(points, fields[4])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}
