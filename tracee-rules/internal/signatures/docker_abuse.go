package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const dockerSock = "docker.sock"

// isDockerSock reports whether p names Docker's API socket.
func isDockerSock(p string) bool {
	return strings.HasSuffix(p, "/"+dockerSock) || p == dockerSock
}

// DockerAbuse (TRC-1019) reports a process in a container opening or
// connecting to Docker's API socket (mounted into the container, it gives
// control of the host).
type DockerAbuse struct{ fileWatch }

// NewDockerAbuse returns TRC-1019.
func NewDockerAbuse() *DockerAbuse {
	return &DockerAbuse{newFileWatch(sdk.Metadata{
		ID:             "TRC-1019",
		Name:           "Docker socket abuse detected",
		Description:    "An attempt to abuse the Docker UNIX socket inside a container was detected. docker.sock is the UNIX socket that Docker uses as the entry point to the Docker API. Adversaries may attempt to abuse this socket to compromise the system.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1068 Exploitation for Privilege Escalation",
	}, accessAny, true, isDockerSock, "security_socket_connect").paths("*/"+dockerSock, dockerSock).socket()}
}

// OnEvent implements sdk.Signature.
func (s *DockerAbuse) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "security_socket_connect" {
		return s.fileWatch.OnEvent(ev)
	}
	sa, ok := sdk.ArgSockAddr(ev, "remote_addr")
	if !ok || sa.GetFamily() != "AF_UNIX" || !isDockerSock(sa.GetPath()) || !inContainer(ev) || s.starts.runtimeSetup(ev) {
		return nil
	}
	s.report(ev, map[string]any{"remote_addr": sa.GetPath()})
	return nil
}
