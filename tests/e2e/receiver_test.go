package e2e

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

// sidekickPriority is falcosidekick's types.PriorityType: a JSON string
// matched without case against its eight names; anything else decodes to
// the zero value, which FalcoPayload.Check refuses.
type sidekickPriority int

var sidekickPriorityNames = []string{"", "Debug", "Informational", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency"}

func (p *sidekickPriority) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = 0
	for i, name := range sidekickPriorityNames[1:] {
		if strings.EqualFold(s, name) {
			*p = sidekickPriority(i + 1)
		}
	}
	return nil
}

func (p sidekickPriority) String() string {
	if p < 0 || int(p) >= len(sidekickPriorityNames) {
		return ""
	}
	return sidekickPriorityNames[p]
}

// sidekickPayload mirrors falcosidekick's types.FalcoPayload field for
// field (uuid is assigned by falcosidekick itself): time is a time.Time, so
// it must be a JSON string that time.Time.UnmarshalJSON accepts (RFC 3339),
// and output_fields is decoded with UseNumber.
type sidekickPayload struct {
	UUID         string           `json:"uuid,omitempty"`
	Output       string           `json:"output"`
	Priority     sidekickPriority `json:"priority"`
	Rule         string           `json:"rule"`
	Time         time.Time        `json:"time"`
	OutputFields map[string]any   `json:"output_fields"`
	Source       string           `json:"source"`
	Tags         []string         `json:"tags,omitempty"`
	Hostname     string           `json:"hostname,omitempty"`
}

// validateSidekick checks a request body as falcosidekick's mainHandler
// does: decode the first JSON value of the body into FalcoPayload (with
// UseNumber; a type mismatch or a bad time is a decode error), then
// FalcoPayload.Check: priority one of the eight names, rule not empty, time
// not zero, output_fields not empty. Two more checks keep the payload
// acceptable to every falcosidekick version: older ones refused an empty
// output (len(falcopayload.Output) == 0), and all of them type-assert
// k8s.ns.name and k8s.pod.name to string (a non-string one panics the
// handler).
func validateSidekick(body []byte) (sidekickPayload, error) {
	var p sidekickPayload
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		return p, fmt.Errorf("decode: %w", err)
	}
	switch {
	case p.Priority.String() == "":
		return p, errors.New("priority is not one of falcosidekick's names")
	case p.Rule == "":
		return p, errors.New("rule is empty")
	case p.Time.IsZero():
		return p, errors.New("time is zero or missing")
	case len(p.OutputFields) == 0:
		return p, errors.New("output_fields is empty")
	case p.Output == "":
		return p, errors.New("output is empty (refused by falcosidekick before 2.28)")
	}
	for _, k := range []string{"k8s.ns.name", "k8s.pod.name"} {
		if v, ok := p.OutputFields[k]; ok && v != nil {
			if _, isString := v.(string); !isString {
				return p, fmt.Errorf("%s is %T: falcosidekick's type assertion would panic", k, v)
			}
		}
	}
	return p, nil
}

// receiverMode is how the receiver answers.
type receiverMode int

const (
	modeDown receiverMode = iota // listener closed: connections are refused
	modeFail                     // every POST gets 500
	modeOK                       // validated; valid payloads get 200, invalid 400
)

func (m receiverMode) String() string { return [...]string{"down", "500", "ok"}[m] }

// received is one payload the receiver accepted.
type received struct {
	Payload     sidekickPayload
	Body        []byte
	ContentType string
	At          time.Time
}

// sidekickReceiver is a falcosidekick stand-in on 127.0.0.1: in mode ok it
// validates each POST as falcosidekick does and records the valid ones in
// arrival order; it can be taken down (connection refused) or made to
// answer 500.
type sidekickReceiver struct {
	t    *testing.T
	addr string

	mu       sync.Mutex
	mode     receiverMode
	srv      *http.Server
	accepted []received
	invalid  []string // why each refused payload was refused, with its body
	failed   int      // requests answered 500
}

// newSidekickReceiver reserves a port and starts in mode.
func newSidekickReceiver(t *testing.T, mode receiverMode) *sidekickReceiver {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &sidekickReceiver{t: t, addr: l.Addr().String(), mode: modeDown}
	_ = l.Close()
	t.Cleanup(func() { r.setMode(modeDown) })
	r.setMode(mode)
	return r
}

// URL is where tracee-rules posts (falcosidekick serves its handler on /).
func (r *sidekickReceiver) URL() string { return "http://" + r.addr + "/" }

