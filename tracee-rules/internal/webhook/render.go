package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/traceejson"
)

// Format selects how a finding is rendered into a request body.
type Format string

// Formats.
const (
	FormatJSON          Format = "json"          // the finding as JSON
	FormatFalcosidekick Format = "falcosidekick" // Falco's alert payload
	FormatTemplate      Format = "template"      // a user's Go text/template
)

// Formats lists the accepted formats, for flag help.
var Formats = []Format{FormatJSON, FormatFalcosidekick, FormatTemplate}

// renderer renders a finding into a request body.
type renderer func(sdk.Finding) ([]byte, error)

// MarshalFinding renders a finding in the JSON form tracee-rules prints
// (traceejson.Finding: signatureMetadata, event in Tracee's JSON event
// format, data), with data and properties made JSON-safe first (NaN, byte
// buffers, channels... cannot make the payload fail).
func MarshalFinding(f sdk.Finding) ([]byte, error) {
	safe := f
	if f.Data != nil {
		safe.Data = make(map[string]any, len(f.Data))
		for k, v := range f.Data {
			safe.Data[k] = normalize(v, 0)
		}
	}
	if md, ok := normalize(f.SigMetadata.Properties, 0).(map[string]any); ok {
		safe.SigMetadata.Properties = md
	}
	b, err := json.Marshal(traceejson.FromFinding(safe))
	if err != nil {
		return nil, fmt.Errorf("marshal finding: %w", err)
	}
	return b, nil
}

// newRenderer returns the renderer for cfg.
func newRenderer(cfg *Config) (renderer, error) {
	switch cfg.Format {
	case FormatJSON:
		if cfg.MarshalJSON != nil {
			return cfg.MarshalJSON, nil
		}
		return MarshalFinding, nil
	case FormatFalcosidekick:
		host, now := cfg.Hostname, cfg.now
		return func(f sdk.Finding) ([]byte, error) {
			b, err := json.Marshal(NewFalcoPayload(f, host, now))
			if err != nil {
				return nil, fmt.Errorf("marshal falcosidekick payload: %w", err)
			}
			return b, nil
		}, nil
	case FormatTemplate:
		tmpl, err := ParseTemplate(cfg.TemplatePath, cfg.Hostname)
		if err != nil {
			return nil, err
		}
		return func(f sdk.Finding) ([]byte, error) {
			var buf bytes.Buffer
			if err := tmpl.Execute(&buf, f); err != nil {
				return nil, fmt.Errorf("execute webhook template: %w", err)
			}
			return buf.Bytes(), nil
		}, nil
	default:
		return nil, fmt.Errorf("unknown webhook format %q (want one of %v)", cfg.Format, Formats)
	}
}

// ParseTemplate reads a webhook template. The template is executed with the
// sdk.Finding and has these functions besides text/template's own:
//
//	toJSON v          v as JSON text (made JSON-safe first), to build valid JSON
//	priority n        the Falco priority of severity n ("Warning")
//	eventTime f       the time of finding f's triggering event (time.Time, UTC)
//	rfc3339 t         t in RFC 3339 with nanoseconds
//	flatten prefix m  m flattened as for falcosidekick's output_fields
//	hostname          the host name the sender reports
//	upper, lower      strings.ToUpper, strings.ToLower
func ParseTemplate(path, hostname string) (*template.Template, error) {
	if path == "" {
		return nil, fmt.Errorf("webhook format %q needs a template file", FormatTemplate)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read webhook template: %w", err)
	}
	funcs := template.FuncMap{
		"toJSON": func(v any) (string, error) {
			b, err := json.Marshal(normalize(v, 0))
			return string(b), err
		},
		"priority":  Priority,
		"eventTime": func(f sdk.Finding) time.Time { return eventTime(f, time.Now) },
		"rfc3339":   func(t time.Time) string { return t.UTC().Format(falcoTimeLayout) },
		"flatten":   Flatten,
		"hostname":  func() string { return hostname },
		"upper":     strings.ToUpper,
		"lower":     strings.ToLower,
	}
	tmpl, err := template.New(filepath.Base(path)).Funcs(funcs).Option("missingkey=zero").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse webhook template %s: %w", path, err)
	}
	return tmpl, nil
}

// unmarshalNumber decodes JSON keeping numbers as json.Number.
func unmarshalNumber(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
