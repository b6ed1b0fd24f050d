package traceejson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// ErrNoEventName is wrapped when an event has neither eventName nor eventId.
var ErrNoEventName = errors.New("event has no eventName")

// flexInt accepts a JSON number or a quoted number (Tracee printed some
// numeric fields, such as eventId, as strings).
type flexInt struct {
	v   int64
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	if string(b) == "null" {
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		u, uerr := strconv.ParseUint(string(b), 10, 64)
		if uerr != nil {
			return fmt.Errorf("not an integer: %s", b)
		}
		v = int64(u)
	}
	f.v, f.set = v, true
	return nil
}

type wireArg struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type wireAncestor struct {
	HostProcessID flexInt `json:"hostProcessId"`
	ProcessID     flexInt `json:"processId"`
	ProcessName   string  `json:"processName"`
}

type wireEvent struct {
	Timestamp           flexInt         `json:"timestamp"`
	ProcessorID         flexInt         `json:"processorId"`
	ProcessID           flexInt         `json:"processId"`
	CgroupID            flexInt         `json:"cgroupId"`
	ThreadID            flexInt         `json:"threadId"`
	ParentProcessID     flexInt         `json:"parentProcessId"`
	HostProcessID       flexInt         `json:"hostProcessId"`
	HostThreadID        flexInt         `json:"hostThreadId"`
	HostParentProcessID flexInt         `json:"hostParentProcessId"`
	UserID              flexInt         `json:"userId"`
	GroupID             flexInt         `json:"groupId"`
	MountNamespace      flexInt         `json:"mountNamespace"`
	PIDNamespace        flexInt         `json:"pidNamespace"`
	ProcessName         string          `json:"processName"`
	HostName            string          `json:"hostName"`
	ContainerID         string          `json:"containerId"`
	EventID             flexInt         `json:"eventId"`
	EventName           string          `json:"eventName"`
	Syscall             json.RawMessage `json:"syscall"`
	ReturnValue         flexInt         `json:"returnValue"`
	Args                []wireArg       `json:"args"`
	Ancestry            []wireAncestor  `json:"ancestry"`
}

// Decode parses one Tracee-JSON event. The event must have an eventName or an
// eventId (callers that know the event table may fill in the missing one).
func Decode(data []byte) (*pb.Event, error) {
	var w wireEvent
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode event: trailing data after the JSON object")
	}
	if w.EventName == "" && !w.EventID.set {
		return nil, ErrNoEventName
	}
	ev := &pb.Event{
		Timestamp:           w.Timestamp.v,
		ProcessorId:         uint32(w.ProcessorID.v),
		ProcessId:           int32(w.ProcessID.v),
		ThreadId:            int32(w.ThreadID.v),
		ParentProcessId:     int32(w.ParentProcessID.v),
		HostProcessId:       int32(w.HostProcessID.v),
		HostThreadId:        int32(w.HostThreadID.v),
		HostParentProcessId: int32(w.HostParentProcessID.v),
		UserId:              uint32(w.UserID.v),
		GroupId:             uint32(w.GroupID.v),
		MountNamespace:      uint32(w.MountNamespace.v),
		PidNamespace:        uint32(w.PIDNamespace.v),
		ProcessName:         w.ProcessName,
		HostName:            w.HostName,
		CgroupId:            uint64(w.CgroupID.v),
		ContainerId:         w.ContainerID,
		EventId:             int32(w.EventID.v),
		EventName:           w.EventName,
		ReturnValue:         w.ReturnValue.v,
		Syscall:             -1,
	}
	// "syscall" is a number in this project's output; some Tracee versions
	// print the syscall's name instead, which carries no number to keep.
	var sc flexInt
	if len(w.Syscall) > 0 && sc.UnmarshalJSON(w.Syscall) == nil && sc.set {
		ev.Syscall = int32(sc.v)
	}
	if len(w.Args) > 0 {
		ev.Args = make([]*pb.Argument, 0, len(w.Args))
	}
	for i, wa := range w.Args {
		a, err := decodeArg(wa)
		if err != nil {
			return nil, fmt.Errorf("arg %d (%q): %w", i, wa.Name, err)
		}
		ev.Args = append(ev.Args, a)
	}
	for _, wan := range w.Ancestry {
		ev.Ancestry = append(ev.Ancestry, &pb.Ancestor{HostPid: int32(wan.HostProcessID.v), Pid: int32(wan.ProcessID.v), Comm: wan.ProcessName})
	}
	return ev, nil
}

