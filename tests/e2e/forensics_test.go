package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func sum256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkArtifact checks that a finding names an artifact of kind whose
// stored file exists and hashes to the sha256 it gives (and to want, when
// set).
func checkArtifact(t *testing.T, f Finding, kind, want string) []byte {
	t.Helper()
	if k := dataStr(f, "artifact_kind"); k != kind {
		t.Errorf("%s finding on %s: artifact_kind %q, want %q (data %v)", f.SignatureMetadata.ID, f.Event.EventName, k, kind, f.Data)
		return nil
	}
	path, sum := dataStr(f, "artifact_path"), dataStr(f, "artifact_sha256")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s finding: artifact %s: %v", f.SignatureMetadata.ID, path, err)
		return nil
	}
	if got := sum256(b); got != sum {
		t.Errorf("%s finding: %s hashes to %s, the finding says %s", f.SignatureMetadata.ID, path, got, sum)
	}
	if want != "" && sum != want {
		t.Errorf("%s finding: artifact sha256 %s, want %s", f.SignatureMetadata.ID, sum, want)
	}
	return b
}

// waitFinding waits for a finding of signature id for pid that matches.
func waitFinding(t *testing.T, p *Pipeline, id string, pid int, match func(Finding) bool) Finding {
	t.Helper()
	f, ok := p.WaitFor(20*time.Second, func(f Finding) bool { return bySigPid(id, pid)(f) && match(f) })
	if !ok {
		t.Fatalf("no %s finding with its artifact for pid %d\n%s", id, pid, p.Diagnostics())
	}
	return f
}

func hasArtifact(f Finding) bool { return dataStr(f, "artifact_sha256") != "" }

