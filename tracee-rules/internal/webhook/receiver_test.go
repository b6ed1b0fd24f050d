package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// sidekickPayload mirrors what falcosidekick decodes (types.FalcoPayload):
// a time.Time, which must parse as RFC 3339, and free-form output fields.
type sidekickPayload struct {
	Output       string         `json:"output"`
	Priority     string         `json:"priority"`
	Rule         string         `json:"rule"`
	Time         time.Time      `json:"time"`
	OutputFields map[string]any `json:"output_fields"`
	Source       string         `json:"source"`
	Tags         []string       `json:"tags"`
	Hostname     string         `json:"hostname"`
}

// checkSidekick validates a request body as falcosidekick's handler does:
// JSON decoded with UseNumber, then FalcoPayload.Check (priority one of the
// eight names, rule set, time set, output_fields not empty), plus a
// non-empty output (older falcosidekick versions) and string Kubernetes
// names (falcosidekick type-asserts them).
func checkSidekick(body []byte) (sidekickPayload, error) {
	var p sidekickPayload
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		return p, fmt.Errorf("decode: %w", err)
	}
	switch {
	case !ValidFalcoPriority(p.Priority):
		return p, fmt.Errorf("priority %q not accepted", p.Priority)
	case p.Rule == "":
		return p, errors.New("empty rule")
	case p.Time.IsZero():
		return p, errors.New("zero time")
	case len(p.OutputFields) == 0:
		return p, errors.New("empty output_fields")
	case p.Output == "":
		return p, errors.New("empty output")
	}
	for _, k := range k8sKeys {
		if v, ok := p.OutputFields[k]; ok && v != nil {
			if _, isString := v.(string); !isString {
				return p, fmt.Errorf("%s is %T, not a string", k, v)
			}
		}
	}
	for k, v := range p.OutputFields {
		switch v.(type) {
		case string, bool, json.Number, nil:
		default:
			return p, fmt.Errorf("output field %s has a nested %T", k, v)
		}
	}
	return p, nil
}

// receiver is a local HTTP endpoint on 127.0.0.1 that can be taken down
// (connection refused), made to fail with a status, or slowed down. It
// records accepted bodies in arrival order.
type receiver struct {
	t    *testing.T
	addr string

	mu       sync.Mutex
	srv      *http.Server
	status   int                          // answer instead of accepting, when not 0
	validate func([]byte) (string, error) // returns the payload's id
	hold     chan struct{}                // when set, requests wait for it to close
	limit    int                          // when not 0, accept this many, then answer 503
	ids      []string
	bodies   [][]byte
	ctypes   []string
	refused  int // requests answered with an error status
}

func newReceiver(t *testing.T, validate func([]byte) (string, error)) *receiver {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, addr: l.Addr().String(), validate: validate}
	_ = l.Close() // the port stays reserved for us in practice; up() binds it again
	t.Cleanup(r.down)
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/" }

func (r *receiver) up() {
	r.t.Helper()
	var l net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after down()
		if l, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("receiver up: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(r.serve)}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (r *receiver) down() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

func (r *receiver) setStatus(code int) {
	r.mu.Lock()
	r.status = code
	r.mu.Unlock()
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "Please send with post http method", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	hold, status, validate := r.hold, r.status, r.validate
	if r.limit > 0 && len(r.ids) >= r.limit {
		status = http.StatusServiceUnavailable
	}
	r.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if status != 0 {
		r.mu.Lock()
		r.refused++
		r.mu.Unlock()
		http.Error(w, "unavailable", status)
		return
	}
	id, err := validate(body)
	if err != nil {
		r.mu.Lock()
		r.refused++
		r.mu.Unlock()
		http.Error(w, "Please send a valid request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.ids = append(r.ids, id)
	r.bodies = append(r.bodies, body)
	r.ctypes = append(r.ctypes, req.Header.Get("Content-Type"))
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) accepted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// waitFor waits until n distinct ids were accepted.
func (r *receiver) waitFor(n int, timeout time.Duration) []string {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ids := r.accepted()
		if len(distinct(ids)) >= n {
			return ids
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("receiver got %d distinct of %d payloads in %v", len(distinct(ids)), n, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// distinct returns ids without repeats, in order of first arrival.
func distinct(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// sidekickID validates a falcosidekick payload and returns its tracee.id.
func sidekickID(body []byte) (string, error) {
	p, err := checkSidekick(body)
	if err != nil {
		return "", err
	}
	id, ok := p.OutputFields["tracee.id"]
	if !ok {
		return "", errors.New("no tracee.id")
	}
	return fmt.Sprint(id), nil
}

func TestCheckSidekickRejects(t *testing.T) {
	good := `{"output":"12:00:00.000000000: Warning x","priority":"Warning","rule":"r","time":"2024-01-02T03:04:05.123456789Z","output_fields":{"proc.pid":1}}`
	if _, err := checkSidekick([]byte(good)); err != nil {
		t.Fatalf("good payload refused: %v", err)
	}
	tests := []struct{ name, body string }{
		{"not json", `{`},
		{"bad priority", strings.Replace(good, `"priority":"Warning"`, `"priority":"High"`, 1)},
		{"no rule", strings.Replace(good, `"rule":"r"`, `"rule":""`, 1)},
		{"bad time", strings.Replace(good, `2024-01-02T03:04:05.123456789Z`, `12:00`, 1)},
		{"no time", strings.Replace(good, `"time":"2024-01-02T03:04:05.123456789Z",`, ``, 1)},
		{"no fields", strings.Replace(good, `{"proc.pid":1}`, `{}`, 1)},
		{"no output", strings.Replace(good, `"output":"12:00:00.000000000: Warning x"`, `"output":""`, 1)},
		{"k8s number", strings.Replace(good, `{"proc.pid":1}`, `{"k8s.ns.name":3}`, 1)},
		{"nested", strings.Replace(good, `{"proc.pid":1}`, `{"a":{"b":1}}`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := checkSidekick([]byte(tt.body)); err == nil {
				t.Fatalf("accepted %s", tt.body)
			}
		})
	}
}
