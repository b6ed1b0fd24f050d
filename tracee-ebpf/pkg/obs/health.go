package obs

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Check reports whether one part of the program is healthy: nil when it
// is, else the reason.
type Check func(now time.Time) error

// Health is the set of named checks /healthz answers with.
type Health struct {
	mu     sync.Mutex
	names  []string
	checks []Check
	now    func() time.Time
}

// NewHealth returns an empty Health (healthy until a check says otherwise).
func NewHealth() *Health { return &Health{now: time.Now} }

// Add registers a check under name.
func (h *Health) Add(name string, c Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.names = append(h.names, name)
	h.checks = append(h.checks, c)
}

// Status runs every check: one "name: ok" or "name: reason" line each, and
// whether all passed.
func (h *Health) Status() (report string, ok bool) {
	h.mu.Lock()
	names, checks := append([]string{}, h.names...), append([]Check{}, h.checks...)
	h.mu.Unlock()
	now := h.now()
	ok = true
	var b strings.Builder
	for i, c := range checks {
		if err := c(now); err != nil {
			ok = false
			fmt.Fprintf(&b, "%s: %v\n", names[i], err)
		} else {
			fmt.Fprintf(&b, "%s: ok\n", names[i])
		}
	}
	return b.String(), ok
}

// ServeHTTP answers 200 when every check passes, else 503, with one line
// per check.
func (h *Health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	report, ok := h.Status()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if ok {
		w.WriteHeader(http.StatusOK)
		report = "ok\n" + report
	} else {
		w.WriteHeader(http.StatusServiceUnavailable)
		report = "unhealthy\n" + report
	}
	_, _ = w.Write([]byte(report))
}
