package canary

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
)

// childEnv marks the helper process: "PARENT_PID:INTERVAL:NONCE".
const childEnv = "TRACEE_CANARY_CHILD"

// Name is the helper's process name (comm).
const Name = "tracee-canary"

// Sender keeps the helper running.
type Sender struct {
	exe      string
	interval time.Duration
	nonce    uint64
	log      io.Writer

	mu       sync.Mutex
	cmd      *exec.Cmd
	stopping bool
	done     chan struct{} // closed when the supervisor has ended
}

// restartDelay is the pause before a helper that died is started again.
const restartDelay = time.Second

// Start runs the helper, sending a marker with nonce at once and then every
// interval. A helper that dies (killed, out of memory) is started again
// after a second, said on log; meanwhile the markers stop, as /healthz
// shows.
func Start(interval time.Duration, nonce uint64, log io.Writer) (*Sender, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("canary interval %s: want > 0", interval)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("canary: own executable: %w", err)
	}
	s := &Sender{exe: exe, interval: interval, nonce: nonce, log: log, done: make(chan struct{})}
	s.mu.Lock()
	cmd, err := s.spawnLocked()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	go s.supervise(cmd)
	return s, nil
}

// spawnLocked starts a helper; s.mu is held (so Stop sees every helper).
func (s *Sender) spawnLocked() (*exec.Cmd, error) {
	cmd := &exec.Cmd{
		Path: s.exe,
		Args: []string{Name},
		Env: []string{
			fmt.Sprintf("%s=%d:%s:%d", childEnv, os.Getpid(), s.interval, s.nonce),
			"GOMAXPROCS=1",
		},
		SysProcAttr: &syscall.SysProcAttr{
			Pdeathsig: syscall.SIGKILL,
			Setpgid:   true, // a Ctrl-C for tracee-ebpf's group is tracee-ebpf's business
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("canary: start helper: %w", err)
	}
	s.cmd = cmd
	return cmd, nil
}

func (s *Sender) supervise(cmd *exec.Cmd) {
	defer close(s.done)
	for {
		err := cmd.Wait()
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if stopping {
			return
		}
		fmt.Fprintf(s.log, "tracee-ebpf: detection canary helper %d ended (%v); starting it again in %s\n", cmd.Process.Pid, err, restartDelay)
		time.Sleep(restartDelay)
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			return
		}
		cmd, err = s.spawnLocked()
		s.mu.Unlock()
		if err != nil {
			fmt.Fprintf(s.log, "tracee-ebpf: %v; the detection canary stays off\n", err)
			return
		}
	}
}

// Pid is the current helper's process id.
func (s *Sender) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid
}

// Stop kills the helper and waits for it.
func (s *Sender) Stop() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.stopping = true
	_ = s.cmd.Process.Kill()
	s.mu.Unlock()
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
	f := strings.Split(spec, ":")
	if len(f) != 3 {
		fmt.Fprintf(os.Stderr, "%s: bad %s=%q\n", Name, childEnv, spec)
		return 2
	}
	ppid, err := strconv.Atoi(f[0])
	interval, err2 := time.ParseDuration(f[1])
	nonce, err3 := strconv.ParseUint(f[2], 10, 64)
	if err != nil || err2 != nil || err3 != nil || interval <= 0 {
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
		Send(seq, time.Now(), nonce)
		<-tick.C
	}
}

// Send makes the marker syscall once (from the calling process).
func Send(seq uint64, t time.Time, nonce uint64) {
	a := obs.CanaryArgs(seq, t, nonce)
	// EINVAL by design: no such prctl operation.
	_, _, _ = unix.Syscall6(unix.SYS_PRCTL, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), 0)
}