// The attack triggers under --capture: every artifact is stored, each
// finding names its artifact (sha256 and path), and the recording of the
// run replays through tracee-rules into byte-identical findings, also when
// it is cut in the middle of a frame.
func TestForensicsCaptureLinkReplay(t *testing.T) {
	watch := t.TempDir()
	rec := filepath.Join(t.TempDir(), "rec.pb")
	p := StartPipeline(t, PipelineOptions{Unix: true, EbpfArgs: []string{
		"--trace", "tree=" + strconv.Itoa(os.Getpid()),
		"--output", "out-file:" + rec,
		"--capture", "exec,mem,module,bpf,write=" + watch + "/*,write=/etc/ld.so.preload",
	}})
	out := filepath.Join(p.install, "out")
	trueBin, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}

	// TRC-5: a memfd payload (a copy of /bin/true) that exits at once.
	pid, _ := runTriggerPid(t, "fileless", "execveat")
	f := waitFinding(t, p, "TRC-5", pid, hasArtifact)
	if got := checkArtifact(t, f, "exec", sum256(trueBin)); got != nil && !bytes.Equal(got, trueBin) {
		t.Errorf("stored memfd payload differs from /bin/true")
	}

	// TRC-6: init_module's image and finit_module's file (both fail with
	// ENOSYS here: the attempts are the evidence).
	modFile := filepath.Join(t.TempDir(), "evil.ko")
	modBytes := append([]byte("\x7fELF pretend module "), bytes.Repeat([]byte{0xcc}, 9000)...)
	if err := os.WriteFile(modFile, modBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	pid, _ = runTriggerPid(t, "kmod", "both", modFile)
	image := make([]byte, 64)
	copy(image, "\x7fELF not-a-module")
	f = waitFinding(t, p, "TRC-6", pid, func(f Finding) bool { return f.Event.EventName == "init_module" && hasArtifact(f) })
	checkArtifact(t, f, "module", sum256(image))
	f = waitFinding(t, p, "TRC-6", pid, func(f Finding) bool { return f.Event.EventName == "finit_module" && hasArtifact(f) })
	checkArtifact(t, f, "module", sum256(modBytes))
	// The same from a -m32 build (i386 syscalls).
	pid, _ = runTriggerPid(t, "kmod-m32", "init")
	f = waitFinding(t, p, "TRC-6", pid, func(f Finding) bool { return f.Event.EventName == "init_module" && hasArtifact(f) })
	checkArtifact(t, f, "module", sum256(image))

	// TRC-4: a W+X region made executable, dumped by the kernel at the
	// mprotect's exit (the process exits right after).
	pid, _ = runTriggerPid(t, "wx_mem", "wx-to-x")
	f = waitFinding(t, p, "TRC-4", pid, hasArtifact)
	if b := checkArtifact(t, f, "mem", ""); b != nil && len(b) != 4096 {
		t.Errorf("W+X dump has %d bytes, want the 4096 of the region", len(b))
	}

	// TRC-7: the program started with LD_PRELOAD (the trigger exec's
	// /bin/true in place).
	pid, _ = runTriggerPid(t, "ld_preload", "env-last")
	f = waitFinding(t, p, "TRC-7", pid, hasArtifact)
	checkArtifact(t, f, "exec", sum256(trueBin))

	// TRC-7 on /etc/ld.so.preload opened for writing: the finding names
	// where the file's writes are captured (nothing is written yet, so no
	// sha256).
	pid, _ = runTriggerPid(t, "ld_preload", "preload-file")
	f = waitFinding(t, p, "TRC-7", pid, func(f Finding) bool { return dataStr(f, "artifact_kind") == "write" })
	if path := dataStr(f, "artifact_path"); !strings.HasPrefix(path, filepath.Join(out, "write", "dev-")) {
		t.Errorf("TRC-7 on ld.so.preload: artifact_path %q", path)
	}
	// Written (in the trigger's own mount namespace, over a tmpfs): the
	// writer's exit brings a follow-up naming the written bytes' sha256
	// (replayed like every other finding below).
	pid, _ = runTriggerPid(t, "ld_preload", "preload-write", "/tmp/replayed.so\n")
	f = waitFinding(t, p, "TRC-7", pid, func(f Finding) bool { return dataStr(f, "artifact_kind") == "written" })
	checkArtifact(t, f, "written", sum256([]byte("/tmp/replayed.so\n")))

	// bpf(BPF_PROG_LOAD): the two instructions "r0 = 0; exit".
	pid, _ = runTriggerPid(t, "bpf_load")
	insns := []byte{0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	var bpfRec map[string]any
	if !pollUntil(15*time.Second, func() bool {
		for _, m := range indexLines(t, filepath.Join(out, "bpf")) {
			if int(m["hostPid"].(float64)) == pid {
				bpfRec = m
				return true
			}
		}
		return false
	}) {
		t.Fatalf("BPF program of pid %d not captured: %v\n%s", pid, indexLines(t, filepath.Join(out, "bpf")), p.Diagnostics())
	}
	if bpfRec["progName"] != "trig_prog" || bpfRec["progType"] != "socket_filter" || bpfRec["sha256"] != sum256(insns) {
		t.Errorf("bpf index line %v, want trig_prog, socket_filter, sha256 %s", bpfRec, sum256(insns))
	}
	if b, err := os.ReadFile(filepath.Join(out, "bpf", sum256(insns))); err != nil || !bytes.Equal(b, insns) {
		t.Errorf("stored instructions % x (%v), want % x", b, err, insns)
	}

	// write=PREFIX: a write and a pwrite under the watched directory, byte for byte.
	payload := make([]byte, 20000)
	rand.Read(payload)
	target := filepath.Join(watch, "dropped.bin")
	wf, err := os.Create(target)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Write(payload[:12000]); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.WriteAt(payload[12000:], 12000); err != nil {
		t.Fatal(err)
	}
	wf.Close()
	var st syscall.Stat_t
	if err := syscall.Stat(target, &st); err != nil {
		t.Fatal(err)
	}
	var captured []byte
	if !pollUntil(15*time.Second, func() bool {
		var n int
		for _, m := range indexLines(t, filepath.Join(out, "write")) {
			if m["pathname"] == target {
				n++
			}
		}
		if n < 2 {
			return false
		}
		ents, _ := filepath.Glob(filepath.Join(out, "write", fmt.Sprintf("dev-*.inode-%d", st.Ino)))
		if len(ents) != 1 {
			return false
		}
		captured, _ = os.ReadFile(ents[0])
		return len(captured) == len(payload)
	}) {
		t.Fatalf("writes to %s not captured: %v\n%s", target, indexLines(t, filepath.Join(out, "write")), p.Diagnostics())
	}
	if !bytes.Equal(captured, payload) {
		t.Errorf("captured writes differ from what was written")
	}

	p.Stop()
	live := p.raw.String()
	if live == "" {
		t.Fatal("no findings")
	}

	// Replay the recording: byte-identical findings.
	replay := func(path string) (string, string) {
		cmd := exec.Command(bin("tracee-rules"), "--input-tracee", "file:"+path, "--input-tracee", "format:protobuf", "--output", "format:json")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Run()
		return stdout.String(), stderr.String()
	}
	got, stderr := replay(rec)
	t.Logf("%d live findings; recording %s", strings.Count(live, "\n"), rec)
	if got != live {
		t.Errorf("replayed findings differ from the live ones\nlive:\n%s\nreplay:\n%s\nstderr:\n%s", live, got, stderr)
	}

	// A recording cut in the middle of its last frame replays up to the
	// last complete frame, with a warning naming the cut.
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pb")
	if err := os.WriteFile(cut, data[:len(data)-5], 0o600); err != nil {
		t.Fatal(err)
	}
	got, stderr = replay(cut)
	if !strings.HasPrefix(live, got) || strings.Count(got, "\n") < strings.Count(live, "\n")-1 {
		t.Errorf("cut recording replayed into %d findings, live had %d\n%s", strings.Count(got, "\n"), strings.Count(live, "\n"), stderr)
	}
	t.Logf("cut recording: %d findings; %s", strings.Count(got, "\n"), strings.TrimSpace(stderr))
	if !strings.Contains(stderr, "truncated") {
		t.Errorf("no warning about the cut frame: %s", stderr)
	}

	// tracee-ebpf prints the recording as it would have live, with
	// --trace applied offline; the artifacts travel with the events.
	cmd := exec.Command(bin("tracee-ebpf"), "--input", rec, "--output", "format:json",
		"--trace", "event=init_module,finit_module", "--trace", "comm=kmod")
	outJSON, err := cmd.Output()
	if err != nil {
		t.Fatalf("tracee-ebpf --input: %v", err)
	}
	evs := decodeEvents(t, string(outJSON))
	if len(evs) != 2 {
		t.Fatalf("replay printed %d events, want init_module and finit_module of kmod:\n%s", len(evs), outJSON)
	}
	if !strings.Contains(string(outJSON), sum256(modBytes)) {
		t.Errorf("finit_module's artifact missing from the replayed JSON:\n%s", outJSON)
	}
}

// mountTmpfs mounts a small tmpfs for the test (ro: read-only).
func mountTmpfs(t *testing.T, size string, ro bool) string {
	t.Helper()
	dir := t.TempDir()
	opts := "size=" + size
	if ro {
		opts += ",ro"
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tracee-test", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// Bad capture settings are refused before anything is attached, naming
// what is wrong.
func TestForensicsBadSettings(t *testing.T) {
	requirePrivileged(t)
	ro := mountTmpfs(t, "1M", true)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--capture", "exec", "--capture", "dir:" + ro + "/cap"}, ro + "/cap"},
		{[]string{"--capture", "exec,bogus"}, `unknown capture option "bogus"`},
		{[]string{"--capture", "write=relative/*"}, `write prefix "relative/"`},
		{[]string{"--capture", "pcap-options:filtered"}, `capturing "pcap-options" is not supported`},
		{[]string{"--capture", "pcap:eth0"}, "pcap:eth0: want single, process, container or command"},
		{[]string{"--output", "format:json", "--output", "rotate:1M"}, "rotate"},
	} {
		cmd := exec.Command(bin("tracee-ebpf"), append([]string{"--install-path", t.TempDir()}, tc.args...)...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("tracee-ebpf %q: %v, output %q; want an error naming %q", tc.args, err, out, tc.want)
		}
	}
}

// A full capture budget, and a full disk, stop the captures with a warning
// and a counter; tracing goes on.
func TestForensicsBudgetAndFullDisk(t *testing.T) {
	for _, tc := range []struct {
		name, warn string
		dir        func(t *testing.T) string
		extra      string
	}{
		{"budget", "capture budget of 10240 bytes spent", func(t *testing.T) string { return t.TempDir() }, ",budget=10K"},
		{"full disk", "no space left", func(t *testing.T) string { return mountTmpfs(t, "64K", false) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			watch := t.TempDir()
			tr := StartTracer(t, "--output", "format:json", "--trace", "tree="+strconv.Itoa(os.Getpid()),
				"--trace", "event=openat", "--trace", "openat.pathname="+watch+"/*",
				"--capture", "dir:"+tc.dir(t)+",write="+watch+"/*"+tc.extra)
			big := bytes.Repeat([]byte("x"), 256<<10)
			for i := 0; i < 4; i++ {
				if err := os.WriteFile(filepath.Join(watch, fmt.Sprintf("f%d", i)), big, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if !pollUntil(15*time.Second, func() bool {
				return strings.Contains(tr.Stderr(), tc.warn) && strings.Contains(tr.Stderr(), "tracing goes on")
			}) {
				t.Fatalf("no warning %q saying tracing goes on\n%s", tc.warn, tr.Diagnostics())
			}
			// Tracing goes on: a later open is still reported.
			after := filepath.Join(watch, "after-the-stop")
			os.WriteFile(after, []byte("1"), 0o600)
			tr.MustEvent("openat after the captures stopped", func(e EbpfEvent) bool { return e.Str("pathname") == after })
			if code := tr.Stop(syscall.SIGINT); code != 0 {
				t.Errorf("exit code %d\n%s", code, tr.Stderr())
			}
			if !strings.Contains(tr.Stderr(), "Dropped:") || strings.Contains(tr.Stderr(), "Dropped:0 ") {
				t.Errorf("no dropped captures counted: %s", tr.Stderr())
			}
		})
	}
}

// --capture network: a loopback TCP exchange of a traced process (this
// test) is in the pcapng file, and tshark reads its payload, attributed to
// the process.
func TestForensicsPcap(t *testing.T) {
	requirePrivileged(t)
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Fatalf("tshark not installed (make deps installs it): %v", err)
	}
	for _, split := range []string{"single", "process"} {
		t.Run(split, func(t *testing.T) {
			tr := StartTracer(t, "--output", "format:json", "--trace", "tree="+strconv.Itoa(os.Getpid()),
				"--trace", "event=connect", "--capture", "pcap:"+split+",pcap-snaplen=max")
			payload := "TRACEE-PCAP-" + split + "-" + strconv.Itoa(int(time.Now().UnixNano()))
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			done := make(chan string, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					done <- err.Error()
					return
				}
				defer c.Close()
				buf := make([]byte, 256)
				n, _ := c.Read(buf)
				c.Write(append([]byte("REPLY:"), buf[:n]...))
				done <- string(buf[:n])
			}()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte(payload))
			reply := make([]byte, 256)
			n, _ := c.Read(reply)
			c.Close()
			if got := <-done; got != payload || string(reply[:n]) != "REPLY:"+payload {
				t.Fatalf("exchange: server got %q, client %q", got, reply[:n])
			}
			tr.MustEvent("connect of this test", func(e EbpfEvent) bool { return e.EventName == "connect" })
			if code := tr.Stop(syscall.SIGINT); code != 0 {
				t.Fatalf("exit %d\n%s", code, tr.Stderr())
			}
			file := filepath.Join(tr.Install, "out", "pcap", "all.pcapng")
			if split == "process" {
				matches, _ := filepath.Glob(filepath.Join(tr.Install, "out", "pcap", "processes", fmt.Sprintf("*-%d.pcapng", os.Getpid())))
				if len(matches) != 1 {
					t.Fatalf("no pcap file of pid %d: %v\n%s", os.Getpid(), matches, tr.Stderr())
				}
				file = matches[0]
			}
			out, err := exec.Command("tshark", "-r", file, "-T", "fields", "-e", "frame.interface_name", "-e", "tcp.payload").CombinedOutput()
			if err != nil {
				t.Fatalf("tshark -r %s: %v\n%s", file, err, out)
			}
			want := hex.EncodeToString([]byte(payload))
			var seen bool
			for _, line := range strings.Split(string(out), "\n") {
				if strings.Contains(line, want) {
					seen = true
					if !strings.Contains(line, fmt.Sprintf("[%d]", os.Getpid())) {
						t.Errorf("payload packet not attributed to pid %d: %q", os.Getpid(), line)
					}
				}
			}
			if !seen {
				t.Errorf("tshark does not show the payload %q in %s:\n%s", payload, file, out)
			}
		})
	}
}

// A memfd payload that exits at once is captured every time, from the
// writes the kernel copied into the memfd; the test logs how long the
// payloads lived (exec to exit).
func TestForensicsMemfdExitAtOnce(t *testing.T) {
	tr := StartTracer(t, "--output", "format:json", "--trace", "tree="+strconv.Itoa(os.Getpid()),
		"--trace", "event=sched_process_exec,sched_process_exit", "--capture", "exec")
	trueSum := fileSHA256(t, "/bin/true")
	const runs = 10
	pids := map[int]bool{}
	for i := 0; i < runs; i++ {
		pid, _ := runTriggerPid(t, "fileless", "execveat")
		pids[pid] = true
	}
	dir := filepath.Join(tr.Install, "out", "exec")
	var got map[int]map[string]any
	pollUntil(15*time.Second, func() bool {
		got = map[int]map[string]any{}
		for _, m := range indexLines(t, dir) {
			if pid := int(m["hostPid"].(float64)); pids[pid] && strings.HasPrefix(fmt.Sprint(m["pathname"]), "memfd:") {
				got[pid] = m
			}
		}
		return len(got) == runs
	})
	for pid := range pids {
		m, ok := got[pid]
		if !ok {
			t.Errorf("memfd payload of pid %d not captured", pid)
			continue
		}
		if m["sha256"] != trueSum {
			t.Errorf("pid %d: captured %v, want the sha256 of /bin/true %s", pid, m["sha256"], trueSum)
		}
	}
	var lifetimes []float64
	execAt := map[int]int64{}
	for _, e := range tr.StopEvents() {
		switch {
		case e.EventName == "sched_process_exec" && strings.HasPrefix(e.Str("pathname"), "memfd:") && pids[e.HostProcessID]:
			execAt[e.HostProcessID] = e.Timestamp
		case e.EventName == "sched_process_exit" && execAt[e.HostProcessID] != 0:
			lifetimes = append(lifetimes, float64(e.Timestamp-execAt[e.HostProcessID])/1e6)
		}
	}
	slices.Sort(lifetimes)
	if len(lifetimes) > 0 {
		t.Logf("%d/%d memfd payloads captured; payload lifetimes (exec to exit) %.3f ms shortest, %.3f ms median",
			len(got), runs, lifetimes[0], lifetimes[len(lifetimes)/2])
	}
}

// The artifact of a finding reaches falcosidekick: the kernel-module
// attempt's image is named in output_fields (tracee.artifact_sha256,
// tracee.artifact_path), as a falcosidekick-valid alert.
func TestForensicsFalcosidekickArtifact(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeOK)
	p := StartPipeline(t, PipelineOptions{
		Rules:     []string{"TRC-6"},
		EbpfArgs:  []string{"--trace", "tree=" + strconv.Itoa(os.Getpid()), "--capture", "module"},
		RulesArgs: webhookArgs(r, t.TempDir()),
	})
	pid, _ := runTriggerPid(t, "kmod", "init")
	image := make([]byte, 64)
	copy(image, "\x7fELF not-a-module")
	rs, ok := r.WaitAccepted(20*time.Second, func(rs []received) bool { return len(payloadsOf(rs, "Kernel Module Loading", pid)) > 0 })
	if !ok {
		t.Fatalf("no alert for pid %d\n%s", pid, p.Diagnostics())
	}
	a := payloadsOf(rs, "Kernel Module Loading", pid)[0].Payload
	path := fieldStr(a, "tracee.artifact_path")
	if fieldStr(a, "tracee.artifact_sha256") != sum256(image) || fieldStr(a, "tracee.artifact_kind") != "module" {
		t.Errorf("output_fields %v, want the image's sha256 %s", a.OutputFields, sum256(image))
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, image) {
		t.Errorf("tracee.artifact_path %q: %v", path, err)
	}
	if !strings.Contains(a.Output, "tracee.artifact_sha256="+sum256(image)) {
		t.Errorf("output line %q does not name the artifact", a.Output)
	}
}
