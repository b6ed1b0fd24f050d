package output

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"text/template"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/traceejson"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// ErrNoTemplate is wrapped when a template is neither a file nor embedded.
var ErrNoTemplate = errors.New("no such output template")

// TemplateNames lists the embedded templates ("csv.tmpl", "json.tmpl", ...).
func TemplateNames() []string {
	entries, _ := fs.ReadDir(embedded, "templates")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TemplateFuncs are the functions templates may call:
//
//	toJSON v      JSON of v (encoding/json); a finding or event is first
//	              converted to its Tracee JSON form
//	csv a b ...   one CSV record (encoding/csv quoting), ending in a newline
//	eventTime ev  the event's time, RFC 3339 UTC
//	data m        finding data as "key=value, ..." sorted by key
//	arg ev name   an argument's value as Tracee JSON prints it (repr, else value)
func TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"toJSON":    toJSON,
		"csv":       csvRecord,
		"eventTime": EventTime,
		"data":      FormatData,
		"arg": func(ev *pb.Event, name string) any {
			if a := sdk.GetArg(ev, name); a != nil {
				return traceejson.ArgValue(a)
			}
			return nil
		},
	}
}

func toJSON(v any) (string, error) {
	switch x := v.(type) {
	case sdk.Finding:
		v = traceejson.FromFinding(x)
	case *sdk.Finding:
		v = traceejson.FromFinding(*x)
	case *pb.Event:
		v = traceejson.FromProto(x)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("toJSON: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func csvRecord(fields ...any) (string, error) {
	rec := make([]string, len(fields))
	for i, f := range fields {
		rec[i] = fmt.Sprint(f)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(rec); err != nil {
		return "", err
	}
	w.Flush()
	return buf.String(), w.Error()
}

// LoadTemplate parses a template from a file, or, when no file has that
// path, the embedded template of that name ("json" or "json.tmpl").
func LoadTemplate(nameOrPath string) (*template.Template, error) {
	var text []byte
	var err error
	if st, statErr := os.Stat(nameOrPath); statErr == nil && !st.IsDir() {
		text, err = os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("read output template: %w", err)
		}
	} else {
		name := path.Base(nameOrPath)
		if !strings.HasSuffix(name, ".tmpl") {
			name += ".tmpl"
		}
		text, err = embedded.ReadFile("templates/" + name)
		if err != nil || strings.ContainsRune(nameOrPath, '/') {
			return nil, fmt.Errorf("%w %q: not a file, and not one of the built-in templates %s", ErrNoTemplate, nameOrPath, strings.Join(TemplateNames(), ", "))
		}
	}
	t, err := template.New(path.Base(nameOrPath)).Funcs(TemplateFuncs()).Option("missingkey=zero").Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("parse output template: %w", err)
	}
	return t, nil
}

// NewTemplate returns an output that executes the template (see LoadTemplate)
// with each sdk.Finding as its data.
func NewTemplate(w io.Writer, nameOrPath string) (*Printer, error) {
	t, err := LoadTemplate(nameOrPath)
	if err != nil {
		return nil, err
	}
	return &Printer{w: bufio.NewWriter(w), render: func(w io.Writer, f sdk.Finding) error {
		if err := t.Execute(w, f); err != nil {
			return fmt.Errorf("execute output template: %w", err)
		}
		return nil
	}}, nil
}
