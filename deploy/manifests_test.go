package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// object is one decoded manifest with where it came from.
type object struct {
	source string
	obj    runtime.Object
}

// newObject returns an empty typed object for apiVersion and kind; only
// the kinds tracee deploys are known.
func newObject(apiVersion, kind string) (runtime.Object, error) {
	switch apiVersion + " " + kind {
	case "v1 Namespace":
		return &corev1.Namespace{}, nil
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1 Service":
		return &corev1.Service{}, nil
	case "apps/v1 DaemonSet":
		return &appsv1.DaemonSet{}, nil
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, nil
	}
	return nil, fmt.Errorf("unexpected apiVersion %q kind %q", apiVersion, kind)
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// decodeAll splits a multi-document YAML stream and decodes every
// non-empty document strictly into its Kubernetes API type: an unknown or
// duplicated field is an error.
func decodeAll(source string, data []byte) ([]object, error) {
	var out []object
	for i, doc := range docSep.Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var tm struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		obj, err := newObject(tm.APIVersion, tm.Kind)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		if err := decodeStrict([]byte(doc), obj); err != nil {
			return nil, fmt.Errorf("%s: document %d (%s): %w", source, i, tm.Kind, err)
		}
		out = append(out, object{source, obj})
	}
	return out, nil
}

// decodeStrict decodes one YAML document as the API server would: field
// names case-sensitive, unknown and duplicate fields refused.
func decodeStrict(doc []byte, obj runtime.Object) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(js, obj)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// loadManifests decodes every file of deploy/kubernetes.
func loadManifests(t *testing.T) []object {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	var all []object
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := decodeAll(f, b)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, objs...)
	}
	return all
}

// The decoder itself must refuse what the API server would not know.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndatta: {a: b}\n",
		"nested unknown":   "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      hostPid: true\n",
		"duplicate field":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\ndata: {c: d}\n",
		"unknown kind":     "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n",
		"field name case":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nData: {a: b}\n",
		"wrong value type": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      hostPID: yes-please\n",
	} {
		if _, err := decodeAll(name, []byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	objs, err := decodeAll("ok", []byte("# comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n"))
	if err != nil || len(objs) != 1 {
		t.Errorf("valid stream: %v, %d objects", err, len(objs))
	}
}

func TestKubernetesManifests(t *testing.T) {
	objs := loadManifests(t)
	checkDeployment(t, objs, deployExpect{
		namespace:  "tracee",
		image:      "tracee-go:dev",
		webhookURL: "http://tracee-falcosidekick.tracee.svc:2801",
		sidekick:   true,
		sockets:    []string{"/run/containerd/containerd.sock"},
	})
	var ns int
	for _, o := range objs {
		if n, ok := o.obj.(*corev1.Namespace); ok {
			ns++
			if n.Name != "tracee" {
				t.Errorf("namespace %q", n.Name)
			}
		}
	}
	if ns != 1 {
		t.Errorf("%d Namespace objects, want 1", ns)
	}
}

// kindsOf lists the objects as "Kind/name", for messages.
func kindsOf(objs []object) string {
	var b bytes.Buffer
	for _, o := range objs {
		fmt.Fprintf(&b, "%T ", o.obj)
	}
	return b.String()
}
