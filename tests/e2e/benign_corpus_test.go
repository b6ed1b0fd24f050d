package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The benign corpus: ordinary software that looks like the techniques to
// a detector matching calls instead of behaviour — 32-bit programs (and a
// -m32 build), debuggers starting their target (strace, its fault
// injection, gdb), fexecve and
// /proc/self/fd exec of an on-disk file, a socket-activated service (a
// listening socket as stdin), an io_uring server and client (accept,
// connect, opens and writes through a ring), a Docker container start (runc's re-exec,
// the daemon's environment), a package installation, Python, and JIT
// runtimes (node, java) on the default exclusions. Every signature is
// loaded. The debuggers run first and are judged by ALL signatures (a
// tracer reading its tracee's memory, stopping it, starting it with
// TRACEME is what debuggers do); the rest of the corpus is judged by
// TRC-1 to TRC-7 (the catalogue's other signatures have their own benign
// tests, and a package install or a container start is what some of them
// are about). The tracer sees only this test's process tree (tree=), so
// other work on the machine cannot interfere; a known attack at the end of
// each phase proves the pipeline was alive and caught up.
func TestBenignCorpus(t *testing.T) {
	// The seven signatures the whole corpus is about (issue 10). The opt-in
	// Rego twins (TRC-2-REGO, ...) are Tracee's stateless originals, kept for
	// parity with Tracee: by design they still report a debugger's TRACEME,
	// so they are not loaded.
	core := []string{"TRC-1", "TRC-2", "TRC-3", "TRC-4", "TRC-5", "TRC-6", "TRC-7"}
	p := StartPipeline(t, PipelineOptions{Rules: allGoSignatures(t),
		EbpfArgs: []string{"--trace", "tree=" + strconv.Itoa(os.Getpid())}})
	dir := t.TempDir()
	hello := filepath.Join(dir, "hello.c")
	if err := os.WriteFile(hello, []byte("#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(what string, argv ...string) {
		t.Helper()
		if _, err := exec.LookPath(argv[0]); err != nil {
			t.Errorf("%s: %v (make deps installs it)", what, err)
			return
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", what, err, out)
		}
	}
	// sentinel runs a known attack and waits for its finding: everything
	// before it has been judged. It returns the sentinel's pid.
	sentinel := func() int {
		t.Helper()
		adPid, _ := runTriggerPid(t, "anti_debug")
		mustFind(t, p, "the sentinel anti_debug trigger", bySigPid("TRC-2", adPid))
		time.Sleep(time.Second) // events of other CPUs may trail the sentinel's
		return adPid
	}

	// Phase 1: debuggers, every signature.
	run("strace ls", "strace", "-f", "-o", "/dev/null", "ls", "/")
	run("gdb -batch -ex run", "gdb", "-batch", "-ex", "run", "--args", "/bin/true")
	// strace's fault injection rewrites the return value in its tracee's
	// registers (PTRACE_POKEUSER) after PTRACE_SEIZE of the child it
	// started: TRC-3 by design (below)
	inject := exec.Command("strace", "-f", "-o", "/dev/null", "-e", "inject=uname:retval=0", "uname")
	if out, err := inject.CombinedOutput(); err != nil {
		t.Errorf("strace -e inject: %v\n%s", err, out)
	}
	s1 := sentinel()
	phase1 := len(p.Findings())
	var bad, injected []Finding
	for _, f := range p.Findings()[:phase1] {
		switch {
		case f.Event.HostProcessID == s1:
		case f.Event.HostProcessID == inject.Process.Pid && injectionByDesign(f):
			injected = append(injected, f)
		default:
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d findings on strace/gdb (every signature loaded):\n%s", len(bad), describe(bad))
	}
	if len(injected) == 0 {
		t.Errorf("strace -e inject: no TRC-3 finding (by design: a tracer that attached and writes registers)")
	}

	// Phase 2: the rest of the corpus, TRC-1 to TRC-7.
	h32 := filepath.Join(dir, "hello32")
	run("gcc -m32 build", "gcc", "-m32", "-O2", "-o", h32, hello)
	run("32-bit hello world", h32)
	run("gcc -m32 -static build", "gcc", "-m32", "-static", "-O2", "-o", h32+"s", hello)
	run("32-bit static hello world", h32+"s")
	for _, mode := range []string{"fexecve", "proc-fd", "inetd", "traceme-exec"} {
		for _, b := range []string{"benign_exec", "benign_exec-m32"} {
			run(b+" "+mode, bin(b), mode)
		}
	}
	for _, b := range []string{"uring", "uring-m32"} { // an io_uring server and client, fds 0-2 untouched
		run(b+" benign", bin(b), "benign", dir)
	}
	run("python", "python3", "-c", "import json, subprocess, ctypes; print(json.dumps(subprocess.run(['true']).returncode))")
	run("node (JIT)", "node", "-e", "let s=0; for (let i=0;i<1e6;i++) s+=Math.sqrt(i); console.log(s > 0)")
	if _, err := exec.LookPath("java"); err == nil { // not in make deps (large); node is the JIT every run has
		run("java (JIT)", "java", "-version")
	}
	t.Run("package", func(t *testing.T) { installLocalDeb(t, dir) })
	t.Run("docker", func(t *testing.T) {
		d := StartDockerd(t)
		img := d.BuildScratchImage(t, "e2e-benign:1", map[string]string{"/hello": StaticTrigger(t, "benign_exec"),
			"/bin/true": StaticTrigger(t, "benign_exec")}, "/hello")
		out := d.Run(t, ContainerOptions{Image: img, Args: []string{"fexecve"}})
		if !strings.Contains(out, "pid=1 ") {
			t.Errorf("container output %q", out)
		}
	})

	s2 := sentinel()
	p.Stop()
	bad = nil
	for _, f := range p.Findings()[phase1:] {
		if f.Event.HostProcessID != s2 && slices.Contains(core, f.SignatureMetadata.ID) {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d findings on benign software:\n%s", len(bad), describe(bad))
	}
}

// injectionByDesign: strace -e inject writes into the registers of the
// process it attached to (PTRACE_SEIZE, then POKEUSER/SETREGS*), and TRC-3
// reports writes after an attach even into one's own child — that is how a
// process hollows out a program it spawned; only a program that asked to
// be traced (PTRACE_TRACEME: gdb's run) is a debugger's own. strace ls and
// gdb raise nothing.
func injectionByDesign(f Finding) bool {
	return f.SignatureMetadata.ID == "TRC-3" && f.Event.EventName == "ptrace"
}

// allGoSignatures lists every signature tracee-rules has except the
// opt-in Rego twins of TRC-1 to TRC-7 (Tracee's stateless originals).
func allGoSignatures(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command(bin("tracee-rules"), "--list").Output()
	if err != nil {
		t.Fatalf("tracee-rules --list: %v", err)
	}
	var ids []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 && len(ids) > 0 {
			break // the unavailable detections follow
		}
		if len(f) == 0 || !strings.HasPrefix(f[0], "TRC-") && !strings.HasPrefix(f[0], "FAL-") || strings.HasSuffix(f[0], "-REGO") {
			continue
		}
		ids = append(ids, f[0])
	}
	if len(ids) < 8 {
		t.Fatalf("tracee-rules --list names %d signatures:\n%s", len(ids), out)
	}
	return ids
}

// installLocalDeb builds a tiny package (a file and a postinst script) and
// installs and removes it with apt-get (offline: a local .deb), then dpkg.
func installLocalDeb(t *testing.T, dir string) {
	root := filepath.Join(dir, "pkg")
	for name, body := range map[string]string{
		"DEBIAN/control":                         "Package: tracee-e2e-benign\nVersion: 1.0\nArchitecture: all\nMaintainer: e2e <e2e@localhost>\nDescription: benign corpus\n",
		"DEBIAN/postinst":                        "#!/bin/sh\nset -e\nldconfig\necho installed > /dev/null\n",
		"usr/share/doc/tracee-e2e-benign/README": "benign\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "postinst") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(dir, "tracee-e2e-benign.deb")
	for _, argv := range [][]string{
		{"dpkg-deb", "--build", root, deb},
		{"apt-get", "install", "-y", deb},
		{"apt-get", "remove", "-y", "tracee-e2e-benign"},
		{"dpkg", "-i", deb},
		{"dpkg", "--purge", "tracee-e2e-benign"},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
}
