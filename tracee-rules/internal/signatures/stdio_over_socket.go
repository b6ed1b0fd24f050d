package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Bounds of the fd table that StdioOverSocket keeps.
const (
	DefaultMaxSocketsPerProcess = 64
	DefaultMaxProcesses         = 8192
)

// StdioOverSocket (TRC-1) reports a process whose standard input, output or
// error is an internet socket (a reverse shell):
//   - socket_dup of a socket onto fd 0, 1 or 2, with an AF_INET/AF_INET6 peer
//     (dup family, fcntl F_DUPFD, accept, pidfd_getfd, io_uring accept and
//     fixed-fd install, and a connect — TCP syscall or io_uring — of a
//     socket that fds 0-2 held before it had a peer; a socket without a peer —
//     listening, as inetd hands a service its socket — is not one);
//   - socket_dup at exec (oldfd -1): a shell or interpreter (by executable
//     name) starting with such a socket as fd 0, 1 or 2, however it got
//     there (SCM_RIGHTS, io_uring, ...), unless already reported;
//   - security_socket_connect or connect (syscall or io_uring) of fd 0, 1
//     or 2 to an inet address;
//   - without socket_dup: dup, dup2 or dup3 onto fd 0, 1 or 2 of a descriptor
//     that the same process connected to an inet address (remembered in a
//     bounded table of (host pid, fd), cleaned on close and process exit).
//
// The fd table forgets descriptors on close, close_range and exec (where
// close-on-exec ones go).
//
// A connect seen both as connect and as security_socket_connect, or a dup
// seen both as socket_dup and as dup2, is reported once.
type StdioOverSocket struct {
	base
	dedup pairDedup

	maxPerProcess int
	maxProcesses  int
	procs         map[int32]map[int32]peer // host pid -> fd -> peer
	evictions     uint64
}

// NewStdioOverSocket returns TRC-1 with the default table bounds.
func NewStdioOverSocket() *StdioOverSocket {
	return &StdioOverSocket{
		base: newBase(sdk.Metadata{
			ID:             "TRC-1",
			Name:           "Standard Input/Output Over Socket",
			Description:    "A process was found to be redirecting its standard input, output or error to a network socket, which is typical of a reverse shell.",
			Severity:       sdk.SeverityHigh,
			MitreCategory:  "Execution",
			MitreTechnique: "T1059.004 Command and Scripting Interpreter: Unix Shell",
		},
			// Descriptors 0-2 are all this signature reports on and all the
			// state it keeps when tracee-ebpf derives socket_dup in the
			// kernel; the dup family is the fallback for streams without it.
			on("socket_dup", "data.newfd<=2"),
			on("connect", "data.sockfd<=2"),
			streamOnly("security_socket_connect"),
			streamOnly("dup"), streamOnly("dup2"), streamOnly("dup3"),
			on("close", "data.fd<=2"),
			on("sched_process_exit"),
			on("close_range"),        // forgets 0-2 when closed or marked close-on-exec
			on("sched_process_exec"), // close-on-exec fds are gone; the kernel checks 0-2 at exec
		),
		maxPerProcess: DefaultMaxSocketsPerProcess,
		maxProcesses:  DefaultMaxProcesses,
	}
}

// SetLimits changes the fd table bounds (values < 1 keep the current ones).
func (s *StdioOverSocket) SetLimits(perProcess, processes int) {
	if perProcess > 0 {
		s.maxPerProcess = perProcess
	}
	if processes > 0 {
		s.maxProcesses = processes
	}
}

// Init implements sdk.Signature.
func (s *StdioOverSocket) Init(cb sdk.Callback) error {
	s.dedup = pairDedup{}
	s.procs = make(map[int32]map[int32]peer)
	s.evictions = 0
	return s.base.Init(cb)
}

// Tracked reports how many sockets the fd table holds and how many entries
// were evicted to respect its bounds.
func (s *StdioOverSocket) Tracked() (sockets int, evictions uint64) {
	for _, fds := range s.procs {
		sockets += len(fds)
	}
	return sockets, s.evictions
}

