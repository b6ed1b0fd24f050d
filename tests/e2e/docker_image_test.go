package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TracerContainer is the documented way to run the image (README "Docker"):
// host pid and cgroup namespaces, host network, two capabilities (not
// --privileged), /sys/kernel and the cgroup tree, and the Docker socket for
// container names and images.
func TracerContainer(name, image, dockerSock string) ContainerOptions {
	return ContainerOptions{
		Name: name, Image: image, Network: "host", PidHost: true, CgroupHost: true,
		CapAdd: []string{"SYS_ADMIN", "SYS_PTRACE", "SYSLOG"},
		Volumes: []string{"/sys/kernel:/sys/kernel", "/sys/fs/cgroup:/sys/fs/cgroup:ro",
			dockerSock + ":/var/run/docker.sock"},
	}
}

// detection is one readable finding line of tracee-rules.
type detection struct {
	ID, Command, Container string
	PID, HostPID           int
	Line                   string
}

var detectionLine = regexp.MustCompile(`Signature ID: (\S+) .* Command: (.*) PID: (\d+) \(host (\d+)\) UID: \d+ Container: (.*) Hostname: `)

func detections(out string) []detection {
	var ds []detection
	for _, line := range strings.Split(out, "\n") {
		m := detectionLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[3])
		host, _ := strconv.Atoi(m[4])
		ds = append(ds, detection{ID: m[1], Command: m[2], PID: pid, HostPID: host, Container: m[5], Line: line})
	}
	return ds
}

// linkIDs are the BPF link ids process pid holds (from its fdinfo).
func linkIDs(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("fds of tracee-ebpf (pid %d): %v", pid, err)
	}
	var ids []string
	for _, fd := range fds {
		target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if target != "anon_inode:bpf_link" {
			continue
		}
		info, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if m := regexp.MustCompile(`(?m)^link_id:\s+(\d+)`).FindSubmatch(info); m != nil {
			ids = append(ids, string(m[1]))
		}
	}
	return ids
}

