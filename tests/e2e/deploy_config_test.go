package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The --config files the Kubernetes manifests mount are accepted by the
// real binaries: every key is a flag, every value parses (deploy/'s tests
// check the manifests against Kubernetes' types; this checks them against
// tracee's flags).
func TestKubernetesConfigFiles(t *testing.T) {
	if buildError != nil {
		t.Fatal(buildError)
	}
	f, err := os.Open(filepath.Join(repoRoot, "deploy", "kubernetes", "tracee.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var files map[string]string
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct{ Name string }
			Data     map[string]string `yaml:"data"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if doc.Kind == "ConfigMap" && doc.Metadata.Name == "tracee-config" {
			files = doc.Data
		}
	}
	if files == nil {
		t.Fatal("no ConfigMap tracee-config in deploy/kubernetes/tracee.yaml")
	}
	dir := t.TempDir()
	write := func(name string) string {
		body, ok := files[name]
		if !ok {
			t.Fatalf("tracee-config has no %s", name)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, err := exec.Command(bin("tracee-rules"), "--config", write("tracee-rules.yaml"), "--list-events").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "prctl") {
		t.Errorf("tracee-rules --config tracee-rules.yaml: %v\n%s", err, out)
	}
	out, err = exec.Command(bin("tracee-ebpf"), "--config", write("tracee-ebpf.yaml"), "--list").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "execve") {
		t.Errorf("tracee-ebpf --config tracee-ebpf.yaml: %v\n%.500s", err, out)
	}
}
