package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type dsVolume struct {
	HostPath  *struct{ Path, Type string } `yaml:"hostPath"`
	ConfigMap *struct{ Name string }       `yaml:"configMap"`
}

// daemonSet is the part of deploy/kubernetes/tracee.yaml this test runs.
type daemonSet struct {
	container struct {
		Image string
		Env   []struct{ Name, Value string }
		Ports []struct {
			Name          string
			ContainerPort int `yaml:"containerPort"`
		}
		SecurityContext struct {
			Privileged             bool
			ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
			Capabilities           struct{ Add, Drop []string }
		} `yaml:"securityContext"`
		VolumeMounts []struct {
			Name      string
			MountPath string `yaml:"mountPath"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"volumeMounts"`
	}
	hostPID    bool
	volumes    map[string]dsVolume
	configMaps map[string]map[string]string
}

func loadDaemonSet(t *testing.T) daemonSet {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "deploy", "kubernetes", "tracee.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds := daemonSet{configMaps: map[string]map[string]string{}}
	dec := yaml.NewDecoder(f)
	found := false
	for {
		var doc struct {
			Kind     string
			Metadata struct{ Name string }
			Data     map[string]string
			Spec     struct {
				Template struct {
					Spec struct {
						HostPID    bool `yaml:"hostPID"`
						Containers []yaml.Node
						Volumes    []struct {
							Name     string
							dsVolume `yaml:",inline"`
						}
					}
				}
			}
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		switch doc.Kind {
		case "ConfigMap":
			ds.configMaps[doc.Metadata.Name] = doc.Data
		case "DaemonSet":
			found = true
			pod := doc.Spec.Template.Spec
			if len(pod.Containers) != 1 {
				t.Fatalf("DaemonSet has %d containers", len(pod.Containers))
			}
			if err := pod.Containers[0].Decode(&ds.container); err != nil {
				t.Fatal(err)
			}
			ds.hostPID = pod.HostPID
			ds.volumes = map[string]dsVolume{}
			for _, v := range pod.Volumes {
				ds.volumes[v.Name] = v.dsVolume
			}
		}
	}
	if !found {
		t.Fatal("no DaemonSet in deploy/kubernetes/tracee.yaml")
	}
	return ds
}

// The DaemonSet's container as Docker runs it here: the image's launcher
// with the DaemonSet's environment, its --config files (metrics and the
// webhook moved to loopback ports of this test), its capabilities (those
// this Docker knows), a read-only root filesystem, its read-only host
// mounts, host PID. An attack on the host is found, reaches a
// falcosidekick-compatible receiver as a Falco alert, and both /healthz
// answer 200.
func TestKubernetesDaemonSetInDocker(t *testing.T) {
	d := StartDockerd(t)
	ds := loadDaemonSet(t)
	c := ds.container
	if !ds.hostPID || c.SecurityContext.Privileged {
		t.Fatalf("DaemonSet: hostPID %v, privileged %v", ds.hostPID, c.SecurityContext.Privileged)
	}

	// The image: the static binaries and the launcher, as make image lays them out.
	dir := t.TempDir()
	files := map[string]string{}
	for dst, pkg := range map[string]string{"tracee": "./tracee-ebpf/cmd/tracee", "tracee-ebpf": "./tracee-ebpf", "tracee-rules": "./tracee-rules"} {
		out := filepath.Join(dir, dst)
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
		cmd.Dir, cmd.Env = repoRoot, append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, b)
		}
		files["/tracee/"+dst] = out
	}
	image := d.BuildScratchImage(t, "tracee-go:daemonset-test", files, "/tracee/tracee")

	// The config files, with loopback addresses for this test.
	recv := newSidekickReceiver(t, modeOK)
	ebpfAddr, rulesAddr := freeAddr(t), freeAddr(t)
	// metrics-addr ":PORT" of the manifest → this test's loopback address
	addrs := map[string]string{}
	for _, p := range c.Ports {
		switch p.Name {
		case "ebpf-metrics":
			addrs[":"+strconv.Itoa(p.ContainerPort)] = ebpfAddr
		case "rules-metrics":
			addrs[":"+strconv.Itoa(p.ContainerPort)] = rulesAddr
		}
	}
	cfgDir := filepath.Join(dir, "etc-tracee")
	install := filepath.Join(dir, "install")
	var runArgs []string
	for _, m := range c.VolumeMounts {
		v := ds.volumes[m.Name]
		host := ""
		switch {
		case v.ConfigMap != nil:
			data := ds.configMaps[v.ConfigMap.Name]
			if data == nil {
				t.Fatalf("volume %s: ConfigMap %s not in the manifest", m.Name, v.ConfigMap.Name)
			}
			host = filepath.Join(cfgDir, m.Name)
			os.MkdirAll(host, 0o755)
			for name, body := range data {
				body = rewriteConfig(t, body, addrs, recv.URL())
				if err := os.WriteFile(filepath.Join(host, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		case v.HostPath != nil && v.HostPath.Type == "DirectoryOrCreate":
			host = install // the test's own install path
			os.MkdirAll(host, 0o755)
		case v.HostPath != nil:
			host = v.HostPath.Path
			if _, err := os.Stat(host); err != nil {
				t.Logf("%s (%s) absent on this host: not mounted", host, v.HostPath.Type)
				continue
			}
		default:
			t.Fatalf("volume %s: neither a host path nor a ConfigMap", m.Name)
		}
		spec := host + ":" + m.MountPath
		if m.ReadOnly {
			spec += ":ro"
		}
		runArgs = append(runArgs, "-v", spec)
	}
	for _, e := range c.Env {
		runArgs = append(runArgs, "-e", e.Name+"="+e.Value)
	}
	// Docker 20.10 does not know CAP_BPF and CAP_PERFMON; SYS_ADMIN, also
	// in the list, covers them.
	for _, cp := range c.SecurityContext.Capabilities.Add {
		if cp == "BPF" || cp == "PERFMON" {
			continue
		}
		runArgs = append(runArgs, "--cap-add", cp)
	}
	for _, cp := range c.SecurityContext.Capabilities.Drop {
		runArgs = append(runArgs, "--cap-drop", cp)
	}
	if !slices.Contains(c.SecurityContext.Capabilities.Drop, "ALL") || !c.SecurityContext.ReadOnlyRootFilesystem {
		t.Fatalf("DaemonSet does not drop ALL capabilities or has a writable root: %+v", c.SecurityContext)
	}
	runArgs = append(runArgs, "--read-only", "--pid", "host", "--network", "host", "--name", "tracee-ds", image)
	id := strings.TrimSpace(d.MustDocker(t, append([]string{"run", "-d"}, runArgs...)...))
	t.Cleanup(func() { d.Docker("rm", "-f", id) })
	logs := func() string {
		o, e := d.Logs(id)
		return "stdout:\n" + o + "\nstderr:\n" + e
	}

	deadline := time.Now().Add(90 * time.Second)
	for {
		ce, _ := healthz(ebpfAddr)
		cr, _ := healthz(rulesAddr)
		if ce == 200 && cr == 200 {
			if n, _ := metric(rulesAddr, "tracee_detection_canaries_total"); n > 0 {
				break
			}
		}
		if state := d.Inspect(t, id, "{{.State.Status}}"); state != "running" {
			t.Fatalf("container %s\n%s", state, logs())
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz: tracee-ebpf %d, tracee-rules %d after 90s\n%s", ce, cr, logs())
		}
		time.Sleep(200 * time.Millisecond)
	}

	pid, _ := RunTrigger(t, "anti_debug")
	want := fmt.Sprintf(`"hostProcessId":%d`, pid)
	for deadline = time.Now().Add(20 * time.Second); ; {
		if o, _ := d.Logs(id); strings.Contains(o, want) && strings.Contains(o, `"TRC-2"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no TRC-2 finding for pid %d in the container's output\n%s", pid, logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, ok := recv.WaitAccepted(20*time.Second, func(rs []received) bool { return len(payloadsOf(rs, "Anti-Debugging", pid)) > 0 }); !ok {
		t.Fatalf("falcosidekick receiver got no Anti-Debugging alert for pid %d (invalid: %v)\n%s", pid, recv.Invalid(), logs())
	}

	start := time.Now()
	d.MustDocker(t, "stop", "-t", "10", id)
	if code := d.Inspect(t, id, "{{.State.ExitCode}}"); code != "0" {
		t.Errorf("docker stop: exit code %s\n%s", code, logs())
	}
	t.Logf("docker stop took %s", time.Since(start).Round(10*time.Millisecond))
}

// rewriteConfig moves a --config file's metrics address to addrs[its
// port] and its webhook to url.
func rewriteConfig(t *testing.T, body string, addrs map[string]string, url string) string {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if a, ok := m["metrics-addr"].(string); ok {
		if addrs[a] == "" {
			t.Fatalf("metrics-addr %q is no port of the container", a)
		}
		m["metrics-addr"] = addrs[a]
	}
	if _, ok := m["webhook"]; ok {
		m["webhook"] = url
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
