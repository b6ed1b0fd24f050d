package e2e

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Opens submitted through io_uring (no open syscall) reach the signatures
// as security_file_open marked ioUring: /etc/ld.so.preload for writing
// (TRC-7) and another process's mem file (TRC-3), onto an fd and into a
// fixed-file slot (a direct descriptor: no fd is ever installed), also with
// IOSQE_CQE_SKIP_SUCCESS (no completion: reported at submission) and through
// an SQPOLL ring, in both ABIs; the ring's creation is an io_uring_create event.
func TestIoUringOpens(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-3", "TRC-7"}})
	for _, trig := range []string{"uring", "uring-m32"} {
		for _, mode := range []string{"preload", "fixed-preload", "fixed-preload-skip"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				before, existed := readPreload(t)
				pid, _ := runTriggerPid(t, trig, mode)
				if after, exists := readPreload(t); exists != existed || string(after) != string(before) {
					t.Fatalf("/etc/ld.so.preload changed")
				}
				f := mustFind(t, p, "TRC-7 io_uring open", bySigPid("TRC-7", pid))
				if f.Event.EventName != "security_file_open" || !f.Event.ContextFlags.IoUring {
					t.Errorf("finding on %s, ioUring %v; want security_file_open from io_uring", f.Event.EventName, f.Event.ContextFlags.IoUring)
				}
			})
		}
		for _, mode := range []string{"proc-mem", "fixed-proc-mem", "fixed-proc-mem-skip", "fixed-proc-mem-sqpoll"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				pid, out := runTriggerPid(t, trig, mode)
				child := outInt(t, out, "child")
				f := mustFind(t, p, "TRC-3 io_uring open", bySigPid("TRC-3", pid))
				if got, want := dataStr(f, "pathname"), fmt.Sprintf("/proc/%d/mem", child); got != want || !f.Event.ContextFlags.IoUring {
					t.Errorf("pathname %q ioUring %v, want %q from io_uring", got, f.Event.ContextFlags.IoUring, want)
				}
			})
		}
	}
}

// io_uring_create is its own event.
func TestIoUringCreateEvent(t *testing.T) {
	requirePrivileged(t)
	tr := StartJSON(t, "comm=uring,uring-m32", "event=io_uring_create")
	tr.WaitReady()
	pid, _ := runTriggerPid(t, "uring", "proc-mem")
	e := tr.MustEvent("io_uring_create", func(e EbpfEvent) bool { return e.HostProcessID == pid && e.EventName == "io_uring_create" })
	if n, _ := e.Int("sq_entries"); n != 4 {
		t.Errorf("sq_entries %d, want 4 (%s)", n, e)
	}
}

// TRC-1 through io_uring, in both ABIs: a socket on fds 0-2 connected by
// IORING_OP_CONNECT as fd 0, as its original fd (no std fd named), and as
// a fixed file registered from fd 0; a connection accepted onto fd 0 by
// IORING_OP_ACCEPT, and one accepted into a fixed slot then put on fd 0 by
// IORING_OP_FIXED_FD_INSTALL; an accept through an SQPOLL ring. The connects
// also with IOSQE_CQE_SKIP_SUCCESS
// (no completion: reported at submission). The finding is on fd 0, from an
// ioUring event.
func TestIoUringStdioOverSocket(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1"}})
	onFd0 := func(pid int) func(Finding) bool {
		return func(f Finding) bool {
			fd, _ := dataInt(f, "fd")
			return bySigPid("TRC-1", pid)(f) && fd == 0
		}
	}
	for _, trig := range []string{"uring", "uring-m32"} {
		for _, mode := range []string{"connect-stdin", "connect-other", "connect-fixed", "connect-stdin-skip", "connect-other-skip", "connect-fixed-skip"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				l := listen(t, "tcp4", "127.0.0.1:0")
				pid, out := runTriggerPid(t, trig, mode, "127.0.0.1", strconv.Itoa(l.port()))
				l.expect(t, "uring: harmless", out)
				f := mustFind(t, p, "TRC-1 "+mode, onFd0(pid))
				if got, _ := dataInt(f, "port"); got != int64(l.port()) || !f.Event.ContextFlags.IoUring {
					t.Errorf("port %d ioUring %v, want the listener's %d from io_uring (%s)", got, f.Event.ContextFlags.IoUring, l.port(), describe([]Finding{f}))
				}
				t.Logf("findings:\n%s", describe(findingsOf(p, "", pid)))
			})
		}
		for _, mode := range []string{"accept-stdin", "fixed-install", "accept-stdin-sqpoll"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				pid, out := runTriggerPid(t, trig, mode)
				if outInt(t, out, "fd") != 0 {
					t.Fatalf("the connection was not fd 0:\n%s", out)
				}
				f := mustFind(t, p, "TRC-1 "+mode, onFd0(pid))
				if f.Event.EventName != "socket_dup" || !f.Event.ContextFlags.IoUring || dataStr(f, "ip") != "127.0.0.1" {
					t.Errorf("finding on %s, ioUring %v, ip %q; want socket_dup from io_uring with the child's 127.0.0.1", f.Event.EventName, f.Event.ContextFlags.IoUring, dataStr(f, "ip"))
				}
			})
		}
	}
}

