package deploy

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// deployExpect is what one rendering of tracee's deployment must hold.
type deployExpect struct {
	namespace  string
	image      string
	webhookURL string // "" for no webhook
	sidekick   bool   // falcosidekick Deployment, Service and ConfigMap
	sockets    []string
	signatures string // TRACEE_RULES_SELECT, "" for none
	policies   []string
	ebpfExtra  map[string]any // extra keys of tracee-ebpf.yaml
}

// parts sorts decoded objects by kind.
type parts struct {
	ds          []*appsv1.DaemonSet
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	configMaps  map[string]*corev1.ConfigMap
	accounts    map[string]*corev1.ServiceAccount
}

func split(t *testing.T, objs []object, namespace string) parts {
	t.Helper()
	p := parts{configMaps: map[string]*corev1.ConfigMap{}, accounts: map[string]*corev1.ServiceAccount{}}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *corev1.Namespace:
			continue
		case *appsv1.DaemonSet:
			p.ds = append(p.ds, v)
		case *appsv1.Deployment:
			p.deployments = append(p.deployments, v)
		case *corev1.Service:
			p.services = append(p.services, v)
		case *corev1.ConfigMap:
			p.configMaps[v.Name] = v
		case *corev1.ServiceAccount:
			p.accounts[v.Name] = v
		}
		if ns := o.obj.(interface{ GetNamespace() string }).GetNamespace(); ns != namespace {
			t.Errorf("%s: %T in namespace %q, want %q", o.source, o.obj, ns, namespace)
		}
	}
	return p
}

