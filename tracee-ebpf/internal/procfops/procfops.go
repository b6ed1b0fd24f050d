package procfops

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

// Hook is the on-demand hook this package runs.
const Hook = "proc_fops_check"

// Runner runs an on-demand hook (probes.Probes).
type Runner interface {
	Run(hook string, args []uint64) (uint32, error)
}

// Expected resolves, from kallsyms, the address each of
// abi.ProcFopsPointers must hold, in that order. A symbol missing,
// listed with two addresses, or shown as 0 (kptr_restrict without
// CAP_SYSLOG) is an error naming it.
func Expected(kallsyms io.Reader) ([]uint64, error) {
	want := map[string]int{}
	for i, p := range abi.ProcFopsPointers {
		want[p.Symbol] = i
	}
	out := make([]uint64, len(abi.ProcFopsPointers))
	seen := make([]bool, len(out))
	sc := bufio.NewScanner(kallsyms)
	for sc.Scan() {
		// "ffffffff8177b070 t proc_root_readdir" (a module's has "\t[mod]")
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		i, ok := want[f[2]]
		if !ok || (f[1] != "t" && f[1] != "T") {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("kallsyms: address of %s: %w", f[2], err)
		}
		if seen[i] && out[i] != addr {
			return nil, fmt.Errorf("kallsyms: %s listed twice (%#x, %#x): ambiguous", f[2], out[i], addr)
		}
		out[i], seen[i] = addr, true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read kallsyms: %w", err)
	}
	for i, p := range abi.ProcFopsPointers {
		switch {
		case !seen[i]:
			return nil, fmt.Errorf("kallsyms: no text symbol %s", p.Symbol)
		case out[i] == 0:
			return nil, fmt.Errorf("kallsyms: %s shows address 0 (kptr_restrict hides addresses without CAP_SYSLOG)", p.Symbol)
		}
	}
	return out, nil
}

// ParseOverride parses the test-only SYMBOL=ADDRESS (hex with 0x, or
// decimal) that replaces an expected address.
func ParseOverride(s string) (string, uint64, error) {
	sym, val, ok := strings.Cut(s, "=")
	if !ok {
		return "", 0, fmt.Errorf("proc fops override %q: want SYMBOL=ADDRESS", s)
	}
	known := false
	for _, p := range abi.ProcFopsPointers {
		known = known || p.Symbol == sym
	}
	if !known {
		return "", 0, fmt.Errorf("proc fops override %q: %s is not one of the checked functions", s, sym)
	}
	addr, err := strconv.ParseUint(val, 0, 64)
	if err != nil {
		return "", 0, fmt.Errorf("proc fops override %q: address: %w", s, err)
	}
	return sym, addr, nil
}

// Checker holds the fds the check reads and the expected addresses.
type Checker struct {
	run        Runner
	root, self *os.File
	args       []uint64
	log        io.Writer
	Runs       atomic.Uint64 // checks made
	Hooked     atomic.Uint64 // checks that found a mismatch (each one emitted)
	Failed     atomic.Uint64 // checks that could not compare or emit
}

// New opens procRoot and procRoot/self and resolves the expected
// addresses from kallsyms, then applies override (test-only: symbol ->
// address).
func New(run Runner, procRoot, kallsyms string, override map[string]uint64, log io.Writer) (*Checker, error) {
	kf, err := os.Open(kallsyms)
	if err != nil {
		return nil, fmt.Errorf("hooked_proc_fops: %w", err)
	}
	exp, err := Expected(kf)
	kf.Close()
	if err != nil {
		return nil, fmt.Errorf("hooked_proc_fops: %w", err)
	}
	for i, p := range abi.ProcFopsPointers {
		if a, ok := override[p.Symbol]; ok {
			exp[i] = a
		}
	}
	c := &Checker{run: run, log: log}
	if c.root, err = os.Open(procRoot); err != nil {
		return nil, fmt.Errorf("hooked_proc_fops: %w", err)
	}
	if c.self, err = os.Open(procRoot + "/self"); err != nil {
		c.root.Close()
		return nil, fmt.Errorf("hooked_proc_fops: %w", err)
	}
	c.args = make([]uint64, abi.ProcFopsCtxExpected+len(exp))
	c.args[abi.ProcFopsCtxRootFd] = uint64(c.root.Fd())
	c.args[abi.ProcFopsCtxPidFd] = uint64(c.self.Fd())
	copy(c.args[abi.ProcFopsCtxExpected:], exp)
	return c, nil
}

// Check runs the program once. It returns the mismatch bits (bit i:
// abi.ProcFopsPointers[i]; the program has emitted hooked_proc_fops for
// them) and an error when it could not compare or emit.
func (c *Checker) Check() (uint32, error) {
	c.Runs.Add(1)
	ret, err := c.run.Run(Hook, c.args)
	if err != nil {
		c.Failed.Add(1)
		return 0, err
	}
	hooked := ret & (1<<len(abi.ProcFopsPointers) - 1)
	if hooked != 0 {
		c.Hooked.Add(1)
	}
	var errs []error
	if ret&abi.ProcFopsReadFailed != 0 {
		errs = append(errs, errors.New("a kernel read failed"))
	}
	if ret&abi.ProcFopsNoFile != 0 {
		errs = append(errs, errors.New("an fd of /proc did not resolve to a file"))
	}
	if ret&abi.ProcFopsNoRecord != 0 {
		errs = append(errs, errors.New("no record for the event: the mismatch was not emitted"))
	}
	if len(errs) > 0 {
		c.Failed.Add(1)
		return hooked, fmt.Errorf("hooked_proc_fops check: %w", errors.Join(errs...))
	}
	return hooked, nil
}

// Start checks now and then every interval until ctx ends or stop is
// called; failures are written to the log. The fds are closed on stop.
func (c *Checker) Start(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			if _, err := c.Check(); err != nil {
				fmt.Fprintf(c.log, "tracee-ebpf: %v\n", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		c.Close()
	}
}

// Close closes the fds.
func (c *Checker) Close() {
	c.root.Close()
	c.self.Close()
}