// typeKind classifies a C type string for decoding JSON values.
type typeKind uint8

const (
	kindOther typeKind = iota
	kindSigned
	kindUnsigned
	kindString
	kindStrArray
	kindBytes
	kindBool
)

var typeKinds = map[string]typeKind{
	"int": kindSigned, "long": kindSigned, "short": kindSigned, "long long": kindSigned,
	"s8": kindSigned, "s16": kindSigned, "s32": kindSigned, "s64": kindSigned,
	"int8": kindSigned, "int16": kindSigned, "int32": kindSigned, "int64": kindSigned,
	"pid_t": kindSigned, "off_t": kindSigned, "loff_t": kindSigned, "ssize_t": kindSigned,
	"time_t": kindSigned, "clockid_t": kindSigned, "key_serial_t": kindSigned, "mqd_t": kindSigned,
	"timer_t":      kindSigned,
	"unsigned int": kindUnsigned, "unsigned long": kindUnsigned, "unsigned short": kindUnsigned,
	"unsigned char": kindUnsigned, "unsigned long long": kindUnsigned, "unsigned": kindUnsigned,
	"u8": kindUnsigned, "u16": kindUnsigned, "u32": kindUnsigned, "u64": kindUnsigned,
	"uint8": kindUnsigned, "uint16": kindUnsigned, "uint32": kindUnsigned, "uint64": kindUnsigned,
	"size_t": kindUnsigned, "dev_t": kindUnsigned, "mode_t": kindUnsigned, "umode_t": kindUnsigned,
	"uid_t": kindUnsigned, "gid_t": kindUnsigned, "ino_t": kindUnsigned, "aio_context_t": kindUnsigned,
	"bool": kindBool, "bytes": kindBytes,
}

func classify(ctype string) typeKind {
	t := strings.TrimSpace(ctype)
	if k, ok := typeKinds[t]; ok {
		return k
	}
	compact := strings.ReplaceAll(t, " ", "")
	switch {
	case strings.Contains(compact, "char**"), strings.Contains(compact, "char*const*"), compact == "[]string":
		return kindStrArray
	case strings.Contains(compact, "char*"), compact == "string":
		return kindString
	case strings.Contains(compact, "sockaddr"):
		return kindOther
	case strings.HasSuffix(compact, "*"):
		return kindUnsigned // other pointers print as addresses
	}
	return kindOther
}

func decodeArg(wa wireArg) (*pb.Argument, error) {
	a := &pb.Argument{Name: wa.Name, Type: wa.Type}
	raw := bytes.TrimSpace(wa.Value)
	if len(raw) == 0 || string(raw) == "null" {
		return a, nil
	}
	kind := classify(wa.Type)
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return a, setString(a, kind, s)
	case '{':
		sa, err := decodeSockAddr(raw)
		if err != nil {
			return nil, err
		}
		a.Value = &pb.Argument_Sockaddr{Sockaddr: sa}
		return a, nil
	case '[':
		return a, setArray(a, kind, raw)
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, err
		}
		a.Value = &pb.Argument_Bool{Bool: b}
		return a, nil
	}
	return a, setNumber(a, kind, string(raw))
}

