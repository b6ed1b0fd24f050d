package traceejson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// rawEvent is the decoding form: numbers are checked against the proto
// field widths, eventId and syscall accept a number or a string.
type rawEvent struct {
	Timestamp           *json.Number    `json:"timestamp"`
	ProcessorID         *json.Number    `json:"processorId"`
	ProcessID           *json.Number    `json:"processId"`
	CgroupID            *json.Number    `json:"cgroupId"`
	ThreadID            *json.Number    `json:"threadId"`
	ParentProcessID     *json.Number    `json:"parentProcessId"`
	HostProcessID       *json.Number    `json:"hostProcessId"`
	HostThreadID        *json.Number    `json:"hostThreadId"`
	HostParentProcessID *json.Number    `json:"hostParentProcessId"`
	UserID              *json.Number    `json:"userId"`
	GroupID             *json.Number    `json:"groupId"`
	MountNS             *json.Number    `json:"mountNamespace"`
	PIDNS               *json.Number    `json:"pidNamespace"`
	ProcessName         string          `json:"processName"`
	HostName            string          `json:"hostName"`
	ContainerID         string          `json:"containerId"`
	EventID             json.RawMessage `json:"eventId"`
	EventName           string          `json:"eventName"`
	ReturnValue         *json.Number    `json:"returnValue"`
	Syscall             json.RawMessage `json:"syscall"`
	ContextFlags        Flags           `json:"contextFlags"`
	Args                []rawArg        `json:"args"`
	Ancestry            []rawAncestor   `json:"ancestry"`
	Artifacts           []Artifact      `json:"artifacts"`
	Container           Container       `json:"container"`
	Kubernetes          Kubernetes      `json:"kubernetes"`
	MatchedPolicies     []string        `json:"matchedPolicies"`
}

type rawArg struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
	Raw   []byte          `json:"raw"`
}

type rawAncestor struct {
	HostProcessID *json.Number `json:"hostProcessId"`
	ProcessID     *json.Number `json:"processId"`
	ProcessName   string       `json:"processName"`
}

// Unmarshal decodes one Tracee JSON event. Unknown fields (Tracee prints
// many more) are ignored.
func Unmarshal(data []byte) (*pb.Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var r rawEvent
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode tracee json event: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode tracee json event: trailing data after the object")
	}
	ev := &pb.Event{
		ProcessName: r.ProcessName,
		HostName:    r.HostName,
		ContainerId: r.ContainerID,

		ContainerName:        r.Container.Name,
		ContainerImage:       r.Container.Image,
		ContainerImageDigest: r.Container.ImageDigest,
		PodName:              r.Kubernetes.PodName,
		PodNamespace:         r.Kubernetes.PodNamespace,
		PodUid:               r.Kubernetes.PodUID,
		EventName:            r.EventName,
		Syscall:              -1,
		IsCompat:             r.ContextFlags.IsCompat,
		IoUring:              r.ContextFlags.IoUring,
		Truncated:            r.ContextFlags.Truncated,
	}
	var errs []error
	i64 := func(field string, n *json.Number, dst *int64) {
		if n == nil {
			return
		}
		v, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %q is not a 64-bit integer", field, n.String()))
		}
		*dst = v
	}
	i32 := func(field string, n *json.Number, dst *int32) {
		if n == nil {
			return
		}
		v, err := strconv.ParseInt(n.String(), 10, 32)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %q is not a 32-bit integer", field, n.String()))
		}
		*dst = int32(v)
	}
	u32 := func(field string, n *json.Number, dst *uint32) {
		if n == nil {
			return
		}
		v, err := strconv.ParseUint(n.String(), 10, 32)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %q is not an unsigned 32-bit integer", field, n.String()))
		}
		*dst = uint32(v)
	}
	if ev.ContainerId == "" {
		ev.ContainerId = r.Container.ID // Tracee's newer events carry the id only there
	}
	i64("timestamp", r.Timestamp, &ev.Timestamp)
	u32("processorId", r.ProcessorID, &ev.ProcessorId)
	i32("processId", r.ProcessID, &ev.ProcessId)
	if r.CgroupID != nil {
		v, err := strconv.ParseUint(r.CgroupID.String(), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("field cgroupId: %q is not an unsigned 64-bit integer", r.CgroupID.String()))
		}
		ev.CgroupId = v
	}
	i32("threadId", r.ThreadID, &ev.ThreadId)
	i32("parentProcessId", r.ParentProcessID, &ev.ParentProcessId)
	i32("hostProcessId", r.HostProcessID, &ev.HostProcessId)
	i32("hostThreadId", r.HostThreadID, &ev.HostThreadId)
	i32("hostParentProcessId", r.HostParentProcessID, &ev.HostParentProcessId)
	u32("userId", r.UserID, &ev.UserId)
	u32("groupId", r.GroupID, &ev.GroupId)
	u32("mountNamespace", r.MountNS, &ev.MountNamespace)
	u32("pidNamespace", r.PIDNS, &ev.PidNamespace)
	i64("returnValue", r.ReturnValue, &ev.ReturnValue)
	if id, ok, err := flexInt32(r.EventID); err != nil {
		errs = append(errs, fmt.Errorf("field eventId: %w", err))
	} else if ok {
		ev.EventId = id
	}
	if sc, ok, err := flexInt32(r.Syscall); ok && err == nil {
		ev.Syscall = sc
	}
	for i, ra := range r.Args {
		a, err := decodeArg(ra)
		if err != nil {
			errs = append(errs, fmt.Errorf("args[%d]: %w", i, err))
			continue
		}
		ev.Args = append(ev.Args, a)
	}
	for i, ra := range r.Ancestry {
		a := &pb.Ancestor{Comm: ra.ProcessName}
		i32(fmt.Sprintf("ancestry[%d].hostProcessId", i), ra.HostProcessID, &a.HostPid)
		i32(fmt.Sprintf("ancestry[%d].processId", i), ra.ProcessID, &a.Pid)
		ev.Ancestry = append(ev.Ancestry, a)
	}
	for _, a := range r.Artifacts {
		ev.Artifacts = append(ev.Artifacts, &pb.Artifact{Kind: a.Kind, Sha256: a.SHA256, Path: a.Path, Size: a.Size})
	}
	ev.MatchedPolicies = r.MatchedPolicies
	if len(errs) > 0 {
		return nil, fmt.Errorf("decode tracee json event: %w", errors.Join(errs...))
	}
	return ev, nil
}