func checkDeployment(t *testing.T, objs []object, want deployExpect) {
	t.Helper()
	p := split(t, objs, want.namespace)
	if len(p.ds) != 1 {
		t.Fatalf("%d DaemonSets, want 1 (%s)", len(p.ds), kindsOf(objs))
	}
	ds := p.ds[0]
	pod := ds.Spec.Template.Spec
	checkSelector(t, "DaemonSet "+ds.Name, ds.Spec.Selector.MatchLabels, ds.Spec.Template.Labels)
	if !pod.HostPID {
		t.Error("DaemonSet: hostPID is not set")
	}
	if pod.HostNetwork {
		t.Error("DaemonSet: hostNetwork (tracee needs the pod network only)")
	}
	if _, ok := p.accounts[pod.ServiceAccountName]; !ok {
		t.Errorf("DaemonSet: service account %q is not deployed", pod.ServiceAccountName)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("DaemonSet: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image != want.image {
		t.Errorf("image %q, want %q", c.Image, want.image)
	}
	checkSecurity(t, c)
	checkResources(t, "tracee", c.Resources)

	// Mounts: every one backed by a volume; the host paths tracee reads.
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		if _, ok := vols[m.Name]; !ok {
			t.Errorf("mount %s: no volume %q", m.MountPath, m.Name)
		}
		mounts[m.MountPath] = m
	}
	hostRO := func(path string, typ corev1.HostPathType) {
		t.Helper()
		m, ok := mounts[path]
		if !ok {
			t.Errorf("%s is not mounted", path)
			return
		}
		hp := vols[m.Name].HostPath
		if hp == nil || hp.Path != path || hp.Type == nil || *hp.Type != typ {
			t.Errorf("%s: volume %+v, want hostPath %s of type %s", path, vols[m.Name].VolumeSource, path, typ)
		}
		if !m.ReadOnly {
			t.Errorf("%s is mounted read-write", path)
		}
	}
	hostRO("/sys/kernel", corev1.HostPathDirectory)
	hostRO("/sys/fs/cgroup", corev1.HostPathDirectory)
	for _, s := range want.sockets {
		hostRO(s, corev1.HostPathSocket)
	}
	for path, m := range mounts {
		if hp := vols[m.Name].HostPath; hp != nil && hp.Type != nil && *hp.Type == corev1.HostPathSocket && !slices.Contains(want.sockets, path) {
			t.Errorf("socket %s mounted, not expected", path)
		}
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	installPath := env["TRACEE_INSTALL_PATH"]
	if m, ok := mounts[installPath]; !ok || vols[m.Name].HostPath == nil || m.ReadOnly {
		t.Errorf("install path %q is not a writable host directory", installPath)
	}
	if got := env["TRACEE_RULES_SELECT"]; got != want.signatures {
		t.Errorf("TRACEE_RULES_SELECT %q, want %q", got, want.signatures)
	}

	// The --config files: in the mounted ConfigMap, with the metrics ports
	// the probes use and the webhook pointing at falcosidekick.
	files := configFiles(t, p, vols, mounts)
	ebpfCfg := flagFile(t, files, env["TRACEE_EBPF_ARGS"])
	rulesCfg := flagFile(t, files, env["TRACEE_RULES_ARGS"])
	ports := map[string]int32{}
	for _, cp := range c.Ports {
		ports[cp.Name] = cp.ContainerPort
	}
	checkProbe(t, "readiness", c.ReadinessProbe, ports, ebpfCfg)
	checkProbe(t, "liveness", c.LivenessProbe, ports, rulesCfg)
	if _, ok := ebpfCfg["canary-interval"]; !ok {
		t.Error("tracee-ebpf.yaml sets no canary-interval")
	}
	for k, v := range want.ebpfExtra {
		if fmt.Sprint(ebpfCfg[k]) != fmt.Sprint(v) {
			t.Errorf("tracee-ebpf.yaml %s = %v, want %v", k, ebpfCfg[k], v)
		}
	}
	if got, _ := rulesCfg["webhook"].(string); got != want.webhookURL {
		t.Errorf("tracee-rules webhook %q, want %q", got, want.webhookURL)
	}
	if want.webhookURL != "" && rulesCfg["webhook-format"] != "falcosidekick" {
		t.Errorf("webhook-format %v, want falcosidekick", rulesCfg["webhook-format"])
	}
	for _, name := range want.policies {
		if _, ok := files["policies/"+name]; !ok {
			t.Errorf("policy %s is not mounted under /etc/tracee/policies (files: %v)", name, keys(files))
		}
	}

	checkSidekick(t, p, want)
}

func checkSelector(t *testing.T, what string, sel, labels map[string]string) {
	t.Helper()
	if len(sel) == 0 {
		t.Errorf("%s: empty selector", what)
	}
	for k, v := range sel {
		if labels[k] != v {
			t.Errorf("%s: selector %s=%s does not match the pod labels %v", what, k, v, labels)
		}
	}
}

func checkSecurity(t *testing.T, c corev1.Container) {
	t.Helper()
	sc := c.SecurityContext
	if sc == nil || sc.Capabilities == nil {
		t.Fatal("tracee container: no securityContext with capabilities")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("tracee container is privileged")
	}
	if !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("capabilities drop %v, want ALL", sc.Capabilities.Drop)
	}
	for _, need := range []corev1.Capability{"BPF", "PERFMON", "SYS_PTRACE", "SYSLOG"} {
		if !slices.Contains(sc.Capabilities.Add, need) {
			t.Errorf("capabilities add %v lacks %s", sc.Capabilities.Add, need)
		}
	}
	// The API server refuses CAP_SYS_ADMIN with allowPrivilegeEscalation false.
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && slices.Contains(sc.Capabilities.Add, "SYS_ADMIN") {
		t.Error("allowPrivilegeEscalation false with SYS_ADMIN: refused by the API server")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("root filesystem is writable")
	}
}

func checkResources(t *testing.T, what string, r corev1.ResourceRequirements) {
	t.Helper()
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := r.Requests[res]
		lim, okLim := r.Limits[res]
		if !okReq || !okLim {
			t.Errorf("%s: %s request/limit missing: %+v", what, res, r)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("%s: %s request %s above limit %s", what, res, req.String(), lim.String())
		}
	}
}

// configFiles returns the files of the ConfigMaps mounted under /etc/tracee
// ("tracee-ebpf.yaml", "policies/x.yaml").
func configFiles(t *testing.T, p parts, vols map[string]corev1.Volume, mounts map[string]corev1.VolumeMount) map[string]string {
	t.Helper()
	files := map[string]string{}
	for path, m := range mounts {
		rel, ok := strings.CutPrefix(path, "/etc/tracee")
		if !ok {
			continue
		}
		cmv := vols[m.Name].ConfigMap
		if cmv == nil {
			t.Errorf("%s is not a ConfigMap", path)
			continue
		}
		cm, ok := p.configMaps[cmv.Name]
		if !ok {
			t.Errorf("%s: ConfigMap %q is not deployed", path, cmv.Name)
			continue
		}
		for k, v := range cm.Data {
			files[strings.TrimPrefix(rel+"/"+k, "/")] = v
		}
	}
	return files
}

