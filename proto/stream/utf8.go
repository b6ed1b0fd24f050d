package stream

import (
	"fmt"
	"unicode/utf8"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// The generated vtprotobuf unmarshaller does not check that proto3 string
// fields hold valid UTF-8, as proto.Unmarshal does (and protojson needs when
// tracee-rules prints an event), so the reader checks the decoded message.
// TestEveryStringFieldChecked walks the descriptors of tracee.proto and fails
// when a string field is added there and not here.

// invalidUTF8 is the error for the string field named by its full name.
type invalidUTF8 string

func (f invalidUTF8) Error() string {
	return fmt.Sprintf("string field tracee.v1.%s contains invalid UTF-8", string(f))
}

// utf8Check accumulates the first invalid string field.
type utf8Check struct{ bad invalidUTF8 }

func (c *utf8Check) str(field, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf { // most strings are ASCII: no call for them
			if c.bad == "" && !utf8.ValidString(s[i:]) {
				c.bad = invalidUTF8(field)
			}
			return
		}
	}
}

func checkUTF8(m *pb.StreamMessage) error {
	var c utf8Check
	switch k := m.Kind.(type) {
	case *pb.StreamMessage_Header:
		c.header(k.Header)
	case *pb.StreamMessage_Event:
		c.event(k.Event)
	case *pb.StreamMessage_End:
		c.str("EndOfStream.reason", k.End.GetReason())
	case *pb.StreamMessage_Lost:
		for _, th := range k.Lost.GetThrottled() {
			c.str("Throttled.comm", th.GetComm())
		}
	}
	if c.bad != "" {
		return c.bad
	}
	return nil
}

func (c *utf8Check) header(h *pb.Header) {
	c.str("Header.producer", h.GetProducer())
	c.str("Header.producer_version", h.GetProducerVersion())
	c.str("Header.hostname", h.GetHostname())
	c.str("Header.kernel_release", h.GetKernelRelease())
}

func (c *utf8Check) event(e *pb.Event) {
	c.str("Event.process_name", e.GetProcessName())
	c.str("Event.host_name", e.GetHostName())
	c.str("Event.container_id", e.GetContainerId())
	c.str("Event.event_name", e.GetEventName())
	c.str("Event.container_name", e.GetContainerName())
	c.str("Event.container_image", e.GetContainerImage())
	c.str("Event.container_image_digest", e.GetContainerImageDigest())
	c.str("Event.pod_name", e.GetPodName())
	c.str("Event.pod_namespace", e.GetPodNamespace())
	c.str("Event.pod_uid", e.GetPodUid())
	for _, a := range e.GetArgs() {
		c.arg(a)
	}
	for _, a := range e.GetAncestry() {
		c.str("Ancestor.comm", a.GetComm())
	}
	for _, p := range e.GetMatchedPolicies() {
		c.str("Event.matched_policies", p)
	}
	for _, a := range e.GetArtifacts() {
		c.str("Artifact.kind", a.GetKind())
		c.str("Artifact.sha256", a.GetSha256())
		c.str("Artifact.path", a.GetPath())
	}
}

func (c *utf8Check) arg(a *pb.Argument) {
	c.str("Argument.name", a.GetName())
	c.str("Argument.type", a.GetType())
	c.str("Argument.repr", a.GetRepr())
	switch v := a.GetValue().(type) {
	case *pb.Argument_Str:
		c.str("Argument.str", v.Str)
	case *pb.Argument_StrArray:
		for _, s := range v.StrArray.GetValues() {
			c.str("StringArray.values", s)
		}
	case *pb.Argument_Sockaddr:
		c.str("SockAddr.family", v.Sockaddr.GetFamily())
		c.str("SockAddr.ip", v.Sockaddr.GetIp())
		c.str("SockAddr.path", v.Sockaddr.GetPath())
	}
}