// The image end to end: `make image` builds it with no registry, it runs
// with the documented command, detects an attack on the host and one in
// another container (with that container's name and image), a plain
// container start raises nothing, and `docker stop` ends it with exit code
// 0 within 5 s, its BPF links gone.
func TestDockerImage(t *testing.T) {
	d := StartDockerd(t)
	const image = "tracee-go:e2e"
	dist := t.TempDir()
	make := exec.Command("make", "image", "IMAGE="+image, "DIST="+dist)
	make.Dir, make.Env = repoRoot, d.Env()
	if out, err := make.CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}
	size, _ := strconv.ParseInt(d.Inspect(t, image, "{{.Size}}"), 10, 64)
	t.Logf("image %s: %.1f MB", image, float64(size)/1e6)
	attackImg := d.BuildScratchImage(t, "e2e-attack:1", map[string]string{"/anti_debug": StaticTrigger(t, "anti_debug")}, "/anti_debug")

	// Findings also go to a falcosidekick stand-in on the host's loopback
	// (the container shares the host network), configured by environment.
	sidekick := newSidekickReceiver(t, modeOK)
	opts := TracerContainer("tracee", image, d.Sock)
	opts.Env = append(opts.Env, "TRACEE_WEBHOOK_CONFIG=url="+sidekick.URL())
	tr := d.Start(t, opts)
	logs := func() (string, string) { return d.Logs(tr) }
	if !pollUntil(tracerTimeout, func() bool { _, e := logs(); return strings.Contains(e, "tracee: ready") }) {
		o, e := logs()
		t.Fatalf("tracee container not ready\nstderr:\n%s\nstdout:\n%s", e, o)
	}
	_, stderr := logs()
	m := regexp.MustCompile(`started tracee-ebpf \(pid (\d+)\)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no tracee-ebpf pid in the log:\n%s", stderr)
	}
	ebpfPid, _ := strconv.Atoi(m[1])
	links := linkIDs(t, ebpfPid)
	if len(links) == 0 {
		t.Fatalf("tracee-ebpf (pid %d) holds no BPF link", ebpfPid)
	}

	// A plain container start (the image itself, listing its signatures).
	plain := d.Start(t, ContainerOptions{Name: "e2e-plain", Image: image, Args: []string{"rules", "--list"}})
	d.MustDocker(t, "wait", plain)

	// The attack on the host.
	hostPid, _ := RunTrigger(t, "anti_debug")
	// The attack in another container.
	d.MustDocker(t, "run", "--name", "e2e-attacker", "--network", "none", attackImg)
	attacker := d.Inspect(t, "e2e-attacker", "{{.Id}}")

	var host, inContainer *detection
	pollUntil(findingTimeout, func() bool {
		out, _ := logs()
		host, inContainer = nil, nil
		for _, f := range detections(out) {
			if f.ID == "TRC-2" && f.HostPID == hostPid {
				host = &f
			}
			if f.ID == "TRC-2" && strings.HasPrefix(f.Container, attacker+" ") {
				inContainer = &f
			}
		}
		return host != nil && inContainer != nil
	})
	out, stderr := logs()
	t.Run("host attack", func(t *testing.T) {
		if host == nil {
			t.Fatalf("no TRC-2 finding for the host attack (pid %d)", hostPid)
		}
		if host.Container != "-" {
			t.Errorf("host finding has container %q:\n%s", host.Container, host.Line)
		}
	})
	t.Run("container attack with name and image", func(t *testing.T) {
		if inContainer == nil {
			t.Fatalf("no TRC-2 finding for the attack in container %s", attacker)
		}
		if want := attacker + " name=e2e-attacker image=e2e-attack:1"; inContainer.Container != want || inContainer.PID != 1 {
			t.Errorf("container finding: container %q pid %d, want %q pid 1:\n%s", inContainer.Container, inContainer.PID, want, inContainer.Line)
		}
	})
	t.Run("falcosidekick alert with container fields", func(t *testing.T) {
		rs, ok := sidekick.WaitAccepted(findingTimeout, func(rs []received) bool {
			for _, r := range rs {
				if fieldStr(r.Payload, "container.id") == attacker {
					return true
				}
			}
			return false
		})
		if !ok {
			t.Fatalf("no falcosidekick alert for container %s; %d accepted, refused: %q", attacker, len(rs), sidekick.Invalid())
		}
		for _, r := range rs {
			if fieldStr(r.Payload, "container.id") != attacker {
				continue
			}
			for k, want := range map[string]string{"container.name": "e2e-attacker", "container.image.repository": "e2e-attack",
				"container.image.tag": "1", "proc.vpid": "1"} {
				if got := fieldStr(r.Payload, k); got != want {
					t.Errorf("output_fields[%s] = %q, want %q\n%s", k, got, want, r.Body)
				}
			}
			if !strings.Contains(r.Payload.Output, "container.name=e2e-attacker container.image.repository=e2e-attack") {
				t.Errorf("output line %q lacks the container's name and image", r.Payload.Output)
			}
		}
	})
	// Starting containers (the plain one, the attacker) is ordinary: no
	// finding from the runtime's processes or the plain container.
	t.Run("plain container start raises no finding", func(t *testing.T) {
		runtimeComm := regexp.MustCompile(`^(runc.*|containerd.*|dockerd|docker-init|docker|exe)$`)
		for _, f := range detections(out) {
			if strings.HasPrefix(f.Container, plain) || runtimeComm.MatchString(f.Command) ||
				(strings.HasPrefix(f.Container, attacker) && f.ID != "TRC-2") {
				t.Errorf("a plain container start raised a finding:\n%s", f.Line)
			}
		}
	})

	t.Run("docker stop: exit 0 within 5s, links detached", func(t *testing.T) {
		start := time.Now()
		d.MustDocker(t, "stop", "--time", "10", tr)
		took := time.Since(start)
		code := d.Inspect(t, tr, "{{.State.ExitCode}}")
		t.Logf("docker stop took %v, exit code %s", took, code)
		if took > 5*time.Second {
			t.Errorf("docker stop took %v, want < 5s", took)
		}
		if code != "0" {
			_, e := logs()
			t.Errorf("tracee container exit code %s, want 0\n%s", code, e)
		}
		for _, id := range links {
			if out, err := exec.Command("bpftool", "link", "show", "id", id).CombinedOutput(); err == nil {
				t.Errorf("BPF link %s of tracee-ebpf still attached after docker stop:\n%s", id, out)
			}
		}
	})
	if t.Failed() {
		t.Logf("tracee stderr:\n%s\nstdout:\n%s", stderr, out)
	}
}

// progTags are the tags (hashes of the instructions) of the BPF programs
// process pid holds, sorted.
func progTags(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, fd := range fds {
		if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); target != "anon_inode:bpf-prog" {
			continue
		}
		info, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if m := regexp.MustCompile(`(?m)^prog_tag:\s+(\S+)`).FindSubmatch(info); m != nil {
			tags = append(tags, string(m[1]))
		}
	}
	slices.Sort(tags)
	return tags
}

// TRACEE_BPF_FILE: tracee-ebpf loads the object `make bpf` wrote. Proof: the
// log names the file with the sha256 the test recomputes, the programs the
// tracer holds have the embedded build's instruction tags for the same
// source and flags, and other tags for an object built with -mcpu=v3, which
// still traces. A garbage file and a mismatched object are refused with an
// error naming them.
func TestBPFFile(t *testing.T) {
	requirePrivileged(t)
	dist := t.TempDir()
	makeBPF := func(dir string, extra string) string {
		t.Helper()
		mk := exec.Command("make", "bpf", "DIST="+dir, "BPF_EXTRA_CFLAGS="+extra)
		mk.Dir = repoRoot
		if out, err := mk.CombinedOutput(); err != nil {
			t.Fatalf("make bpf %s: %v\n%s", extra, err, out)
		}
		return filepath.Join(dir, "tracee.bpf.core.o")
	}
	run := func(file string) *Tracer {
		t.Setenv("TRACEE_BPF_FILE", file)
		return LaunchTracer(t, "--trace", "event=ptrace", "--output", "format:json")
	}
	tr := run("")
	tr.WaitReady()
	embedded := progTags(t, tr.Pid())
	tr.StopEvents()
	if len(embedded) == 0 || !strings.Contains(tr.Stderr(), "object embedded") {
		t.Fatalf("embedded object: tags %v\n%s", embedded, tr.Stderr())
	}

	obj := makeBPF(dist, "")
	v3 := makeBPF(filepath.Join(dist, "v3"), "-mcpu=v3")
	for _, tc := range []struct {
		file           string
		sameAsEmbedded bool
	}{{obj, true}, {v3, false}} {
		sum := strings.Fields(runCmd(t, "sha256sum", tc.file))[0]
		tr := run(tc.file)
		tr.WaitReady()
		if want := "object " + tc.file + " (sha256 " + sum + ")"; !strings.Contains(tr.Stderr(), want) {
			t.Errorf("log does not name the loaded object %q:\n%s", want, tr.Stderr())
		}
		if tags := progTags(t, tr.Pid()); slices.Equal(tags, embedded) != tc.sameAsEmbedded {
			t.Errorf("%s: program tags %v, embedded %v: want equal=%v", tc.file, tags, embedded, tc.sameAsEmbedded)
		}
		pid, _ := RunTrigger(t, "anti_debug")
		tr.MustEvent("ptrace from "+tc.file, func(e EbpfEvent) bool { return e.EventName == "ptrace" && e.HostProcessID == pid })
		tr.StopEvents()
	}

	garbage := filepath.Join(dist, "garbage.o")
	os.WriteFile(garbage, []byte("this is not an ELF object"), 0o644)
	raw := filepath.Join(dist, "raw.o") // the raw_tracepoint build: other programs
	os.Rename(makeBPF(filepath.Join(dist, "raw"), "-DTRACEE_PROBE_READ"), raw)
	for file, want := range map[string]string{
		garbage:                         "is not a BPF object",
		raw:                             "does not match this tracee-ebpf",
		filepath.Join(dist, "absent.o"): "no such file",
	} {
		tr := run(file)
		code := tr.Stop(0) // already exiting: waits
		if code == 0 || !strings.Contains(tr.Stderr(), "TRACEE_BPF_FILE") || !strings.Contains(tr.Stderr(), file) || !strings.Contains(tr.Stderr(), want) {
			t.Errorf("TRACEE_BPF_FILE=%s: exit %d, want an error naming it and %q:\n%s", file, code, want, tr.Stderr())
		}
	}
}

// Container enrichment from the runtimes' APIs, end to end on the host:
// tracee-ebpf asks Docker and containerd (--cri) and its JSON events carry
// Tracee's container and kubernetes objects, for a Docker container with
// Kubernetes labels and for a container that containerd runs in the
// Kubernetes namespace (k8s.io, as the CRI plugin does, here through ctr
// with a kubepods cgroup).
func TestRuntimeEnrichment(t *testing.T) {
	d := StartDockerd(t)
	ctrd := filepath.Join(d.Dir, "exec", "containerd", "containerd.sock")
	img := d.BuildScratchImage(t, "e2e-attack:1", map[string]string{"/anti_debug": StaticTrigger(t, "anti_debug")}, "/anti_debug")
	// The trigger containers live for a millisecond and their cgroup is
	// removed right after, long before this quiet tracer reads its ring
	// (every 100 ms): the container id comes from the cgroup_mkdir event.
	tr := StartTracer(t, "--output", "format:json", "--trace", "event=ptrace",
		"--cri", "docker:"+d.Sock, "--cri", "containerd:"+ctrd)

	labels := []string{"--label", "io.kubernetes.pod.name=shop-7f9c", "--label", "io.kubernetes.pod.namespace=shop",
		"--label", "io.kubernetes.pod.uid=0b6f2c1e-4a1d", "--label", "io.kubernetes.container.name=web"}
	d.MustDocker(t, append(append([]string{"run", "--name", "e2e-labelled", "--network", "none"}, labels...), img)...)
	id := d.Inspect(t, "e2e-labelled", "{{.Id}}")
	imageID := d.Inspect(t, img, "{{.Id}}")
	e := tr.MustEvent("ptrace in the Docker container", func(e EbpfEvent) bool { return e.EventName == "ptrace" && e.ContainerID == id })
	if c, k := e.Container, e.Kubernetes; c.ID != id || c.Name != "web" || c.Image != img || c.ImageDigest != imageID ||
		k.PodName != "shop-7f9c" || k.PodNamespace != "shop" || k.PodUID != "0b6f2c1e-4a1d" {
		t.Errorf("docker container event: container %+v kubernetes %+v; want id %s name web image %s digest %s, pod shop/shop-7f9c", c, k, id, img, imageID)
	}

	// The same image in containerd's k8s.io namespace.
	tarball := filepath.Join(d.Dir, "attack.tar")
	d.MustDocker(t, "save", "-o", tarball, img)
	ctr := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("ctr", append([]string{"-a", ctrd, "-n", "k8s.io"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ctr %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	ctr("images", "import", tarball)
	ref := "docker.io/library/" + img
	digest := strings.Fields(ctr("images", "ls", "name=="+ref))
	cid := strings.Repeat("5e", 32)
	// Not --rm: like the kubelet, keep the container after it exits (the
	// runtime can only name containers it still knows).
	ctr(append(append([]string{"run", "--net-host", "--cgroup", "/kubepods/besteffort/pod0b6f2c1e-4a1d/" + cid}, labels...), ref, cid)...)
	defer exec.Command("ctr", "-a", ctrd, "-n", "k8s.io", "containers", "rm", cid).Run()
	e = tr.MustEvent("ptrace in the containerd container", func(e EbpfEvent) bool { return e.EventName == "ptrace" && e.ContainerID == cid })
	if c, k := e.Container, e.Kubernetes; c.Name != "web" || c.Image != ref || !strings.HasPrefix(c.ImageDigest, "sha256:") ||
		!slicesContains(digest, c.ImageDigest) || k.PodName != "shop-7f9c" || k.PodNamespace != "shop" || k.PodUID != "0b6f2c1e-4a1d" {
		t.Errorf("containerd container event: container %+v kubernetes %+v; want name web image %s, a digest among %q, pod shop/shop-7f9c", c, k, ref, digest)
	}
	tr.StopEvents()
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
