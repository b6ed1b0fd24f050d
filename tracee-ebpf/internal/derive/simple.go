package derive

import (
	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// deriveBprmCheck: security_bprm_check(pathname, dev, inode, argv) from
// sched_process_exec's arguments of the same names.
func deriveBprmCheck(d *Deriver, def *events.Definition, src *traceepb.Event) []*traceepb.Event {
	if src.GetArg("pathname") == nil {
		d.skipped++
		return nil
	}
	args := make([]*traceepb.Argument, 0, len(def.Params))
	for _, p := range def.Params {
		args = append(args, copyArg(def, p.Name, src, p.Name))
	}
	ev := newEvent(def, src, args)
	return []*traceepb.Event{ev}
}

// connectFamilies are the families the security_socket_connect LSM hook
// reports (as Tracee does).
var connectFamilies = map[string]bool{"AF_INET": true, "AF_INET6": true, "AF_UNIX": true}

// deriveSocketConnect: security_socket_connect(sockfd, remote_addr) from
// connect(sockfd, addr, addrlen), whatever its return value. A connect whose
// address could not be read (no sockaddr value) derives nothing.
func deriveSocketConnect(d *Deriver, def *events.Definition, src *traceepb.Event) []*traceepb.Event {
	addr := src.GetArg("addr")
	if addr == nil || addr.GetSockaddr() == nil {
		d.skipped++
		return nil
	}
	if !connectFamilies[addr.GetSockaddr().Family] {
		return nil
	}
	args := []*traceepb.Argument{
		copyArg(def, "sockfd", src, "sockfd"),
		copyArg(def, "remote_addr", src, "addr"),
	}
	return []*traceepb.Event{newEvent(def, src, args)}
}
