package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// kind is an artifact.
type kind uint8

const (
	kindExec kind = iota + 1
	kindMem
	kindWrite
	kindModule
	kindBPF
	kindNetwork
)

var kindNames = map[kind]string{kindExec: "exec", kindMem: "mem", kindWrite: "write", kindModule: "module", kindBPF: "bpf", kindNetwork: "pcap"}

func (k kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "?"
}

// triggers maps the event names that start a user-space capture to what
// they capture.
var triggers = map[string]kind{
	"sched_process_exec": kindExec,
	"mem_prot_alert":     kindMem,
}

// chunkEvent is the internal event the capture program sends bytes in.
const chunkEvent = "capture_chunk"

// job is what a capture needs from its event.
type job struct {
	kind     kind
	time     int64 // event timestamp, ns since the epoch
	pid      int32 // host pid
	comm     string
	pathname string
	dev      uint64
	inode    uint64 // of the executable, 0 when unknown
	memfd    bool
	addr     uint64
	length   uint64
	alert    string
	prot     string
}

// Stats are a Capturer's counters.
type Stats struct {
	Exec       uint64 // executables captured (indexed), stored or already present
	Stored     uint64 // of those, new files written
	Cached     uint64 // of those, identified by the cache without hashing
	FromMemfd  uint64 // of those, rebuilt from the memfd's captured writes (process already gone)
	Mem        uint64 // memory dumps written
	MemBytes   uint64
	Writes     uint64 // write syscalls captured
	Modules    uint64 // init_module images and finit_module files captured
	BPF        uint64 // BPF programs captured
	Packets    uint64 // packets written to pcapng files
	Bytes      uint64 // bytes of writes, modules, BPF programs and packets stored
	Incomplete uint64 // captures missing bytes (ring buffer full, failed read, size limit)
	Dropped    uint64 // captures not made: budget spent or disk full
	Failed     uint64 // process gone, read or write errors
	Skipped    uint64 // over a size limit or the memory budget; opens for writing forgotten before their writer exited
}

// String is the exit-summary line.
func (s Stats) String() string {
	return fmt.Sprintf("Captures: {Exec:%d Stored:%d Cached:%d FromMemfd:%d Mem:%d MemBytes:%d Writes:%d Modules:%d BPF:%d Packets:%d Bytes:%d Incomplete:%d Dropped:%d Failed:%d Skipped:%d}",
		s.Exec, s.Stored, s.Cached, s.FromMemfd, s.Mem, s.MemBytes, s.Writes, s.Modules, s.BPF, s.Packets, s.Bytes,
		s.Incomplete, s.Dropped, s.Failed, s.Skipped)
}

// Capturer captures artifacts from events. Process runs in the event loop,
// before the event is written, so that the event carries its artifact
// (sha256 and stored path): every capture is bounded by a size limit.
type Capturer struct {
	cfg      Config
	log      *lockedWriter
	closed   atomic.Bool
	dirs     map[kind]string
	idx      map[kind]*os.File
	cache    *identityCache
	memUsed  int64
	buf      []byte
	chunks   *assembler
	pcap     *pcapFiles
	memfds   *memfdStore
	used     int64 // bytes of writes, modules, BPF programs stored
	stopped  bool  // budget spent or disk full: no more write/module/bpf captures
	onStop   func() error
	noSpace  map[kind]bool
	opens    writeOpens // watched files opened for writing, by opener
	counters struct {
		exec, stored, cached, fromMemfd, mem, memBytes, writes, modules, bpf, packets, bytes,
		incomplete, dropped, failed, skipped atomic.Uint64
	}
	failLogged atomic.Uint64
}

// maxFailLogs bounds the failure messages written to the log.
const maxFailLogs = 10

