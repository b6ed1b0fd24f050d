package traceejson

import (
	"encoding/json"
	"strconv"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Event is Tracee's JSON event. Its Go field names follow Tracee's
// trace.Event so that Go templates written for Tracee keep working
// ({{ .EventName }}, {{ .HostProcessID }}, {{ range .Args }}{{ .Name }}...).
type Event struct {
	Timestamp           int64       `json:"timestamp"`
	ProcessorID         uint32      `json:"processorId"`
	ProcessID           int32       `json:"processId"`
	CgroupID            uint64      `json:"cgroupId"`
	ThreadID            int32       `json:"threadId"`
	ParentProcessID     int32       `json:"parentProcessId"`
	HostProcessID       int32       `json:"hostProcessId"`
	HostThreadID        int32       `json:"hostThreadId"`
	HostParentProcessID int32       `json:"hostParentProcessId"`
	UserID              uint32      `json:"userId"`
	GroupID             uint32      `json:"groupId"`
	MountNS             uint32      `json:"mountNamespace"`
	PIDNS               uint32      `json:"pidNamespace"`
	ProcessName         string      `json:"processName"`
	HostName            string      `json:"hostName"`
	ContainerID         string      `json:"containerId"`
	EventID             int32       `json:"eventId,string"`
	EventName           string      `json:"eventName"`
	ArgsNum             int         `json:"argsNum"`
	ReturnValue         int64       `json:"returnValue"`
	Syscall             int32       `json:"syscall"`
	ContextFlags        *Flags      `json:"contextFlags,omitempty"`
	Args                []Argument  `json:"args"`
	Ancestry            []Ancestor  `json:"ancestry,omitempty"`
	Artifacts           []Artifact  `json:"artifacts,omitempty"`
	MatchedPolicies     []string    `json:"matchedPolicies,omitempty"`
	Container           *Container  `json:"container,omitempty"`
	Kubernetes          *Kubernetes `json:"kubernetes,omitempty"`
}

// Container is what the container runtime says about the event's container
// (Tracee's "container" object); absent when the event has no container.
type Container struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Image       string `json:"image,omitempty"`
	ImageDigest string `json:"imageDigest,omitempty"`
}

// Kubernetes is the event's pod (Tracee's "kubernetes" object); absent
// outside Kubernetes.
type Kubernetes struct {
	PodName      string `json:"podName,omitempty"`
	PodNamespace string `json:"podNamespace,omitempty"`
	PodUID       string `json:"podUID,omitempty"`
}

// Artifact is evidence tracee-ebpf --capture stored for the event.
type Artifact struct {
	Kind   string `json:"kind"`
	SHA256 string `json:"sha256"`
	Path   string `json:"path"`
	Size   uint64 `json:"size"`
}

// Flags are Tracee's context flags; only set ones are written.
type Flags struct {
	IsCompat  bool `json:"isCompat"`
	Truncated bool `json:"truncated,omitempty"` // an argument, argv/env or path was cut
	IoUring   bool `json:"ioUring,omitempty"`
}

// Argument is one argument: Value is the repr when set, else the typed value
// (int64, uint64, string, []string, []byte, bool, map[string]string for a
// socket address, or nil).
type Argument struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value any    `json:"value"`
	// Raw holds the kernel's bytes (base64 in JSON) of a string value that
	// is not valid UTF-8; Value then shows them escaped (\xNN, \\).
	Raw []byte `json:"raw,omitempty"`
}

// Ancestor is one entry of the process ancestry, parent first.
type Ancestor struct {
	HostProcessID int32  `json:"hostProcessId"`
	ProcessID     int32  `json:"processId"`
	ProcessName   string `json:"processName"`
}

// FromProto converts an event to its JSON form.
func FromProto(ev *pb.Event) *Event {
	out := &Event{
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
		MountNS:             ev.GetMountNamespace(),
		PIDNS:               ev.GetPidNamespace(),
		ProcessName:         ev.GetProcessName(),
		HostName:            ev.GetHostName(),
		ContainerID:         ev.GetContainerId(),
		EventID:             ev.GetEventId(),
		EventName:           ev.GetEventName(),
		ArgsNum:             len(ev.GetArgs()),
		ReturnValue:         ev.GetReturnValue(),
		Syscall:             ev.GetSyscall(),
		Args:                make([]Argument, 0, len(ev.GetArgs())),
	}
	if ev.GetIsCompat() || ev.GetTruncated() || ev.GetIoUring() {
		out.ContextFlags = &Flags{IsCompat: ev.GetIsCompat(), Truncated: ev.GetTruncated(), IoUring: ev.GetIoUring()}
	}
	for _, a := range ev.GetArgs() {
		out.Args = append(out.Args, Argument{Name: a.GetName(), Type: a.GetType(), Value: ArgValue(a), Raw: a.GetRaw()})
	}
	if c := (Container{ev.GetContainerId(), ev.GetContainerName(), ev.GetContainerImage(), ev.GetContainerImageDigest()}); c != (Container{}) {
		out.Container = &c
	}
	if k := (Kubernetes{ev.GetPodName(), ev.GetPodNamespace(), ev.GetPodUid()}); k != (Kubernetes{}) {
		out.Kubernetes = &k
	}
	for _, a := range ev.GetAncestry() {
		out.Ancestry = append(out.Ancestry, Ancestor{HostProcessID: a.GetHostPid(), ProcessID: a.GetPid(), ProcessName: a.GetComm()})
	}
	out.MatchedPolicies = ev.GetMatchedPolicies()
	for _, a := range ev.GetArtifacts() {
		out.Artifacts = append(out.Artifacts, Artifact{Kind: a.GetKind(), SHA256: a.GetSha256(), Path: a.GetPath(), Size: a.GetSize()})
	}
	return out
}

// ArgValue is the JSON value of an argument: its repr when set, else its
// typed value.
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
		if v.Bytes == nil {
			return []byte{}
		}
		return v.Bytes
	case *pb.Argument_StrArray:
		vals := v.StrArray.GetValues()
		if vals == nil {
			vals = []string{}
		}
		return vals
	case *pb.Argument_Sockaddr:
		return SockaddrMap(v.Sockaddr)
	case *pb.Argument_Bool:
		return v.Bool
	}
	return nil
}

// SockaddrMap renders a socket address as Tracee does: a map of strings
// keyed by the C field names of the family's struct.
func SockaddrMap(sa *pb.SockAddr) map[string]string {
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
	}
	return m
}

// Marshal encodes ev as one Tracee JSON object (no trailing newline).
func Marshal(ev *pb.Event) ([]byte, error) {
	return json.Marshal(FromProto(ev))
}

// AppendJSON appends the JSON encoding of ev to dst.
func AppendJSON(dst []byte, ev *pb.Event) ([]byte, error) {
	b, err := Marshal(ev)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}
