package obs

import "github.com/spf13/pflag"

// AddFlags binds --metrics-addr, --pprof and --pprof-addr to c.
func (c *ServerConfig) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "serve Prometheus metrics on this address at /metrics (e.g. 127.0.0.1:3366)")
	fs.BoolVar(&c.Pprof, "pprof", c.Pprof, "serve net/http/pprof under /debug/pprof/ on the metrics address (or --pprof-addr)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", c.PprofAddr, "serve net/http/pprof on this address instead")
}