// New prepares the output directories (emptying them with ClearDir). A
// directory that cannot be created or written is an error naming it.
func New(cfg Config, log io.Writer) (*Capturer, error) {
	if log == nil {
		log = os.Stderr
	}
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	c := &Capturer{
		cfg:     cfg,
		log:     &lockedWriter{w: log},
		dirs:    map[kind]string{},
		idx:     map[kind]*os.File{},
		cache:   newIdentityCache(cfg.CacheSize),
		buf:     make([]byte, 1<<20),
		noSpace: map[kind]bool{},
	}
	c.chunks = newAssembler(c)
	if cfg.Exec {
		c.memfds = newMemfdStore(cfg.ExecMaxSize, cfg.MemfdBudget)
	}
	for _, k := range []kind{kindExec, kindMem, kindWrite, kindModule, kindBPF, kindNetwork} {
		if !cfg.wants(k) {
			continue
		}
		dir := filepath.Join(cfg.Dir, k.String())
		f, err := prepareDir(dir, cfg.ClearDir)
		if err != nil {
			c.closeIndexes()
			return nil, err
		}
		c.dirs[k], c.idx[k] = dir, f
	}
	if cfg.Network {
		c.pcap = newPcapFiles(c, c.dirs[kindNetwork])
	}
	return c, nil
}

// OnStop is called once when write/module/bpf capturing stops (budget spent,
// disk full), to stop the kernel copying bytes nobody stores.
func (c *Capturer) OnStop(f func() error) { c.onStop = f }