// An ELF header written at offset 0 through IORING_OP_WRITE, WRITEV and
// WRITE_FIXED (registered buffer) is a magic_write marked ioUring with the
// bytes written, in both ABIs (a 32-bit ring's iovec included), also with
// IOSQE_CQE_SKIP_SUCCESS (reported at submission) and through an SQPOLL ring
// (the tracer's comm= scope still names the process).
func TestIoUringMagicWrite(t *testing.T) {
	requirePrivileged(t)
	tr := StartJSON(t, "comm=uring,uring-m32", "event=magic_write")
	tr.WaitReady()
	for _, run := range []string{"uring/write-elf", "uring-m32/write-elf", "uring/write-elf-skip", "uring-m32/write-elf-skip", "uring/write-elf-sqpoll"} {
		t.Run(run, func(t *testing.T) {
			trig, mode, _ := strings.Cut(run, "/")
			base := filepath.Join(t.TempDir(), "dropped")
			pid, _ := runTriggerPid(t, trig, mode, base)
			for _, suffix := range []string{".write", ".writev", ".fixed"} {
				path := base + suffix
				e := tr.MustEvent("magic_write "+suffix, func(e EbpfEvent) bool {
					return e.HostProcessID == pid && e.EventName == "magic_write" && e.Str("pathname") == path
				})
				b, err := base64.StdEncoding.DecodeString(e.Str("bytes"))
				if err != nil || !strings.HasPrefix(string(b), "\x7fELF") || !e.ContextFlags.IoUring {
					t.Errorf("%s: bytes %q (%v), ioUring %v; want an ELF header from io_uring (%s)", suffix, b, err, e.ContextFlags.IoUring, e)
				}
			}
		})
	}
}

// TRC-1 over plain accept/accept4 whose connection lands on fd 0 (closed
// before), in both ABIs; and a socket dup'd onto fds 0-2 before it had a
// peer, then connected through its original fd.
func TestStdioOverSocketAccept(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1"}})
	for _, trig := range []string{"reverse_shell", "reverse_shell-m32"} {
		for _, mode := range []string{"accept", "accept4"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				pid, _ := runTriggerPid(t, trig, mode)
				f := mustFind(t, p, "TRC-1 "+mode, bySigPid("TRC-1", pid))
				fd, _ := dataInt(f, "fd")
				if f.Event.EventName != "socket_dup" || fd != 0 || dataStr(f, "ip") != "127.0.0.1" {
					t.Errorf("finding on %s fd %d ip %q; want socket_dup on fd 0 from 127.0.0.1 (%s)", f.Event.EventName, fd, dataStr(f, "ip"), describe([]Finding{f}))
				}
			})
		}
		t.Run(trig+"/dup-first", func(t *testing.T) {
			l := listen(t, "tcp4", "127.0.0.1:0")
			pid, out := runTriggerPid(t, trig, "dup-first", "127.0.0.1", strconv.Itoa(l.port()))
			l.expect(t, "reverse_shell: harmless", out)
			f := mustFind(t, p, "TRC-1 dup-first", func(f Finding) bool {
				fd, _ := dataInt(f, "fd")
				return bySigPid("TRC-1", pid)(f) && fd == 0
			})
			if got, _ := dataInt(f, "port"); got != int64(l.port()) {
				t.Errorf("port %d, want the listener's %d", got, l.port())
			}
		})
	}
}

// /etc/ld.so.preload replaced through io_uring (TRC-7): RENAMEAT relative to
// an /etc dirfd, LINKAT and SYMLINKAT, whose names the kernel drops before
// the completion (reported at submission as security_inode_rename/link/
// symlink marked ioUring), in both ABIs. The trigger puts an empty file or a
// dangling symlink there (which the loader ignores) and removes it at once,
// in the tracer's stand-in /etc (standInEtc): the host's is never touched.
func TestIoUringPreloadReplaced(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7"}, EbpfWrap: standInEtc(t)})
	for _, trig := range []string{"uring", "uring-m32"} {
		for _, mode := range []string{"rename", "link", "symlink"} {
			t.Run(trig+"/"+mode, func(t *testing.T) {
				pid, _ := runInTracerNs(t, p, trig, mode)
				standInPreloadGone(t, p)
				f := mustFind(t, p, "TRC-7 io_uring "+mode, bySigPid("TRC-7", pid))
				if want := "security_inode_" + mode; f.Event.EventName != want || !f.Event.ContextFlags.IoUring || dataStr(f, "pathname") != "/etc/ld.so.preload" {
					t.Errorf("finding on %s (ioUring %v) pathname %q; want %s from io_uring on /etc/ld.so.preload", f.Event.EventName, f.Event.ContextFlags.IoUring, dataStr(f, "pathname"), want)
				}
			})
		}
	}
}
