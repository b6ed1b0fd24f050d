package deploy

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"sigs.k8s.io/yaml"
)

const chartDir = "helm/tracee"

var update = flag.Bool("update", false, "rewrite kubernetes/tracee.yaml and kubernetes/falcosidekick.yaml from the chart")

// render runs helm template on the chart with values over its defaults.
func render(t *testing.T, release, namespace string, values map[string]any) map[string]string {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := chartutil.ToRenderValues(ch, values, chartutil.ReleaseOptions{Name: release, Namespace: namespace, IsInstall: true}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}

	out, err := engine.Render(ch, vals)
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	return out
}

// decodeRendered decodes every rendered manifest (NOTES.txt aside).
func decodeRendered(t *testing.T, out map[string]string) []object {
	t.Helper()
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []object
	for _, n := range names {
		if !strings.HasSuffix(n, ".yaml") {
			continue
		}
		objs, err := decodeAll(n, []byte(out[n]))
		if err != nil {
			t.Fatalf("%v\n%s", err, out[n])
		}
		all = append(all, objs...)
	}
	return all
}

func TestHelmLint(t *testing.T) {
	for name, values := range map[string]map[string]any{
		"defaults": nil,
		"everything set": {
			"signatures": []any{"TRC-2", "TRC-7"},
			"policies":   map[string]any{"web.yaml": "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\n"},
		},
	} {
		l := lint.All(chartDir, values, "tracee", false)
		for _, m := range l.Messages {
			if m.Severity >= support.WarningSev {
				t.Errorf("%s: helm lint: %s", name, m)
			} else {
				t.Logf("%s: helm lint: %s", name, m)
			}
		}
	}
}

// The chart with its defaults renders exactly deploy/kubernetes (the
// Namespace aside, which helm does not create).
func TestHelmDefaultsAreTheManifests(t *testing.T) {
	out := render(t, "tracee", "tracee", nil)
	if *update {
		writeManifest(t, "kubernetes/tracee.yaml", out, "serviceaccount.yaml", "configmap.yaml", "daemonset.yaml")
		writeManifest(t, "kubernetes/falcosidekick.yaml", out, "falcosidekick.yaml")
	}
	rendered := decodeRendered(t, out)
	var plain []object
	for _, o := range loadManifests(t) {
		if _, isNS := o.obj.(interface{ GetNamespace() string }); isNS && !strings.HasSuffix(o.source, "namespace.yaml") {
			plain = append(plain, o)
		}
	}
	byKey := func(objs []object) map[string]object {
		m := map[string]object{}
		for _, o := range objs {
			meta := o.obj.(interface {
				GetNamespace() string
				GetName() string
			})
			m[fmt.Sprintf("%T %s/%s", o.obj, meta.GetNamespace(), meta.GetName())] = o
		}
		return m
	}
	r, k := byKey(rendered), byKey(plain)
	if len(r) != len(rendered) || len(k) != len(plain) {
		t.Fatal("two objects share a kind, namespace and name")
	}
	for key, ro := range r {
		ko, ok := k[key]
		if !ok {
			t.Errorf("%s (%s) is not in kubernetes/: run go test ./deploy -run TestHelmDefaultsAreTheManifests -update", key, ro.source)
			continue
		}
		if !reflect.DeepEqual(ro.obj, ko.obj) {
			a, _ := yaml.Marshal(ro.obj)
			b, _ := yaml.Marshal(ko.obj)
			t.Errorf("%s differs between %s and %s (run go test ./deploy -run TestHelmDefaultsAreTheManifests -update):\nchart:\n%s\nkubernetes/:\n%s",
				key, ro.source, ko.source, a, b)
		}
	}
	for key, ko := range k {
		if _, ok := r[key]; !ok {
			t.Errorf("%s (%s) is not rendered by the chart", key, ko.source)
		}
	}
}

