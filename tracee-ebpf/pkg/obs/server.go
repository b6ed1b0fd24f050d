package obs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ServerConfig says what to serve where.
type ServerConfig struct {
	MetricsAddr string // serve /metrics on this address ("" for none)
	Pprof       bool   // serve net/http/pprof under /debug/pprof/
	PprofAddr   string // serve pprof on its own address (implies Pprof); else on MetricsAddr
	// Health answers /healthz on the metrics address (nil: always 200).
	Health http.Handler
}

// Servers are the running HTTP servers.
type Servers struct {
	servers []*http.Server
	addrs   []string
}

// Start binds the configured addresses (so that a bad or busy address is
// an error here) and serves them in the background. With nothing to serve
// it returns an empty Servers.
func Start(cfg ServerConfig, g prometheus.Gatherer, log *slog.Logger) (*Servers, error) {
	if log == nil {
		log = slog.Default()
	}
	pprofOwn := cfg.PprofAddr != ""
	if cfg.Pprof && !pprofOwn && cfg.MetricsAddr == "" {
		return nil, errors.New("pprof needs a metrics address or its own pprof address")
	}
	type endpoint struct {
		addr string
		mux  *http.ServeMux
	}
	var eps []endpoint
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}))
		health := cfg.Health
		if health == nil {
			health = NewHealth()
		}
		mux.Handle("/healthz", health)
		if cfg.Pprof && !pprofOwn {
			mountPprof(mux)
		}
		eps = append(eps, endpoint{cfg.MetricsAddr, mux})
	}
	if pprofOwn {
		mux := http.NewServeMux()
		mountPprof(mux)
		eps = append(eps, endpoint{cfg.PprofAddr, mux})
	}

	s := &Servers{}
	for _, ep := range eps {
		l, err := net.Listen("tcp", ep.addr)
		if err != nil {
			_ = s.Close(context.Background())
			return nil, fmt.Errorf("listen on %s: %w", ep.addr, err)
		}
		srv := &http.Server{Handler: ep.mux, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.addrs = append(s.addrs, l.Addr().String())
		go func() {
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server stopped", "addr", l.Addr().String(), "error", err)
			}
		}()
	}
	return s, nil
}

func mountPprof(mux *http.ServeMux) {
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
}

// Addrs returns the bound addresses (metrics first), with real ports when
// ":0" was asked for.
func (s *Servers) Addrs() []string { return s.addrs }

// Close shuts the servers down, waiting for requests in progress until ctx
// is done.
func (s *Servers) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
