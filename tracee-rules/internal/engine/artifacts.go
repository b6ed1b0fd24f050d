package engine

import (
	"strconv"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// withArtifacts adds the evidence tracee-ebpf stored for the finding's event
// (--capture) to the finding's data: artifact_kind, artifact_sha256,
// artifact_path and artifact_size for the first artifact, with a _2, _3 ...
// suffix for further ones. A signature's own keys are never overwritten.
func withArtifacts(data map[string]any, ev *pb.Event) map[string]any {
	arts := ev.GetArtifacts()
	if len(arts) == 0 {
		return data
	}
	if data == nil {
		data = make(map[string]any, 4*len(arts))
	}
	for i, a := range arts {
		suffix := ""
		if i > 0 {
			suffix = "_" + strconv.Itoa(i+1)
		}
		for _, kv := range []struct {
			k string
			v any
		}{
			{"artifact_kind", a.GetKind()},
			{"artifact_sha256", a.GetSha256()},
			{"artifact_path", a.GetPath()},
			{"artifact_size", a.GetSize()},
		} {
			if _, taken := data[kv.k+suffix]; !taken {
				data[kv.k+suffix] = kv.v
			}
		}
	}
	return data
}
