package capture

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// memRecord is one line of mem/index.jsonl.
type memRecord struct {
	Time     string `json:"time"`
	HostPid  int32  `json:"hostPid"`
	Comm     string `json:"comm"`
	Alert    string `json:"alert"`
	Prot     string `json:"prot"`
	Pathname string `json:"pathname"`
	Addr     string `json:"addr"` // 0x...
	Len      uint64 `json:"len"`  // the alert's length
	File     string `json:"file,omitempty"`
	Size     int64  `json:"size"` // bytes dumped
	SHA256   string `json:"sha256,omitempty"`
	Error    string `json:"error,omitempty"` // why the dump stopped short
	Skipped  string `json:"skipped,omitempty"`
	Source   string `json:"source,omitempty"` // "kernel": copied at the syscall's exit
}

// storeRegion stores a region the capture program copied when it was made
// executable (the process may be gone by now), within the memory budget.
// An empty copy (pages not faulted in yet, which read as zeros) is indexed
// and left to the /proc capture.
func (c *Capturer) storeRegion(a *assembly, alert string) *pb.Artifact {
	rec := memRecord{Time: timeString(a.time), HostPid: a.pid, Comm: a.comm, Prot: fmt.Sprintf("0x%x", a.aux),
		Addr: "0x" + strconv.FormatUint(a.start, 16), Len: a.total, Source: "kernel", Alert: alert}
	if a.gap || a.got < a.expect {
		rec.Error = fmt.Sprintf("%d of %d bytes copied (ring buffer full, or pages not faulted in yet)", len(a.data), a.expect)
	}
	if len(a.data) == 0 {
		c.writeIndex(kindMem, rec)
		return nil
	}
	if left := c.cfg.MemBudget - c.memUsed; left < int64(len(a.data)) {
		c.counters.skipped.Add(1)
		rec.Skipped = fmt.Sprintf("memory dump budget of %d bytes spent", c.cfg.MemBudget)
		c.writeIndex(kindMem, rec)
		return nil
	}
	memDir := c.dirs[kindMem]
	name, dst, err := createDump(memDir, fmt.Sprintf("%d-0x%x-%d", a.pid, a.start, a.time))
	if err == nil {
		_, err = dst.Write(a.data)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.Remove(filepath.Join(memDir, name))
		c.diskError(kindMem, err)
		c.fail(job{kind: kindMem, pid: a.pid, comm: a.comm}, fmt.Errorf("store dump: %w", err))
		return nil
	}
	sum := sha256.Sum256(a.data)
	c.memUsed += int64(len(a.data))
	rec.File, rec.Size, rec.SHA256 = name, int64(len(a.data)), hex.EncodeToString(sum[:])
	c.counters.mem.Add(1)
	c.counters.memBytes.Add(uint64(len(a.data)))
	c.writeIndex(kindMem, rec)
	return &pb.Artifact{Kind: "mem", Sha256: rec.SHA256, Path: filepath.Join(memDir, name), Size: uint64(len(a.data))}
}

// captureMem dumps [addr, addr+len) of j.pid from /proc/<pid>/mem, cut at
// MemMaxSize and at what is left of MemBudget; once the budget is spent,
// alerts are only indexed.
func (c *Capturer) captureMem(j job) *pb.Artifact {
	rec := memRecord{Time: timeString(j.time), HostPid: j.pid, Comm: j.comm, Alert: j.alert, Prot: j.prot,
		Pathname: j.pathname, Addr: "0x" + strconv.FormatUint(j.addr, 16), Len: j.length}
	left := c.cfg.MemBudget - c.memUsed
	want := int64(min(j.length, uint64(c.cfg.MemMaxSize), uint64(max(left, 0))))
	if left <= 0 {
		c.counters.skipped.Add(1)
		rec.Skipped = fmt.Sprintf("memory dump budget of %d bytes spent", c.cfg.MemBudget)
		c.writeIndex(kindMem, rec)
		return nil
	}
	if want <= 0 {
		c.fail(j, errors.New("empty region"))
		return nil
	}
	src, err := os.Open(filepath.Join(c.cfg.ProcRoot, strconv.Itoa(int(j.pid)), "mem"))
	if err != nil {
		c.fail(j, fmt.Errorf("open memory (process gone?): %w", err))
		return nil
	}
	defer src.Close()
	memDir := c.dirs[kindMem]
	name, dst, err := createDump(memDir, fmt.Sprintf("%d-0x%x-%d", j.pid, j.addr, j.time))
	path := filepath.Join(memDir, name)
	if err != nil {
		c.diskError(kindMem, err)
		c.fail(j, fmt.Errorf("create dump: %w", err))
		return nil
	}
	h := sha256.New()
	n, readErr := copyRange(io.MultiWriter(dst, h), src, int64(j.addr), want, c.buf)
	closeErr := dst.Close()
	if n == 0 || closeErr != nil {
		os.Remove(path)
		c.diskError(kindMem, errors.Join(readErr, closeErr))
		c.fail(j, errors.Join(readErr, closeErr, errors.New("nothing dumped")))
		return nil
	}
	c.memUsed += n
	rec.File, rec.Size, rec.SHA256 = name, n, hex.EncodeToString(h.Sum(nil))
	if readErr != nil {
		rec.Error = readErr.Error()
	}
	c.counters.mem.Add(1)
	c.counters.memBytes.Add(uint64(n))
	c.writeIndex(kindMem, rec)
	return &pb.Artifact{Kind: "mem", Sha256: rec.SHA256, Path: path, Size: uint64(n)}
}

// createDump creates <dir>/<base>.bin, or <base>-N.bin when alerts of the
// same region share a timestamp.
func createDump(dir, base string) (string, *os.File, error) {
	for i := 0; ; i++ {
		name := base + ".bin"
		if i > 0 {
			name = fmt.Sprintf("%s-%d.bin", base, i)
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil || !errors.Is(err, os.ErrExist) || i >= 100 {
			return name, f, err
		}
	}
}

// copyRange copies length bytes of src from off to w in chunks of buf;
// reading stops at the first error (an unmapped page reads as EIO).
func copyRange(w io.Writer, src io.ReaderAt, off, length int64, buf []byte) (int64, error) {
	var done int64
	for done < length {
		chunk := buf[:min(int64(len(buf)), length-done)]
		n, err := src.ReadAt(chunk, off+done)
		if n > 0 {
			if _, werr := w.Write(chunk[:n]); werr != nil {
				return done, fmt.Errorf("write dump: %w", werr)
			}
			done += int64(n)
		}
		if err != nil {
			if errors.Is(err, io.EOF) && done > 0 {
				return done, fmt.Errorf("region ends at 0x%x", off+done)
			}
			return done, fmt.Errorf("read memory at 0x%x: %w", off+done, err)
		}
	}
	return done, nil
}
