package e2e

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listener accepts one connection on addr and collects what the peer sends
// until it closes (bounded by a deadline).
type listener struct {
	ln       net.Listener
	received chan string
}

func listen(t *testing.T, network, addr string) *listener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s %s: %v", network, addr, err)
	}
	l := &listener{ln: ln, received: make(chan string, 1)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		defer close(l.received)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(findingTimeout))
		b, _ := io.ReadAll(io.LimitReader(c, 4096))
		l.received <- string(b)
	}()
	return l
}

func (l *listener) port() int { return l.ln.Addr().(*net.TCPAddr).Port }

// expect checks that the listener received want (the trigger wrote it to its
// fd 0, so fd 0 was the socket); out is the trigger's output, for the error.
func (l *listener) expect(t *testing.T, want, out string) {
	t.Helper()
	select {
	case got := <-l.received:
		if !strings.Contains(got, want) {
			t.Errorf("listener got %q: the trigger's fd 0 was not the socket", got)
		}
	case <-time.After(findingTimeout):
		t.Errorf("listener received nothing; trigger output:\n%s", out)
	}
}

// TRC-1: the socket becomes standard input/output/error by dup2, by dup3,
// and by being created as fd 0 (close(0); socket(); connect()), over IPv4
// and IPv6. Each std fd redirected by a dup is one finding, with the peer.
func TestStdioOverSocket(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1"}})
	type run struct {
		name, mode, host string
		family           string
		pid, port        int
		fds              []int64
	}
	var runs []run
	for _, fam := range []struct{ network, host, family string }{
		{"tcp4", "127.0.0.1", "AF_INET"},
		{"tcp6", "::1", "AF_INET6"},
	} {
		for _, v := range []struct {
			mode   string
			events []string // events a finding may come from
			fds    []int64
		}{
			{"dup2", []string{"socket_dup", "dup2"}, []int64{0, 1, 2}},
			{"dup3", []string{"socket_dup", "dup3"}, []int64{0, 1, 2}},
			{"fd0", []string{"security_socket_connect", "connect"}, []int64{0}},
		} {
			name := v.mode + "/" + fam.network
			t.Run(name, func(t *testing.T) {
				l := listen(t, fam.network, net.JoinHostPort(fam.host, "0"))
				pid, out := runTriggerPid(t, "reverse_shell", v.mode, fam.host, strconv.Itoa(l.port()))
				sock := outInt(t, out, "sock")
				l.expect(t, "reverse_shell: harmless", out)
				runs = append(runs, run{name, v.mode, fam.host, fam.family, pid, l.port(), v.fds})
				for _, fd := range v.fds {
					f := mustFind(t, p, "TRC-1 "+name+" fd "+strconv.FormatInt(fd, 10), func(f Finding) bool {
						got, _ := dataInt(f, "fd")
						return bySigPid("TRC-1", pid)(f) && got == fd
					})
					checkCommon(t, f, "TRC-1", pid, "reverse_shell")
					if !contains(v.events, f.Event.EventName) {
						t.Errorf("fd %d: event %q, want one of %v", fd, f.Event.EventName, v.events)
					}
					if ip := dataStr(f, "ip"); ip != fam.host {
						t.Errorf("fd %d: ip %q, want %q", fd, ip, fam.host)
					}
					if port, _ := dataInt(f, "port"); port != int64(l.port()) {
						t.Errorf("fd %d: port %d, want %d", fd, port, l.port())
					}
					if got := dataStr(f, "family"); got != fam.family {
						t.Errorf("fd %d: family %q, want %q", fd, got, fam.family)
					}
					oldfd, hasOld := dataInt(f, "oldfd")
					if v.mode == "fd0" && hasOld {
						t.Errorf("fd0: finding has oldfd %d, but no dup happened", oldfd)
					}
					if v.mode != "fd0" && oldfd != int64(sock) {
						t.Errorf("fd %d: oldfd %v (present %v), want the socket fd %d", fd, oldfd, hasOld, sock)
					}
				}
			})
		}
	}

	// Every redirection is reported exactly once, although the tracer shows
	// each dup twice (socket_dup and dup2/dup3) and each connect twice
	// (connect and security_socket_connect).
	p.Stop()
	for _, r := range runs {
		fs := findingsOf(p, "TRC-1", r.pid)
		t.Logf("%s (pid %d):\n%s", r.name, r.pid, describe(fs))
		if len(fs) != len(r.fds) {
			t.Errorf("%s: %d findings, want %d (one per std fd):\n%s", r.name, len(fs), len(r.fds), describe(fs))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