// flagFile returns the --config file named in a launcher argument string,
// decoded.
func flagFile(t *testing.T, files map[string]string, args string) map[string]any {
	t.Helper()
	path, ok := strings.CutPrefix(args, "--config /etc/tracee/")
	if !ok {
		t.Errorf("arguments %q: want --config /etc/tracee/FILE", args)
		return nil
	}
	body, ok := files[path]
	if !ok {
		t.Errorf("--config %s: not in the mounted ConfigMap (has %v)", path, keys(files))
		return nil
	}
	var m map[string]any
	if err := yaml.UnmarshalStrict([]byte(body), &m); err != nil {
		t.Errorf("%s: %v", path, err)
	}
	return m
}

func checkProbe(t *testing.T, what string, pr *corev1.Probe, ports map[string]int32, cfg map[string]any) {
	t.Helper()
	if pr == nil || pr.HTTPGet == nil {
		t.Errorf("%s probe: want an HTTP GET of /healthz", what)
		return
	}
	if pr.HTTPGet.Path != "/healthz" {
		t.Errorf("%s probe path %q", what, pr.HTTPGet.Path)
	}
	port := portOf(pr.HTTPGet.Port, ports)
	addr, _ := cfg["metrics-addr"].(string)
	if port == 0 || addr != ":"+strconv.Itoa(int(port)) {
		t.Errorf("%s probe port %v (%d) is not the metrics address %q", what, pr.HTTPGet.Port.String(), port, addr)
	}
}

func portOf(p intstr.IntOrString, named map[string]int32) int32 {
	if p.Type == intstr.String {
		return named[p.StrVal]
	}
	return p.IntVal
}

func checkSidekick(t *testing.T, p parts, want deployExpect) {
	t.Helper()
	if !want.sidekick {
		if len(p.deployments)+len(p.services) != 0 {
			t.Errorf("falcosidekick disabled but %d Deployments and %d Services rendered", len(p.deployments), len(p.services))
		}
		return
	}
	if len(p.deployments) != 1 || len(p.services) != 1 {
		t.Fatalf("%d Deployments and %d Services, want one falcosidekick each", len(p.deployments), len(p.services))
	}
	d, svc := p.deployments[0], p.services[0]
	checkSelector(t, "Deployment "+d.Name, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	checkSelector(t, "Service "+svc.Name, svc.Spec.Selector, d.Spec.Template.Labels)
	c := d.Spec.Template.Spec.Containers[0]
	if !strings.HasPrefix(c.Image, "falcosecurity/falcosidekick:") {
		t.Errorf("falcosidekick image %q", c.Image)
	}
	checkResources(t, "falcosidekick", c.Resources)
	ports := map[string]int32{}
	for _, cp := range c.Ports {
		ports[cp.Name] = cp.ContainerPort
	}
	if len(svc.Spec.Ports) != 1 {
		t.Fatalf("Service ports %+v, want one", svc.Spec.Ports)
	}
	// The webhook URL, when there is one, reaches this Service, whose
	// target is the port falcosidekick listens on.
	if want.webhookURL != "" {
		u, err := url.Parse(want.webhookURL)
		if err != nil {
			t.Fatal(err)
		}
		if u.Hostname() != svc.Name+"."+svc.Namespace+".svc" {
			t.Errorf("webhook host %q is not the Service %s/%s", u.Hostname(), svc.Namespace, svc.Name)
		}
		if strconv.Itoa(int(svc.Spec.Ports[0].Port)) != u.Port() {
			t.Errorf("Service port %d is not the webhook port %s", svc.Spec.Ports[0].Port, u.Port())
		}
	}
	target := portOf(svc.Spec.Ports[0].TargetPort, ports)
	var cm *corev1.ConfigMap
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			cm = p.configMaps[v.ConfigMap.Name]
		}
	}
	if cm == nil {
		t.Fatal("falcosidekick's ConfigMap is not deployed")
	}
	var cfg struct {
		ListenPort int32 `json:"listenport"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ListenPort != target {
		t.Errorf("falcosidekick listens on %d, the Service targets %d", cfg.ListenPort, target)
	}
	if !slices.Contains(c.Args, "/etc/falcosidekick/config.yaml") {
		t.Errorf("falcosidekick args %v do not name its config file", c.Args)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