// flexInt32 reads a JSON number or a string holding a decimal number.
// ok is false for an absent/null value or a non-numeric string (Tracee's
// syscall names).
func flexInt32(raw json.RawMessage) (int32, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false, err
		}
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false, fmt.Errorf("%s is not a 32-bit integer", raw)
	}
	return int32(v), true, nil
}

type valueKind int

const (
	kindUnknown valueKind = iota
	kindSigned
	kindUnsigned
	kindString
	kindStrArray
	kindSockaddr
	kindBytes
	kindBool
)

// typeKinds maps Tracee's argument type strings to value kinds. Types not
// listed are typed by their JSON value; any type ending in "*" that is not
// listed is a pointer (unsigned).
var typeKinds = map[string]valueKind{
	"int": kindSigned, "long": kindSigned, "pid_t": kindSigned, "uid_t": kindSigned,
	"gid_t": kindSigned, "s32": kindSigned, "s64": kindSigned, "int32": kindSigned,
	"int64": kindSigned, "short": kindSigned, "key_t": kindSigned, "clockid_t": kindSigned,
	"unsigned int": kindUnsigned, "unsigned long": kindUnsigned, "unsigned short": kindUnsigned,
	"u8": kindUnsigned, "u16": kindUnsigned, "u32": kindUnsigned, "u64": kindUnsigned,
	"uint8": kindUnsigned, "uint16": kindUnsigned, "uint32": kindUnsigned, "uint64": kindUnsigned,
	"size_t": kindUnsigned, "dev_t": kindUnsigned, "mode_t": kindUnsigned, "umode_t": kindUnsigned,
	"off_t": kindUnsigned, "loff_t": kindUnsigned,
	"const char*": kindString, "char*": kindString, "string": kindString,
	"const char**": kindStrArray, "const char*const*": kindStrArray, "char**": kindStrArray,
	"[]string":         kindStrArray,
	"struct sockaddr*": kindSockaddr,
	"bytes":            kindBytes, "[]byte": kindBytes,
	"bool": kindBool,
}

func kindOf(typ string) valueKind {
	if k, ok := typeKinds[typ]; ok {
		return k
	}
	// Tolerate spacing variants ("const char *", "struct sockaddr *").
	if k, ok := typeKinds[strings.ReplaceAll(typ, " *", "*")]; ok {
		return k
	}
	if strings.HasSuffix(typ, "*") {
		return kindUnsigned
	}
	return kindUnknown
}

