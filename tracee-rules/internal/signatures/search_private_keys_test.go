package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestSearchPrivateKeys(t *testing.T) {
	runCases(t, func() sdkSig { return NewSearchPrivateKeys() }, []sigCase{
		{name: "find id_rsa", events: []*pb.Event{exec("/usr/bin/find", "find", "/", "-name", "id_rsa*")},
			want: []wantFinding{{0, map[string]any{"tool": "find", "pattern": "id_rsa", "argv": []string{"find", "/", "-name", "id_rsa*"}}}}},
		{name: "grep password", events: []*pb.Event{exec("/usr/bin/grep", "grep", "-ri", "PASSWORD=", "/etc")},
			want: []wantFinding{{0, map[string]any{"tool": "grep", "pattern": "password", "argv": []string{"grep", "-ri", "PASSWORD=", "/etc"}}}}},
		{name: "grep private key header", events: []*pb.Event{exec("/bin/grep", "grep", "-rl", "BEGIN RSA PRIVATE KEY", "/home")},
			want: []wantFinding{{0, map[string]any{"tool": "grep", "pattern": "private key", "argv": []string{"grep", "-rl", "BEGIN RSA PRIVATE KEY", "/home"}}}}},
		{name: "find sources", events: []*pb.Event{exec("/usr/bin/find", "find", ".", "-name", "*.go")}},
		{name: "cat a pem is not a search", events: []*pb.Event{exec("/usr/bin/cat", "cat", "cert.pem")}},
		{name: "tool name only in argv[0]", events: []*pb.Event{exec("/usr/bin/grep", "grep-password", "foo")}},
	})
}
