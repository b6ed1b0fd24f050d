package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// captureTimeout bounds the wait for one capture to be indexed.
const captureTimeout = 15 * time.Second

// indexLines decodes <dir>/index.jsonl (missing: none).
func indexLines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.jsonl"))
	if err != nil {
		return nil
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("index line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// waitIndex waits for an index line of host pid whose match holds.
func waitIndex(t *testing.T, tr *Tracer, dir string, pid int, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(captureTimeout)
	for time.Now().Before(deadline) && !tr.Exited() {
		for _, m := range indexLines(t, dir) {
			if p, _ := m["hostPid"].(float64); int(p) == pid && match(m) {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no capture of pid %d indexed in %s within %v\nindex: %v\n%s", pid, dir, captureTimeout, indexLines(t, dir), tr.Stderr())
	return nil
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// runHeldAfterExec runs argv under ptrace, so that the process stops after
// each of its execs (the first is argv's own). At each of the first execs
// stops it stays, alive with its new image, while held(pid, n) runs (the
// capture reads /proc/<pid>/exe, which needs a live process); after the
// last it is released and reaped. Triggers like /bin/true end long before
// the tracer handles their exec event otherwise.
func runHeldAfterExec(t *testing.T, execs int, held func(pid, n int), argv ...string) int {
	t.Helper()
	runtime.LockOSThread() // ptrace requests come from the tracing thread
	defer runtime.UnlockOSThread()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	defer cmd.Process.Release()
	for i := 1; ; i++ {
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			t.Fatalf("wait %v: %v", argv, err)
		}
		if !ws.Stopped() || ws.StopSignal() != syscall.SIGTRAP {
			t.Fatalf("%v: status %v before exec %d", argv, ws, i)
		}
		held(pid, i)
		if i == execs {
			break
		}
		if err := syscall.PtraceCont(pid, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.PtraceDetach(pid); err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("%v: status %v", argv, ws)
	}
	return pid
}

func TestEbpfCaptureExec(t *testing.T) {
	tr := StartTracer(t, "--output", "format:json", "--trace", "event=sched_process_exec", "--capture", "exec")
	dir := filepath.Join(tr.Install, "out", "exec")
	trueSum := fileSHA256(t, "/bin/true")

	// fileless execveat: the payload (a copy of /bin/true) runs from a
	// memfd; the trigger's own exec is the first, the payload's the second.
	var memfd map[string]any
	pid := runHeldAfterExec(t, 2, func(pid, n int) {
		if n == 1 {
			waitIndex(t, tr, dir, pid, func(m map[string]any) bool { return m["pathname"] == bin("fileless") })
			return
		}
		memfd = waitIndex(t, tr, dir, pid, func(m map[string]any) bool { return m["pathname"] != bin("fileless") })
	}, bin("fileless"), "execveat")
	t.Logf("memfd capture: %v", memfd)
	if p, _ := memfd["pathname"].(string); !strings.Contains(p, "memfd") {
		t.Errorf("pathname of the memfd exec = %q, want a memfd", p)
	}
	stored, err := os.ReadFile(filepath.Join(dir, trueSum))
	if err != nil {
		t.Fatalf("memfd payload not stored: %v", err)
	}
	if orig, _ := os.ReadFile("/bin/true"); !bytes.Equal(stored, orig) {
		t.Fatalf("stored payload (%d bytes) differs from /bin/true (%d bytes)", len(stored), len(orig))
	}
	if memfd["stored"] != true {
		t.Errorf("the first capture of the payload did not store it: %v", memfd)
	}

	// /bin/true itself: same content, already stored; the second run of
	// the same file comes from the identity cache.
	var runs []map[string]any
	for i := 0; i < 2; i++ {
		runHeldAfterExec(t, 1, func(pid, _ int) {
			runs = append(runs, waitIndex(t, tr, dir, pid, func(map[string]any) bool { return true }))
		}, "/bin/true")
	}
	for i, m := range runs {
		if m["sha256"] != trueSum || m["stored"] != false || m["pathname"] != "/bin/true" && m["pathname"] != "/usr/bin/true" {
			t.Errorf("/bin/true run %d: %v, want sha256 %s, stored false", i, m, trueSum)
		}
	}
	if runs[1]["cached"] != true {
		t.Errorf("second /bin/true run was hashed again: %v", runs[1])
	}
	storedTrue := 0
	for _, m := range indexLines(t, dir) {
		if m["sha256"] == trueSum && m["stored"] == true {
			storedTrue++
		}
	}
	if storedTrue != 1 {
		t.Errorf("/bin/true's content stored %d times, want once", storedTrue)
	}
	// The events are still printed as usual.
	if _, ok := tr.WaitEvent(findingTimeout, func(e EbpfEvent) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessID == pid
	}); !ok {
		t.Errorf("sched_process_exec of pid %d not printed", pid)
	}
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d\n%s", code, tr.Stderr())
	}
	if !strings.Contains(tr.Stderr(), "Captures: {Exec:") {
		t.Errorf("no capture summary on stderr:\n%s", tr.Stderr())
	}
}

// fullPipe is a pipe of one page that is already full: a process writing
// to it blocks until the other end is read.
func fullPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, w = os.NewFile(uintptr(fds[0]), "pipe-r"), os.NewFile(uintptr(fds[1]), "pipe-w")
	const fSetPipeSz = 1031
	size, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fds[1]), fSetPipeSz, 4096)
	if errno != 0 {
		t.Fatalf("F_SETPIPE_SZ: %v", errno)
	}
	if _, err := w.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	return r, w
}

func TestEbpfCaptureMem(t *testing.T) {
	// mem_prot_alert is not printed: the capture has it traced internally.
	tr := StartTracer(t, "--output", "format:json", "--trace", "comm=wx_mem", "--trace", "event=sched_process_exit", "--capture", "mem")
	dir := filepath.Join(tr.Install, "out", "mem")

	// wx_mem's stdout is a full pipe: it blocks in its final printf with
	// its W+X region still mapped, until the test drains the pipe.
	r, w := fullPipe(t)
	cmd := exec.Command(bin("wx_mem"), "wx-to-x")
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	pid := cmd.Process.Pid
	out := make(chan string, 1)
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()

	// The alert of the written W+X region made R-X (the mmap's W+X alert is dumped too).
	m := waitIndex(t, tr, dir, pid, func(m map[string]any) bool {
		return m["file"] != nil && m["alert"] == "Protection changed to Executable!"
	})
	go func() { b, _ := io.ReadAll(r); out <- string(b) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wx_mem: %v", err)
	}
	printed := strings.TrimLeft(<-out, "\x00")
	t.Logf("wx_mem: %s capture: %v", strings.TrimSpace(printed), m)
	if !strings.Contains(printed, "addr=0x"+strings.TrimPrefix(m["addr"].(string), "0x")) {
		t.Errorf("dumped addr %v is not the trigger's region (%q)", m["addr"], printed)
	}
	dump, err := os.ReadFile(filepath.Join(dir, m["file"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if len(dump) != 4096 {
		t.Errorf("dump is %d bytes, want the region's 4096", len(dump))
	}
	if len(dump) < 16 || !bytes.Equal(dump[:16], bytes.Repeat([]byte{0xc3}, 16)) {
		t.Errorf("dump starts % x, want 16 ret (c3) opcodes", dump[:min(len(dump), 16)])
	}
	for _, e := range tr.Events() {
		if e.EventName == "mem_prot_alert" {
			t.Errorf("mem_prot_alert printed though not asked for: %v", e)
		}
	}
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d\n%s", code, tr.Stderr())
	}
	if !strings.Contains(tr.Stderr(), "Captures: {Exec:0") || !strings.Contains(tr.Stderr(), "Mem:") {
		t.Errorf("no capture summary on stderr:\n%s", tr.Stderr())
	}
}

func TestEbpfCaptureBadOption(t *testing.T) {
	requirePrivileged(t)
	out, err := exec.Command(bin("tracee-ebpf"), "--install-path", t.TempDir(), "--capture", "exec", "--capture", "bogus").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown capture option "bogus"`) {
		t.Errorf("--capture bogus: %v\n%s", err, out)
	}
}