// setMode switches the receiver; going down closes the listener and every
// open connection.
func (r *sidekickReceiver) setMode(m receiverMode) {
	r.t.Helper()
	r.mu.Lock()
	r.mode = m
	srv := r.srv
	if m == modeDown {
		r.srv = nil
	}
	r.mu.Unlock()
	if m == modeDown {
		if srv != nil {
			_ = srv.Close()
		}
		return
	}
	if srv != nil {
		return // already listening
	}
	var l net.Listener
	var err error
	for i := 0; i < 100; i++ { // the port may take a moment to be free again
		if l, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("receiver on %s: %v", r.addr, err)
	}
	srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 5 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (r *sidekickReceiver) serve(w http.ResponseWriter, req *http.Request) {
	// falcosidekick's mainHandler: a body, POST, then a valid payload.
	if req.Method != http.MethodPost {
		http.Error(w, "Please send with post http method", http.StatusBadRequest)
		r.refuse("method " + req.Method)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "Please send a valid request body", http.StatusBadRequest)
		r.refuse("read body: " + err.Error())
		return
	}
	r.mu.Lock()
	mode := r.mode
	if mode == modeFail {
		r.failed++
	}
	r.mu.Unlock()
	if mode == modeFail {
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	p, err := validateSidekick(body)
	if err != nil {
		http.Error(w, "Please send a valid request body", http.StatusBadRequest)
		r.refuse(fmt.Sprintf("%v: %s", err, body))
		return
	}
	r.mu.Lock()
	r.accepted = append(r.accepted, received{Payload: p, Body: body, ContentType: req.Header.Get("Content-Type"), At: time.Now()})
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (r *sidekickReceiver) refuse(why string) {
	r.mu.Lock()
	r.invalid = append(r.invalid, why)
	r.mu.Unlock()
}

// Accepted returns a copy of the payloads accepted so far, in arrival order.
func (r *sidekickReceiver) Accepted() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.accepted...)
}

// Invalid returns why each refused payload was refused.
func (r *sidekickReceiver) Invalid() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.invalid...)
}

// Failed is how many requests got a 500.
func (r *sidekickReceiver) Failed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// WaitAccepted polls until done reports true for the accepted payloads or
// the timeout passes; it returns the payloads and whether done held.
func (r *sidekickReceiver) WaitAccepted(timeout time.Duration, done func([]received) bool) ([]received, bool) {
	deadline := time.Now().Add(timeout)
	for {
		got := r.Accepted()
		if done(got) {
			return got, true
		}
		if time.Now().After(deadline) {
			return got, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The receiver itself must refuse what falcosidekick refuses and accept
// falcosidekick's own test alert, or the end-to-end tests prove nothing.
func TestWebhookReceiverValidatesLikeFalcosidekick(t *testing.T) {
	valid := map[string]any{
		"output":        "07:08:09.000000000: Error x",
		"priority":      "Error",
		"rule":          "Anti-Debugging",
		"time":          "2024-03-05T07:08:09.000012000Z",
		"output_fields": map[string]any{"proc.pid": 1},
		"source":        "tracee",
	}
	with := func(k string, v any) []byte {
		m := map[string]any{}
		for kk, vv := range valid {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return b
	}
	for _, tc := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"valid", with("rule", "Anti-Debugging"), true},
		{"falcosidekick test alert", []byte(`{"output":"This is a test from falcosidekick","priority":"Debug","hostname": "falcosidekick", "rule":"Test rule", "time":"2024-03-05T07:08:09Z","output_fields": {"proc.name":"falcosidekick","user.name":"falcosidekick"}, "tags":["test","example"]}`), true},
		{"priority without case", with("priority", "eRRor"), true},
		{"unknown priority", with("priority", "High"), false},
		{"numeric priority", with("priority", 3), false},
		{"no priority", with("priority", nil), false},
		{"no rule", with("rule", nil), false},
		{"empty rule", with("rule", ""), false},
		{"no time", with("time", nil), false},
		{"unix time", with("time", 1709622489), false},
		{"not RFC 3339", with("time", "2024-03-05 07:08:09"), false},
		{"zero time", with("time", "0001-01-01T00:00:00Z"), false},
		{"no output_fields", with("output_fields", nil), false},
		{"empty output_fields", with("output_fields", map[string]any{}), false},
		{"output_fields not an object", with("output_fields", []int{1}), false},
		{"tags not strings", with("tags", []int{1}), false},
		{"empty output", with("output", ""), false},
		{"numeric k8s.ns.name", with("output_fields", map[string]any{"k8s.ns.name": 7}), false},
		{"not JSON", []byte("rule=x"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := validateSidekick(tc.body)
			if (err == nil) != tc.ok {
				t.Errorf("validate %s: err %v, want ok=%v", tc.body, err, tc.ok)
			}
		})
	}

	// And over HTTP, through each mode.
	r := newSidekickReceiver(t, modeOK)
	post := func(body []byte) (int, error) {
		resp, err := http.Post(r.URL(), "application/json", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for _, step := range []struct {
		mode receiverMode
		body []byte
		code int // 0: connection refused
	}{
		{modeOK, with("rule", "Anti-Debugging"), http.StatusOK},
		{modeOK, with("rule", ""), http.StatusBadRequest},
		{modeFail, with("rule", "Anti-Debugging"), http.StatusInternalServerError},
		{modeDown, with("rule", "Anti-Debugging"), 0},
		{modeOK, with("rule", "Kernel Module Loading"), http.StatusOK},
	} {
		r.setMode(step.mode)
		code, err := post(step.body)
		if step.code == 0 {
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("mode %v: status %d, err %v; want connection refused", step.mode, code, err)
			}
			continue
		}
		if err != nil || code != step.code {
			t.Errorf("mode %v: status %d, err %v; want %d", step.mode, code, err, step.code)
		}
	}
	got := r.Accepted()
	if len(got) != 2 || got[0].Payload.Rule != "Anti-Debugging" || got[1].Payload.Rule != "Kernel Module Loading" {
		t.Errorf("accepted %+v, want the two valid payloads in order", got)
	}
	if n := len(r.Invalid()); n != 1 {
		t.Errorf("%d refused payloads, want 1: %q", n, r.Invalid())
	}
	if r.Failed() != 1 {
		t.Errorf("%d requests answered 500, want 1", r.Failed())
	}
}
