package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

func TestStdioOverSocket(t *testing.T) {
	ssc := func(fd int64, addr *pb.Argument) *pb.Event {
		return ev("security_socket_connect", iarg("sockfd", fd), addr)
	}
	connect := func(fd int64, addr *pb.Argument) *pb.Event {
		return ev("connect", iarg("sockfd", fd), addr, iarg("addrlen", 16))
	}
	sdup := func(oldfd, newfd int64, addr *pb.Argument) *pb.Event {
		return ret(ev("socket_dup", iarg("oldfd", oldfd), iarg("newfd", newfd), addr), newfd)
	}
	dup2 := func(oldfd, newfd int64) *pb.Event {
		return ret(ev("dup2", iarg("oldfd", oldfd), iarg("newfd", newfd)), newfd)
	}
	dup3 := func(oldfd, newfd int64) *pb.Event {
		return ret(ev("dup3", iarg("oldfd", oldfd), iarg("newfd", newfd), iarg("flags", 0)), newfd)
	}
	dup := func(oldfd, newfd int64) *pb.Event { return ret(ev("dup", iarg("oldfd", oldfd)), newfd) }
	closeFd := func(fd int64) *pb.Event { return ev("close", iarg("fd", fd)) }
	exit := func(group bool) *pb.Event {
		return ev("sched_process_exit", iarg("exit_code", 0), barg("process_group_exit", group))
	}
	v4 := inet("remote_addr", "10.0.0.1", 4444)
	v4c := inet("addr", "10.0.0.1", 4444)
	v6 := inet("remote_addr", "fd00::1", 443)
	d := func(ip string, port uint32, fd, oldfd int64, fam string) map[string]any {
		m := map[string]any{"ip": ip, "port": port, "fd": fd, "family": fam}
		if oldfd >= 0 {
			m["oldfd"] = oldfd
		}
		return m
	}

	uring := func(e *pb.Event) *pb.Event { e.IoUring = true; return e }
	runCases(t, func() sdk.Signature { return NewStdioOverSocket() }, []sigCase{
		{name: "io_uring connect of stdin", events: []*pb.Event{uring(connect(0, v4c)), uring(ssc(0, v4))}, want: []wantFinding{{0, d("10.0.0.1", 4444, 0, -1, "AF_INET")}}},
		{name: "io_uring connect of a fixed-file socket (no fd)", events: []*pb.Event{uring(connect(-1, v4c))}},
		{name: "io_uring accept onto stdin", events: []*pb.Event{uring(sdup(3, 0, v4))}, want: []wantFinding{{0, d("10.0.0.1", 4444, 0, 3, "AF_INET")}}},
		{name: "io_uring fixed fd install of slot 0 onto stdin", events: []*pb.Event{uring(sdup(0, 0, v4))}, want: []wantFinding{{0, d("10.0.0.1", 4444, 0, 0, "AF_INET")}}},
		{name: "io_uring connect of a socket dup'd onto 0-2 before (socket_dup at connect)", events: []*pb.Event{sdup(3, 0, inet("remote_addr", "0.0.0.0", 0)), uring(connect(3, v4c)), uring(sdup(3, 0, v4))},
			want: []wantFinding{{2, d("10.0.0.1", 4444, 0, 3, "AF_INET")}}},
		{name: "socket_dup onto stdin", events: []*pb.Event{sdup(3, 0, v4)}, want: []wantFinding{{0, d("10.0.0.1", 4444, 0, 3, "AF_INET")}}},
		{name: "socket_dup onto stderr ipv6", events: []*pb.Event{sdup(5, 2, v6)}, want: []wantFinding{{0, d("fd00::1", 443, 2, 5, "AF_INET6")}}},
		{name: "socket_dup onto fd 5", events: []*pb.Event{sdup(3, 5, v4)}},
		{name: "socket_dup of unix socket", events: []*pb.Event{sdup(3, 0, unixa("remote_addr", "/run/x.sock"))}},
		{name: "connect of stdout", events: []*pb.Event{ssc(1, v4)}, want: []wantFinding{{0, d("10.0.0.1", 4444, 1, -1, "AF_INET")}},
			viaStreamOnly: "Tracee's security_socket_connect and the dup fallback: tracee-ebpf delivers connect on fds 0-2 and derives socket_dup in the kernel"},
		{name: "connect syscall of stdin", events: []*pb.Event{connect(0, v4c)}, want: []wantFinding{{0, d("10.0.0.1", 4444, 0, -1, "AF_INET")}}},
		{name: "connect and security_socket_connect: one finding", events: []*pb.Event{connect(0, v4c), ssc(0, v4)}, want: []wantFinding{{0, d("10.0.0.1", 4444, 0, -1, "AF_INET")}}},
		{name: "connect of fd 3 alone", events: []*pb.Event{ssc(3, v4)}},
		{name: "connect of stdin to unix socket", events: []*pb.Event{ssc(0, unixa("remote_addr", "/x"))}},
		{name: "fallback: connect then dup2 x3 (bash reverse shell)", events: []*pb.Event{ssc(3, v4), dup2(3, 0), dup2(3, 1), dup2(3, 2)},
			want:          []wantFinding{{1, d("10.0.0.1", 4444, 0, 3, "AF_INET")}, {2, d("10.0.0.1", 4444, 1, 3, "AF_INET")}, {3, d("10.0.0.1", 4444, 2, 3, "AF_INET")}},
			viaStreamOnly: "Tracee's security_socket_connect and the dup fallback: tracee-ebpf delivers connect on fds 0-2 and derives socket_dup in the kernel"},
		{name: "fallback via connect syscall and dup3", events: []*pb.Event{connect(4, v4c), dup3(4, 2)}, want: []wantFinding{{1, d("10.0.0.1", 4444, 2, 4, "AF_INET")}},
			viaStreamOnly: "dup fallback: tracee-ebpf derives socket_dup for this dup3 in the kernel"},
		{name: "fallback via dup chain", events: []*pb.Event{ssc(3, v4), dup(3, 7), dup2(7, 0)}, want: []wantFinding{{2, d("10.0.0.1", 4444, 0, 7, "AF_INET")}},
			viaStreamOnly: "Tracee's security_socket_connect and the dup fallback: tracee-ebpf delivers connect on fds 0-2 and derives socket_dup in the kernel"},
		{name: "dup2 in another process does not fire", events: []*pb.Event{ssc(3, v4), in(dup2(3, 0), 2000)}},
		{name: "dup2 after close does not fire", events: []*pb.Event{ssc(3, v4), closeFd(3), dup2(3, 0)}},
		{name: "dup2 after process exit does not fire", events: []*pb.Event{ssc(3, v4), exit(true), dup2(3, 0)}},
		{name: "thread exit keeps the table", events: []*pb.Event{ssc(3, v4), exit(false), dup2(3, 0)}, want: []wantFinding{{2, d("10.0.0.1", 4444, 0, 3, "AF_INET")}},
			viaStreamOnly: "Tracee's security_socket_connect and the dup fallback: tracee-ebpf delivers connect on fds 0-2 and derives socket_dup in the kernel"},
		{name: "fd reused for a file", events: []*pb.Event{ssc(3, v4), dup2(9, 3), dup2(3, 0)}},
		{name: "failed dup2", events: []*pb.Event{ssc(3, v4), ret(ev("dup2", iarg("oldfd", 3), iarg("newfd", 0)), -9)}},
		{name: "dup2 of unix socket", events: []*pb.Event{ssc(3, unixa("remote_addr", "/run/dbus")), dup2(3, 0)}},
		{name: "socket_dup and dup2: one finding", events: []*pb.Event{ssc(3, v4), sdup(3, 0, v4), dup2(3, 0)}, want: []wantFinding{{1, d("10.0.0.1", 4444, 0, 3, "AF_INET")}}},
		{name: "dup2 before socket_dup: one finding", events: []*pb.Event{ssc(3, v4), dup2(3, 0), sdup(3, 0, v4)}, want: []wantFinding{{1, d("10.0.0.1", 4444, 0, 3, "AF_INET")}},
			viaStreamOnly: "Tracee's security_socket_connect and the dup fallback: tracee-ebpf delivers connect on fds 0-2 and derives socket_dup in the kernel"},
	})
}