// prepareDir creates dir (emptied first when clear is set) and opens its
// index for appending.
func prepareDir(dir string, clear bool) (*os.File, error) {
	if clear {
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("capture: clear %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("capture: output directory: %w", err)
	}
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return nil, fmt.Errorf("capture: output directory %s is not writable: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "index.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("capture: index: %w", err)
	}
	return f, nil
}

// Process captures what the event asks for and adds the artifact to the
// event. Capture chunks (internal events from the kernel) are assembled
// here; the syscall event that follows its chunks gets the artifact.
func (c *Capturer) Process(ev *pb.Event) {
	if c.closed.Load() {
		return
	}
	switch ev.EventName {
	case chunkEvent:
		c.chunks.add(ev)
		return
	case packetEvent:
		if c.pcap != nil {
			c.pcap.write(ev)
		}
		return
	}
	if a := c.chunks.claim(ev); a != nil {
		ev.Artifacts = append(ev.Artifacts, a)
		if ev.EventName == "magic_write" {
			c.noteWriteOpen(ev, a) // its finding gets the whole file at the writer's exit
		}
	}
	if a := c.writeTarget(ev); a != nil {
		ev.Artifacts = append(ev.Artifacts, a)
		c.noteWriteOpen(ev, a)
	}
	ev.Artifacts = append(ev.Artifacts, c.written(ev)...)
	k, ok := triggers[ev.EventName]
	if !ok || !c.cfg.wants(k) || hasArtifact(ev, k) {
		return
	}
	j := job{kind: k, time: ev.Timestamp, pid: ev.HostProcessId, comm: ev.ProcessName,
		alert: reprOr(ev.GetArg("alert")), prot: reprOr(ev.GetArg("prot"))}
	j.pathname, _ = pb.Arg[string](ev, "pathname")
	j.inode, _ = pb.Arg[uint64](ev, "inode")
	j.dev, _ = pb.Arg[uint64](ev, "dev")
	j.memfd, _ = pb.Arg[bool](ev, "is_memfd")
	j.addr, _ = pb.Arg[uint64](ev, "addr")
	j.length, _ = pb.Arg[uint64](ev, "len")
	var art *pb.Artifact
	switch k {
	case kindExec:
		art = c.captureExec(j)
	case kindMem:
		art = c.captureMem(j)
	}
	if art != nil {
		ev.Artifacts = append(ev.Artifacts, art)
	}
}

// writeTarget is, for a file opened for writing under a watched prefix,
// where its captured writes will be: the path without a sha256 (nothing
// is written yet; each write's own artifact has it, and the opener's
// sched_process_exit carries the file's, kind KindWritten).
func (c *Capturer) writeTarget(ev *pb.Event) *pb.Artifact {
	if !c.cfg.Write || ev.EventName != "security_file_open" || argUint(ev, "flags")&3 == 0 {
		return nil
	}
	path := argRepr(ev, "pathname")
	if len(c.cfg.WritePrefixes) > 0 && !slices.ContainsFunc(c.cfg.WritePrefixes, func(p string) bool { return strings.HasPrefix(path, p) }) {
		return nil
	}
	return &pb.Artifact{Kind: "write", Path: filepath.Join(c.dirs[kindWrite], fmt.Sprintf("dev-%d.inode-%d", argUint(ev, "dev"), argUint(ev, "inode")))}
}

func hasArtifact(ev *pb.Event, k kind) bool {
	for _, a := range ev.Artifacts {
		if a.GetKind() == k.String() {
			return true
		}
	}
	return false
}

// reprOr is a flag argument as text: its repr, else its number.
func reprOr(a *pb.Argument) string {
	if r := a.GetRepr(); r != "" {
		return r
	}
	switch v := a.GetValue().(type) {
	case *pb.Argument_Int:
		return fmt.Sprint(v.Int)
	case *pb.Argument_Uint:
		return fmt.Sprint(v.Uint)
	}
	return ""
}

// Close finishes what is being assembled and closes the indexes. It
// returns the final counters. wait is kept for callers; captures are
// synchronous.
func (c *Capturer) Close(wait time.Duration) Stats {
	if c.closed.CompareAndSwap(false, true) {
		c.chunks.flush()
		c.closeIndexes()
	}
	return c.Stats()
}

// Stats returns the counters so far.
func (c *Capturer) Stats() Stats {
	n := &c.counters
	return Stats{
		Exec: n.exec.Load(), Stored: n.stored.Load(), Cached: n.cached.Load(), FromMemfd: n.fromMemfd.Load(),
		Mem: n.mem.Load(), MemBytes: n.memBytes.Load(),
		Writes: n.writes.Load(), Modules: n.modules.Load(), BPF: n.bpf.Load(), Packets: n.packets.Load(), Bytes: n.bytes.Load(),
		Incomplete: n.incomplete.Load(), Dropped: n.dropped.Load(), Failed: n.failed.Load(), Skipped: n.skipped.Load(),
	}
}

func (c *Capturer) closeIndexes() {
	for _, f := range c.idx {
		f.Close()
	}
	c.chunks.closeFiles()
	if c.pcap != nil {
		c.pcap.closeAll()
	}
}

// fail counts a failed capture and logs the first few.
func (c *Capturer) fail(j job, err error) {
	c.counters.failed.Add(1)
	if c.failLogged.Add(1) <= maxFailLogs {
		c.log.printf("tracee-ebpf: capture %s of pid %d (%s): %v\n", j.kind, j.pid, j.comm, err)
	}
}

// reserve accounts n bytes of write/module/bpf captures against the
// budget. It returns false (and stops those captures, once, with a
// warning) when they do not fit.
func (c *Capturer) reserve(k kind, n int64) bool {
	if c.stopped {
		c.counters.dropped.Add(1)
		return false
	}
	if c.used+n > c.cfg.Budget {
		c.stop(fmt.Sprintf("capture budget of %d bytes spent (%d used, %s capture of %d bytes refused)", c.cfg.Budget, c.used, k, n))
		c.counters.dropped.Add(1)
		return false
	}
	c.used += n
	return true
}

// diskError reports a failed store; a full disk stops write/module/bpf
// captures (memory dumps and executables stop by themselves when every
// store fails).
func (c *Capturer) diskError(k kind, err error) {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		c.counters.dropped.Add(1)
		if !c.noSpace[k] {
			c.noSpace[k] = true
			c.log.printf("tracee-ebpf: capture %s: %s is full: %v\n", k, c.cfg.Dir, err)
		}
		if k == kindWrite || k == kindModule || k == kindBPF || k == kindNetwork {
			c.stop(fmt.Sprintf("no space left in %s", c.cfg.Dir))
		}
	}
}

func (c *Capturer) stop(why string) {
	if c.stopped {
		return
	}
	c.stopped = true
	c.log.printf("tracee-ebpf: WARNING: %s: write, module, bpf and network captures stop; tracing goes on (dropped captures are counted)\n", why)
	if c.onStop != nil {
		if err := c.onStop(); err != nil {
			c.log.printf("tracee-ebpf: capture: stop kernel copies: %v\n", err)
		}
	}
}

// writeIndex appends one JSON line to k's index.
func (c *Capturer) writeIndex(k kind, rec any) {
	f := c.idx[k]
	if f == nil {
		return
	}
	b, err := json.Marshal(rec)
	if err != nil {
		c.log.printf("tracee-ebpf: capture index: %v\n", err)
		return
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		c.diskError(k, err)
		if c.failLogged.Add(1) <= maxFailLogs {
			c.log.printf("tracee-ebpf: capture index: %v\n", err)
		}
	}
}

func timeString(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// lockedWriter serialises log lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}