// OnEvent implements sdk.Signature.
func (s *StdioOverSocket) OnEvent(ev *pb.Event) error {
	pid := ev.GetHostProcessId()
	switch name := ev.GetEventName(); name {
	case "security_socket_connect", "connect":
		addrArg := "remote_addr"
		if name == "connect" {
			addrArg = "addr"
		}
		fd, ok := sdk.ArgInt(ev, "sockfd")
		sa, _ := sdk.ArgSockAddr(ev, addrArg)
		if !ok || !isInet(sa) {
			return nil
		}
		p := toPeer(sa)
		s.remember(pid, int32(fd), p)
		if isStdFd(fd) && !s.dedup.duplicate(ev, dedupKey{tid: ev.GetHostThreadId(), class: "connect", a: fd, b: int64(p.port), s: p.ip}, name, sameSyscall) {
			s.fire(ev, p, fd, -1)
		}
	case "socket_dup":
		oldfd, _ := sdk.ArgInt(ev, "oldfd")
		newfd, ok := sdk.ArgInt(ev, "newfd")
		sa, _ := sdk.ArgSockAddr(ev, "remote_addr")
		if !ok || !isInet(sa) || sa.GetPort() == 0 {
			return nil // no peer: a listening or unconnected socket is no reverse shell
		}
		p := toPeer(sa)
		if int32(oldfd) == -1 { // at exec: the new program's fd 0-2 is the socket
			if prev, ok := s.lookup(pid, int32(newfd)); (ok && prev == p) || !shellLike(ev.GetProcessName()) {
				return nil // already reported, or not a shell or interpreter
			}
		}
		s.remember(pid, int32(newfd), p)
		if isStdFd(newfd) && !s.dedup.duplicate(ev, dedupKey{tid: ev.GetHostThreadId(), class: "dup", a: oldfd, b: newfd}, "socket_dup", sameSyscall) {
			s.fire(ev, p, newfd, oldfd)
		}
	case "dup", "dup2", "dup3":
		if ev.GetReturnValue() < 0 {
			return nil
		}
		oldfd, ok := sdk.ArgInt(ev, "oldfd")
		if !ok {
			return nil
		}
		newfd := ev.GetReturnValue()
		if name != "dup" {
			if v, ok := sdk.ArgInt(ev, "newfd"); ok {
				newfd = v
			}
		}
		if oldfd == newfd {
			return nil
		}
		sa, ok := s.lookup(pid, int32(oldfd))
		if !ok {
			s.forget(pid, int32(newfd)) // newfd now refers to something else
			return nil
		}
		s.remember(pid, int32(newfd), sa)
		if isStdFd(newfd) && !s.dedup.duplicate(ev, dedupKey{tid: ev.GetHostThreadId(), class: "dup", a: oldfd, b: newfd}, "dup", sameSyscall) {
			s.fire(ev, sa, newfd, oldfd)
		}
	case "close":
		if fd, ok := sdk.ArgInt(ev, "fd"); ok {
			s.forget(pid, int32(fd))
		}
	case "close_range":
		// closes (or marks close-on-exec) [first, last]: either way the
		// descriptors are not the remembered sockets any more after the next exec
		first, ok1 := sdk.ArgUint(ev, "fd") // close_range(fd, max_fd, flags)
		last, ok2 := sdk.ArgUint(ev, "max_fd")
		if ok1 && ok2 && ev.GetReturnValue() == 0 {
			for fd := range s.procs[pid] {
				if uint64(uint32(fd)) >= first && uint64(uint32(fd)) <= last {
					s.forget(pid, fd)
				}
			}
		}
	case "sched_process_exec":
		// close-on-exec descriptors are gone; the kernel reports the sockets
		// the new program starts with on fds 0-2 (socket_dup at exec)
		delete(s.procs, pid)
	case "sched_process_exit":
		groupExit, ok := sdk.ArgBool(ev, "process_group_exit")
		if !ok {
			groupExit = ev.GetHostThreadId() == pid
		}
		if groupExit {
			delete(s.procs, pid)
		}
	}
	return nil
}

func (s *StdioOverSocket) fire(ev *pb.Event, sa peer, fd, oldfd int64) {
	data := map[string]any{"ip": sa.ip, "port": sa.port, "fd": fd, "family": sa.family}
	if oldfd >= 0 {
		data["oldfd"] = oldfd
	}
	s.report(ev, data)
}

// peer is a socket's remote address, copied out of the event.
type peer struct {
	family, ip string
	port       uint32
}

func (s *StdioOverSocket) lookup(pid, fd int32) (peer, bool) {
	p, ok := s.procs[pid][fd]
	return p, ok
}

func (s *StdioOverSocket) remember(pid, fd int32, sa peer) {
	fds := s.procs[pid]
	if fds == nil {
		if len(s.procs) >= s.maxProcesses {
			for p := range s.procs { // evict an arbitrary process
				s.evictions += uint64(len(s.procs[p]))
				delete(s.procs, p)
				break
			}
		}
		fds = make(map[int32]peer, 4)
		s.procs[pid] = fds
	}
	if _, ok := fds[fd]; !ok && len(fds) >= s.maxPerProcess {
		for f := range fds { // evict an arbitrary socket of this process
			delete(fds, f)
			s.evictions++
			break
		}
	}
	fds[fd] = sa
}

func (s *StdioOverSocket) forget(pid, fd int32) {
	fds := s.procs[pid]
	if fds == nil {
		return
	}
	delete(fds, fd)
	if len(fds) == 0 {
		delete(s.procs, pid)
	}
}

// interpreters are the programs besides shells (files.go) whose standard
// streams on a socket make a shell for whoever is at the other end, by
// executable name (comm).
var interpreters = map[string]bool{"busybox": true, "perl": true, "ruby": true, "php": true,
	"lua": true, "node": true, "nodejs": true, "irb": true, "tclsh": true, "wish": true, "expect": true,
	"python": true, "python2": true, "python3": true, "pwsh": true, "gawk": true, "awk": true}

func shellLike(comm string) bool {
	if shells[comm] || interpreters[comm] {
		return true
	}
	for _, p := range []string{"python3.", "python2.", "perl5", "ruby", "php", "lua5", "tclsh"} {
		if strings.HasPrefix(comm, p) {
			return true
		}
	}
	return false
}

func toPeer(sa *pb.SockAddr) peer {
	return peer{family: sa.GetFamily(), ip: sa.GetIp(), port: sa.GetPort()}
}
