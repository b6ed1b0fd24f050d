// Package procfs is tracee-ebpf's one reader of /proc: process status
// (/proc/<pid>/stat and status), namespace links, boot time, and the
// process tree below given roots.
package procfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ClockTicks is USER_HZ, the unit of /proc/<pid>/stat start times (100 on
// every Linux architecture tracee-ebpf supports).
const ClockTicks = 100

// Stat is what tracee-ebpf reads of /proc/<pid>/stat.
type Stat struct {
	Comm       string
	PPID       int32
	StartTicks uint64 // start time, ClockTicks since boot
}

// ParseStat parses the contents of /proc/<pid>/stat. The comm may hold
// spaces and parentheses: it runs to the last ')'.
func ParseStat(b []byte) (Stat, error) {
	open, close := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || close < open {
		return Stat{}, errors.New("malformed stat: no comm")
	}
	st := Stat{Comm: string(b[open+1 : close])}
	f := strings.Fields(string(b[close+1:]))
	// f[0] is field 3 (state); ppid is field 4, starttime field 22.
	if len(f) < 20 {
		return Stat{}, errors.New("malformed stat: too few fields")
	}
	pp, err := strconv.ParseInt(f[1], 10, 32)
	if err != nil {
		return Stat{}, fmt.Errorf("malformed stat ppid: %w", err)
	}
	st.PPID = int32(pp)
	if st.StartTicks, err = strconv.ParseUint(f[19], 10, 64); err != nil {
		return Stat{}, fmt.Errorf("malformed stat starttime: %w", err)
	}
	return st, nil
}

// ReadStat reads and parses /proc/<pid>/stat under procRoot.
func ReadStat(procRoot string, pid int32) (Stat, error) {
	path := filepath.Join(procRoot, strconv.Itoa(int(pid)), "stat")
	b, err := os.ReadFile(path)
	if err != nil {
		return Stat{}, err
	}
	st, err := ParseStat(b)
	if err != nil {
		return Stat{}, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// StatusField returns the value of a "Key:\tvalue" line of the contents of
// /proc/<pid>/status, trimmed.
func StatusField(status []byte, key string) (string, bool) {
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// InnermostPID reads the last NSpid entry (the pid in the process's own
// pid namespace) of the contents of /proc/<pid>/status; 0 if absent.
func InnermostPID(status []byte) int32 {
	v, _ := StatusField(status, "NSpid")
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(f[len(f)-1], 10, 32)
	return int32(n)
}

// EffectiveCaps reads the effective capability set (CapEff) of the
// contents of /proc/<pid>/status.
func EffectiveCaps(status []byte) (uint64, error) {
	v, ok := StatusField(status, "CapEff")
	if !ok {
		return 0, errors.New("no CapEff in status")
	}
	caps, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("CapEff %q: %w", v, err)
	}
	return caps, nil
}

// NSInode returns the inode of a namespace link (/proc/<pid>/ns/mnt:
// "mnt:[4026531841]").
func NSInode(link string) (uint32, error) {
	target, err := os.Readlink(link)
	if err != nil {
		return 0, err
	}
	i, j := strings.IndexByte(target, '['), strings.IndexByte(target, ']')
	if i < 0 || j < i {
		return 0, fmt.Errorf("unexpected namespace link %q", target)
	}
	v, err := strconv.ParseUint(target[i+1:j], 10, 32)
	return uint32(v), err
}

// BootTime is the wall-clock boot time in unix nanoseconds (btime of
// /proc/stat, whole seconds).
func BootTime(procRoot string) (int64, error) {
	f, err := os.Open(filepath.Join(procRoot, "stat"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return s * 1e9, err
		}
	}
	return 0, errors.New("no btime in stat")
}

// PIDs lists the processes under procRoot.
func PIDs(procRoot string) ([]int32, error) {
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	var out []int32
	for _, e := range ents {
		if pid, err := strconv.ParseInt(e.Name(), 10, 32); err == nil && pid > 0 {
			out = append(out, int32(pid))
		}
	}
	return out, nil
}

// Descendants returns the roots and every live descendant, breadth first.
// Processes that vanish while being read are skipped.
func Descendants(procRoot string, roots []uint32) []uint32 {
	children := map[uint32][]uint32{}
	pids, _ := PIDs(procRoot)
	for _, pid := range pids {
		if st, err := ReadStat(procRoot, pid); err == nil {
			children[uint32(st.PPID)] = append(children[uint32(st.PPID)], uint32(pid))
		}
	}
	seen := map[uint32]bool{}
	var out []uint32
	queue := append([]uint32{}, roots...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out
}
