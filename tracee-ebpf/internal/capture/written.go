package capture

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// KindWritten is the artifact a writer's sched_process_exit carries for each
// watched file it opened for writing: the sha256 of the file's captured
// bytes (everything written to it so far, at their offsets) once the writer
// is gone. tracee-rules links it to the finding made at the open, which
// could only name where the writes would go.
const KindWritten = "written"

// maxWriteOpens bounds the (process, file) pairs waiting for their
// writer's exit; the oldest is forgotten first (counted as Skipped).
const maxWriteOpens = 4096

type writeOpen struct {
	pid  int32
	path string // stored file, dir/write/dev-D.inode-I
}

// writeOpens remembers which processes opened a watched file for writing,
// in the order they did.
type writeOpens struct {
	byPid map[int32][]string
	order []writeOpen
}

func (w *writeOpens) add(pid int32, path string) {
	if w.byPid == nil {
		w.byPid = map[int32][]string{}
	}
	for _, p := range w.byPid[pid] {
		if p == path {
			return
		}
	}
	w.byPid[pid] = append(w.byPid[pid], path)
	w.order = append(w.order, writeOpen{pid, path})
	if len(w.order) > maxWriteOpens {
		w.remove(w.order[0])
	}
}

func (w *writeOpens) remove(o writeOpen) {
	paths := w.byPid[o.pid]
	for i, p := range paths {
		if p == o.path {
			paths = append(paths[:i:i], paths[i+1:]...)
			break
		}
	}
	if len(paths) == 0 {
		delete(w.byPid, o.pid)
	} else {
		w.byPid[o.pid] = paths
	}
	for i, x := range w.order {
		if x == o {
			w.order = append(w.order[:i:i], w.order[i+1:]...)
			break
		}
	}
}

// take returns and forgets the files pid opened for writing.
func (w *writeOpens) take(pid int32) []string {
	paths := w.byPid[pid]
	for _, p := range paths {
		w.remove(writeOpen{pid, p})
	}
	return paths
}

// noteWriteOpen remembers, for a file opened for writing under a watched
// prefix, which process opened it.
func (c *Capturer) noteWriteOpen(ev *pb.Event, target *pb.Artifact) {
	if len(c.opens.order) >= maxWriteOpens {
		c.counters.skipped.Add(1)
	}
	c.opens.add(ev.HostProcessId, target.Path)
}

// written is, at the exit of a process (its last thread), the artifact of
// each watched file it opened for writing and that got captured bytes.
func (c *Capturer) written(ev *pb.Event) []*pb.Artifact {
	if ev.EventName != "sched_process_exit" || len(c.opens.byPid) == 0 {
		return nil
	}
	if last, ok := pb.Arg[bool](ev, "process_group_exit"); ok && !last {
		return nil
	}
	var arts []*pb.Artifact
	for _, path := range c.opens.take(ev.HostProcessId) {
		sum, n, err := hashFile(path)
		switch {
		case os.IsNotExist(err):
			continue // nothing was written
		case err != nil:
			c.counters.failed.Add(1)
			c.log.printf("tracee-ebpf: capture written %s: %v\n", path, err)
			continue
		}
		arts = append(arts, &pb.Artifact{Kind: KindWritten, Sha256: sum, Path: path, Size: uint64(n)})
		c.writeIndex(kindWrite, writtenRecord{Time: timeString(ev.Timestamp), HostPid: ev.HostProcessId,
			Comm: ev.ProcessName, Written: filepath.Base(path), SHA256: sum, Size: uint64(n)})
	}
	return arts
}

// writtenRecord is the index line of a file's captured bytes at its
// writer's exit.
type writtenRecord struct {
	Time    string `json:"time"`
	HostPid int32  `json:"hostPid"`
	Comm    string `json:"comm"`
	Written string `json:"written"` // the stored file
	SHA256  string `json:"sha256"`
	Size    uint64 `json:"size"`
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