func TestStdioOverSocketTableBounds(t *testing.T) {
	sig := NewStdioOverSocket()
	sig.SetLimits(4, 3)
	h := sdktest.New(t, sig)
	// One process connects 10 sockets: at most 4 stay.
	for fd := int64(3); fd < 13; fd++ {
		h.Feed(ev("security_socket_connect", iarg("sockfd", fd), inet("remote_addr", "10.0.0.1", 80)))
	}
	if n, ev := sig.Tracked(); n != 4 || ev != 6 {
		t.Fatalf("after 10 connects: tracked %d, evicted %d; want 4, 6", n, ev)
	}
	// Five processes: at most 3 stay.
	for pid := int32(2000); pid < 2005; pid++ {
		h.Feed(in(ev("security_socket_connect", iarg("sockfd", 3), inet("remote_addr", "10.0.0.1", 80)), pid))
	}
	if len(sig.procs) != 3 {
		t.Fatalf("processes tracked = %d, want 3", len(sig.procs))
	}
	// The newest process is always kept.
	if got := h.Feed(in(ret(ev("dup2", iarg("oldfd", 3), iarg("newfd", 0)), 0), 2004)); len(got) != 1 {
		t.Fatalf("dup2 in newest process: %d findings, want 1", len(got))
	}
	// close of the last socket of a process removes the process.
	h.Feed(in(ev("close", iarg("fd", 3)), 2004), in(ev("close", iarg("fd", 0)), 2004))
	if _, ok := sig.procs[2004]; ok {
		t.Fatal("process 2004 still tracked after closing its sockets")
	}
}

