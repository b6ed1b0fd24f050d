package tracer

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/decode"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/derive"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"golang.org/x/sys/unix"
)

type collector struct {
	probes *probes.Probes // the loaded probes (on-demand hooks run through it)
	mu     sync.Mutex
	evs    []*pb.Event
	bits   []uint64 // each event's policy bitmap from the kernel
	last   uint64
	lost   []*pb.Lost
}

// Match records the kernel's policy bitmap of the event printed next; it
// filters nothing (the collector sees what the kernel sent).
func (c *collector) Match(ev *pb.Event, policies uint64) bool {
	c.mu.Lock()
	c.last = policies
	c.mu.Unlock()
	return true
}

func (c *collector) Print(ev *pb.Event) error {
	c.mu.Lock()
	c.evs = append(c.evs, ev)
	c.bits = append(c.bits, c.last)
	c.mu.Unlock()
	return nil
}

func (c *collector) Lost(l *pb.Lost) error {
	c.mu.Lock()
	c.lost = append(c.lost, l)
	c.mu.Unlock()
	return nil
}

func (c *collector) find(match func(*pb.Event) bool) *pb.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.evs {
		if match(e) {
			return e
		}
	}
	return nil
}

func (c *collector) waitFor(t *testing.T, what string, match func(*pb.Event) bool) *pb.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if e := c.find(match); e != nil {
			return e
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.mu.Lock()
	var seen []string
	for _, e := range c.evs {
		seen = append(seen, fmt.Sprintf("%s(pid %d)", e.EventName, e.HostProcessId))
	}
	c.mu.Unlock()
	if len(seen) > 40 {
		seen = seen[len(seen)-40:]
	}
	t.Fatalf("no %s; last events: %s", what, strings.Join(seen, " "))
	return nil
}

