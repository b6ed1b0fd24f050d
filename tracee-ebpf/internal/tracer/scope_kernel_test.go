package tracer

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/decode"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/policy"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// startScoped loads the real probes for the named events with the kernel
// scope of the given scope expressions (one policy's spec.scope). No
// user-space matcher runs: the collector sees what the kernel let through.
func startScoped(t *testing.T, scope []string, names ...string) *collector {
	t.Helper()
	yaml := "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: scoped}\nspec:\n  scope:\n"
	for _, e := range scope {
		yaml += fmt.Sprintf("    - %q\n", e)
	}
	yaml += "  rules:\n"
	for _, n := range names {
		yaml += "    - event: " + n + "\n"
	}
	c, _, _ := startPolicies(t, yaml, policyScopes)
	return c
}

// exeFiles makes, in a temp dir, a copy of /bin/true, a hard link to the
// copy and a symlink to the copy; it returns the original and the three.
func exeFiles(t *testing.T) (orig, cp, hard, sym string) {
	t.Helper()
	orig, err := filepath.EvalSymlinks("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cp, hard, sym = filepath.Join(dir, "true-copy"), filepath.Join(dir, "true-hard"), filepath.Join(dir, "true-sym")
	in, err := os.Open(orig)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(cp, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(cp, hard); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cp, sym); err != nil {
		t.Fatal(err)
	}
	return orig, cp, hard, sym
}

// run runs each program and returns their pids.
func run(t *testing.T, progs ...string) []int32 {
	t.Helper()
	var pids []int32
	for _, p := range progs {
		cmd := exec.Command(p)
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		pids = append(pids, int32(cmd.Process.Pid))
	}
	return pids
}

// pidsOf: the processes that sent an event with the name, among pids.
func (c *collector) pidsOf(name string, pids []int32) []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int32
	for _, e := range c.evs {
		if e.EventName == name && slices.Contains(pids, e.HostProcessId) && !slices.Contains(out, e.HostProcessId) {
			out = append(out, e.HostProcessId)
		}
	}
	slices.Sort(out)
	return out
}

// executable=: the kernel passes the processes running the named file
// (named here through a symlink), whatever link ran it, and drops a copy
// of it and the original it was copied from.
func TestKernelExecutableScopeEqual(t *testing.T) {
	orig, cp, hard, sym := exeFiles(t)
	c := startScoped(t, []string{"executable=" + sym}, "sched_process_exec", "openat")
	pids := run(t, orig, cp, hard, sym, orig)
	want := slices.Clone(pids[1:4])
	slices.Sort(want)
	c.waitFor(t, "exec of the symlink", func(e *pb.Event) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessId == pids[3]
	})
	time.Sleep(200 * time.Millisecond)
	for _, ev := range []string{"sched_process_exec", "openat"} {
		if got := c.pidsOf(ev, pids); !slices.Equal(got, want) {
			t.Errorf("%s from %v, want from the copy, its hard link and its symlink %v (not the original's %d, %d)", ev, got, want, pids[0], pids[4])
		}
	}
	if e := c.find(func(e *pb.Event) bool { return e.HostProcessId == int32(os.Getpid()) }); e != nil {
		t.Errorf("an event of the test process (another executable): %s", e.EventName)
	}
}

// executable!=: every process but those running the named file (here, this
// test's descendants, with tree=).
func TestKernelExecutableScopeNotEqual(t *testing.T) {
	orig, cp, hard, sym := exeFiles(t)
	c := startScoped(t, []string{"executable!=" + hard, "tree=" + strconv.Itoa(os.Getpid())}, "sched_process_exec")
	pids := run(t, cp, orig, sym, orig)
	c.waitFor(t, "exec of the original", func(e *pb.Event) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessId == pids[3]
	})
	time.Sleep(200 * time.Millisecond)
	want := []int32{pids[1], pids[3]}
	slices.Sort(want)
	if got := c.pidsOf("sched_process_exec", pids); !slices.Equal(got, want) {
		t.Errorf("execs of %v, want only the original's %v", got, want)
	}
}