func writeManifest(t *testing.T, path string, out map[string]string, templates ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Generated from deploy/helm/tracee with its default values (release tracee,\n" +
		"# namespace tracee): edit the chart, then run\n" +
		"#   go test ./deploy -run TestHelmDefaultsAreTheManifests -update\n")
	for _, tpl := range templates {
		body := strings.TrimSpace(out[filepath.Join("tracee/templates", tpl)])
		if body == "" {
			t.Fatalf("template %s rendered nothing", tpl)
		}
		fmt.Fprintf(&b, "---\n%s\n", body)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// values.schema.json refuses misspelt or mistyped values (helm install,
// upgrade, lint and template check it).
func TestHelmValuesSchema(t *testing.T) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range map[string]map[string]any{
		"misspelt key":      {"signature": []any{"TRC-2"}},
		"misspelt nested":   {"webhook": map[string]any{"URL": "http://x"}},
		"bad port":          {"metrics": map[string]any{"ebpfPort": 70000}},
		"bad duration":      {"canary": map[string]any{"timeout": "ten seconds"}},
		"bad format":        {"webhook": map[string]any{"format": "falco"}},
		"relative install":  {"installPath": "tmp/tracee"},
		"signatures string": {"signatures": "TRC-2"},
	} {
		// ToRenderValues checks the merged values against the schema, as
		// helm install and template do.
		_, err := chartutil.ToRenderValues(ch, values, chartutil.ReleaseOptions{Name: "tracee", Namespace: "tracee"}, chartutil.DefaultCapabilities)
		if err == nil || !strings.Contains(err.Error(), "schema") {
			t.Errorf("%s: %v: %v, want a schema error", name, values, err)
		}
	}
}

func TestHelmTemplate(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		checkDeployment(t, decodeRendered(t, render(t, "tracee", "tracee", nil)), deployExpect{
			namespace:  "tracee",
			image:      "tracee-go:dev",
			webhookURL: "http://tracee-falcosidekick.tracee.svc:2801",
			sidekick:   true,
			sockets:    []string{"/run/containerd/containerd.sock"},
		})
	})
	t.Run("values", func(t *testing.T) {
		out := render(t, "sec", "monitoring", map[string]any{
			"image":            map[string]any{"repository": "registry.example/tracee-go", "tag": "1.2"},
			"signatures":       []any{"TRC-2", "TRC-7"},
			"policies":         map[string]any{"web.yaml": "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata:\n  name: web\n"},
			"containerRuntime": map[string]any{"docker": true},
			"config":           map[string]any{"ebpf": map[string]any{"perf-buffer-size": 4096, "canary-interval": "5s"}},
			"falcosidekick":    map[string]any{"port": 2802, "config": map[string]any{"listenport": 2802}},
			"resources":        map[string]any{"limits": map[string]any{"memory": "1Gi"}},
		})
		checkDeployment(t, decodeRendered(t, out), deployExpect{
			namespace:  "monitoring",
			image:      "registry.example/tracee-go:1.2",
			webhookURL: "http://sec-falcosidekick.monitoring.svc:2802",
			sidekick:   true,
			sockets:    []string{"/run/containerd/containerd.sock", "/var/run/docker.sock"},
			signatures: "TRC-2,TRC-7",
			policies:   []string{"web.yaml"},
			ebpfExtra:  map[string]any{"perf-buffer-size": 4096, "canary-interval": "5s"},
		})
	})
	t.Run("own webhook, no falcosidekick", func(t *testing.T) {
		out := render(t, "tracee", "tracee", map[string]any{
			"webhook":       map[string]any{"url": "https://alerts.example/falco"},
			"falcosidekick": map[string]any{"enabled": false},
		})
		checkDeployment(t, decodeRendered(t, out), deployExpect{
			namespace:  "tracee",
			image:      "tracee-go:dev",
			webhookURL: "https://alerts.example/falco",
			sockets:    []string{"/run/containerd/containerd.sock"},
		})
	})
	t.Run("no webhook", func(t *testing.T) {
		out := render(t, "tracee", "tracee", map[string]any{"webhook": map[string]any{"enabled": false}})
		checkDeployment(t, decodeRendered(t, out), deployExpect{
			namespace: "tracee",
			image:     "tracee-go:dev",
			sidekick:  true,
			sockets:   []string{"/run/containerd/containerd.sock"},
		})
	})
}
