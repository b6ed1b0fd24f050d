package capture

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"syscall"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Kinds of capture_chunk (CAPK_* in bpf/hooks/capture.h).
const (
	chunkWrite      = 1
	chunkModule     = 2
	chunkModuleFile = 3
	chunkBPF        = 4
	chunkMemfd      = 5
	chunkMem        = 6
)

var chunkKinds = map[uint64]kind{chunkWrite: kindWrite, chunkModule: kindModule, chunkModuleFile: kindModule, chunkBPF: kindBPF, chunkMem: kindMem}

// chunk is one capture_chunk event's arguments.
type chunk struct {
	kind          uint64
	path          string
	dev, ino      uint64
	offset, total uint64
	aux           uint64
	data          []byte
}

func parseChunk(ev *pb.Event) chunk {
	var c chunk
	for _, a := range ev.Args {
		switch a.GetName() {
		case "kind":
			c.kind = a.GetUint()
		case "pathname":
			c.path = a.GetStr()
		case "dev":
			c.dev = a.GetUint()
		case "inode":
			c.ino = a.GetUint()
		case "offset":
			c.offset = a.GetUint()
		case "total":
			c.total = a.GetUint()
		case "aux":
			c.aux = a.GetUint()
		case "data":
			c.data = a.GetBytes()
		}
	}
	return c
}

// assembly is one syscall's capture being put together from its chunks.
// The capture program sends a syscall's chunks in order, one thread at a
// time, so a thread has at most one assembly open.
type assembly struct {
	kind          kind
	chunkKind     uint64
	time          int64
	pid           int32
	comm          string
	syscall       int32
	retval        int64
	path          string
	dev, ino      uint64
	aux           uint64
	start         uint64 // offset of the first byte
	total, expect uint64 // bytes handed to the syscall; bytes the kernel copies
	got           uint64
	gap, refused  bool
	data          []byte    // module, bpf
	hash          hash.Hash // write
	file          string    // write: where the bytes go
	fileErr       error
}

// finished is a capture waiting for its syscall's event (and, for a write
// at offset 0, the magic_write derived from it).
type finished struct {
	syscall          int32
	retval           int64
	dev, ino, offset uint64
	art              *pb.Artifact
	usedBySyscall    bool
	usedByMagicWrite bool
	region           *assembly // a region made executable, stored once an alert asks for it
	regionDone       bool
}

type assembler struct {
	c     *Capturer
	open  map[int32]*assembly // by host tid
	done  map[int32]*finished // by host tid
	files *fileCache
}

func newAssembler(c *Capturer) *assembler {
	return &assembler{c: c, open: map[int32]*assembly{}, done: map[int32]*finished{}, files: newFileCache(64)}
}

// add takes one capture_chunk event.
func (s *assembler) add(ev *pb.Event) {
	ch := parseChunk(ev)
	tid := ev.HostThreadId
	if ch.kind == chunkMemfd {
		if s.c.memfds != nil {
			s.c.memfds.write(ch.dev, ch.ino, ch.offset, ch.data)
		}
		return
	}
	k, ok := chunkKinds[ch.kind]
	if !ok || !s.c.cfg.wants(k) {
		return
	}
	a := s.open[tid]
	if a != nil && a.time != ev.Timestamp {
		s.finish(tid, a) // its last chunks were lost
		a = nil
	}
	if a == nil {
		delete(s.done, tid)
		a = &assembly{kind: k, chunkKind: ch.kind, time: ev.Timestamp, pid: ev.HostProcessId, comm: ev.ProcessName,
			syscall: ev.Syscall, retval: ev.ReturnValue, path: ch.path, dev: ch.dev, ino: ch.ino, aux: ch.aux,
			start: ch.offset, total: ch.total, expect: min(ch.total, uint64(s.c.cfg.CopyMax))}
		switch ch.kind {
		case chunkModuleFile:
			a.expect = 0
		case chunkMem:
			a.expect = min(a.expect, uint64(s.c.cfg.MemMaxSize))
		}
		if k == kindWrite {
			a.hash = sha256.New()
			a.refused = !s.c.reserve(k, int64(a.expect))
			a.file = filepath.Join(s.c.dirs[kindWrite], fmt.Sprintf("dev-%d.inode-%d", ch.dev, ch.ino))
		}
		s.open[tid] = a
	}
	if ch.offset != a.start+a.got {
		a.gap = true
	}
	if len(ch.data) > 0 && !a.refused {
		switch k {
		case kindWrite:
			if a.fileErr == nil {
				if a.fileErr = s.files.writeAt(a.file, ch.data, int64(ch.offset)); a.fileErr != nil {
					s.c.diskError(kindWrite, a.fileErr)
				}
			}
			a.hash.Write(ch.data)
		default:
			if uint64(len(a.data))+uint64(len(ch.data)) <= a.expect {
				a.data = append(a.data, ch.data...)
			}
		}
	}
	a.got += uint64(len(ch.data))
	if a.got >= a.expect {
		s.finish(tid, a)
	}
}

