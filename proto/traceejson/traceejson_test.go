package traceejson

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

var update = flag.Bool("update", false, "rewrite golden files")

func goldenEvents() []*pb.Event {
	base := func(id int32, name string, args ...*pb.Argument) *pb.Event {
		return &pb.Event{
			Timestamp: 1700000000123456789, ProcessorId: 1, ProcessId: 7, ThreadId: 7,
			ParentProcessId: 1, HostProcessId: 4242, HostThreadId: 4243, HostParentProcessId: 4000,
			UserId: 1000, GroupId: 1000, MountNamespace: 4026531841, PidNamespace: 4026531836,
			ProcessName: "bash", HostName: "box", CgroupId: 12345,
			ContainerId: "", EventId: id, EventName: name, Args: args, Syscall: -1,
		}
	}
	openat := base(257, "openat",
		&pb.Argument{Name: "dirfd", Type: "int", Value: &pb.Argument_Int{Int: -100}},
		&pb.Argument{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/etc/passwd"}},
		&pb.Argument{Name: "flags", Type: "int", Value: &pb.Argument_Int{Int: 0}},
		&pb.Argument{Name: "mode", Type: "unsigned int", Value: &pb.Argument_Uint{Uint: 0o644}},
	)
	openat.ReturnValue = 3
	openat.Syscall = 257
	exec := base(1003, "sched_process_exec",
		&pb.Argument{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/usr/bin/ls"}},
		&pb.Argument{Name: "inode", Type: "unsigned long", Value: &pb.Argument_Uint{Uint: 18446744073709551615}},
		&pb.Argument{Name: "argv", Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: []string{"ls", "-l", "with \"quote\" <&>"}}}},
		&pb.Argument{Name: "env", Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: []string{}}}},
		&pb.Argument{Name: "is_memfd", Type: "bool", Value: &pb.Argument_Bool{Bool: true}},
	)
	exec.ContainerId = strings.Repeat("ab", 32)
	exec.ContainerName, exec.ContainerImage, exec.ContainerImageDigest = "web", "nginx:1.25", "sha256:"+strings.Repeat("cd", 32)
	exec.PodName, exec.PodNamespace, exec.PodUid = "web-7f9c", "shop", "0b6f2c1e-4a1d-4c3b-9a51-2f0e6d1c9b77"
	exec.Ancestry = []*pb.Ancestor{{HostPid: 4000, Pid: 1, Comm: "sh"}, {HostPid: 1, Pid: 1, Comm: "systemd"}}
	connect := base(1012, "security_socket_connect",
		&pb.Argument{Name: "sockfd", Type: "int", Value: &pb.Argument_Int{Int: 5}},
		&pb.Argument{Name: "remote_addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET", Ip: "127.0.0.1", Port: 80}}},
	)
	connect6 := base(1013, "socket_dup",
		&pb.Argument{Name: "oldfd", Type: "int", Value: &pb.Argument_Int{Int: 3}},
		&pb.Argument{Name: "newfd", Type: "int", Value: &pb.Argument_Int{Int: 0}},
		&pb.Argument{Name: "remote_addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET6", Ip: "::1", Port: 443, Flowinfo: 2, ScopeId: 3}}},
	)
	unix := base(42, "connect",
		&pb.Argument{Name: "sockfd", Type: "int", Value: &pb.Argument_Int{Int: 4}},
		&pb.Argument{Name: "addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_UNIX", Path: "@abstract"}}},
		&pb.Argument{Name: "addrlen", Type: "int", Value: &pb.Argument_Int{Int: 12}},
	)
	unix.ReturnValue = -2
	unix.Syscall = 42
	magic := base(1015, "magic_write",
		&pb.Argument{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/tmp/x"}},
		&pb.Argument{Name: "bytes", Type: "bytes", Value: &pb.Argument_Bytes{Bytes: []byte{0x7f, 'E', 'L', 'F', 0, 1}}},
		&pb.Argument{Name: "dev", Type: "dev_t", Value: &pb.Argument_Uint{Uint: 2049}},
	)
	mmap := base(9, "mmap",
		&pb.Argument{Name: "addr", Type: "void*", Value: &pb.Argument_Uint{Uint: 0x7f0000000000}},
		&pb.Argument{Name: "length", Type: "size_t", Value: &pb.Argument_Uint{Uint: 4096}},
	)
	noargs := base(1004, "sched_process_exit")
	return []*pb.Event{openat, exec, connect, connect6, unix, magic, mmap, noargs}
}

