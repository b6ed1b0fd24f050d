package capture

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// execRecord is one line of exec/index.jsonl.
type execRecord struct {
	Time     string `json:"time"`
	HostPid  int32  `json:"hostPid"`
	Comm     string `json:"comm"`
	Pathname string `json:"pathname"`
	SHA256   string `json:"sha256,omitempty"`
	Size     int64  `json:"size"`
	Stored   bool   `json:"stored"`           // this capture wrote the file
	Cached   bool   `json:"cached,omitempty"` // identified without hashing
	Skipped  string `json:"skipped,omitempty"`
	Source   string `json:"source,omitempty"` // "memfd-writes": rebuilt from captured writes
}

// identity is what makes two opens of an executable the same content, as
// far as the cache is concerned.
type identity struct {
	dev, ino, size uint64
	ctime, mtime   int64
}

// identityCache remembers the sha256 of recently captured files, least
// recently used forgotten first.
type identityCache struct {
	max   int
	items map[identity]*list.Element // of cacheEntry
	lru   *list.List
}

type cacheEntry struct {
	id  identity
	sum string
}

func newIdentityCache(max int) *identityCache {
	if max <= 0 {
		max = DefaultCacheSize
	}
	return &identityCache{max: max, items: map[identity]*list.Element{}, lru: list.New()}
}

func (c *identityCache) get(id identity) (string, bool) {
	e, ok := c.items[id]
	if !ok {
		return "", false
	}
	c.lru.MoveToFront(e)
	return e.Value.(cacheEntry).sum, true
}

func (c *identityCache) put(id identity, sum string) {
	if e, ok := c.items[id]; ok {
		e.Value = cacheEntry{id, sum}
		c.lru.MoveToFront(e)
		return
	}
	for c.lru.Len() >= c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.items, old.Value.(cacheEntry).id)
	}
	c.items[id] = c.lru.PushFront(cacheEntry{id, sum})
}

func (c *identityCache) len() int { return c.lru.Len() }

// openExec opens what j.pid executed: through /proc/<pid>/exe, which also
// reaches memfd and deleted files while the process lives; for a process
// that is already gone, the event's path on disk, if it is still the same
// inode (a short-lived `ls` is over before its event is handled).
func (c *Capturer) openExec(j job) (*os.File, error) {
	f, err := os.Open(filepath.Join(c.cfg.ProcRoot, strconv.Itoa(int(j.pid)), "exe"))
	if err == nil {
		return f, nil
	}
	if !filepath.IsAbs(j.pathname) || j.inode == 0 {
		return nil, fmt.Errorf("open executable (process gone, no file on disk to fall back to): %w", err)
	}
	g, gerr := os.Open(j.pathname)
	if gerr != nil {
		return nil, fmt.Errorf("open executable: process gone and %w", gerr)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(g.Fd()), &st); err != nil || st.Ino != j.inode {
		g.Close()
		return nil, fmt.Errorf("open executable: process gone and %s is no longer the file it ran", j.pathname)
	}
	return g, nil
}

// captureExec stores the executable of j.pid and returns its artifact
// (nil when nothing was stored). A memfd whose process is already gone is
// rebuilt from the writes the capture program copied into it.
func (c *Capturer) captureExec(j job) *pb.Artifact {
	f, err := c.openExec(j)
	if err != nil {
		if j.memfd {
			if data, ok := c.memfds.get(j.dev, j.inode); ok {
				return c.execFromMemfd(j, data)
			}
		}
		c.fail(j, err)
		return nil
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		c.fail(j, fmt.Errorf("stat executable: %w", err))
		return nil
	}
	rec := execRecord{Time: timeString(j.time), HostPid: j.pid, Comm: j.comm, Pathname: j.pathname, Size: st.Size}
	if j.inode != 0 && j.inode != st.Ino {
		// The process exec'd again (or the pid was reused) since the
		// event: its later exec event captures what runs now. Inodes only:
		// st_dev differs from the kernel's s_dev on btrfs and overlayfs.
		c.counters.skipped.Add(1)
		rec.Skipped = fmt.Sprintf("process image changed since the event (inode %d, now %d)", j.inode, st.Ino)
		c.writeIndex(kindExec, rec)
		return nil
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		c.fail(j, fmt.Errorf("executable is not a regular file (mode %o)", st.Mode))
		return nil
	}
	if st.Size > c.cfg.ExecMaxSize {
		c.counters.skipped.Add(1)
		rec.Skipped = fmt.Sprintf("size %d over the limit of %d bytes", st.Size, c.cfg.ExecMaxSize)
		c.writeIndex(kindExec, rec)
		return nil
	}
	id := identity{dev: st.Dev, ino: st.Ino, size: uint64(st.Size), ctime: st.Ctim.Nano(), mtime: st.Mtim.Nano()}
	if sum, ok := c.cache.get(id); ok {
		if _, err := os.Stat(filepath.Join(c.dirs[kindExec], sum)); err == nil {
			rec.SHA256, rec.Cached = sum, true
			c.counters.exec.Add(1)
			c.counters.cached.Add(1)
			c.writeIndex(kindExec, rec)
			return c.execArtifact(sum, st.Size)
		}
	}
	sum, size, stored, err := c.storeExec(f)
	if err != nil {
		c.diskError(kindExec, err)
		c.fail(j, err)
		return nil
	}
	c.cache.put(id, sum)
	rec.SHA256, rec.Size, rec.Stored = sum, size, stored
	c.counters.exec.Add(1)
	if stored {
		c.counters.stored.Add(1)
	}
	c.writeIndex(kindExec, rec)
	return c.execArtifact(sum, size)
}

