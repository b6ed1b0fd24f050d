package probes

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// NetworkOptions configure --capture network: the cgroup programs of
// bpf/hooks/pcap.h on the cgroup v2 root. nil: not loaded.
type NetworkOptions struct {
	Snaplen    uint32 // bytes of each packet from the IP header on, at most PcapMaxSnap
	CgroupPath string // cgroup v2 mount; "" finds it in /proc/mounts
}

// PcapMaxSnap is PCAP_MAX_SNAP in pcap.h.
const PcapMaxSnap = 4096

var networkProgs = []struct {
	name   string
	attach ebpf.AttachType
}{
	// sock_create first: packets are only taken from sockets it marked.
	{"tracee_pcap_sock_create", ebpf.AttachCGroupInetSockCreate},
	{"tracee_pcap_egress", ebpf.AttachCGroupInetEgress},
	{"tracee_pcap_ingress", ebpf.AttachCGroupInetIngress},
}

func keepNetwork(o *Options, keep map[string]bool) {
	if o.Network == nil {
		return
	}
	for _, p := range networkProgs {
		keep[p.name] = true
	}
}

// attachNetwork attaches the cgroup programs (after the tracepoints:
// configure has written the scope they read).
func (p *Probes) attachNetwork(o *NetworkOptions) error {
	if o == nil {
		return nil
	}
	snap := o.Snaplen
	if snap == 0 || snap > PcapMaxSnap {
		snap = PcapMaxSnap
	}
	v := []byte{byte(snap), byte(snap >> 8), byte(snap >> 16), byte(snap >> 24), 0, 0, 0, 0}
	if err := p.maps.PcapCfgMap.Put(uint32(0), v); err != nil {
		return fmt.Errorf("network capture: configure: %w", err)
	}
	path := o.CgroupPath
	if path == "" {
		var err error
		if path, err = cgroup2Mount(); err != nil {
			return fmt.Errorf("network capture: %w", err)
		}
	}
	for _, np := range networkProgs {
		l, err := link.AttachCgroup(link.CgroupOptions{Path: path, Attach: np.attach, Program: p.coll.Programs[np.name]})
		if err != nil {
			return fmt.Errorf("network capture: attach %s to %s: %w", np.name, path, err)
		}
		p.links = append(p.links, l)
	}
	p.Methods["network"] = "cgroup_skb:" + path
	return nil
}

// cgroup2Mount is where the cgroup v2 hierarchy is mounted.
func cgroup2Mount() (string, error) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[2] == "cgroup2" {
			return fields[1], nil
		}
	}
	return "", errors.New("no cgroup2 file system mounted (mount -t cgroup2 none /sys/fs/cgroup/unified)")
}