func arg(ev *pb.Event, name string) *pb.Argument {
	for _, a := range ev.Args {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// startTracing loads the real probes for the named events, scoped to this
// test process and its descendants, and runs the tracer until cleanup.
func startTracing(t *testing.T, names ...string) *collector {
	t.Helper()
	return startTracingWith(t, probes.ProbeFeatures(), names...)
}

func startTracingWith(t *testing.T, feat *probes.Features, names ...string) *collector {
	t.Helper()
	testutil.RequirePrivileged(t)
	wanted := map[events.ID]bool{}
	var ids []events.ID
	for _, n := range names {
		d, ok := events.ByName(n)
		if !ok {
			t.Fatalf("unknown event %s", n)
		}
		wanted[d.ID] = true
		ids = append(ids, d.ID)
		for _, dep := range d.Deps {
			dd, _ := events.ByName(dep)
			ids = append(ids, dd.ID)
		}
	}
	sel, err := Select(ids, feat, SelectionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := probes.Load(probes.Options{
		Selected: sel.Selected, ArgKinds: sel.ArgKinds, Emit: sel.Emit | abi.EmitSchedProcessFork | abi.EmitSchedProcessExit,
		Scope:       ownTree(t),
		WakeupBytes: 1,
	}, feat)
	if err != nil {
		t.Fatal(err)
	}
	return runTracer(t, p, wanted)
}

// ownTree is the kernel scope of one policy: tree= this test process.
func ownTree(t *testing.T) probes.Scope {
	t.Helper()
	s, err := KernelScope(&filter.Kernel{Tree: []uint32{uint32(os.Getpid())}}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runTracer runs a tracer on loaded probes into a collector until cleanup,
// which fails the test on decode errors or kernel losses.
func runTracer(t *testing.T, p *probes.Probes, wanted map[events.ID]bool) *collector {
	t.Helper()
	return runTracerLoss(t, p, wanted, false)
}

// runTracerLoss is runTracer; with allowLoss, kernel losses are the test's
// business.
func runTracerLoss(t *testing.T, p *probes.Probes, wanted map[events.ID]bool, allowLoss bool) *collector {
	t.Helper()
	boot, _ := decode.BootTime()
	c := &collector{probes: p}
	tr, err := New(Config{Probes: p, Decoder: &decode.Decoder{BootTime: boot}, Wanted: wanted,
		Deriver: derive.New(), Printer: c, Matcher: c, Poll: 20 * time.Millisecond})
	if err != nil {
		p.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Summary, 1)
	go func() {
		s, err := tr.Run(ctx)
		if err != nil {
			t.Errorf("tracer: %v", err)
		}
		done <- s
	}()
	t.Cleanup(func() {
		cancel()
		s := <-done
		p.Close()
		if s.DecodeErrors > 0 {
			t.Errorf("%d decode errors, first: %v", s.DecodeErrors, s.FirstDecodeErr)
		}
		if s.Lost() > 0 && !allowLoss {
			t.Errorf("%d events lost in the kernel", s.Lost())
		}
	})
	return c
}

func TestKernelFileOpenResolvesRelativeAndSymlinkPaths(t *testing.T) {
	c := startTracing(t, "security_file_open", "openat")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cat", "link")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cat: %v %s", err, out)
	}
	ev := c.waitFor(t, "security_file_open of the symlink target", func(e *pb.Event) bool {
		return e.EventName == "security_file_open" && int(e.HostProcessId) == cmd.Process.Pid &&
			arg(e, "pathname").GetStr() == target
	})
	if got := arg(ev, "syscall_pathname").GetStr(); got != "link" {
		t.Errorf("syscall_pathname = %q, want the relative name as passed", got)
	}
	if r := arg(ev, "flags").GetRepr(); !strings.Contains(r, "O_RDONLY") {
		t.Errorf("flags repr = %q, want O_RDONLY", r)
	}
	var st syscallStat
	if err := statFile(target, &st); err == nil {
		if arg(ev, "inode").GetUint() != st.ino {
			t.Errorf("inode = %d, want %d", arg(ev, "inode").GetUint(), st.ino)
		}
	}
	c.waitFor(t, "openat syscall event with the relative path", func(e *pb.Event) bool {
		return e.EventName == "openat" && int(e.HostProcessId) == cmd.Process.Pid &&
			arg(e, "pathname").GetStr() == "link" && e.ReturnValue >= 0
	})
}

func TestKernelConnectIPv4AndIPv6(t *testing.T) {
	c := startTracing(t, "connect", "security_socket_connect")
	for _, network := range []struct{ net, addr, ip, family string }{
		{"tcp4", "127.0.0.1:0", "127.0.0.1", "AF_INET"},
		{"tcp6", "[::1]:0", "::1", "AF_INET6"},
	} {
		ln, err := net.Listen(network.net, network.addr)
		if err != nil {
			t.Fatalf("listen %s: %v", network.addr, err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		conn, err := net.Dial(network.net, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		ln.Close()
		for _, name := range []string{"connect", "security_socket_connect"} {
			argName := "addr"
			if name == "security_socket_connect" {
				argName = "remote_addr"
			}
			c.waitFor(t, fmt.Sprintf("%s to %s port %d", name, network.ip, port), func(e *pb.Event) bool {
				sa := arg(e, argName).GetSockaddr()
				return e.EventName == name && sa != nil && sa.Family == network.family && sa.Ip == network.ip && int(sa.Port) == port
			})
		}
	}
}

func TestKernelMemfdExecIsFlagged(t *testing.T) {
	c := startTracing(t, "sched_process_exec")
	bin := testutil.BuildTrigger(t, "fileless")
	for _, mode := range []string{"execveat", "proc"} {
		cmd := exec.Command(bin, mode)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fileless %s: %v %s", mode, err, out)
		}
		ev := c.waitFor(t, "exec of the memfd ("+mode+")", func(e *pb.Event) bool {
			return e.EventName == "sched_process_exec" && int(e.HostProcessId) == cmd.Process.Pid &&
				arg(e, "is_memfd").GetBool()
		})
		if p := arg(ev, "pathname").GetStr(); !strings.HasPrefix(p, "memfd:payload") {
			t.Errorf("%s: pathname %q, want memfd:payload", mode, p)
		}
		if argv := arg(ev, "argv").GetStrArray().GetValues(); len(argv) == 0 || argv[0] != "fileless-payload" {
			t.Errorf("%s: argv %v", mode, argv)
		}
	}
}

// mem_prot_alert is the kernel's: W+E asked of mmap, and E asked of
// mprotect with prev_prot PROT_WRITE exactly when the memory holds written
// data, however it got there (mmap'd W+E, the brk heap, the stack, written
// then made read-only) and not when nothing was written.
func TestKernelWXMappings(t *testing.T) {
	c := startTracing(t, "mmap", "mem_prot_alert")
	bin := testutil.BuildTrigger(t, "wx_mem")
	run := func(mode string) int {
		cmd := exec.Command(bin, mode)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("wx_mem %s: %v %s", mode, err, out)
		}
		return cmd.Process.Pid
	}
	pid := run("wx-to-x")
	c.waitFor(t, "mmap with PROT_WRITE|PROT_EXEC", func(e *pb.Event) bool {
		r := arg(e, "prot").GetRepr()
		return e.EventName == "mmap" && int(e.HostProcessId) == pid &&
			strings.Contains(r, "PROT_WRITE") && strings.Contains(r, "PROT_EXEC")
	})
	c.waitFor(t, "mem_prot_alert W+E", func(e *pb.Event) bool {
		return e.EventName == "mem_prot_alert" && int(e.HostProcessId) == pid &&
			arg(e, "alert").GetRepr() == "Mmaped region with W+E permissions!" && arg(e, "addr").GetUint() != 0
	})
	for _, tt := range []struct {
		mode    string
		written bool
	}{{"wx-to-x", true}, {"heap", true}, {"stack", true}, {"readonly-flip", true}, {"clean-flip", false}} {
		if tt.mode != "wx-to-x" {
			pid = run(tt.mode)
		}
		ev := c.waitFor(t, "mem_prot_alert changed to executable ("+tt.mode+")", func(e *pb.Event) bool {
			return e.EventName == "mem_prot_alert" && int(e.HostProcessId) == pid &&
				arg(e, "alert").GetRepr() == "Protection changed to Executable!"
		})
		if got := arg(ev, "prev_prot").GetInt()&0x2 != 0; got != tt.written {
			t.Errorf("%s: prev_prot %s, want PROT_WRITE: %v", tt.mode, arg(ev, "prev_prot").GetRepr(), tt.written)
		}
		if r := arg(ev, "prot").GetRepr(); !strings.Contains(r, "PROT_EXEC") || strings.Contains(r, "PROT_WRITE") {
			t.Errorf("%s: prot %s, want R-X", tt.mode, r)
		}
	}
	// a read-only shared mapping of a file made writable by mprotect: the
	// alert names the file; the stack mode's mprotect back to RW (private
	// memory) gave none
	pid = run("double-map-mprotect")
	const sharedW = "Shared file mapping made writable!"
	ev := c.waitFor(t, "mem_prot_alert shared mapping made writable", func(e *pb.Event) bool {
		return e.EventName == "mem_prot_alert" && int(e.HostProcessId) == pid && arg(e, "alert").GetRepr() == sharedW
	})
	if r := arg(ev, "prot").GetRepr(); !strings.Contains(r, "PROT_WRITE") || strings.Contains(r, "PROT_EXEC") {
		t.Errorf("shared mapping made writable: prot %s, want RW", r)
	}
	if p := arg(ev, "pathname").GetStr(); !strings.HasPrefix(p, "/tmp/wx_mem-") || arg(ev, "inode").GetUint() == 0 {
		t.Errorf("shared mapping made writable: pathname %q inode %d, want the trigger's file", p, arg(ev, "inode").GetUint())
	}
	c.mu.Lock()
	for _, e := range c.evs {
		if e.EventName == "mem_prot_alert" && int(e.HostProcessId) != pid && arg(e, "alert").GetRepr() == sharedW {
			t.Errorf("%s from pid %d: no shared file mapping was made writable there", sharedW, e.HostProcessId)
		}
	}
	c.mu.Unlock()
}

func TestKernelForkExecExitPids(t *testing.T) {
	c := startTracing(t, "sched_process_fork", "sched_process_exec", "sched_process_exit")
	cmd := exec.Command("/bin/sh", "-c", "exit 3")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("sh: %v", err)
	}
	pid := int32(cmd.Process.Pid)
	fork := c.waitFor(t, "fork of the child", func(e *pb.Event) bool {
		return e.EventName == "sched_process_fork" && arg(e, "child_pid").GetInt() == int64(pid)
	})
	if int(fork.HostProcessId) != os.Getpid() {
		t.Errorf("fork reported by pid %d, want the parent %d", fork.HostProcessId, os.Getpid())
	}
	exe := c.waitFor(t, "exec of /bin/sh", func(e *pb.Event) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessId == pid
	})
	want, _ := filepath.EvalSymlinks("/bin/sh")
	if got := arg(exe, "pathname").GetStr(); got != want {
		t.Errorf("exec pathname %q, want %q", got, want)
	}
	if got := arg(exe, "cmdpath").GetStr(); got != "/bin/sh" {
		t.Errorf("exec cmdpath %q", got)
	}
	exit := c.waitFor(t, "exit of the child", func(e *pb.Event) bool {
		return e.EventName == "sched_process_exit" && e.HostProcessId == pid && arg(e, "process_group_exit").GetBool()
	})
	if code := arg(exit, "exit_code").GetInt(); code != 3<<8 {
		t.Errorf("exit_code %d, want %d (wait status of exit(3))", code, 3<<8)
	}
}

// The raw_tracepoint build (probe reads instead of BTF loads) must produce
// the same events where tp_btf is missing.
func TestKernelRawTracepointFallback(t *testing.T) {
	feat := probes.ProbeFeatures()
	if !feat.Available(probes.FacilityRawTp) {
		t.Fatalf("raw_tracepoint unavailable: %s", feat.Reason[probes.FacilityRawTp])
	}
	feat.Have[probes.FacilityTpBtf] = false
	c := startTracingWith(t, feat, "sched_process_exec", "security_file_open", "openat")
	cmd := exec.Command("/bin/cat", "/etc/hostname")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cat: %v %s", err, out)
	}
	pid := int32(cmd.Process.Pid)
	want, _ := filepath.EvalSymlinks("/bin/cat")
	c.waitFor(t, "exec via raw_tracepoint", func(e *pb.Event) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessId == pid && arg(e, "pathname").GetStr() == want
	})
	host, _ := filepath.EvalSymlinks("/etc/hostname")
	c.waitFor(t, "security_file_open via raw_tracepoint", func(e *pb.Event) bool {
		return e.EventName == "security_file_open" && e.HostProcessId == pid && arg(e, "pathname").GetStr() == host
	})
}

