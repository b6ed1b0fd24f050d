package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// containerCase is one container run and the findings it must raise.
type containerCase struct {
	name string
	opts []string // docker run options (network none is always added)
	args []string // image entrypoint override and arguments
	want []containerWant
}

type containerWant struct {
	id, event, key, value string // signature, event, and one data value it carries
}

// Every container-scoped detection of the catalogue: each attack runs in a
// FROM-scratch container of a private dockerd (--network none, explicit
// capabilities, never --privileged), the tracer and the rules engine on the
// host; every finding must carry the container's id.
func TestCatalogueContainer(t *testing.T) {
	d := StartDockerd(t)
	esc := StaticTrigger(t, "container_escape")
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatalf("busybox (static, make deps installs busybox-static): %v", err)
	}
	img := d.BuildScratchImage(t, "e2e-catalogue:1", map[string]string{
		"/escape":       esc,
		"/sbin/debugfs": esc,
		"/mount_dev":    StaticTrigger(t, "mount_dev"),
		"/bin/sh":       busybox,
	}, "/escape")
	admin := []string{"--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined"}
	cases := []containerCase{
		{"cgroup", admin, []string{"cgroup"}, []containerWant{
			{"TRC-106", "security_file_open", "pathname", "/tmp/cgrp/x/notify_on_release"},
			{"TRC-1010", "security_file_open", "pathname", "/tmp/cgrp/release_agent"},
		}},
		{"proc-sys", append([]string{"--security-opt", "systempaths=unconfined"}, admin...), []string{"proc-sys"}, []containerWant{
			{"TRC-1011", "security_file_open", "pathname", "/proc/sys/kernel/core_pattern"},
			{"TRC-1031", "security_file_open", "pathname", "/proc/sys/kernel/sysrq"},
		}},
		{"sched-debug", admin, []string{"sched-debug"}, []containerWant{
			{"TRC-1029", "security_file_open", "pathname", "/sys/kernel/debug/sched/debug"},
		}},
		{"k8s-token", nil, []string{"k8s-token"}, []containerWant{
			{"TRC-108", "security_file_open", "pathname", "/var/run/secrets/kubernetes.io/serviceaccount/token"},
		}},
		{"k8s-api", []string{"-e", "KUBERNETES_SERVICE_HOST=127.0.0.1"}, []string{"k8s-api"}, []containerWant{
			{"TRC-1013", "security_socket_connect", "ip", "127.0.0.1"},
		}},
		{"docker-sock", []string{"-v", d.Sock + ":/var/run/docker.sock"}, []string{"docker-sock"}, []containerWant{
			{"TRC-1019", "security_socket_connect", "remote_addr", "/var/run/docker.sock"},
		}},
		{"drop-elf", nil, []string{"drop-elf"}, []containerWant{
			{"TRC-1022", "magic_write", "path", "/tmp/dropped"},
		}},
		{"packet", []string{"--cap-add", "NET_RAW"}, []string{"packet"}, []containerWant{
			{"FAL-003", "socket", "domain", "AF_PACKET"},
		}},
		// mount(2), then the new mount API (fsopen, fsconfig, fsmount),
		// which never passes security_sb_mount
		{"disk-mount", append([]string{"--entrypoint", "/mount_dev"}, admin...), []string{"/mnt", "/dev/tracee-trigger-none", "/dev/tracee-trigger-fsapi"}, []containerWant{
			{"TRC-1014", "security_sb_mount", "dev_name", "/dev/tracee-trigger-none"},
			{"TRC-1014", "security_fsmount", "dev_name", "/dev/tracee-trigger-fsapi"},
		}},
		{"debugfs", []string{"--entrypoint", "/sbin/debugfs"}, []string{"/dev/vda"}, []containerWant{
			{"FAL-008", "sched_process_exec", "pathname", "/sbin/debugfs"},
		}},
		{"terminal-shell", []string{"--entrypoint", "/bin/sh"}, nil, []containerWant{
			{"FAL-002", "sched_process_exec", "shell", "sh"},
		}},
	}
	var ids []string
	for _, c := range cases {
		for _, w := range c.want {
			ids = append(ids, w.id)
		}
	}
	p := StartPipeline(t, PipelineOptions{Rules: ids})
	ran := map[string]string{} // container id -> case
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cid := runContainer(t, d, img, c.opts, c.args)
			ran[cid] = c.name
			for _, w := range c.want {
				f := mustFind(t, p, w.id+" in container "+c.name, func(f Finding) bool {
					return f.SignatureMetadata.ID == w.id && f.Event.ContainerID == cid && f.Event.EventName == w.event
				})
				if got := dataStr(f, w.key); got != w.value {
					t.Errorf("%s: data %s = %q, want %q (data %v)", w.id, w.key, got, w.value, f.Data)
				}
			}
		})
	}
	p.Stop()
	// each container raised what it was run for and nothing else
	for _, f := range p.Findings() {
		name, mine := ran[f.Event.ContainerID]
		if !mine {
			continue
		}
		expected := false
		for _, c := range cases {
			for _, w := range c.want {
				expected = expected || (c.name == name && w.id == f.SignatureMetadata.ID && w.event == f.Event.EventName)
			}
		}
		if !expected {
			t.Errorf("unexpected finding %s on %s in container %s by %q: %v", f.SignatureMetadata.ID, f.Event.EventName, name, f.Event.ProcessName, f.Data)
		}
	}
}

// runContainer runs img (network none, opts, args) to completion and returns
// the container's id; a failing container fails the test with its output.
func runContainer(t *testing.T, d *Dockerd, img string, opts, args []string) string {
	t.Helper()
	runArgs := append([]string{"run", "-d", "--network", "none"}, opts...)
	runArgs = append(append(runArgs, img), args...)
	cid := strings.TrimSpace(d.MustDocker(t, runArgs...))
	t.Cleanup(func() { d.Docker("rm", "-f", cid) })
	code := strings.TrimSpace(d.MustDocker(t, "wait", cid))
	out, errOut := d.Logs(cid)
	if code != "0" {
		state, _ := d.Docker("inspect", "--format", "{{.State.Error}} {{.State.OOMKilled}}", cid)
		t.Fatalf("container %v exited %s (%s):\n%s%s\ndockerd log:\n%s", args, code, strings.TrimSpace(state), out, errOut, d.Log())
	}
	t.Logf("%s: %s", filepath.Base(img), strings.ReplaceAll(strings.TrimSpace(out), "\n", "; "))
	return cid
}
