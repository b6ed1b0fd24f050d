package filter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/procfs"
)

// FileID is a file's identity as the kernel knows it: the device number of
// its file system (s_dev, MKDEV encoding) and its inode number. Hard links,
// symlinks and bind mounts of a file share it; a copy does not.
type FileID struct {
	Dev uint32
	Ino uint64
}

// ExeFilter restricts the file a process runs (executable=, exec=, binary=,
// bin=), by identity: the paths are resolved when the filter is parsed.
type ExeFilter struct {
	Equal, NotEqual []FileID
}

// Active reports whether the filter restricts anything.
func (f ExeFilter) Active() bool { return len(f.Equal)+len(f.NotEqual) > 0 }

// exeKeys are Tracee's names of the executable scope filter.
var exeKeys = []string{"executable", "exec", "binary", "bin"}

// KernelDev converts a user-space dev_t (stat's st_dev) to the kernel's
// s_dev encoding (MKDEV: major << 20 | minor).
func KernelDev(dev uint64) uint32 {
	return unix.Major(dev)<<20 | unix.Minor(dev)
}

// procRoot is where the executable filter looks for a process of a mount
// namespace (a variable for tests).
var procRoot = "/proc"

// ResolveExe identifies the file an executable filter's value names:
//   - /abs/path: the path as tracee-ebpf sees it (the host's, as it runs on
//     the host);
//   - host:/abs/path: the same;
//   - MNTNS:/abs/path: the path in mount namespace MNTNS (its inode number,
//     as in mntns= and the events' mountNamespace), resolved inside the
//     root of a process of that namespace, so that its symlinks resolve
//     there too.
//
// Symlinks are followed. A path that does not exist is an error: the
// filter matches files, not names, so it cannot wait for one to appear.
func ResolveExe(v string) (FileID, error) {
	v = strings.TrimSpace(v)
	ns, path := "host", v
	if !strings.HasPrefix(v, "/") {
		i := strings.IndexByte(v, ':')
		if i < 0 {
			return FileID{}, fmt.Errorf("executable expects an absolute path or MNTNS:PATH (host:/usr/bin/ls, 4026531840:/usr/bin/ls), not %q", v)
		}
		ns, path = v[:i], v[i+1:]
	}
	if !strings.HasPrefix(path, "/") {
		return FileID{}, fmt.Errorf("executable %q: the path must be absolute", v)
	}
	var st unix.Stat_t
	if ns == "host" {
		if err := unix.Stat(path, &st); err != nil {
			return FileID{}, fmt.Errorf("executable %s: %w", path, err)
		}
	} else {
		n, err := strconv.ParseUint(ns, 10, 32)
		if err != nil {
			return FileID{}, fmt.Errorf("executable %q: %q is neither host nor a mount namespace id", v, ns)
		}
		if st, err = statInMntNS(uint32(n), path); err != nil {
			return FileID{}, fmt.Errorf("executable %q: %w", v, err)
		}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return FileID{}, fmt.Errorf("executable %q: not a regular file", v)
	}
	return FileID{Dev: KernelDev(st.Dev), Ino: st.Ino}, nil
}

// statInMntNS stats path inside the root of a process of mount namespace ns.
func statInMntNS(ns uint32, path string) (unix.Stat_t, error) {
	var st unix.Stat_t
	pids, err := procfs.PIDs(procRoot)
	if err != nil {
		return st, err
	}
	for _, pid := range pids {
		p := filepath.Join(procRoot, strconv.Itoa(int(pid)))
		if n, err := procfs.NSInode(p + "/ns/mnt"); err != nil || n != ns {
			continue
		}
		root, err := os.Open(p + "/root")
		if err != nil {
			continue // exited, or not ours to enter: try another
		}
		fd, err := unix.Openat2(int(root.Fd()), strings.TrimLeft(path, "/"), &unix.OpenHow{
			Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT,
		})
		root.Close()
		if err != nil {
			return st, fmt.Errorf("in mount namespace %d (process %d): %w", ns, pid, err)
		}
		err = unix.Fstat(fd, &st)
		unix.Close(fd)
		return st, err
	}
	return st, errors.New("no process runs in that mount namespace")
}

// andExe ANDs an executable expression into f.
func andExe(f *ExeFilter, key string, o op, vals []string) error {
	if o != opEq && o != opNe {
		return fmt.Errorf("%s only takes = or !=", key)
	}
	var ids []FileID
	for _, v := range vals {
		id, err := ResolveExe(v)
		if err != nil {
			return err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if o == opNe {
		f.NotEqual = append(f.NotEqual, ids...)
		return nil
	}
	if len(f.Equal) == 0 {
		f.Equal = ids
		return nil
	}
	// AND with an earlier executable=: the files both name
	f.Equal = slices.DeleteFunc(f.Equal, func(x FileID) bool { return !slices.Contains(ids, x) })
	if len(f.Equal) == 0 {
		return fmt.Errorf("%s: no file can also satisfy an earlier %s= expression", key, key)
	}
	return nil
}