// execve and exit_group do not return; they come from the exec and exit
// hooks (success) and sys_exit (a failed execve), with no sys_enter hook.
func TestKernelUnreturnedSyscalls(t *testing.T) {
	c := startTracing(t, "execve", "exit_group")
	cmd := exec.Command("/bin/sh", "-c", "/nonexistent-tracee-binary; exit 7")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
		t.Fatalf("sh: %v", err)
	}
	pid := int32(cmd.Process.Pid)
	ok := c.waitFor(t, "successful execve of sh", func(e *pb.Event) bool {
		return e.EventName == "execve" && e.HostProcessId == pid && e.ReturnValue == 0
	})
	if got := arg(ok, "pathname").GetStr(); got != "/bin/sh" {
		t.Errorf("execve pathname %q", got)
	}
	if argv := arg(ok, "argv").GetStrArray().GetValues(); len(argv) != 3 || argv[2] != "/nonexistent-tracee-binary; exit 7" {
		t.Errorf("execve argv %q", argv)
	}
	if arg(ok, "envp") != nil {
		t.Errorf("envp present without option:exec-env")
	}
	failed := c.waitFor(t, "failed execve of the missing binary", func(e *pb.Event) bool {
		return e.EventName == "execve" && e.ReturnValue == -2 && arg(e, "pathname").GetStr() == "/nonexistent-tracee-binary"
	})
	if failed.HostParentProcessId != pid && failed.HostProcessId != pid {
		t.Errorf("failed execve from pid %d (parent %d), want sh %d or its child", failed.HostProcessId, failed.HostParentProcessId, pid)
	}
	ex := c.waitFor(t, "exit_group(7)", func(e *pb.Event) bool {
		return e.EventName == "exit_group" && e.HostProcessId == pid
	})
	if st := arg(ex, "status").GetInt(); st != 7 {
		t.Errorf("exit_group status %d, want 7 (args %v)", st, ex.Args)
	}
}