// claim returns the artifact of the syscall ev reports, if its chunks came
// just before it: the syscall's own event (same syscall and return value)
// and, for a write at offset 0, its magic_write (same file).
func (s *assembler) claim(ev *pb.Event) *pb.Artifact {
	tid := ev.HostThreadId
	if a := s.open[tid]; a != nil {
		s.finish(tid, a)
	}
	f := s.done[tid]
	if f == nil {
		return nil
	}
	if f.region != nil && ev.Syscall == f.syscall {
		// A region made executable: stored for the mem_prot_alert derived
		// from its syscall, or for the syscall itself when it asked for W+X.
		wx := ev.EventId == f.syscall && ev.ReturnValue == f.retval && argUint(ev, "prot")&6 == 6
		if !f.regionDone && (ev.EventName == "mem_prot_alert" || wx) {
			f.regionDone = true
			f.art = s.c.storeRegion(f.region, argRepr(ev, "alert"))
		}
		if ev.EventName == "mem_prot_alert" || ev.EventId == f.syscall {
			return f.art
		}
		return nil
	}
	switch {
	case ev.EventName == "magic_write" && !f.usedByMagicWrite && ev.Syscall == f.syscall && f.offset == 0 &&
		argUint(ev, "dev") == f.dev && argUint(ev, "inode") == f.ino:
		f.usedByMagicWrite = true
		return f.art
	case ev.EventId == f.syscall && !f.usedBySyscall && ev.ReturnValue == f.retval:
		f.usedBySyscall = true
		return f.art
	case ev.Syscall == f.syscall && ev.EventId >= 1000:
		return nil // another event derived at the same sys_exit: keep waiting
	}
	delete(s.done, tid)
	return nil
}

func argRepr(ev *pb.Event, name string) string {
	for _, a := range ev.Args {
		if a.GetName() == name {
			if s, ok := a.GetValue().(*pb.Argument_Str); ok {
				return s.Str
			}
			return reprOr(a)
		}
	}
	return ""
}

func argUint(ev *pb.Event, name string) uint64 {
	for _, a := range ev.Args {
		if a.GetName() == name {
			if v, ok := a.GetValue().(*pb.Argument_Int); ok {
				return uint64(v.Int)
			}
			return a.GetUint()
		}
	}
	return 0
}

