package rego

import (
	"encoding/base64"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Input builds the Rego input for an event directly as an OPA value, equal to
// the event's Tracee JSON (proto/traceejson.Marshal, then parsed) but with no
// JSON round trip:
//
//	timestamp, processorId, processId, cgroupId, threadId, parentProcessId,
//	hostProcessId, hostThreadId, hostParentProcessId, userId, groupId,
//	mountNamespace, pidNamespace, processName, hostName, containerId,
//	eventId (a string, as Tracee prints it), eventName, syscall, argsNum,
//	returnValue, args, ancestry, container, kubernetes
//
// args is [{"name", "type", "value"}]; value is the argument's symbolic
// rendering (repr) when it has one, else its value: a number, a string, an
// array of strings, a boolean, base64 text for bytes, or for a socket
// address Tracee's object {"sa_family", "sin_addr", "sin_port"} (AF_INET),
// {"sa_family", "sin6_addr", "sin6_port", "sin6_flowinfo", "sin6_scopeid"}
// (AF_INET6) or {"sa_family", "sun_path"} (AF_UNIX), all strings. An argument
// with no value has value null. ancestry, present only when the event has
// one, is [{"hostProcessId", "processId", "processName"}], parent first.
// container {"id", "name", "image", "imageDigest"} and kubernetes
// {"podName", "podNamespace", "podUID"} are present when the event has
// them, with only the keys that are set (as in the JSON).
func Input(ev *pb.Event) ast.Value { return fullInput.build(ev) }

type eventField struct {
	key   *ast.Term
	value func(*pb.Event) *ast.Term
}

func field(name string, value func(*pb.Event) *ast.Term) eventField {
	return eventField{key: ast.StringTerm(name), value: value}
}

func intTerm(v int64) *ast.Term   { return ast.IntNumberTerm(int(v)) }
func uintTerm(v uint64) *ast.Term { return ast.UIntNumberTerm(v) }

// eventFields is the event object, in Tracee's field order.
var eventFields = []eventField{
	field("timestamp", func(e *pb.Event) *ast.Term { return intTerm(e.GetTimestamp()) }),
	field("processorId", func(e *pb.Event) *ast.Term { return uintTerm(uint64(e.GetProcessorId())) }),
	field("processId", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetProcessId())) }),
	field("threadId", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetThreadId())) }),
	field("parentProcessId", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetParentProcessId())) }),
	field("hostProcessId", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetHostProcessId())) }),
	field("hostThreadId", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetHostThreadId())) }),
	field("hostParentProcessId", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetHostParentProcessId())) }),
	field("userId", func(e *pb.Event) *ast.Term { return uintTerm(uint64(e.GetUserId())) }),
	field("groupId", func(e *pb.Event) *ast.Term { return uintTerm(uint64(e.GetGroupId())) }),
	field("mountNamespace", func(e *pb.Event) *ast.Term { return uintTerm(uint64(e.GetMountNamespace())) }),
	field("pidNamespace", func(e *pb.Event) *ast.Term { return uintTerm(uint64(e.GetPidNamespace())) }),
	field("processName", func(e *pb.Event) *ast.Term { return ast.StringTerm(e.GetProcessName()) }),
	field("hostName", func(e *pb.Event) *ast.Term { return ast.StringTerm(e.GetHostName()) }),
	field("cgroupId", func(e *pb.Event) *ast.Term { return uintTerm(e.GetCgroupId()) }),
	field("containerId", func(e *pb.Event) *ast.Term { return ast.StringTerm(e.GetContainerId()) }),
	field("eventId", func(e *pb.Event) *ast.Term { return ast.StringTerm(strconv.Itoa(int(e.GetEventId()))) }),
	field("eventName", func(e *pb.Event) *ast.Term { return ast.StringTerm(e.GetEventName()) }),
	field("syscall", func(e *pb.Event) *ast.Term { return intTerm(int64(e.GetSyscall())) }),
	field("argsNum", func(e *pb.Event) *ast.Term { return ast.IntNumberTerm(len(e.GetArgs())) }),
	field("returnValue", func(e *pb.Event) *ast.Term { return intTerm(e.GetReturnValue()) }),
	field("args", argsTerm),
}

var (
	keyName     = ast.StringTerm("name")
	keyType     = ast.StringTerm("type")
	keyValue    = ast.StringTerm("value")
	keyAncestry = ast.StringTerm("ancestry")
	keyHostPid  = ast.StringTerm("hostProcessId")
	keyPid      = ast.StringTerm("processId")
	keyComm     = ast.StringTerm("processName")

	keyContainer  = ast.StringTerm("container")
	keyKubernetes = ast.StringTerm("kubernetes")
)

