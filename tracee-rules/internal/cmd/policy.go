package cmd

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"github.com/tracee-go/tracee/tracee-rules/internal/engine"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// maxPolicies is tracee-ebpf's (and Tracee's) limit.
const maxPolicies = 64

// policyDoc is a Tracee policy as tracee-ebpf --policy reads it.
type policyDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations,omitempty"`
	} `yaml:"metadata"`
	Spec struct {
		Scope []string     `yaml:"scope"`
		Rules []policyRule `yaml:"rules"`
	} `yaml:"spec"`
}

type policyRule struct {
	Event   string   `yaml:"event"`
	Filters []string `yaml:"filters,omitempty"`
}

// printPolicy writes one policy per signature (named after its ID, so that
// an event's matchedPolicies names the signatures it is for) with the events
// and data filters the signature declares. Events tracee-ebpf does not know,
// "*" and StreamOnly selections are left out, the first two with a note on
// errw.
func printPolicy(w, errw io.Writer, sigs []sdk.Signature) error {
	var docs []policyDoc
	for _, sig := range sigs {
		meta, err := sig.GetMetadata()
		if err != nil {
			return fmt.Errorf("signature metadata: %w", err)
		}
		sel, err := sig.GetSelectedEvents()
		if err != nil {
			return fmt.Errorf("signature %s: selected events: %w", meta.ID, err)
		}
		var d policyDoc
		d.APIVersion, d.Kind = "tracee.aquasec.com/v1beta1", "Policy"
		d.Metadata.Name = policyName(meta.ID)
		d.Metadata.Annotations = map[string]string{"description": meta.ID + " " + meta.Name}
		d.Spec.Scope = []string{"global"}
		for _, s := range sel {
			switch {
			case s.StreamOnly || (s.Source != "" && s.Source != "tracee"):
				continue
			case s.Name == "*":
				fmt.Fprintf(errw, "tracee-rules: %s wants every event (\"*\"): a policy cannot say so; its policy names only the explicit ones\n", meta.ID)
				continue
			}
			if _, ok := events.ByName(s.Name); !ok {
				fmt.Fprintf(errw, "tracee-rules: %s selects %q, which tracee-ebpf does not produce: left out of its policy\n", meta.ID, s.Name)
				continue
			}
			for _, f := range s.Filters {
				if _, err := sdk.ParseDataFilter(f); err != nil {
					return fmt.Errorf("signature %s: event %s: %w", meta.ID, s.Name, err)
				}
			}
			d.Spec.Rules = append(d.Spec.Rules, policyRule{Event: s.Name, Filters: s.Filters})
		}
		// the evidence follow-ups of file detections need the writer's exit
		var names []string
		for _, r := range d.Spec.Rules {
			names = append(names, r.Event)
		}
		for _, n := range engine.EvidenceEvents(names) {
			if !slices.Contains(names, n) {
				d.Spec.Rules = append(d.Spec.Rules, policyRule{Event: n})
			}
		}
		if len(d.Spec.Rules) > 0 {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return fmt.Errorf("--list-policy: the selected signatures request no event tracee-ebpf produces")
	}
	if len(docs) > maxPolicies {
		return fmt.Errorf("--list-policy: %d signatures need a policy each, tracee-ebpf takes at most %d: select fewer with --rules", len(docs), maxPolicies)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("--list-policy: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("--list-policy: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// policyName turns a signature ID into a policy name ("TRC-2" -> "trc-2").
func policyName(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-.")
}
