// Package traceejson converts events to and from Tracee's JSON event shape.
//
// The field names are Tracee's (types/trace.Event): "timestamp" (unix ns),
// "processorId", "processId", "cgroupId", "threadId", "parentProcessId",
// "hostProcessId", "hostThreadId", "hostParentProcessId", "userId",
// "mountNamespace", "pidNamespace", "processName", "hostName", "containerId",
// "eventId" (a decimal string, as Tracee's `json:"eventId,string"`),
// "eventName", "argsNum", "returnValue" and "args" ([{name, type, value}]).
// Extras of this project: "groupId", "syscall" (the syscall number that
// produced the event, -1 for none; Tracee prints a name there, and Unmarshal
// accepts a name too, which it cannot map and records as -1) and "ancestry"
// ([{hostPid, pid, comm}], parent first).
//
// Argument values: the symbolic rendering (repr) when there is one, else the
// typed value: integers as JSON numbers, strings, string arrays as arrays,
// booleans, byte buffers as base64 strings (encoding/json's []byte form, as
// Tracee's output), and socket addresses as Tracee prints them, a string map:
//
//	{"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"80"}
//	{"sa_family":"AF_INET6","sin6_addr":"::1","sin6_flowinfo":"0","sin6_port":"443","sin6_scopeid":"0"}
//	{"sa_family":"AF_UNIX","sun_path":"/run/x.sock"}
//
// Unmarshal types each value by its argument type string: numbers become
// int or uint (pointers, "unsigned ...", size_t, dev_t, ... are unsigned),
// string arrays, socket addresses and byte buffers become their proto forms.
// A string where a number is expected is a repr and is kept in Argument.Repr
// without a numeric value: pb -> JSON -> pb loses the number behind a repr,
// exactly as Tracee's parsed-argument output does; JSON -> pb -> JSON is
// stable.
package traceejson