// finish stores what an assembly got, indexes it and keeps its artifact
// for the syscall's event.
func (s *assembler) finish(tid int32, a *assembly) {
	delete(s.open, tid)
	c := s.c
	incomplete := a.gap || a.got < a.expect
	if incomplete {
		c.counters.incomplete.Add(1)
	}
	if a.kind == kindMem {
		s.done[tid] = &finished{syscall: a.syscall, retval: a.retval, region: a}
		return
	}
	rec := artifactRecord{Time: timeString(a.time), HostPid: a.pid, HostTid: tid, Comm: a.comm, Syscall: a.syscall,
		Retval: a.retval, Pathname: a.path, Size: a.got, Total: a.total, Incomplete: incomplete,
		Truncated: a.expect < a.total}
	if a.kind == kindWrite || a.chunkKind == chunkModuleFile {
		rec.Dev, rec.Inode = a.dev, a.ino
	}
	if a.kind == kindWrite {
		rec.Offset = &a.start
	}
	if a.kind == kindBPF {
		rec.ProgName, rec.ProgType, rec.Pathname = a.path, progTypeName(a.aux), ""
		rec.Size = uint64(len(a.data))
	}
	var art *pb.Artifact
	switch {
	case a.refused:
		rec.Skipped = "capture budget spent"
	case a.kind == kindWrite:
		if a.fileErr != nil {
			rec.Error = a.fileErr.Error()
			break
		}
		rec.SHA256, rec.File = hex.EncodeToString(a.hash.Sum(nil)), filepath.Base(a.file)
		c.counters.writes.Add(1)
		c.counters.bytes.Add(a.got)
		art = &pb.Artifact{Kind: "write", Sha256: rec.SHA256, Path: a.file, Size: a.got}
	default:
		data := a.data
		if a.chunkKind == chunkModuleFile {
			var err error
			if data, err = readModuleFile(a, c.cfg.CopyMax); err != nil {
				rec.Error = err.Error()
				c.counters.failed.Add(1)
				break
			}
			rec.Size = uint64(len(data))
		}
		if !c.reserve(a.kind, int64(len(data))) {
			rec.Skipped = "capture budget spent"
			break
		}
		sum, stored, err := storeBytes(c.dirs[a.kind], data)
		if err != nil {
			c.diskError(a.kind, err)
			rec.Error = err.Error()
			c.counters.failed.Add(1)
			break
		}
		rec.SHA256, rec.File, rec.Stored = sum, sum, stored
		c.counters.bytes.Add(uint64(len(data)))
		if a.kind == kindBPF {
			c.counters.bpf.Add(1)
		} else {
			c.counters.modules.Add(1)
		}
		art = &pb.Artifact{Kind: a.kind.String(), Sha256: sum, Path: filepath.Join(c.dirs[a.kind], sum), Size: uint64(len(data))}
	}
	c.writeIndex(a.kind, rec)
	if art != nil {
		s.done[tid] = &finished{syscall: a.syscall, retval: a.retval, dev: a.dev, ino: a.ino, offset: a.start, art: art}
	}
}

