package capture

import (
	"bufio"
	"container/list"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// packetEvent is the internal event the cgroup_skb programs send packets in.
const packetEvent = "net_packet"

// Pcap split modes (Tracee's pcap:...).
const (
	PcapSingle    = "single"    // one file, one pcapng interface per process
	PcapProcess   = "process"   // a file per process
	PcapContainer = "container" // a file per container ("host" for the rest)
	PcapCommand   = "command"   // a file per command name
)

// Snap lengths (Tracee's pcap-snaplen=default|max).
const (
	DefaultSnaplen = 96
	MaxSnaplen     = 4096 // pcap.h PCAP_MAX_SNAP
)

// pcapFiles writes packets to pcapng files (gopacket's pcapgo.NgWriter),
// link type raw IP: the cgroup_skb programs see packets from the IP header
// on. The most recently used files stay open; one reopened later gets a new
// pcapng section appended.
type pcapFiles struct {
	c       *Capturer
	dir     string
	open    map[string]*list.Element // of *pcapFile
	lru     *list.List
	lastFl  time.Time
	packets uint64
}

type pcapFile struct {
	name   string
	f      *os.File
	buf    *bufio.Writer
	w      *pcapgo.NgWriter
	ifaces map[string]int // interface per process and direction
}

const pcapOpenFiles = 64

func newPcapFiles(c *Capturer, dir string) *pcapFiles {
	return &pcapFiles{c: c, dir: dir, open: map[string]*list.Element{}, lru: list.New()}
}

// fileName is the file a packet of ev goes to, relative to dir.
func (p *pcapFiles) fileName(ev *pb.Event) string {
	switch p.c.cfg.PcapSplit {
	case PcapProcess:
		return filepath.Join("processes", fmt.Sprintf("%s-%d.pcapng", safeName(ev.ProcessName), ev.HostProcessId))
	case PcapContainer:
		id := p.container(ev)
		if id == "" {
			id = "host"
		}
		return filepath.Join("containers", safeName(id)+".pcapng")
	case PcapCommand:
		return filepath.Join("commands", safeName(ev.ProcessName)+".pcapng")
	}
	return "all.pcapng"
}

func (p *pcapFiles) container(ev *pb.Event) string {
	if ev.ContainerId != "" || p.c.cfg.Containers == nil {
		return ev.ContainerId
	}
	return p.c.cfg.Containers(ev.CgroupId, ev.HostProcessId)
}

// safeName keeps a file name component from leaving its directory.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == 0 || r < ' ' {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}

// write stores one net_packet event.
func (p *pcapFiles) write(ev *pb.Event) {
	var length, dir uint64
	var data []byte
	for _, a := range ev.Args {
		switch a.GetName() {
		case "direction":
			dir = a.GetUint()
		case "length":
			length = a.GetUint()
		case "data":
			data = a.GetBytes()
		}
	}
	if len(data) == 0 {
		return
	}
	if !p.c.reserve(kindNetwork, int64(len(data))) {
		return
	}
	pf, err := p.get(p.fileName(ev))
	if err != nil {
		p.c.diskError(kindNetwork, err)
		p.c.fail(job{kind: kindNetwork, pid: ev.HostProcessId, comm: ev.ProcessName}, err)
		return
	}
	iface, err := p.iface(pf, ev, dir)
	if err != nil {
		p.c.fail(job{kind: kindNetwork, pid: ev.HostProcessId, comm: ev.ProcessName}, err)
		return
	}
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, ev.Timestamp), CaptureLength: len(data),
		Length: max(int(length), len(data)), InterfaceIndex: iface}
	if err := pf.w.WritePacket(ci, data); err != nil {
		p.c.diskError(kindNetwork, err)
		p.c.fail(job{kind: kindNetwork, pid: ev.HostProcessId, comm: ev.ProcessName}, fmt.Errorf("pcap %s: %w", pf.name, err))
		return
	}
	p.packets++
	p.c.counters.packets.Add(1)
	p.c.counters.bytes.Add(uint64(len(data)))
	if now := time.Now(); now.Sub(p.lastFl) > 100*time.Millisecond {
		p.lastFl = now
		p.flush()
	}
}

// iface is the pcapng interface of ev's process and direction in its
// file, named "comm[pid] egress|ingress" with pid, comm and container in
// its comment: a loopback packet shows twice, leaving one socket and
// entering the other.
func (p *pcapFiles) iface(pf *pcapFile, ev *pb.Event, dir uint64) (int, error) {
	way := "egress"
	if dir == 1 {
		way = "ingress"
	}
	key := fmt.Sprintf("%s[%d] %s", ev.ProcessName, ev.HostProcessId, way)
	if id, ok := pf.ifaces[key]; ok {
		return id, nil
	}
	comment := fmt.Sprintf("pid=%d comm=%s %s", ev.HostProcessId, ev.ProcessName, way)
	if c := p.container(ev); c != "" {
		comment += " container=" + c
	}
	id, err := pf.w.AddInterface(pcapgo.NgInterface{Name: key, Comment: comment, LinkType: layers.LinkTypeRaw,
		SnapLength: uint32(p.c.cfg.Snaplen), TimestampResolution: 9})
	if err != nil {
		return 0, fmt.Errorf("pcap %s: %w", pf.name, err)
	}
	pf.ifaces[key] = id
	return id, nil
}

func (p *pcapFiles) get(name string) (*pcapFile, error) {
	if e, ok := p.open[name]; ok {
		p.lru.MoveToFront(e)
		return e.Value.(*pcapFile), nil
	}
	path := filepath.Join(p.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("pcap: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pcap: %w", err)
	}
	buf := bufio.NewWriterSize(f, 64<<10)
	// Interface 0 is required by the writer and stays unused: every
	// packet goes to the interface of its process and direction.
	intf := pcapgo.NgInterface{Name: "tracee", Comment: "unused", LinkType: layers.LinkTypeRaw,
		SnapLength: uint32(p.c.cfg.Snaplen), TimestampResolution: 9}
	w, err := pcapgo.NewNgWriterInterface(buf, intf, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
		Application: "tracee-ebpf --capture network", Comment: "packets from the IP header on, of traced processes"}})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("pcap %s: %w", name, err)
	}
	pf := &pcapFile{name: name, f: f, buf: buf, w: w, ifaces: map[string]int{}}
	for p.lru.Len() >= pcapOpenFiles {
		p.closeFile(p.lru.Remove(p.lru.Back()).(*pcapFile))
	}
	p.open[name] = p.lru.PushFront(pf)
	return pf, nil
}

func (p *pcapFiles) closeFile(pf *pcapFile) {
	delete(p.open, pf.name)
	pf.w.Flush()
	pf.buf.Flush()
	pf.f.Close()
}

func (p *pcapFiles) flush() {
	for e := p.lru.Front(); e != nil; e = e.Next() {
		pf := e.Value.(*pcapFile)
		if err := pf.w.Flush(); err == nil {
			err = pf.buf.Flush()
			if err != nil {
				p.c.diskError(kindNetwork, err)
			}
		}
	}
}

func (p *pcapFiles) closeAll() {
	for p.lru.Len() > 0 {
		p.closeFile(p.lru.Remove(p.lru.Front()).(*pcapFile))
	}
}
