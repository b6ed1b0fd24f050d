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
func FromProto(ev *pb.Event) *Event { return ptj.FromProto(ev) }

// ArgValue is the JSON value Tracee prints for an argument: its repr when
// set, else its value.
func ArgValue(a *pb.Argument) any { return ptj.ArgValue(a) }

// SockaddrMap renders a socket address the way Tracee prints it
// ({"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"4444"}).
func SockaddrMap(sa *pb.SockAddr) map[string]string { return ptj.SockaddrMap(sa) }

// Marshal encodes one event as Tracee JSON.
func Marshal(ev *pb.Event) ([]byte, error) { return ptj.Marshal(ev) }

// Unmarshal parses one Tracee-JSON event.
func Unmarshal(data []byte) (*pb.Event, error) { return ptj.Unmarshal(data) }