// readModuleFile reads the file finit_module was given, from its path,
// if that is still the inode the kernel saw.
func readModuleFile(a *assembly, limit int64) ([]byte, error) {
	if a.path == "" {
		return nil, fmt.Errorf("finit_module: the fd's file is unknown")
	}
	f, err := os.Open(a.path)
	if err != nil {
		return nil, fmt.Errorf("finit_module file: %w", err)
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil || st.Ino != a.ino {
		return nil, fmt.Errorf("finit_module file %s: no longer the inode the module was loaded from", a.path)
	}
	if st.Size > limit {
		return nil, fmt.Errorf("finit_module file %s: %d bytes, over the limit of %d", a.path, st.Size, limit)
	}
	buf := make([]byte, st.Size)
	n, err := f.ReadAt(buf, 0)
	if err != nil && int64(n) != st.Size {
		return nil, fmt.Errorf("finit_module file %s: %w", a.path, err)
	}
	return buf[:n], nil
}

// flush finishes every open assembly (end of the run).
func (s *assembler) flush() {
	for tid, a := range s.open {
		s.finish(tid, a)
	}
}

func (s *assembler) closeFiles() { s.files.closeAll() }

// artifactRecord is one line of write/, module/ or bpf/index.jsonl.
type artifactRecord struct {
	Time       string  `json:"time"`
	HostPid    int32   `json:"hostPid"`
	HostTid    int32   `json:"hostTid"`
	Comm       string  `json:"comm"`
	Syscall    int32   `json:"syscall"`
	Retval     int64   `json:"retval"`
	Pathname   string  `json:"pathname,omitempty"`
	Dev        uint64  `json:"dev,omitempty"`
	Inode      uint64  `json:"inode,omitempty"`
	Offset     *uint64 `json:"offset,omitempty"`
	ProgName   string  `json:"progName,omitempty"`
	ProgType   string  `json:"progType,omitempty"`
	Size       uint64  `json:"size"`  // bytes stored
	Total      uint64  `json:"total"` // bytes the syscall was given
	File       string  `json:"file,omitempty"`
	SHA256     string  `json:"sha256,omitempty"`
	Stored     bool    `json:"stored,omitempty"`
	Truncated  bool    `json:"truncated,omitempty"`  // over copy-max-size
	Incomplete bool    `json:"incomplete,omitempty"` // bytes lost on the way
	Skipped    string  `json:"skipped,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// progTypes names enum bpf_prog_type values (uapi/linux/bpf.h).
var progTypes = []string{"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb",
	"cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local", "lirc_mode2",
	"sk_reuseport", "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt",
	"tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter"}

func progTypeName(t uint64) string {
	if t < uint64(len(progTypes)) {
		return progTypes[t]
	}
	return fmt.Sprintf("type_%d", t)
}

// fileCache keeps the most recently written capture files open.
type fileCache struct {
	max   int
	files map[string]*list.Element // of *os.File
	lru   *list.List
}

func newFileCache(max int) *fileCache {
	return &fileCache{max: max, files: map[string]*list.Element{}, lru: list.New()}
}

func (fc *fileCache) writeAt(path string, data []byte, off int64) error {
	e, ok := fc.files[path]
	if !ok {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("capture write: %w", err)
		}
		for fc.lru.Len() >= fc.max {
			old := fc.lru.Back()
			of := fc.lru.Remove(old).(*os.File)
			delete(fc.files, of.Name())
			of.Close()
		}
		e = fc.lru.PushFront(f)
		fc.files[path] = e
	}
	fc.lru.MoveToFront(e)
	if _, err := e.Value.(*os.File).WriteAt(data, off); err != nil {
		return fmt.Errorf("capture write: %w", err)
	}
	return nil
}

func (fc *fileCache) closeAll() {
	for _, e := range fc.files {
		e.Value.(*os.File).Close()
	}
	fc.files = map[string]*list.Element{}
	fc.lru.Init()
}

// memfdStore keeps what was written into memfds, so that a memfd executed
// by a process that is gone before user space handles its exec is still
// captured. Bounded per file (ExecMaxSize) and in total (oldest forgotten
// first).
type memfdStore struct {
	perFile, budget, used int64
	files                 map[[2]uint64]*list.Element // of *memfdBuf
	lru                   *list.List
}

type memfdBuf struct {
	key  [2]uint64
	data []byte
}

func newMemfdStore(perFile, budget int64) *memfdStore {
	return &memfdStore{perFile: perFile, budget: budget, files: map[[2]uint64]*list.Element{}, lru: list.New()}
}

func (m *memfdStore) write(dev, ino, off uint64, data []byte) {
	end := off + uint64(len(data))
	if m == nil || end > uint64(m.perFile) || int64(end) > m.budget {
		return
	}
	key := [2]uint64{dev, ino}
	e, ok := m.files[key]
	if !ok {
		e = m.lru.PushFront(&memfdBuf{key: key})
		m.files[key] = e
	}
	m.lru.MoveToFront(e)
	b := e.Value.(*memfdBuf)
	if grow := int64(end) - int64(len(b.data)); grow > 0 {
		for m.used+grow > m.budget && m.lru.Len() > 1 {
			old := m.lru.Back()
			ob := m.lru.Remove(old).(*memfdBuf)
			delete(m.files, ob.key)
			m.used -= int64(len(ob.data))
		}
		b.data = append(b.data, make([]byte, grow)...)
		m.used += grow
	}
	copy(b.data[off:], data)
}

func (m *memfdStore) get(dev, ino uint64) ([]byte, bool) {
	if m == nil {
		return nil, false
	}
	e, ok := m.files[[2]uint64{dev, ino}]
	if !ok {
		return nil, false
	}
	return e.Value.(*memfdBuf).data, true
}
