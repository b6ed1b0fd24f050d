package traceejson

import (
	ptj "github.com/tracee-go/tracee/proto/traceejson"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Event is one event in Tracee's JSON format (see proto/traceejson).
type Event = ptj.Event

// Argument is one event argument in Tracee's JSON format.
type Argument = ptj.Argument

// Ancestor is one process of the event's ancestry (parent first).
type Ancestor = ptj.Ancestor

// FromProto converts an event to its JSON form.
func FromProto(ev *pb.Event) Event { return *ptj.FromProto(ev) }

// ArgValue is the JSON value Tracee prints for an argument: its repr when
// set, else its value.
func ArgValue(a *pb.Argument) any { return ptj.ArgValue(a) }

// SockAddrMap renders a socket address the way Tracee prints it
// ({"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"4444"}).
func SockAddrMap(sa *pb.SockAddr) map[string]string { return ptj.SockaddrMap(sa) }

// Decode parses one Tracee-JSON event (see proto/traceejson.Unmarshal).
func Decode(data []byte) (*pb.Event, error) { return ptj.Unmarshal(data) }
