package traceejson

import (
	"strconv"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Event is one event in Tracee's JSON format.
type Event struct {
	Timestamp           int64      `json:"timestamp"`
	ProcessorID         uint32     `json:"processorId"`
	ProcessID           int32      `json:"processId"`
	CgroupID            uint64     `json:"cgroupId"`
	ThreadID            int32      `json:"threadId"`
	ParentProcessID     int32      `json:"parentProcessId"`
	HostProcessID       int32      `json:"hostProcessId"`
	HostThreadID        int32      `json:"hostThreadId"`
	HostParentProcessID int32      `json:"hostParentProcessId"`
	UserID              uint32     `json:"userId"`
	GroupID             uint32     `json:"groupId"`
	MountNamespace      uint32     `json:"mountNamespace"`
	PIDNamespace        uint32     `json:"pidNamespace"`
	ProcessName         string     `json:"processName"`
	HostName            string     `json:"hostName"`
	ContainerID         string     `json:"containerId"`
	EventID             int32      `json:"eventId"`
	EventName           string     `json:"eventName"`
	Syscall             int32      `json:"syscall"`
	ArgsNum             int        `json:"argsNum"`
	ReturnValue         int64      `json:"returnValue"`
	Args                []Argument `json:"args"`
	Ancestry            []Ancestor `json:"ancestry,omitempty"`
}

// Argument is one event argument. Value is a JSON number, string, bool, string
// array, sockaddr map, base64 byte string or null.
type Argument struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Ancestor is one process of the event's ancestry (parent first).
type Ancestor struct {
	HostProcessID int32  `json:"hostProcessId"`
	ProcessID     int32  `json:"processId"`
	ProcessName   string `json:"processName"`
}

// FromProto converts an event to its JSON form.
func FromProto(ev *pb.Event) Event {
	out := Event{
		Timestamp:           ev.GetTimestamp(),
		ProcessorID:         ev.GetProcessorId(),
		ProcessID:           ev.GetProcessId(),
		CgroupID:            ev.GetCgroupId(),
		ThreadID:            ev.GetThreadId(),
		ParentProcessID:     ev.GetParentProcessId(),
		HostProcessID:       ev.GetHostProcessId(),
		HostThreadID:        ev.GetHostThreadId(),
		HostParentProcessID: ev.GetHostParentProcessId(),
		UserID:              ev.GetUserId(),
		GroupID:             ev.GetGroupId(),
		MountNamespace:      ev.GetMountNamespace(),
		PIDNamespace:        ev.GetPidNamespace(),
		ProcessName:         ev.GetProcessName(),
		HostName:            ev.GetHostName(),
		ContainerID:         ev.GetContainerId(),
		EventID:             ev.GetEventId(),
		EventName:           ev.GetEventName(),
		Syscall:             ev.GetSyscall(),
		ArgsNum:             len(ev.GetArgs()),
		ReturnValue:         ev.GetReturnValue(),
		Args:                make([]Argument, 0, len(ev.GetArgs())),
	}
	for _, a := range ev.GetArgs() {
		out.Args = append(out.Args, Argument{Name: a.GetName(), Type: a.GetType(), Value: ArgValue(a)})
	}
	for _, an := range ev.GetAncestry() {
		out.Ancestry = append(out.Ancestry, Ancestor{HostProcessID: an.GetHostPid(), ProcessID: an.GetPid(), ProcessName: an.GetComm()})
	}
	return out
}

// ArgValue is the JSON value Tracee prints for an argument: its repr when
// set, else its value.
func ArgValue(a *pb.Argument) any {
	if a.GetRepr() != "" {
		return a.GetRepr()
	}
	switch v := a.GetValue().(type) {
	case *pb.Argument_Int:
		return v.Int
	case *pb.Argument_Uint:
		return v.Uint
	case *pb.Argument_Str:
		return v.Str
	case *pb.Argument_Bytes:
		return v.Bytes // encoding/json prints base64
	case *pb.Argument_StrArray:
		vals := v.StrArray.GetValues()
		if vals == nil {
			vals = []string{}
		}
		return vals
	case *pb.Argument_Sockaddr:
		return SockAddrMap(v.Sockaddr)
	case *pb.Argument_Bool:
		return v.Bool
	}
	return nil
}

// SockAddrMap renders a socket address the way Tracee prints it.
func SockAddrMap(sa *pb.SockAddr) map[string]string {
	m := map[string]string{"sa_family": sa.GetFamily()}
	switch sa.GetFamily() {
	case "AF_INET":
		m["sin_addr"] = sa.GetIp()
		m["sin_port"] = strconv.FormatUint(uint64(sa.GetPort()), 10)
	case "AF_INET6":
		m["sin6_addr"] = sa.GetIp()
		m["sin6_port"] = strconv.FormatUint(uint64(sa.GetPort()), 10)
		m["sin6_flowinfo"] = strconv.FormatUint(uint64(sa.GetFlowinfo()), 10)
		m["sin6_scopeid"] = strconv.FormatUint(uint64(sa.GetScopeId()), 10)
	case "AF_UNIX":
		m["sun_path"] = sa.GetPath()
	default:
		if sa.GetIp() != "" {
			m["ip"] = sa.GetIp()
			m["port"] = strconv.FormatUint(uint64(sa.GetPort()), 10)
		}
		if sa.GetPath() != "" {
			m["path"] = sa.GetPath()
		}
	}
	return m
}
