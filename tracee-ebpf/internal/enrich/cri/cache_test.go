package cri

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// table is a Runtime that answers from a map (the policy of Cache is under
// test here; the real Docker and containerd clients are exercised by the
// e2e tests against a real engine).
type table struct {
	name  string
	known map[string]Info
	err   error
	calls int
}

func (r *table) Name() string { return r.name }

func (r *table) Inspect(_ context.Context, id string) (Info, error) {
	r.calls++
	if r.err != nil {
		return Info{}, r.err
	}
	if i, ok := r.known[id]; ok {
		return i, nil
	}
	return Info{}, ErrNotFound
}

func TestCacheOrderAndCaching(t *testing.T) {
	now := time.Unix(1000, 0)
	docker := &table{name: "docker", known: map[string]Info{"a": {Name: "web", Image: "nginx:1"}}}
	ctrd := &table{name: "containerd", known: map[string]Info{"b": {Image: "redis:7", PodName: "p"}}}
	c := NewCache(Config{Now: func() time.Time { return now }, UnknownTTL: time.Second}, docker, ctrd)
	if i := c.Lookup("a"); i == nil || i.Name != "web" {
		t.Fatalf("a: %+v", i)
	}
	if i := c.Lookup("b"); i == nil || i.PodName != "p" {
		t.Fatalf("b: %+v", i)
	}
	if i := c.Lookup("x"); i != nil {
		t.Fatalf("x: %+v", i)
	}
	c.Lookup("a")
	c.Lookup("b")
	c.Lookup("x") // unknown, cached for UnknownTTL
	if docker.calls != 3 || ctrd.calls != 2 {
		t.Errorf("calls docker=%d containerd=%d, want 3 and 2 (each id asked once)", docker.calls, ctrd.calls)
	}
	now = now.Add(2 * time.Second)
	c.Lookup("x")
	if docker.calls != 4 {
		t.Errorf("unknown id not asked again after its TTL")
	}
	if s := c.Stats(); s.Lookups != 7 || s.Hits != 3 || s.Found != 2 || s.Unknown != 2 {
		t.Errorf("stats %+v", s)
	}
	if c.Lookup("") != nil {
		t.Errorf("empty id")
	}
}

func TestCacheBounded(t *testing.T) {
	r := &table{name: "docker", known: map[string]Info{}}
	c := NewCache(Config{MaxEntries: 10}, r)
	for i := range 100 {
		id := strings.Repeat("x", i+1)
		r.known[id] = Info{Name: id}
		c.Lookup(id)
	}
	if n := len(c.cur) + len(c.old); n > 10 {
		t.Errorf("%d entries cached, bound 10", n)
	}
}

// A runtime that is down (here: no socket at all) is asked once per
// back-off period; the others still answer.
func TestCacheRuntimeDown(t *testing.T) {
	now := time.Unix(1000, 0)
	var log strings.Builder
	dead := NewDocker(filepath.Join(t.TempDir(), "docker.sock"))
	ctrd := &table{name: "containerd", known: map[string]Info{"b": {Image: "redis:7"}}}
	c := NewCache(Config{Now: func() time.Time { return now }, DownBackoff: 10 * time.Second, Log: &log}, dead, ctrd)
	start := time.Now()
	for _, id := range []string{"a", "b", "c", "d"} {
		c.Lookup(id)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("4 lookups with a runtime down took %v", d)
	}
	if i := c.Lookup("b"); i == nil || i.Image != "redis:7" {
		t.Errorf("b from the runtime that is up: %+v", i)
	}
	s := c.Stats()
	if s.Errors != 1 || s.Skipped != 3 {
		t.Errorf("stats %+v, want 1 error then 3 skipped", s)
	}
	if !strings.Contains(log.String(), "cri: docker unavailable") || strings.Count(log.String(), "\n") != 1 {
		t.Errorf("log %q", log.String())
	}
	now = now.Add(11 * time.Second)
	c.Lookup("e")
	if s := c.Stats(); s.Errors != 2 {
		t.Errorf("runtime not retried after the back-off: %+v", s)
	}
	dead.err(t)
}

// err checks that a Docker client's error names the socket.
func (d *Docker) err(t *testing.T) {
	t.Helper()
	_, err := d.Inspect(context.Background(), "a")
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), d.Socket) {
		t.Errorf("error %v, want one naming %s", err, d.Socket)
	}
}

func TestParseFlags(t *testing.T) {
	rs, err := ParseFlags(nil)
	if err != nil || len(rs) != 2 || rs[0].Name() != "docker" || rs[1].(*Containerd).Socket != DefaultContainerdSocket {
		t.Fatalf("defaults: %v %v", rs, err)
	}
	rs, err = ParseFlags([]string{"containerd:unix:///x/c.sock"})
	if err != nil || len(rs) != 1 || rs[0].(*Containerd).Socket != "/x/c.sock" {
		t.Fatalf("containerd: %v %v", rs, err)
	}
	for _, bad := range []string{"docker", "docker:", "crio:/run/crio.sock"} {
		if _, err := ParseFlags([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