func setNumber(a *pb.Argument, kind typeKind, s string) error {
	if kind == kindBool {
		switch s {
		case "0":
			a.Value = &pb.Argument_Bool{Bool: false}
			return nil
		case "1":
			a.Value = &pb.Argument_Bool{Bool: true}
			return nil
		}
	}
	if kind == kindUnsigned {
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			a.Value = &pb.Argument_Uint{Uint: u}
			return nil
		}
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		a.Value = &pb.Argument_Int{Int: i}
		return nil
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		a.Value = &pb.Argument_Uint{Uint: u}
		return nil
	}
	return fmt.Errorf("value %s is not an integer", s)
}

func setString(a *pb.Argument, kind typeKind, s string) error {
	switch kind {
	case kindSigned, kindUnsigned:
		// A number printed as text ("0x7ffd..." pointers), or a flag's repr.
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			if kind == kindUnsigned && i >= 0 {
				a.Value = &pb.Argument_Uint{Uint: uint64(i)}
			} else {
				a.Value = &pb.Argument_Int{Int: i}
			}
			return nil
		}
		if u, err := strconv.ParseUint(s, 0, 64); err == nil {
			a.Value = &pb.Argument_Uint{Uint: u}
			return nil
		}
		a.Repr = s
	case kindBytes:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("bytes value is not base64: %w", err)
		}
		a.Value = &pb.Argument_Bytes{Bytes: b}
	default:
		a.Value = &pb.Argument_Str{Str: s}
	}
	return nil
}

func setArray(a *pb.Argument, kind typeKind, raw []byte) error {
	if kind == kindBytes {
		var ints []uint8Value
		if err := json.Unmarshal(raw, &ints); err == nil {
			b := make([]byte, len(ints))
			for i, v := range ints {
				b[i] = byte(v)
			}
			a.Value = &pb.Argument_Bytes{Bytes: b}
			return nil
		}
	}
	var ss []string
	if err := json.Unmarshal(raw, &ss); err != nil {
		return errors.New("array value must be an array of strings")
	}
	if ss == nil {
		ss = []string{}
	}
	a.Value = &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: ss}}
	return nil
}

// uint8Value decodes a JSON number 0..255 (a []uint8 would expect base64).
type uint8Value uint8

func (u *uint8Value) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseUint(string(b), 10, 8)
	if err != nil {
		return fmt.Errorf("byte value %s: %w", b, err)
	}
	*u = uint8Value(n)
	return nil
}

// sockaddr keys: Tracee's names first, then this project's proto names.
var (
	familyKeys   = []string{"sa_family", "family"}
	ipKeys       = []string{"sin_addr", "sin6_addr", "ip"}
	portKeys     = []string{"sin_port", "sin6_port", "port"}
	pathKeys     = []string{"sun_path", "path"}
	flowinfoKeys = []string{"sin6_flowinfo", "flowinfo"}
	scopeKeys    = []string{"sin6_scopeid", "scope_id", "scopeId"}
)

func decodeSockAddr(raw []byte) (*pb.SockAddr, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("sockaddr: %w", err)
	}
	str := func(keys []string) (string, error) {
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err == nil {
				return s, nil
			}
			var n json.Number
			if err := json.Unmarshal(v, &n); err == nil {
				return n.String(), nil
			}
			return "", fmt.Errorf("sockaddr field %q: want a string or number", k)
		}
		return "", nil
	}
	num := func(keys []string) (uint32, error) {
		s, err := str(keys)
		if err != nil || s == "" {
			return 0, err
		}
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("sockaddr number %q: %w", s, err)
		}
		return uint32(n), nil
	}
	sa := &pb.SockAddr{}
	var err error
	if sa.Family, err = str(familyKeys); err != nil {
		return nil, err
	}
	if sa.Ip, err = str(ipKeys); err != nil {
		return nil, err
	}
	if sa.Path, err = str(pathKeys); err != nil {
		return nil, err
	}
	if sa.Port, err = num(portKeys); err != nil {
		return nil, err
	}
	if sa.Flowinfo, err = num(flowinfoKeys); err != nil {
		return nil, err
	}
	if sa.ScopeId, err = num(scopeKeys); err != nil {
		return nil, err
	}
	return sa, nil
}
