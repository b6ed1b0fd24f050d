package rego

import (
	"reflect"
	"sort"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func builtFields(b inputBuilder) []string {
	if reflect.ValueOf(b.fields).Pointer() == reflect.ValueOf(fullInput.fields).Pointer() && b.ancestry {
		return []string{"*"}
	}
	var out []string
	for _, f := range b.fields {
		out = append(out, f.key.String())
	}
	if b.ancestry {
		out = append(out, `"ancestry"`)
	}
	sort.Strings(out)
	return out
}

const fieldsHead = `package tracee.F
import data.tracee.helpers
__rego_metadoc__ := {"id": "F", "name": "F"}
tracee_selected_events[s] { s := {"name": "*"} }
unused_rule { input.hostName == "never read by tracee_match" }
`

// TestInputFields checks which top-level input fields each signature gets:
// those its tracee_match reads, directly or through rules and helpers.
func TestInputFields(t *testing.T) {
	tests := []struct {
		name  string
		match string
		want  []string
	}{
		{"direct refs", `tracee_match { input.eventName == "x"; input["processId"] == 1 }`, []string{`"eventName"`, `"processId"`}},
		{"through a helper", `tracee_match { helpers.get_tracee_argument("a") == 1 }`, []string{`"args"`}},
		{"through two helpers", `tracee_match { helpers.in_container; count(helpers.ancestor_names) > 1 }`, []string{`"ancestry"`, `"containerId"`}},
		{"through a local rule", "tracee_match { is_root }\nis_root { input.userId == 0 }", []string{`"userId"`}},
		{"input as a whole", `tracee_match { x := input; x.processName == "sh" }`, []string{"*"}},
		{"computed key", `tracee_match { some k; input[k] == "sh"; k == "processName" }`, []string{"*"}},
		{"input passed to a function", "tracee_match { f(input) }\nf(x) { x.processName == \"sh\" }", []string{"*"}},
		{"no input", `tracee_match { true }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := Load("f.rego", fieldsHead+tt.match+"\n")
			if err != nil {
				t.Fatal(err)
			}
			if got := builtFields(sig.input); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPrunedInputEvaluates runs the whole-input cases on real events: the
// pruned input must not change results.
func TestPrunedInputEvaluates(t *testing.T) {
	sh := &pb.Event{EventName: "execve", ProcessName: "sh", ContainerId: "c1", UserId: 0,
		Ancestry: []*pb.Ancestor{{Comm: "bash"}, {Comm: "sshd"}}}
	bash := &pb.Event{EventName: "execve", ProcessName: "bash", UserId: 1000}
	matches := []string{
		`tracee_match { x := input; x.processName == "sh" }`,
		`tracee_match { some k; input[k] == "sh"; k == "processName" }`,
		"tracee_match { f(input) }\nf(x) { x.processName == \"sh\" }",
		"tracee_match { is_root; helpers.in_container }\nis_root { input.userId == 0 }",
		`tracee_match { helpers.ancestor_names == ["bash", "sshd"] }`,
	}
	for _, m := range matches {
		sig, err := Load("f.rego", fieldsHead+m+"\n")
		if err != nil {
			t.Fatal(err)
		}
		var got []*pb.Event
		if err := sig.Init(func(f sdk.Finding) { got = append(got, f.Event) }); err != nil {
			t.Fatal(err)
		}
		for _, ev := range []*pb.Event{sh, bash} {
			if err := sig.OnEvent(ev); err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != 1 || got[0] != sh {
			t.Errorf("%s: findings on %v, want only the sh event", m, got)
		}
	}
}