// appendRuntime adds the container and kubernetes objects, each when it
// has a value, with only its non-empty keys (traceejson's omitempty).
func appendRuntime(items [][2]*ast.Term, e *pb.Event) [][2]*ast.Term {
	obj := func(kv ...string) *ast.Term {
		var o [][2]*ast.Term
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] != "" {
				o = append(o, [2]*ast.Term{ast.StringTerm(kv[i]), ast.StringTerm(kv[i+1])})
			}
		}
		if o == nil {
			return nil
		}
		return ast.ObjectTerm(o...)
	}
	if c := obj("id", e.GetContainerId(), "name", e.GetContainerName(), "image", e.GetContainerImage(),
		"imageDigest", e.GetContainerImageDigest()); c != nil {
		items = append(items, [2]*ast.Term{keyContainer, c})
	}
	if k := obj("podName", e.GetPodName(), "podNamespace", e.GetPodNamespace(), "podUID", e.GetPodUid()); k != nil {
		items = append(items, [2]*ast.Term{keyKubernetes, k})
	}
	return items
}

func argsTerm(e *pb.Event) *ast.Term {
	args := e.GetArgs()
	terms := make([]*ast.Term, len(args))
	for i, a := range args {
		terms[i] = ast.ObjectTerm(
			[2]*ast.Term{keyName, ast.StringTerm(a.GetName())},
			[2]*ast.Term{keyType, ast.StringTerm(a.GetType())},
			[2]*ast.Term{keyValue, argValue(a)},
		)
	}
	return ast.ArrayTerm(terms...)
}

func ancestryTerm(e *pb.Event) *ast.Term {
	anc := e.GetAncestry()
	terms := make([]*ast.Term, len(anc))
	for i, a := range anc {
		terms[i] = ast.ObjectTerm(
			[2]*ast.Term{keyHostPid, intTerm(int64(a.GetHostPid()))},
			[2]*ast.Term{keyPid, intTerm(int64(a.GetPid()))},
			[2]*ast.Term{keyComm, ast.StringTerm(a.GetComm())},
		)
	}
	return ast.ArrayTerm(terms...)
}

// argValue renders one argument's value as Tracee's JSON does.
func argValue(a *pb.Argument) *ast.Term {
	if r := a.GetRepr(); r != "" {
		return ast.StringTerm(r)
	}
	switch v := a.GetValue().(type) {
	case *pb.Argument_Int:
		return intTerm(v.Int)
	case *pb.Argument_Uint:
		return uintTerm(v.Uint)
	case *pb.Argument_Str:
		return ast.StringTerm(v.Str)
	case *pb.Argument_Bytes:
		return ast.StringTerm(base64.StdEncoding.EncodeToString(v.Bytes))
	case *pb.Argument_StrArray:
		vals := v.StrArray.GetValues()
		terms := make([]*ast.Term, len(vals))
		for i, s := range vals {
			terms[i] = ast.StringTerm(s)
		}
		return ast.ArrayTerm(terms...)
	case *pb.Argument_Sockaddr:
		return sockaddrTerm(v.Sockaddr)
	case *pb.Argument_Bool:
		return ast.BooleanTerm(v.Bool)
	default:
		return ast.NullTerm()
	}
}

// sockaddrTerm renders a socket address as Tracee's map of strings.
func sockaddrTerm(s *pb.SockAddr) *ast.Term {
	kv := func(k, v string) [2]*ast.Term { return [2]*ast.Term{ast.StringTerm(k), ast.StringTerm(v)} }
	u := func(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
	switch s.GetFamily() {
	case "AF_INET":
		return ast.ObjectTerm(kv("sa_family", s.GetFamily()), kv("sin_addr", s.GetIp()), kv("sin_port", u(s.GetPort())))
	case "AF_INET6":
		return ast.ObjectTerm(kv("sa_family", s.GetFamily()), kv("sin6_addr", s.GetIp()), kv("sin6_port", u(s.GetPort())),
			kv("sin6_flowinfo", u(s.GetFlowinfo())), kv("sin6_scopeid", u(s.GetScopeId())))
	case "AF_UNIX":
		return ast.ObjectTerm(kv("sa_family", s.GetFamily()), kv("sun_path", s.GetPath()))
	default:
		return ast.ObjectTerm(kv("sa_family", s.GetFamily()))
	}
}
