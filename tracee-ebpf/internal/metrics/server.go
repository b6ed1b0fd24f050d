package metrics

import "github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"

// ServerConfig, Servers and Start are the shared metrics/pprof server.
type (
	ServerConfig = obs.ServerConfig
	Servers      = obs.Servers
)

// Start serves cfg's addresses in the background (see obs.Start).
var Start = obs.Start
