package cri

import (
	"fmt"
	"strings"
)

// DefaultSockets are the --cri defaults: Docker first, then containerd.
var DefaultSockets = []string{"docker:" + DefaultDockerSocket, "containerd:" + DefaultContainerdSocket}

// ParseFlags turns --cri values (RUNTIME:SOCKET, RUNTIME docker or
// containerd) into runtimes, in the order given; none means DefaultSockets.
func ParseFlags(values []string) ([]Runtime, error) {
	if len(values) == 0 {
		values = DefaultSockets
	}
	var out []Runtime
	for _, v := range values {
		name, sock, ok := strings.Cut(v, ":")
		if !ok || sock == "" {
			return nil, fmt.Errorf("--cri %q: want RUNTIME:SOCKET (docker:%s, containerd:%s)", v, DefaultDockerSocket, DefaultContainerdSocket)
		}
		sock = strings.TrimPrefix(sock, "unix://")
		switch name {
		case "docker":
			out = append(out, NewDocker(sock))
		case "containerd":
			out = append(out, NewContainerd(sock))
		default:
			return nil, fmt.Errorf("--cri %q: unknown runtime %q (docker or containerd)", v, name)
		}
	}
	return out, nil
}
