package traceejson

import (
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func sampleEvent() *pb.Event {
	return &pb.Event{
		Timestamp: 1700000000123456789, ProcessId: 7, ThreadId: 8, HostProcessId: 4321, HostThreadId: 4322,
		ProcessName: "nc", HostName: "web-1", ContainerId: "abc123", EventId: 1013, EventName: "socket_dup", Syscall: 33,
		Args: []*pb.Argument{
			{Name: "oldfd", Type: "int", Value: &pb.Argument_Int{Int: 3}},
			{Name: "newfd", Type: "int", Value: &pb.Argument_Int{Int: 0}},
			{Name: "remote_addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET", Ip: "127.0.0.1", Port: 4444}}},
		},
		Ancestry: []*pb.Ancestor{{HostPid: 4000, Pid: 1, Comm: "bash"}},
	}
}

func TestEventRoundTrip(t *testing.T) {
	in := sampleEvent()
	b, err := json.Marshal(FromProto(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"processId":7`, `"eventName":"socket_dup"`, `"argsNum":3`, `"containerId":"abc123"`,
		`"value":{"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"4444"}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	out, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(in, out) {
		t.Fatalf("round trip changed the event:\n%v\n%v", in, out)
	}
}

func TestFromFinding(t *testing.T) {
	f := sdk.Finding{SigMetadata: sdk.Metadata{ID: "TRC-1", Name: "Standard Input/Output Over Socket", Severity: 3, Tags: []string{"linux"}},
		Event: sampleEvent(), Data: map[string]any{"ip": "127.0.0.1", "port": uint32(4444)}}
	b, err := json.Marshal(FromFinding(f))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		SignatureMetadata sdk.Metadata   `json:"signatureMetadata"`
		Event             map[string]any `json:"event"`
		Data              map[string]any `json:"data"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.SignatureMetadata.ID != "TRC-1" || back.SignatureMetadata.Severity != 3 || back.Event["processName"] != "nc" ||
		back.Data["ip"] != "127.0.0.1" || back.Data["port"] != float64(4444) {
		t.Fatalf("unexpected finding JSON %s", b)
	}
	if b, _ := json.Marshal(FromFinding(sdk.Finding{})); string(b) != `{"signatureMetadata":{"id":"","version":"","name":"","description":"","severity":0},"event":null,"data":{}}` {
		t.Fatalf("empty finding: %s", b)
	}
}
