package canary

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
)

// childEnv marks the helper process: "PARENT_PID:INTERVAL".
const childEnv = "TRACEE_CANARY_CHILD"

// Name is the helper's process name (comm).
const Name = "tracee-canary"

// Sender is the running helper.
type Sender struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs the helper, sending a marker at once and then every interval.
func Start(interval time.Duration) (*Sender, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("canary interval %s: want > 0", interval)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("canary: own executable: %w", err)
	}
	cmd := &exec.Cmd{
		Path: exe,
		Args: []string{Name},
		Env:  []string{childEnv + "=" + strconv.Itoa(os.Getpid()) + ":" + interval.String(), "GOMAXPROCS=1"},
		SysProcAttr: &syscall.SysProcAttr{
			Pdeathsig: syscall.SIGKILL,
			Setpgid:   true, // a Ctrl-C for tracee-ebpf's group is tracee-ebpf's business
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("canary: start helper: %w", err)
	}
	s := &Sender{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

// Pid is the helper's process id.
func (s *Sender) Pid() int { return s.cmd.Process.Pid }

// Stop kills the helper and waits for it.
func (s *Sender) Stop() {
	if s == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// RunChildIfAsked runs the helper's loop and exits when this process is the
// helper; otherwise it returns at once. Call it first in main.
func RunChildIfAsked() {
	v, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	os.Exit(runChild(v))
}

func runChild(spec string) int {
	pidStr, ivStr, _ := strings.Cut(spec, ":")
	ppid, err := strconv.Atoi(pidStr)
	interval, err2 := time.ParseDuration(ivStr)
	if err != nil || err2 != nil || interval <= 0 {
		fmt.Fprintf(os.Stderr, "%s: bad %s=%q\n", Name, childEnv, spec)
		return 2
	}
	// comm is per thread: name the one thread that sends.
	runtime.LockOSThread()
	if p, err := unix.BytePtrFromString(Name); err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(p)), 0, 0, 0)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for seq := uint64(1); ; seq++ {
		// The parent may have died before Pdeathsig was in place, or it
		// was delivered for the parent's thread only: look every round.
		if os.Getppid() != ppid {
			return 0
		}
		Send(seq, time.Now())
		<-tick.C
	}
}

// Send makes the marker syscall once (from the calling process).
func Send(seq uint64, t time.Time) {
	a := obs.CanaryArgs(seq, t)
	// EINVAL by design: no such prctl operation.
	_, _, _ = unix.Syscall6(unix.SYS_PRCTL, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), 0)
}
