package sdktest

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Event builds an event with the given name and arguments, from process
// "test" with host and namespace pid/tid 1000.
func Event(name string, args ...*pb.Argument) *pb.Event {
	return &pb.Event{
		Timestamp:     1_700_000_000_000_000_000,
		EventName:     name,
		ProcessName:   "test",
		ProcessId:     1000,
		ThreadId:      1000,
		HostProcessId: 1000,
		HostThreadId:  1000,
		Syscall:       -1,
		Args:          args,
	}
}

// InProcess sets the event's host and namespace pid and tid to pid.
func InProcess(ev *pb.Event, pid int32) *pb.Event {
	ev.ProcessId, ev.ThreadId, ev.HostProcessId, ev.HostThreadId = pid, pid, pid, pid
	return ev
}

// Ret sets the event's return value.
func Ret(ev *pb.Event, rv int64) *pb.Event {
	ev.ReturnValue = rv
	return ev
}

// Int is a signed integer argument of type "int".
func Int(name string, v int64) *pb.Argument {
	return &pb.Argument{Name: name, Type: "int", Value: &pb.Argument_Int{Int: v}}
}

// Uint is an unsigned integer argument of type "unsigned long".
func Uint(name string, v uint64) *pb.Argument {
	return &pb.Argument{Name: name, Type: "unsigned long", Value: &pb.Argument_Uint{Uint: v}}
}

// Flag is an integer flag argument with its symbolic rendering.
func Flag(name string, v int64, repr string) *pb.Argument {
	return &pb.Argument{Name: name, Type: "int", Value: &pb.Argument_Int{Int: v}, Repr: repr}
}

// Repr is a flag argument that carries only its symbolic rendering, as
// arguments decoded from Tracee JSON do.
func Repr(name, repr string) *pb.Argument {
	return &pb.Argument{Name: name, Type: "int", Repr: repr}
}

// Str is a string argument.
func Str(name, v string) *pb.Argument {
	return &pb.Argument{Name: name, Type: "const char*", Value: &pb.Argument_Str{Str: v}}
}

// Strs is a string-array argument.
func Strs(name string, v ...string) *pb.Argument {
	return &pb.Argument{Name: name, Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: v}}}
}

// Bool is a boolean argument.
func Bool(name string, v bool) *pb.Argument {
	return &pb.Argument{Name: name, Type: "bool", Value: &pb.Argument_Bool{Bool: v}}
}

// Bytes is a byte-buffer argument.
func Bytes(name string, v []byte) *pb.Argument {
	return &pb.Argument{Name: name, Type: "bytes", Value: &pb.Argument_Bytes{Bytes: v}}
}

// Inet is an AF_INET or AF_INET6 (when ip contains ':') socket address argument.
func Inet(name, ip string, port uint32) *pb.Argument {
	fam := "AF_INET"
	for i := 0; i < len(ip); i++ {
		if ip[i] == ':' {
			fam = "AF_INET6"
			break
		}
	}
	return &pb.Argument{Name: name, Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: fam, Ip: ip, Port: port}}}
}

// Unix is an AF_UNIX socket address argument.
func Unix(name, path string) *pb.Argument {
	return &pb.Argument{Name: name, Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_UNIX", Path: path}}}
}
