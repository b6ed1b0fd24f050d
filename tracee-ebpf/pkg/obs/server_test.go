package obs

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
)

func TestServerLayouts(t *testing.T) {
	reg := prometheus.NewRegistry()
	tests := []struct {
		name      string
		cfg       ServerConfig
		wantAddrs int
		wantErr   bool
		// status of /metrics and /debug/pprof/ on each address
		status [][2]int
	}{
		{"nothing", ServerConfig{}, 0, false, nil},
		{"metrics only", ServerConfig{MetricsAddr: "127.0.0.1:0"}, 1, false, [][2]int{{200, 404}}},
		{"pprof on metrics", ServerConfig{MetricsAddr: "127.0.0.1:0", Pprof: true}, 1, false, [][2]int{{200, 200}}},
		{"pprof apart", ServerConfig{MetricsAddr: "127.0.0.1:0", PprofAddr: "127.0.0.1:0"}, 2, false, [][2]int{{200, 404}, {404, 200}}},
		{"pprof without address", ServerConfig{Pprof: true}, 0, true, nil},
		{"bad address", ServerConfig{MetricsAddr: "127.0.0.1:notaport"}, 0, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := Start(tt.cfg, reg, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Start: %v", err)
			}
			if err != nil {
				return
			}
			defer srv.Close(context.Background())
			if len(srv.Addrs()) != tt.wantAddrs {
				t.Fatalf("addrs %v", srv.Addrs())
			}
			for i, st := range tt.status {
				get(t, "http://"+srv.Addrs()[i]+"/metrics", st[0])
				get(t, "http://"+srv.Addrs()[i]+"/debug/pprof/", st[1])
			}
		})
	}
}

func TestAddFlags(t *testing.T) {
	var c ServerConfig
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	c.AddFlags(fs)
	if err := fs.Parse([]string{"--metrics-addr", ":3366", "--pprof", "--pprof-addr", "127.0.0.1:6060"}); err != nil {
		t.Fatal(err)
	}
	if c != (ServerConfig{MetricsAddr: ":3366", Pprof: true, PprofAddr: "127.0.0.1:6060"}) {
		t.Errorf("got %+v", c)
	}
}

// get fetches url, fails unless the status is want, and returns the body.
func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d (%s)", url, resp.StatusCode, want, b)
	}
	return string(b)
}