func (c *Capturer) execArtifact(sum string, size int64) *pb.Artifact {
	return &pb.Artifact{Kind: "exec", Sha256: sum, Path: filepath.Join(c.dirs[kindExec], sum), Size: uint64(size)}
}

// execFromMemfd stores the bytes written into a memfd that was executed.
func (c *Capturer) execFromMemfd(j job, data []byte) *pb.Artifact {
	rec := execRecord{Time: timeString(j.time), HostPid: j.pid, Comm: j.comm, Pathname: j.pathname,
		Size: int64(len(data)), Source: "memfd-writes"}
	sum, stored, err := storeBytes(c.dirs[kindExec], data)
	if err != nil {
		c.diskError(kindExec, err)
		c.fail(j, err)
		return nil
	}
	rec.SHA256, rec.Stored = sum, stored
	c.counters.exec.Add(1)
	c.counters.fromMemfd.Add(1)
	if stored {
		c.counters.stored.Add(1)
	}
	c.writeIndex(kindExec, rec)
	return c.execArtifact(sum, int64(len(data)))
}

// storeBytes stores data as dir/<sha256> unless a file of that name exists,
// through a temporary file and a rename.
func storeBytes(dir string, data []byte) (sum string, stored bool, err error) {
	h := sha256.Sum256(data)
	sum = hex.EncodeToString(h[:])
	dst := filepath.Join(dir, sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, false, nil
	}
	tmp, err := os.CreateTemp(dir, ".partial-")
	if err != nil {
		return "", false, fmt.Errorf("store: %w", err)
	}
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", false, fmt.Errorf("store %s: %w", dst, err)
	}
	return sum, true, nil
}

// storeExec hashes f and, when no file of that content is stored yet,
// copies it to exec/<sha256> (through a temporary file and a rename, so a
// stored file is always complete). The name is the hash of what was copied.
func (c *Capturer) storeExec(f *os.File) (sum string, size int64, stored bool, err error) {
	limit := c.cfg.ExecMaxSize
	h := sha256.New()
	n, err := io.CopyBuffer(h, io.LimitReader(f, limit+1), c.buf)
	if err != nil {
		return "", 0, false, fmt.Errorf("read executable: %w", err)
	}
	if n > limit {
		return "", 0, false, fmt.Errorf("executable grew over the limit of %d bytes while read", limit)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if _, err := os.Stat(filepath.Join(c.dirs[kindExec], sum)); err == nil {
		return sum, n, false, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, false, fmt.Errorf("rewind executable: %w", err)
	}
	tmp, err := os.CreateTemp(c.dirs[kindExec], ".partial-")
	if err != nil {
		return "", 0, false, fmt.Errorf("store executable: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h.Reset()
	n, err = io.CopyBuffer(io.MultiWriter(tmp, h), io.LimitReader(f, limit+1), c.buf)
	if err != nil {
		return "", 0, false, fmt.Errorf("copy executable: %w", err)
	}
	if n > limit {
		return "", 0, false, errors.New("executable grew over the limit while copied")
	}
	if err = tmp.Close(); err != nil {
		return "", 0, false, fmt.Errorf("store executable: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil)) // the content changed meanwhile: name what we have
	if err = os.Rename(tmp.Name(), filepath.Join(c.dirs[kindExec], sum)); err != nil {
		return "", 0, false, fmt.Errorf("store executable: %w", err)
	}
	return sum, n, true, nil
}