func decodeArg(ra rawArg) (*pb.Argument, error) {
	a := &pb.Argument{Name: ra.Name, Type: ra.Type, Raw: ra.Raw}
	raw := bytes.TrimSpace(ra.Value)
	if len(raw) == 0 || string(raw) == "null" {
		return a, nil
	}
	kind := kindOf(ra.Type)
	wrongKind := func(what string) error {
		return fmt.Errorf("argument %q of type %q: unexpected %s value %.40s", ra.Name, ra.Type, what, raw)
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("argument %q: %w", ra.Name, err)
		}
		switch kind {
		case kindSigned, kindUnsigned, kindBool, kindSockaddr:
			a.Repr = s // a symbolic rendering: the number behind it is not in the JSON
		case kindBytes:
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("argument %q of type %q: bad base64: %w", ra.Name, ra.Type, err)
			}
			a.Value = &pb.Argument_Bytes{Bytes: b}
		case kindStrArray:
			return nil, wrongKind("string")
		default:
			a.Value = &pb.Argument_Str{Str: s}
		}
	case '[':
		if kind != kindStrArray && kind != kindUnknown {
			return nil, wrongKind("array")
		}
		var vals []string
		if err := json.Unmarshal(raw, &vals); err != nil {
			return nil, fmt.Errorf("argument %q: string array: %w", ra.Name, err)
		}
		if vals == nil {
			vals = []string{}
		}
		a.Value = &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: vals}}
	case '{':
		if kind != kindSockaddr && kind != kindUnknown {
			return nil, wrongKind("object")
		}
		sa, err := decodeSockaddr(raw)
		if err != nil {
			return nil, fmt.Errorf("argument %q: %w", ra.Name, err)
		}
		a.Value = &pb.Argument_Sockaddr{Sockaddr: sa}
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("argument %q: %w", ra.Name, err)
		}
		if kind != kindBool && kind != kindUnknown {
			return nil, wrongKind("boolean")
		}
		a.Value = &pb.Argument_Bool{Bool: b}
	default:
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&n); err != nil {
			return nil, fmt.Errorf("argument %q: %w", ra.Name, err)
		}
		switch kind {
		case kindSigned:
			v, err := strconv.ParseInt(n.String(), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("argument %q of type %q: %s is not a signed integer", ra.Name, ra.Type, n)
			}
			a.Value = &pb.Argument_Int{Int: v}
		case kindUnsigned:
			v, err := strconv.ParseUint(n.String(), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("argument %q of type %q: %s is not an unsigned integer", ra.Name, ra.Type, n)
			}
			a.Value = &pb.Argument_Uint{Uint: v}
		case kindUnknown:
			if v, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
				a.Value = &pb.Argument_Int{Int: v}
			} else if u, err := strconv.ParseUint(n.String(), 10, 64); err == nil {
				a.Value = &pb.Argument_Uint{Uint: u}
			} else {
				return nil, fmt.Errorf("argument %q of type %q: %s is not an integer", ra.Name, ra.Type, n)
			}
		default:
			return nil, wrongKind("number")
		}
	}
	return a, nil
}

func decodeSockaddr(raw []byte) (*pb.SockAddr, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("sockaddr: %w", err)
	}
	str := func(k string) (string, error) {
		switch v := m[k].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		case json.Number:
			return v.String(), nil
		default:
			return "", fmt.Errorf("sockaddr field %s: want a string, got %T", k, v)
		}
	}
	num := func(k string) (uint32, error) {
		s, err := str(k)
		if err != nil || s == "" {
			return 0, err
		}
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("sockaddr field %s: %q is not an unsigned 32-bit number", k, s)
		}
		return uint32(v), nil
	}
	fam, err := str("sa_family")
	if err != nil {
		return nil, err
	}
	if fam == "" {
		// Also accept the proto's field names: {family, ip, port, path, flowinfo, scope_id}.
		if fam, err = str("family"); err != nil || fam == "" {
			return nil, errors.Join(err, fmt.Errorf("sockaddr: missing sa_family"))
		}
		sa := &pb.SockAddr{Family: fam}
		var ferrs [5]error
		sa.Ip, ferrs[0] = str("ip")
		sa.Port, ferrs[1] = num("port")
		sa.Path, ferrs[2] = str("path")
		sa.Flowinfo, ferrs[3] = num("flowinfo")
		sa.ScopeId, ferrs[4] = num("scope_id")
		if sa.Port > math.MaxUint16 {
			ferrs[1] = fmt.Errorf("sockaddr port %d out of range", sa.Port)
		}
		return sa, errors.Join(ferrs[:]...)
	}
	sa := &pb.SockAddr{Family: fam}
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var e error
	switch fam {
	case "AF_INET":
		sa.Ip, e = str("sin_addr")
		collect(e)
		sa.Port, e = num("sin_port")
		collect(e)
	case "AF_INET6":
		sa.Ip, e = str("sin6_addr")
		collect(e)
		sa.Port, e = num("sin6_port")
		collect(e)
		sa.Flowinfo, e = num("sin6_flowinfo")
		collect(e)
		sa.ScopeId, e = num("sin6_scopeid")
		collect(e)
	case "AF_UNIX":
		sa.Path, e = str("sun_path")
		collect(e)
	}
	if sa.Port > math.MaxUint16 {
		errs = append(errs, fmt.Errorf("sockaddr port %d out of range", sa.Port))
	}
	return sa, errors.Join(errs...)
}
