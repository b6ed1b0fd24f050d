package rego_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// userSig is a custom signature in Rego v1 syntax that uses the helpers and
// reports an object.
const userSig = `package custom.sensitive_write

import data.tracee.helpers

__rego_metadoc__ := {
	"id": "USER-1",
	"version": "0.1.0",
	"name": "Shadow file opened for writing",
	"description": "A process opened /etc/shadow for writing.",
	"tags": ["linux"],
	"properties": {"Severity": 4, "MITRE ATT&CK": "Credential Access: T1003.008 /etc/passwd and /etc/shadow", "custom": [1, 2.5]},
}

tracee_selected_events contains {"source": "tracee", "name": "security_file_open"}

tracee_match := {"pathname": path, "flags": flags, "in container": helpers.in_container} if {
	input.eventName == "security_file_open"
	path := helpers.get_tracee_argument("pathname")
	path == "/etc/shadow"
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_write(flags)
}
`

// userSigV0 is a boolean signature in Tracee's v0 syntax, selecting all events.
const userSigV0 = `package tracee.USER_2

__rego_metadoc__ := {"id": "USER-2", "name": "Root shell"}

tracee_selected_events[eventSelector] {
	eventSelector := {"source": "tracee", "name": "*"}
}

tracee_match {
	input.userId == 0
	input.processName == "sh"
}
`

func TestLoadDirUserSignatures(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"shadow.rego":        userSig,
		"root_shell.rego":    userSigV0,
		"README.md":          "not a signature",
		"sub/ignored.rego":   "this is not rego and sits in a subdirectory",
		"notes.rego.disable": "ignored too",
	})
	sigs, err := rego.LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	var ids []string
	for _, s := range sigs {
		m, _ := s.GetMetadata()
		ids = append(ids, m.ID)
	}
	if want := []string{"USER-2", "USER-1"}; !reflect.DeepEqual(ids, want) { // file-name order
		t.Fatalf("loaded %v, want %v", ids, want)
	}

	shadow, rootShell := sigs[1], sigs[0]
	m, _ := shadow.GetMetadata()
	wantMeta := sdk.Metadata{
		ID: "USER-1", Version: "0.1.0", Name: "Shadow file opened for writing",
		Description: "A process opened /etc/shadow for writing.", Severity: sdk.SeverityCritical,
		MitreCategory: "Credential Access", MitreTechnique: "T1003.008 /etc/passwd and /etc/shadow",
		Tags: []string{"linux"},
		Properties: map[string]any{
			"Severity": int64(4), "MITRE ATT&CK": "Credential Access: T1003.008 /etc/passwd and /etc/shadow",
			"custom": []any{int64(1), 2.5},
		},
	}
	if !reflect.DeepEqual(m, wantMeta) {
		t.Errorf("metadata\n got %#v\nwant %#v", m, wantMeta)
	}

	open := func(path, flags string, container string) *sdk.Finding {
		ev := sdktest.Event("security_file_open", sdktest.Str("pathname", path), sdktest.Repr("flags", flags))
		ev.ContainerId = container
		fs := sdktest.Run(t, shadow, ev)
		if len(fs) > 1 {
			t.Fatalf("%d findings for one event", len(fs))
		}
		if len(fs) == 0 {
			return nil
		}
		return &fs[0]
	}
	f := open("/etc/shadow", "O_RDWR|O_CREAT", "abc123")
	want := map[string]any{"pathname": "/etc/shadow", "flags": "O_RDWR|O_CREAT", "in container": true}
	if f == nil || !reflect.DeepEqual(f.Data, want) {
		t.Errorf("shadow write: finding %+v, want data %v", f, want)
	}
	if f := open("/etc/shadow", "O_RDONLY", ""); f != nil {
		t.Errorf("read-only open reported: %v", f.Data)
	}
	if f := open("/etc/passwd", "O_WRONLY", ""); f != nil {
		t.Errorf("other file reported: %v", f.Data)
	}

	sel, _ := rootShell.GetSelectedEvents()
	if !reflect.DeepEqual(sel, []sdk.SelectedEvent{{Source: "tracee", Name: "*"}}) {
		t.Errorf("USER-2 selected %v", sel)
	}
	sh := sdktest.Event("execve")
	sh.ProcessName = "sh"
	bash := sdktest.Event("execve")
	bash.ProcessName = "bash"
	userSh := sdktest.Event("openat")
	userSh.ProcessName, userSh.UserId = "sh", 1000
	fs := sdktest.Run(t, rootShell, sh, bash, userSh)
	if len(fs) != 1 || fs[0].Event != sh || fs[0].Data != nil {
		t.Errorf("root shell findings = %+v, want one without data for the sh event", fs)
	}
}