// No peer, no reverse shell; a shell starting with a socket as a standard
// stream is one, however the socket got there.
func TestStdioOverSocketClasses(t *testing.T) {
	sd := func(oldfd, newfd int64, port uint32, comm string) *pb.Event {
		e := ev("socket_dup", iarg("oldfd", oldfd), iarg("newfd", newfd), inet("remote_addr", "10.0.0.1", port))
		e.ProcessName = comm
		return e
	}
	runCases(t, func() sdk.Signature { return NewStdioOverSocket() }, []sigCase{
		{name: "listening socket as stdin (inetd)", events: []*pb.Event{sd(3, 0, 0, "x")}},
		{name: "shell exec'd with the socket on fd 0", events: []*pb.Event{sd(-1, 0, 4444, "sh")},
			want: []wantFinding{{0, map[string]any{"family": "AF_INET", "fd": int64(0), "ip": "10.0.0.1", "port": uint32(4444)}}}},
		{name: "non-shell exec'd with the socket on fd 0", events: []*pb.Event{sd(-1, 0, 4444, "inetd-service")}},
		{name: "close_range forgets: a later dup of the reused fd is not the socket", events: []*pb.Event{
			in(ev("connect", iarg("sockfd", 5), inet("addr", "10.0.0.1", 4444)), 1000),
			ev("close_range", uarg("fd", 3), uarg("max_fd", 0xffffffff), uarg("flags", 0)),
			ret(ev("dup2", iarg("oldfd", 5), iarg("newfd", 0)), 0)}},
		{name: "exec forgets", events: []*pb.Event{
			ev("connect", iarg("sockfd", 5), inet("addr", "10.0.0.1", 4444)),
			ev("sched_process_exec"),
			ret(ev("dup2", iarg("oldfd", 5), iarg("newfd", 0)), 0)}},
		{name: "exec after the dup was reported", events: []*pb.Event{sd(3, 0, 4444, "x"), sd(-1, 0, 4444, "bash")},
			want: []wantFinding{{0, map[string]any{"family": "AF_INET", "fd": int64(0), "ip": "10.0.0.1", "oldfd": int64(3), "port": uint32(4444)}}}},
	})
}