// security_file_truncate: a file emptied through a descriptor opened
// through a symlinked directory is reported by its real path and identity;
// a failed ftruncate (a read-only descriptor) is not reported.
func TestKernelFileTruncate(t *testing.T) {
	c := startTracing(t, "security_file_truncate")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(real, "app.log")
	if err := os.WriteFile(file, []byte("evidence\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(file, &st); err != nil {
		t.Fatal(err)
	}
	ro, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Ftruncate(int(ro.Fd()), 0); err == nil {
		t.Fatal("ftruncate of a read-only descriptor succeeded")
	}
	ro.Close()
	f, err := os.OpenFile(filepath.Join(dir, "link", "app.log"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Ftruncate(int(f.Fd()), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ev := c.waitFor(t, "security_file_truncate of app.log", func(e *pb.Event) bool {
		return e.EventName == "security_file_truncate" && int(e.HostProcessId) == os.Getpid()
	})
	if got := arg(ev, "pathname").GetStr(); got != file {
		t.Errorf("pathname %q, want the real path %q", got, file)
	}
	if arg(ev, "length").GetInt() != 0 || arg(ev, "inode").GetUint() != st.Ino {
		t.Errorf("length %d inode %d, want 0 and %d", arg(ev, "length").GetInt(), arg(ev, "inode").GetUint(), st.Ino)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(c.mine("security_file_truncate")); n != 1 {
		t.Errorf("%d security_file_truncate events, want 1 (the failed ftruncate is none)", n)
	}
}

// io_uring's FTRUNCATE (no ftruncate syscall) gives security_file_truncate
// too, flagged ioUring: at its completion, and at submission when it posts
// no completion on success (IOSQE_CQE_SKIP_SUCCESS).
func TestKernelUringFileTruncate(t *testing.T) {
	c := startTracing(t, "security_file_truncate")
	bin := testutil.BuildTrigger(t, "uring")
	for _, mode := range []string{"ftruncate", "ftruncate-skip"} {
		file := filepath.Join(t.TempDir(), "app.log")
		if err := os.WriteFile(file, []byte("evidence\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		file, _ = filepath.EvalSymlinks(file)
		cmd := exec.Command(bin, mode, file)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("uring %s: %v %s", mode, err, out)
		}
		ev := c.waitFor(t, "security_file_truncate from io_uring "+mode, func(e *pb.Event) bool {
			return e.EventName == "security_file_truncate" && int(e.HostProcessId) == cmd.Process.Pid
		})
		if got := arg(ev, "pathname").GetStr(); got != file || arg(ev, "length").GetInt() != 0 || !ev.GetIoUring() {
			t.Errorf("%s: pathname %q length %d ioUring %v, want %q, 0, true", mode, got, arg(ev, "length").GetInt(),
				ev.GetIoUring(), file)
		}
	}
}

// security_path_unlink makes the removed name absolute from where the
// kernel looked it up: an unlinkat on a directory fd, an unlink relative
// to the cwd with ".." in it; a directory removed (AT_REMOVEDIR) and a
// failed unlink give none.
func TestKernelPathUnlink(t *testing.T) {
	c := startTracing(t, "security_path_unlink")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "gone"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := unix.Unlinkat(int(d.Fd()), "a", 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Unlinkat(int(d.Fd()), "gone", unix.AT_REMOVEDIR); err != nil {
		t.Fatal(err)
	}
	if err := unix.Unlinkat(int(d.Fd()), "missing", 0); err == nil {
		t.Fatal("unlink of a missing file succeeded")
	}
	rm := exec.Command("rm", "../b")
	rm.Dir = filepath.Join(dir, "sub")
	if out, err := rm.CombinedOutput(); err != nil {
		t.Fatalf("rm: %v %s", err, out)
	}
	c.waitFor(t, "the relative rm", func(e *pb.Event) bool {
		return e.EventName == "security_path_unlink" && int(e.HostProcessId) == rm.Process.Pid
	})
	time.Sleep(100 * time.Millisecond)
	var got []string
	c.mu.Lock()
	for _, e := range c.evs {
		if e.EventName == "security_path_unlink" && (int(e.HostProcessId) == os.Getpid() || int(e.HostProcessId) == rm.Process.Pid) {
			got = append(got, arg(e, "pathname").GetStr())
		}
	}
	c.mu.Unlock()
	want := []string{filepath.Join(dir, "a"), filepath.Join(dir, "sub") + "/../b"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("security_path_unlink pathnames %q, want %q", got, want)
	}
}

// io_uring's UNLINKAT (no unlink syscall) gives security_path_unlink too,
// at submission, absolute from the request's dirfd and flagged ioUring.
func TestKernelUringPathUnlink(t *testing.T) {
	c := startTracing(t, "security_path_unlink")
	bin := testutil.BuildTrigger(t, "uring")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.log"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "unlink", dir, "app.log")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("uring unlink: %v %s", err, out)
	}
	ev := c.waitFor(t, "security_path_unlink from io_uring", func(e *pb.Event) bool {
		return e.EventName == "security_path_unlink" && int(e.HostProcessId) == cmd.Process.Pid
	})
	if got, want := arg(ev, "pathname").GetStr(), filepath.Join(dir, "app.log"); got != want || !ev.GetIoUring() {
		t.Errorf("pathname %q ioUring %v, want %q, true", got, ev.GetIoUring(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "app.log")); err == nil {
		t.Error("the file is still there: the request did not run")
	}
}