// TestGoldenRoundTrip checks Marshal against the golden file and that
// every golden line decodes back to the same proto event.
func TestGoldenRoundTrip(t *testing.T) {
	evs := goldenEvents()
	var buf bytes.Buffer
	for _, ev := range evs {
		b, err := Marshal(ev)
		if err != nil {
			t.Fatalf("marshal %s: %v", ev.EventName, err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	golden := filepath.Join("testdata", "events.golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("marshal output differs from %s:\n got: %s\nwant: %s", golden, buf.Bytes(), want)
	}
	sc := bufio.NewScanner(bytes.NewReader(want))
	i := 0
	for sc.Scan() {
		got, err := Unmarshal(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: unmarshal: %v", i+1, err)
		}
		if !proto.Equal(got, evs[i]) {
			t.Errorf("line %d: round trip differs:\n got: %v\nwant: %v", i+1, got, evs[i])
		}
		i++
	}
	if i != len(evs) {
		t.Fatalf("golden has %d lines, want %d", i, len(evs))
	}
}

func TestMarshalFieldShapes(t *testing.T) {
	ev := goldenEvents()[2]
	b, err := Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"eventId":"1012"`,
		`"timestamp":1700000000123456789`,
		`"argsNum":2`,
		`"value":{"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"80"}`,
		`"mountNamespace":4026531841`,
		`"args":[{"name":"sockfd","type":"int","value":5}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("json lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, `"ancestry"`) {
		t.Errorf("empty ancestry should be omitted: %s", s)
	}
}

func TestReprIsPrintedAndKept(t *testing.T) {
	ev := &pb.Event{EventId: 101, EventName: "ptrace", Args: []*pb.Argument{
		{Name: "request", Type: "long", Value: &pb.Argument_Int{Int: 0}, Repr: "PTRACE_TRACEME"},
	}}
	b, err := Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `{"name":"request","type":"long","value":"PTRACE_TRACEME"}`) {
		t.Fatalf("repr not printed: %s", b)
	}
	back, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	a := back.Args[0]
	if a.GetRepr() != "PTRACE_TRACEME" || a.GetValue() != nil {
		t.Fatalf("want repr only, got %v", a)
	}
	again, err := Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, b) {
		t.Fatalf("JSON -> pb -> JSON not stable:\n%s\n%s", b, again)
	}
}

// TestUnmarshalTraceeOutput reads an event as Tracee itself prints it:
// extra fields, syscall as a name, sockaddr values.
func TestUnmarshalTraceeOutput(t *testing.T) {
	in := `{"timestamp":1657291425296452370,"threadStartTime":1657291425290000000,"processorId":1,"processId":1234,"cgroupId":5678,"threadId":1234,"parentProcessId":1,"hostProcessId":1234,"hostThreadId":1234,"hostParentProcessId":1,"userId":0,"mountNamespace":4026531840,"pidNamespace":4026531836,"processName":"nc","executable":{"path":""},"hostName":"h","containerId":"","container":{},"kubernetes":{},"eventId":"1012","eventName":"security_socket_connect","matchedPolicies":[""],"argsNum":2,"returnValue":0,"syscall":"connect","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"args":[{"name":"sockfd","type":"int","value":3},{"name":"remote_addr","type":"struct sockaddr*","value":{"sa_family":"AF_INET6","sin6_addr":"2001:db8::1","sin6_flowinfo":"0","sin6_port":"443","sin6_scopeid":"0"}}]}`
	ev, err := Unmarshal([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &pb.Event{
		Timestamp: 1657291425296452370, ProcessorId: 1, ProcessId: 1234, CgroupId: 5678, ThreadId: 1234,
		ParentProcessId: 1, HostProcessId: 1234, HostThreadId: 1234, HostParentProcessId: 1,
		MountNamespace: 4026531840, PidNamespace: 4026531836, ProcessName: "nc", HostName: "h",
		EventId: 1012, EventName: "security_socket_connect", Syscall: -1, MatchedPolicies: []string{""},
		Args: []*pb.Argument{
			{Name: "sockfd", Type: "int", Value: &pb.Argument_Int{Int: 3}},
			{Name: "remote_addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET6", Ip: "2001:db8::1", Port: 443}}},
		},
	}
	if !proto.Equal(ev, want) {
		t.Fatalf("got %v\nwant %v", ev, want)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"not json", `{"eventId":`, "decode tracee json event"},
		{"trailing", `{"eventId":"1"} {}`, "trailing data"},
		{"pid overflow", `{"processId":99999999999}`, "processId"},
		{"negative uid", `{"userId":-1}`, "userId"},
		{"bad event id", `{"eventId":"abc"}`, "eventId"},
		{"array as int", `{"args":[{"name":"fd","type":"int","value":[1]}]}`, `argument "fd"`},
		{"negative pointer", `{"args":[{"name":"addr","type":"void*","value":-1}]}`, "not an unsigned integer"},
		{"bad base64", `{"args":[{"name":"bytes","type":"bytes","value":"%%%"}]}`, "bad base64"},
		{"sockaddr no family", `{"args":[{"name":"a","type":"struct sockaddr*","value":{"sin_port":"1"}}]}`, "missing sa_family"},
		{"sockaddr bad port", `{"args":[{"name":"a","type":"struct sockaddr*","value":{"sa_family":"AF_INET","sin_port":"http"}}]}`, "sin_port"},
		{"string for str array", `{"args":[{"name":"argv","type":"const char**","value":"ls"}]}`, "unexpected string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestUnmarshalNumericEventID(t *testing.T) {
	ev, err := Unmarshal([]byte(`{"eventId":257,"syscall":"257","args":[{"name":"x","type":"weird_t","value":18446744073709551615}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.EventId != 257 || ev.Syscall != 257 || ev.Args[0].GetUint() != 18446744073709551615 {
		t.Fatalf("got %v", ev)
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, ev := range goldenEvents() {
		b, err := Marshal(ev)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"args":[{"name":"a","type":"struct sockaddr*","value":{"sa_family":"AF_INET","sin_port":70000}}]}`))
	f.Add([]byte(`{"eventId":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := Unmarshal(data)
		if err != nil {
			return
		}
		b1, err := Marshal(ev)
		if err != nil {
			t.Fatalf("marshal of decoded event failed: %v", err)
		}
		ev2, err := Unmarshal(b1)
		if err != nil {
			t.Fatalf("re-decode failed: %v\n%s", err, b1)
		}
		b2, err := Marshal(ev2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("not stable:\n%s\n%s", b1, b2)
		}
	})
}
