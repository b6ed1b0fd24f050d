package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestDroppedExecutable(t *testing.T) {
	runCases(t, func() sdkSig { return NewDroppedExecutable() }, []sigCase{
		{name: "elf in container", events: []*pb.Event{ctr(mwrite("/tmp/payload", elfHeader))},
			want: []wantFinding{{0, map[string]any{"path": "/tmp/payload"}}}},
		{name: "elf on the host (compiler)", events: []*pb.Event{mwrite("/tmp/a.out", elfHeader)}},
		{name: "script in container", events: []*pb.Event{ctr(mwrite("/tmp/x.sh", []byte("#!/bin/sh\n")))}},
		{name: "memfd in container", events: []*pb.Event{ctr(mwrite("memfd:runc_cloned:/proc/self/exe", elfHeader)), ctr(mwrite("/memfd:x (deleted)", elfHeader))}},
	})
}
