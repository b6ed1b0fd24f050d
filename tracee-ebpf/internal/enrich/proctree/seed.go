package proctree

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

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat start times (100 on
// every Linux architecture tracee-ebpf supports).
const clockTicks = 100

// SeedFromProc loads every process under procRoot ("/proc"). Processes
// that vanish while being read are skipped. It returns how many were
// loaded.
func (t *Tree) SeedFromProc(procRoot string) (int, error) {
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return 0, fmt.Errorf("seed process tree: %w", err)
	}
	bootNS, _ := bootTime(procRoot)
	if ns, err := nsInode(filepath.Join(procRoot, "self", "ns", "pid")); err == nil {
		t.SetSelfPidNS(ns)
	}
	n := 0
	for _, e := range ents {
		pid, err := strconv.ParseInt(e.Name(), 10, 32)
		if err != nil || pid <= 0 {
			continue
		}
		p, err := readProc(filepath.Join(procRoot, e.Name()), int32(pid), bootNS)
		if err != nil {
			continue // exited meanwhile, or unreadable
		}
		t.Put(p)
		n++
	}
	return n, nil
}

func bootTime(procRoot string) (int64, error) {
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

func nsInode(link string) (uint32, error) {
	target, err := os.Readlink(link)
	if err != nil {
		return 0, err
	}
	// "pid:[4026531836]"
	i, j := strings.IndexByte(target, '['), strings.IndexByte(target, ']')
	if i < 0 || j < i {
		return 0, fmt.Errorf("unexpected namespace link %q", target)
	}
	v, err := strconv.ParseUint(target[i+1:j], 10, 32)
	return uint32(v), err
}

// parseStat reads comm, ppid and start time (ticks since boot) from the
// contents of /proc/<pid>/stat.
func parseStat(b []byte) (comm string, ppid int32, start uint64, err error) {
	open, close := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || close < open {
		return "", 0, 0, errors.New("malformed stat: no comm")
	}
	comm = string(b[open+1 : close])
	f := strings.Fields(string(b[close+1:]))
	// f[0] is field 3 (state); ppid is field 4, starttime field 22.
	if len(f) < 20 {
		return "", 0, 0, errors.New("malformed stat: too few fields")
	}
	pp, err := strconv.ParseInt(f[1], 10, 32)
	if err != nil {
		return "", 0, 0, fmt.Errorf("malformed stat ppid: %w", err)
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return "", 0, 0, fmt.Errorf("malformed stat starttime: %w", err)
	}
	return comm, int32(pp), start, nil
}

// innermostPid reads the last NSpid entry of /proc/<pid>/status.
func innermostPid(status []byte) int32 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.ParseInt(f[len(f)-1], 10, 32)
			return int32(n)
		}
	}
	return 0
}

func readProc(dir string, pid int32, bootNS int64) (Process, error) {
	st, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return Process{}, err
	}
	comm, ppid, start, err := parseStat(st)
	if err != nil {
		return Process{}, fmt.Errorf("%s: %w", dir, err)
	}
	p := Process{HostPID: pid, HostPPID: ppid, Comm: comm}
	if bootNS != 0 {
		p.StartTime = bootNS + int64(start)*(1e9/clockTicks)
	}
	if status, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
		p.PID = innermostPid(status)
	}
	if ns, err := nsInode(filepath.Join(dir, "ns", "pid")); err == nil {
		p.PidNS = ns
	}
	return p, nil
}
