package capture

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// kind is an artifact.
type kind uint8

const (
	kindExec kind = iota + 1
	kindMem
)

// triggers maps the event names that start a capture to what they capture.
var triggers = map[string]kind{
	"sched_process_exec": kindExec,
	"mem_prot_alert":     kindMem,
}

// job is what a capture needs from its event, copied: events are pooled
// and reused once handled.
type job struct {
	kind     kind
	time     int64 // event timestamp, ns since the epoch
	pid      int32 // host pid
	comm     string
	pathname string
	inode    uint64 // of the executable, 0 when unknown
	addr     uint64
	length   uint64
	alert    string
	prot     string
}

// Stats are a Capturer's counters.
type Stats struct {
	Exec     uint64 // executables captured (indexed), stored or already present
	Stored   uint64 // of those, new files written
	Cached   uint64 // of those, identified by the cache without hashing
	Mem      uint64 // memory dumps written
	MemBytes uint64
	Dropped  uint64 // queue full (or shutdown timeout)
	Failed   uint64 // process gone, read or write errors
	Skipped  uint64 // over a size limit or the memory budget
}

// String is the exit-summary line.
func (s Stats) String() string {
	return fmt.Sprintf("Captures: {Exec:%d Stored:%d Cached:%d Mem:%d MemBytes:%d Dropped:%d Failed:%d Skipped:%d}",
		s.Exec, s.Stored, s.Cached, s.Mem, s.MemBytes, s.Dropped, s.Failed, s.Skipped)
}

// Capturer captures artifacts from events. Process is called from the event
// loop; the captures themselves run in one worker goroutine.
type Capturer struct {
	cfg     Config
	log     *lockedWriter
	queue   chan job
	done    chan struct{}
	abort   atomic.Bool
	closed  atomic.Bool
	execDir string
	memDir  string
	execIdx *os.File
	memIdx  *os.File
	cache   *identityCache // worker only
	memUsed int64          // worker only
	buf     []byte         // worker only

	exec, stored, cached, mem, memBytes, dropped, failed, skipped atomic.Uint64
	failLogged                                                    atomic.Uint64
}

// maxFailLogs bounds the failure messages written to the log.
const maxFailLogs = 10

// New prepares the output directories (emptying them with ClearDir) and
// starts the worker.
func New(cfg Config, log io.Writer) (*Capturer, error) {
	if log == nil {
		log = os.Stderr
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	c := &Capturer{
		cfg:     cfg,
		log:     &lockedWriter{w: log},
		queue:   make(chan job, cfg.QueueLen),
		done:    make(chan struct{}),
		execDir: filepath.Join(cfg.Dir, "exec"),
		memDir:  filepath.Join(cfg.Dir, "mem"),
		cache:   newIdentityCache(cfg.CacheSize),
		buf:     make([]byte, 1<<20),
	}
	var err error
	if cfg.Exec {
		if c.execIdx, err = prepareDir(c.execDir, cfg.ClearDir); err != nil {
			return nil, err
		}
	}
	if cfg.Mem {
		if c.memIdx, err = prepareDir(c.memDir, cfg.ClearDir); err != nil {
			c.closeIndexes()
			return nil, err
		}
	}
	go c.work()
	return c, nil
}

// prepareDir creates dir (emptied first when clear is set) and opens its
// index for appending.
func prepareDir(dir string, clear bool) (*os.File, error) {
	if clear {
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("capture: clear %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "index.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("capture: index: %w", err)
	}
	return f, nil
}

// Events are the names of the events the captures need traced (whether or
// not they are printed).
func (c *Capturer) Events() []string {
	var out []string
	if c.cfg.Exec {
		out = append(out, "sched_process_exec")
	}
	if c.cfg.Mem {
		out = append(out, "mem_prot_alert")
	}
	return out
}

// Process queues the capture an event asks for; it never blocks. It is a
// tracer stage, called for every event, printed or not.
func (c *Capturer) Process(ev *pb.Event) {
	k, ok := triggers[ev.EventName]
	if !ok || c.closed.Load() || (k == kindExec && !c.cfg.Exec) || (k == kindMem && !c.cfg.Mem) {
		return
	}
	j := job{kind: k, time: ev.Timestamp, pid: ev.HostProcessId, comm: ev.ProcessName,
		alert: reprOr(ev.GetArg("alert")), prot: reprOr(ev.GetArg("prot"))}
	j.pathname, _ = pb.Arg[string](ev, "pathname")
	j.inode, _ = pb.Arg[uint64](ev, "inode")
	j.addr, _ = pb.Arg[uint64](ev, "addr")
	j.length, _ = pb.Arg[uint64](ev, "len")
	select {
	case c.queue <- j:
	default:
		if n := c.dropped.Add(1); n&(n-1) == 0 { // 1st, 2nd, 4th, 8th ...
			c.log.printf("tracee-ebpf: capture queue full (%d pending): %d capture(s) dropped so far\n", cap(c.queue), n)
		}
	}
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

// Close stops accepting events, lets the worker finish what is queued (at
// most wait; what is left then is counted as dropped) and closes the
// indexes. It returns the final counters.
func (c *Capturer) Close(wait time.Duration) Stats {
	if c.closed.CompareAndSwap(false, true) {
		close(c.queue)
		select {
		case <-c.done:
		case <-time.After(wait):
			c.abort.Store(true)
			<-c.done
		}
		c.closeIndexes()
	}
	return c.Stats()
}

// Stats returns the counters so far.
func (c *Capturer) Stats() Stats {
	return Stats{
		Exec: c.exec.Load(), Stored: c.stored.Load(), Cached: c.cached.Load(),
		Mem: c.mem.Load(), MemBytes: c.memBytes.Load(),
		Dropped: c.dropped.Load(), Failed: c.failed.Load(), Skipped: c.skipped.Load(),
	}
}

func (c *Capturer) closeIndexes() {
	for _, f := range []*os.File{c.execIdx, c.memIdx} {
		if f != nil {
			f.Close()
		}
	}
}

func (c *Capturer) work() {
	defer close(c.done)
	for j := range c.queue {
		if c.abort.Load() {
			c.dropped.Add(1)
			continue
		}
		switch j.kind {
		case kindExec:
			c.captureExec(j)
		case kindMem:
			c.captureMem(j)
		}
	}
}

// fail counts a failed capture and logs the first few.
func (c *Capturer) fail(j job, err error) {
	c.failed.Add(1)
	if c.failLogged.Add(1) <= maxFailLogs {
		c.log.printf("tracee-ebpf: capture %s of pid %d (%s): %v\n", j.kind, j.pid, j.comm, err)
	}
}

func (k kind) String() string {
	switch k {
	case kindExec:
		return "exec"
	case kindMem:
		return "mem"
	}
	return "?"
}

// writeIndex appends one JSON line.
func (c *Capturer) writeIndex(f *os.File, rec any) {
	b, err := json.Marshal(rec)
	if err != nil {
		c.log.printf("tracee-ebpf: capture index: %v\n", err)
		return
	}
	if _, err := f.Write(append(b, '\n')); err != nil && c.failLogged.Add(1) <= maxFailLogs {
		c.log.printf("tracee-ebpf: capture index: %v\n", err)
	}
}

func timeString(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// lockedWriter serialises log lines from the event loop and the worker.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}
