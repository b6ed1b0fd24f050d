package webhook

import (
	"sync"
	"time"
)

// rateLimit lets the first burst messages through, then at most one per
// interval; it reports how many were held back since the last one let
// through, so a flood (a full disk, a receiver refusing everything) costs a
// few log lines, not one per finding.
type rateLimit struct {
	burst    int
	interval time.Duration

	mu         sync.Mutex
	seen       int
	last       time.Time
	suppressed uint64
}

func newRateLimit(burst int, interval time.Duration) *rateLimit {
	return &rateLimit{burst: burst, interval: interval}
}

// allow reports whether to log now, and how many messages were suppressed
// before this one.
func (l *rateLimit) allow(now time.Time) (bool, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen++
	if l.seen <= l.burst || now.Sub(l.last) >= l.interval {
		l.last = now
		n := l.suppressed
		l.suppressed = 0
		return true, n
	}
	l.suppressed++
	return false, 0
}
