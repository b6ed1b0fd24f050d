package e2e

import (
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pcap:container: a container on the host network (loopback only) makes a
// TCP exchange; its packets are in the container's own pcapng, which
// tshark reads with the payload, and the container id is in the file name
// and the interface's name (comm[pid] ... container=ID).
func TestForensicsPcapContainer(t *testing.T) {
	requirePrivileged(t)
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Fatalf("tshark not installed (make deps installs it): %v", err)
	}
	d := StartDockerd(t)
	img := d.BuildScratchImage(t, "e2e-pcap:1", map[string]string{"/tcp_loopback": StaticTrigger(t, "tcp_loopback")}, "/tcp_loopback")
	tr := StartTracer(t, "--output", "format:json", "--trace", "container", "--trace", "event=connect",
		"--capture", "pcap:container,pcap-snaplen=max")
	payload := "TRACEE-PCAP-CONTAINER-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	id := d.Start(t, ContainerOptions{Image: img, Network: "host", Args: []string{payload}})
	if !pollUntil(20*time.Second, func() bool { out, _ := d.Logs(id); return strings.Contains(out, "ok=") }) {
		out, errOut := d.Logs(id)
		t.Fatalf("container %s did not finish its exchange: %q %q", id, out, errOut)
	}
	if out, errOut := d.Logs(id); !strings.Contains(out, "ok=1") {
		t.Fatalf("container exchange failed: %q %q", out, errOut)
	}
	tr.MustEvent("connect of the container", func(e EbpfEvent) bool { return e.EventName == "connect" })
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d\n%s", code, tr.Stderr())
	}
	file := filepath.Join(tr.Install, "out", "pcap", "containers", id+".pcapng")
	var stderr strings.Builder
	cmd := exec.Command("tshark", "-r", file, "-T", "fields", "-e", "frame.interface_name", "-e", "tcp.payload")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		out = append(out, stderr.String()...)
		files, _ := filepath.Glob(filepath.Join(tr.Install, "out", "pcap", "containers", "*"))
		t.Fatalf("tshark -r %s: %v\n%s\nfiles: %v\n%s", file, err, out, files, tr.Stderr())
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(line, "tcp_loopback[") {
			t.Errorf("a packet of another process in the container's file: %q", line)
		}
	}
	for _, want := range []string{payload, "REPLY:" + payload} {
		hexed := hex.EncodeToString([]byte(want))
		var seen bool
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasSuffix(line, hexed) {
				seen = true
				if !strings.Contains(line, "tcp_loopback[") {
					t.Errorf("packet of %q not attributed to tcp_loopback in container %s: %q", want, id, line)
				}
			}
		}
		if !seen {
			t.Errorf("tshark does not show %q in %s:\n%s", want, file, out)
		}
	}
	// The interfaces' comments name the container (capinfos, installed with tshark).
	info, err := exec.Command("capinfos", file).CombinedOutput()
	if err != nil || !strings.Contains(string(info), "container="+id) {
		t.Errorf("capinfos %s: %v; no interface comment container=%s\n%s", file, err, id, info)
	}
}
