package proctree

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/procfs"
)

// SeedFromProc loads every process under procRoot ("/proc"). Processes
// that vanish while being read are skipped. It returns how many were
// loaded.
func (t *Tree) SeedFromProc(procRoot string) (int, error) {
	pids, err := procfs.PIDs(procRoot)
	if err != nil {
		return 0, fmt.Errorf("seed process tree: %w", err)
	}
	bootNS, _ := procfs.BootTime(procRoot)
	if ns, err := procfs.NSInode(filepath.Join(procRoot, "self", "ns", "pid")); err == nil {
		t.SetSelfPidNS(ns)
	}
	n := 0
	for _, pid := range pids {
		p, err := readProc(procRoot, pid, bootNS)
		if err != nil {
			continue // exited meanwhile, or unreadable
		}
		t.Put(p)
		n++
	}
	return n, nil
}

func readProc(procRoot string, pid int32, bootNS int64) (Process, error) {
	st, err := procfs.ReadStat(procRoot, pid)
	if err != nil {
		return Process{}, err
	}
	p := Process{HostPID: pid, HostPPID: st.PPID, Comm: st.Comm}
	if bootNS != 0 {
		p.StartTime = bootNS + int64(st.StartTicks)*(1e9/procfs.ClockTicks)
	}
	dir := filepath.Join(procRoot, strconv.Itoa(int(pid)))
	if status, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
		p.PID = procfs.InnermostPID(status)
	}
	if ns, err := procfs.NSInode(filepath.Join(dir, "ns", "pid")); err == nil {
		p.PidNS = ns
	}
	return p, nil
}
