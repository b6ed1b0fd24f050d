package container

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Config sets up a Resolver.
type Config struct {
	CgroupRoot     string        // cgroup2 mount point; "" finds it in /proc/mounts
	ProcRoot       string        // default "/proc"
	MaxEntries     int           // cache bound; default 8192
	RescanInterval time.Duration // minimum time between hierarchy scans; default 1s
	Now            func() time.Time
}

// Resolver maps cgroup ids to container ids. It is safe for concurrent use.
type Resolver struct {
	cfg Config

	mu       sync.Mutex
	cur      map[uint64]string // newer generation
	old      map[uint64]string // older generation, dropped when cur fills
	lastScan time.Time
	scans    int
}

// NewResolver returns a Resolver for the cgroup2 hierarchy.
func NewResolver(cfg Config) (*Resolver, error) {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.CgroupRoot == "" {
		f, err := os.Open(filepath.Join(cfg.ProcRoot, "mounts"))
		if err != nil {
			return nil, fmt.Errorf("container resolver: %w", err)
		}
		root, err := FindCgroup2Mount(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("container resolver: %w", err)
		}
		cfg.CgroupRoot = root
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 8192
	}
	if cfg.RescanInterval <= 0 {
		cfg.RescanInterval = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Resolver{cfg: cfg, cur: map[uint64]string{}, old: map[uint64]string{}}, nil
}

// CgroupRoot is the cgroup2 mount point in use.
func (r *Resolver) CgroupRoot() string { return r.cfg.CgroupRoot }

// Scans counts hierarchy scans done so far.
func (r *Resolver) Scans() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.scans
}

func (r *Resolver) get(id uint64) (string, bool) {
	if v, ok := r.cur[id]; ok {
		return v, true
	}
	if v, ok := r.old[id]; ok {
		r.put(id, v)
		return v, true
	}
	return "", false
}

func (r *Resolver) put(id uint64, v string) {
	if len(r.cur) >= r.cfg.MaxEntries/2 {
		r.old, r.cur = r.cur, make(map[uint64]string, r.cfg.MaxEntries/2)
	}
	r.cur[id] = v
}

// Inode is the cgroup id of a cgroup2 directory.
func Inode(dir string) (uint64, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("%s: no inode", dir)
	}
	return st.Ino, nil
}

// Learn records the path of a new cgroup (from a cgroup_mkdir event): its
// events resolve even after the cgroup is removed. path is relative to the
// cgroup2 root ("/docker/<id>").
func (r *Resolver) Learn(cgroupID uint64, path string) {
	if cgroupID == 0 {
		return
	}
	id, _, _ := IDFromPath(path)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.put(cgroupID, id)
}

// Lookup returns the container id of cgroup cgroupID ("" for a host
// cgroup or one it cannot find). hostPID, when > 0, is a process that was
// in that cgroup, tried first.
func (r *Resolver) Lookup(cgroupID uint64, hostPID int32) string {
	if cgroupID == 0 {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.get(cgroupID); ok {
		return v
	}
	if hostPID > 0 {
		if data, err := os.ReadFile(filepath.Join(r.cfg.ProcRoot, strconv.Itoa(int(hostPID)), "cgroup")); err == nil {
			if p, err := ParseProcCgroup(bytesReader(data)); err == nil {
				if ino, err := Inode(filepath.Join(r.cfg.CgroupRoot, p)); err == nil && ino == cgroupID {
					id, _, _ := IDFromPath(p)
					r.put(cgroupID, id)
					return id
				}
			}
		}
	}
	now := r.cfg.Now()
	if r.scans > 0 && now.Sub(r.lastScan) < r.cfg.RescanInterval {
		return "" // scanned a moment ago: do not cache, try again later
	}
	r.lastScan = now
	r.scans++
	found := false
	var result string
	_ = filepath.WalkDir(r.cfg.CgroupRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil // a cgroup removed while walking
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		rel := path[len(r.cfg.CgroupRoot):]
		id, _, isCont := IDFromPath(rel)
		if st.Ino == cgroupID {
			found, result = true, id
		}
		if isCont {
			r.put(st.Ino, id) // warm the cache with every container cgroup
		}
		return nil
	})
	if found {
		r.put(cgroupID, result)
	} else {
		r.put(cgroupID, "") // gone or never a directory: remember as host
	}
	return result
}