// A process that was running its executable before tracing started is
// scoped too (the kernel reads what it runs from its mm the first time).
func TestKernelExecutableScopeRunningBefore(t *testing.T) {
	testutil.RequirePrivileged(t)
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sh)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shCopy := filepath.Join(dir, "sh-copy")
	if err := os.WriteFile(shCopy, data, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "marker")
	// both shells wait for a line, then open the marker file
	script := "read l; : < " + marker
	start := func(prog string) (*exec.Cmd, io.WriteCloser) {
		cmd := exec.Command(prog, "-c", script)
		w, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, w
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	copied, w1 := start(shCopy)
	original, w2 := start(sh)
	time.Sleep(100 * time.Millisecond) // both exec'd before the probes load
	c := startScoped(t, []string{"executable=" + shCopy}, "openat")
	for _, w := range []io.WriteCloser{w1, w2} {
		w.Write([]byte("go\n"))
		w.Close()
	}
	for _, cmd := range []*exec.Cmd{copied, original} {
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	opened := func(pid int) func(e *pb.Event) bool {
		return func(e *pb.Event) bool {
			return e.EventName == "openat" && int(e.HostProcessId) == pid && arg(e, "pathname").GetStr() == marker
		}
	}
	c.waitFor(t, "the copied shell's open of the marker", opened(copied.Process.Pid))
	time.Sleep(200 * time.Millisecond)
	if e := c.find(opened(original.Process.Pid)); e != nil {
		t.Errorf("the original shell (pid %d) passed executable=%s", original.Process.Pid, shCopy)
	}
}

// startPolicies loads the real probes for the policies (YAML) with the
// kernel scope that scope makes of them and their kernel data filters (all
// of which must run in the kernel). The collector records each event with
// the kernel's policy bitmap and filters nothing in user space.
func startPolicies(t *testing.T, yaml string, scope func(*testing.T, *policy.Set) probes.Scope) (*collector, *probes.Probes, *policy.Set) {
	t.Helper()
	testutil.RequirePrivileged(t)
	pols, err := policy.Parse([]byte(yaml), "test.yaml", filter.EventTable{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.NewSet(pols, nil)
	if err != nil {
		t.Fatal(err)
	}
	dfs, where, err := DataFilters(set, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range where {
		if !strings.HasSuffix(w, ": kernel") {
			t.Fatalf("filter not in the kernel: %s", w)
		}
	}
	feat := probes.ProbeFeatures()
	sel, err := Select(set.Events, feat, SelectionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wanted := map[events.ID]bool{}
	for _, id := range set.Events {
		wanted[id] = true
	}
	p, err := probes.Load(probes.Options{
		Selected: sel.Selected, ArgKinds: sel.ArgKinds, Emit: sel.Emit, Scope: scope(t, set), WakeupBytes: 1, DataFilters: dfs,
	}, feat)
	if err != nil {
		t.Fatal(err)
	}
	return runTracer(t, p, wanted), p, set
}

// policyScopes is the policies' own scopes, as tracee-ebpf loads them.
func policyScopes(t *testing.T, set *policy.Set) probes.Scope {
	t.Helper()
	start, err := decode.Monotonic()
	if err != nil {
		t.Fatal(err)
	}
	s, err := KernelScopes(set.Kernels(), 0, start)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Two policies with different scopes (comm= and uid=), both limited to this
// test's descendants: every event that reaches user space carries the
// bitmap of the policies whose scope holds and which select the event; an
// event that no policy in scope selects, or of a process no policy's scope
// holds for, is dropped in the kernel (nothing here filters in user space).
func TestKernelPerPolicyScopes(t *testing.T) {
	const uid = 4242
	dir, err := os.MkdirTemp("", "scope-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cat, err := os.ReadFile("/bin/cat")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"cata", "catb"} {
		if err := os.WriteFile(filepath.Join(dir, n), cat, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tree := strconv.Itoa(os.Getpid())
	c, p, set := startPolicies(t, `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: by-comm}
spec:
  scope: [comm=cata, tree=`+tree+`]
  rules:
    - event: openat
      filters: [data.pathname=`+dir+`/*]
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: by-uid}
spec:
  scope: [uid=`+strconv.Itoa(uid)+`, tree=`+tree+`]
  rules:
    - event: openat
      filters: [data.pathname=`+dir+`/*]
    - event: close
`, policyScopes)
	st0, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	runAs := func(prog string, asUID bool) int32 {
		cmd := exec.Command(filepath.Join(dir, prog), target)
		if asUID {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", prog, err, out)
		}
		return int32(cmd.Process.Pid)
	}
	rootA, userA, userB, rootB := runAs("cata", false), runAs("cata", true), runAs("catb", true), runAs("catb", false)
	last := runAs("cata", true)
	c.waitFor(t, "the last run's open", func(e *pb.Event) bool { return e.EventName == "openat" && e.HostProcessId == last })
	time.Sleep(200 * time.Millisecond)
	st1, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}

	// each process's events and their bitmaps, as the ring delivered them
	type key struct {
		pid  int32
		name string
	}
	got := map[key][]uint64{}
	c.mu.Lock()
	for i, e := range c.evs {
		k := key{e.HostProcessId, e.EventName}
		if !slices.Contains(got[k], c.bits[i]) {
			got[k] = append(got[k], c.bits[i])
		}
	}
	c.mu.Unlock()
	const byComm, byUID = 1, 2
	want := map[key][]uint64{
		{rootA, "openat"}: {byComm},         // comm=cata only
		{userA, "openat"}: {byComm | byUID}, // both
		{userA, "close"}:  {byUID},          // by-comm does not select close
		{userB, "openat"}: {byUID},          // uid only
		{userB, "close"}:  {byUID},
		{last, "openat"}:  {byComm | byUID},
		{last, "close"}:   {byUID},
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("pid %d %s: bitmaps %b, want %b", k.pid, k.name, got[k], w)
		}
	}
	for k, b := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("pid %d %s reached user space (bitmaps %b): no policy in scope selects it", k.pid, k.name, b)
		}
	}
	for _, k := range []key{{rootA, "close"}, {rootB, "openat"}, {rootB, "close"}} {
		if len(got[k]) > 0 {
			t.Errorf("pid %d %s reached user space", k.pid, k.name)
		}
	}
	if st1.Filtered <= st0.Filtered {
		t.Errorf("the kernel's filtered counter did not move (%d -> %d)", st0.Filtered, st1.Filtered)
	}
	// user space names the policies from the bitmap
	ev := c.find(func(e *pb.Event) bool { return e.EventName == "openat" && e.HostProcessId == userA })
	if ev == nil || !set.Match(ev, byComm|byUID) || !slices.Equal(ev.MatchedPolicies, []string{"by-comm", "by-uid"}) {
		t.Errorf("matchedPolicies of the user's cata open: %v", ev.GetMatchedPolicies())
	}
}

// 64 policies, each with its own scope, in the kernel: the event of a
// process in the scope of the last two (comm= and uid<) carries exactly
// bits 62 and 63; uid> of policy 61 leaves it out.
func TestKernelSixtyFourPolicyScopes(t *testing.T) {
	dir, err := os.MkdirTemp("", "scope64-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cat, err := os.ReadFile("/bin/cat")
	if err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "cat63")
	if err := os.WriteFile(prog, cat, 0o755); err != nil {
		t.Fatal(err)
	}
	tree := "tree=" + strconv.Itoa(os.Getpid())
	var yaml strings.Builder
	for i := 0; i < policy.MaxPolicies; i++ {
		scope := fmt.Sprintf("comm=zz%d", i)
		switch i {
		case 61:
			scope = `"uid>0"`
		case 62:
			scope = `"uid<1"`
		case 63:
			scope = "comm=cat63"
		}
		if i > 0 {
			yaml.WriteString("---\n")
		}
		fmt.Fprintf(&yaml, "apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: p%02d}\nspec:\n  scope: [%s, %s]\n  rules: [{event: openat, filters: [data.pathname=%s/*]}]\n", i, scope, tree, dir)
	}
	c, _, set := startPolicies(t, yaml.String(), policyScopes)
	if len(set.Policies) != 64 {
		t.Fatalf("%d policies", len(set.Policies))
	}
	cmd := exec.Command(prog, prog)
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := int32(cmd.Process.Pid)
	c.waitFor(t, "cat63's open of itself", func(e *pb.Event) bool { return e.EventName == "openat" && e.HostProcessId == pid })
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.evs {
		if e.EventName == "openat" && e.HostProcessId == pid && c.bits[i] != 1<<62|1<<63 {
			t.Errorf("bitmap %064b, want bits 62 and 63", c.bits[i])
		}
	}
}