func TestLoadDirEmptyAndMissing(t *testing.T) {
	sigs, err := rego.LoadDir(t.TempDir())
	if err != nil || len(sigs) != 0 {
		t.Errorf("empty dir: %d signatures, err %v; want none, nil", len(sigs), err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := rego.LoadDir(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing dir: err %v, want one naming %s", err, missing)
	}
}

const goodHead = `package tracee.BAD
__rego_metadoc__ := {"id": "BAD-1", "name": "Bad"}
tracee_selected_events[s] { s := {"source": "tracee", "name": "openat"} }
`

func TestLoadBadFiles(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the error
	}{
		{"syntax error v0", goodHead + "tracee_match {\n input.eventName == \n}\n", []string{"bad.rego:6", "parse", "unexpected } token"}},
		{"v0 error past v1's", goodHead + "tracee_match { every := 1; every == 1 }\nf(x) { x + }\n", []string{"bad.rego:5", "parse as rego v0"}},
		{"syntax error v1", "package x\nimport rego.v1\np if {\n  1 +\n}\n", []string{"bad.rego:", "parse"}},
		{"unknown function", goodHead + "tracee_match { no_such_function(input.eventName) }\n",
			[]string{"bad.rego:4", "undefined function no_such_function"}},
		{"unsafe variable", goodHead + "tracee_match { x == input.eventName }\n", []string{"bad.rego:4", "var x is unsafe"}},
		{"no tracee_match", goodHead, []string{"bad.rego", "no tracee_match rule"}},
		{"no metadoc", "package tracee.BAD\ntracee_selected_events[s] { s := {\"name\": \"x\"} }\ntracee_match { true }\n",
			[]string{"bad.rego", "no __rego_metadoc__ rule"}},
		{"no selected events", "package tracee.BAD\n__rego_metadoc__ := {\"id\": \"B\", \"name\": \"B\"}\ntracee_match { true }\n",
			[]string{"no tracee_selected_events rule"}},
		{"metadoc not an object", "package tracee.BAD\n__rego_metadoc__ := \"x\"\ntracee_selected_events[s] { s := {\"name\": \"x\"} }\ntracee_match { true }\n",
			[]string{"__rego_metadoc__: is a string, want an object"}},
		{"id missing", strings.Replace(goodHead, `"id": "BAD-1", `, "", 1) + "tracee_match { true }\n", []string{`missing "id"`}},
		{"id not a string", strings.Replace(goodHead, `"BAD-1"`, "7", 1) + "tracee_match { true }\n", []string{`"id" is a number, want a string`}},
		{"severity out of range", strings.Replace(goodHead, `"name": "Bad"`, `"name": "Bad", "properties": {"Severity": 9}`, 1) + "tracee_match { true }\n",
			[]string{"properties.Severity is 9"}},
		{"tags not strings", strings.Replace(goodHead, `"name": "Bad"`, `"name": "Bad", "tags": [1]`, 1) + "tracee_match { true }\n",
			[]string{`"tags": item 0 is a number`}},
		{"selector without name", strings.Replace(goodHead, `"name": "openat"`, `"event": "openat"`, 1) + "tracee_match { true }\n",
			[]string{`has no "name" string`}},
		{"bad data filter", strings.Replace(goodHead, `"name": "openat"`, `"name": "openat", "filters": ["flags=1"]`, 1) + "tracee_match { true }\n",
			[]string{`field "flags" is neither data.NAME nor retval`}},
		{"filters not strings", strings.Replace(goodHead, `"name": "openat"`, `"name": "openat", "filters": [1]`, 1) + "tracee_match { true }\n",
			[]string{"filters: item 0 is a number"}},
		{"empty selection", "package tracee.BAD\n__rego_metadoc__ := {\"id\": \"B\", \"name\": \"B\"}\ntracee_selected_events[s] { s := {\"name\": \"x\"}; false }\ntracee_match { true }\n",
			[]string{"tracee_selected_events: selects no event"}},
		{"helpers package reserved", "package tracee.helpers\n__rego_metadoc__ := {\"id\": \"B\", \"name\": \"B\"}\n", []string{"reserved for the helper library"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"ok.rego": userSigV0, "bad.rego": tt.src})
			sigs, err := rego.LoadDir(dir)
			if err == nil {
				t.Fatalf("LoadDir loaded %d signatures, want an error", len(sigs))
			}
			msg := err.Error()
			for _, w := range append([]string{dir, "bad.rego"}, tt.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestLoadDirDuplicateID(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.rego": userSigV0, "b.rego": strings.Replace(userSigV0, "tracee.USER_2", "other.pkg", 1)})
	_, err := rego.LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), `b.rego: signature id "USER-2" already declared by a.rego`) {
		t.Errorf("err = %v, want a duplicate-id error", err)
	}
}

func TestLoadDataFilters(t *testing.T) {
	src := strings.Replace(goodHead, `"name": "openat"`, `"name": "openat", "filters": ["data.pathname=/etc/*", "retval>=0"]`, 1) + "tracee_match { true }\n"
	sigs, err := rego.LoadDir(writeFiles(t, map[string]string{"f.rego": src}))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := sigs[0].GetSelectedEvents()
	if err != nil {
		t.Fatal(err)
	}
	want := []sdk.SelectedEvent{{Source: "tracee", Name: "openat", Filters: []string{"data.pathname=/etc/*", "retval>=0"}}}
	if !reflect.DeepEqual(sel, want) {
		t.Fatalf("selected %+v, want %+v", sel, want)
	}
}
