package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestDynamicCodeLoading(t *testing.T) {
	const wx = protWrite | protExec | 1
	mmap := func(prot *pb.Argument) *pb.Event {
		return withSyscall(ret(ev("mmap", uarg("addr", 0), uarg("length", 8192), prot, flag("flags", 0x22, "MAP_PRIVATE|MAP_ANONYMOUS"), iarg("fd", -1), uarg("offset", 0)), 0x7f0000000000), sysMmap)
	}
	mprotect := func(prot *pb.Argument) *pb.Event {
		return withSyscall(ev("mprotect", uarg("addr", 0x7f0000000000), uarg("len", 4096), prot), sysMprotect)
	}
	alert := func(a *pb.Argument, length uint64, sc int32) *pb.Event {
		return withSyscall(ev("mem_prot_alert", a, uarg("addr", 0x7f0000000000), uarg("len", length), flag("prot", 4, "PROT_EXEC"), flag("prev_prot", 7, "PROT_READ|PROT_WRITE|PROT_EXEC"), sarg("pathname", "")), sc)
	}
	alertWXtoX := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 4}, Repr: "Protection changed from W+E to E!"}
	alertMmap := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 1}, Repr: "Mmaped region with W+E permissions!"}
	alertToX := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 2}, Repr: "Protection changed to Executable!"}
	mmapData := map[string]any{"syscall": "mmap", "prot": "PROT_READ|PROT_WRITE|PROT_EXEC", "len": uint64(8192)}

	runCases(t, func() sdk.Signature { return NewDynamicCodeLoading() }, []sigCase{
		{name: "alert W+E to E", events: []*pb.Event{alert(alertWXtoX, 4096, sysMprotect)},
			want: []wantFinding{{0, map[string]any{"alert": "Protection changed from W+E to E!"}}}},
		{name: "alert text only (json)", events: []*pb.Event{alert(repr("alert", "Protection changed from W+E to E!"), 4096, -1)},
			want: []wantFinding{{0, map[string]any{"alert": "Protection changed from W+E to E!"}}}},
		{name: "alert number only", events: []*pb.Event{alert(uarg("alert", 1), 4096, -1)},
			want: []wantFinding{{0, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
		{name: "read-only made executable is not W+E", events: []*pb.Event{withPrevProt(alert(alertToX, 4096, sysMprotect), 1, "PROT_READ")}},
		{name: "writable made executable: the flip", events: []*pb.Event{withPrevProt(alert(alertToX, 4096, sysMprotect), 3, "PROT_READ|PROT_WRITE")},
			want: []wantFinding{{0, map[string]any{"alert": "Protection changed to Executable!", "reason": "writable memory made executable"}}}},
		{name: "RW made RWX: one finding with its mprotect", events: []*pb.Event{mprotect(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")),
			withProt(withPrevProt(alert(alertToX, 4096, sysMprotect), 3, "PROT_READ|PROT_WRITE"), wx, "PROT_READ|PROT_WRITE|PROT_EXEC")},
			want: []wantFinding{{0, map[string]any{"syscall": "mprotect", "prot": "PROT_READ|PROT_WRITE|PROT_EXEC", "len": uint64(4096)}}}},
		{name: "an mremap alias made R-X while another mapping of its pages is RW: the pages are W+E", events: []*pb.Event{
			mprotect(flag("prot", 5, "PROT_READ|PROT_EXEC")),
			withProt(withPrevProt(alert(alertToX, 4096, sysMprotect), 3, "PROT_READ|PROT_WRITE"), wx, "PROT_READ|PROT_WRITE|PROT_EXEC")},
			want: []wantFinding{{1, map[string]any{"alert": "Protection changed to Executable!"}}}},
		{name: "mmap W+E", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC"))}, want: []wantFinding{{0, mmapData}}},
		{name: "mmap W+E repr only", events: []*pb.Event{mmap(repr("prot", "PROT_READ|PROT_WRITE|PROT_EXEC"))}, want: []wantFinding{{0, mmapData}}},
		{name: "mmap R+E (shared library)", events: []*pb.Event{mmap(flag("prot", 5, "PROT_READ|PROT_EXEC"))}},
		{name: "mmap R+W", events: []*pb.Event{mmap(repr("prot", "PROT_READ|PROT_WRITE"))}},
		{name: "failed mmap", events: []*pb.Event{ret(mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), -12)}},
		{name: "mprotect W+E", events: []*pb.Event{mprotect(flag("prot", 6, "PROT_WRITE|PROT_EXEC"))},
			want: []wantFinding{{0, map[string]any{"syscall": "mprotect", "prot": "PROT_WRITE|PROT_EXEC", "len": uint64(4096)}}}},
		{name: "mmap and its alert: one finding", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), alert(alertMmap, 8192, sysMmap)},
			want: []wantFinding{{0, mmapData}}},
		{name: "alert before its mmap: one finding", events: []*pb.Event{alert(alertMmap, 8192, sysMmap), mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC"))},
			want: []wantFinding{{0, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
		{name: "two mmaps, one alert: two findings", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), alert(alertMmap, 8192, sysMmap), mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC"))},
			want: []wantFinding{{0, mmapData}, {2, mmapData}}},
		{name: "alert of another length is not a duplicate", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), alert(alertMmap, 4096, sysMmap)},
			want: []wantFinding{{0, mmapData}, {1, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
	})
}

func withProt(e *pb.Event, prot int64, r string) *pb.Event {
	for i, a := range e.Args {
		if a.GetName() == "prot" {
			e.Args[i] = flag("prot", prot, r)
		}
	}
	return e
}

func withPrevProt(e *pb.Event, prev int64, r string) *pb.Event {
	for i, a := range e.Args {
		if a.GetName() == "prev_prot" {
			e.Args[i] = flag("prev_prot", prev, r)
		}
	}
	return e
}

// The other routes to executable data, JIT runtimes excluded by the
// executable's path (not the process name), and a later real alert after
// an unpaired one.
func TestDynamicCodeLoadingRoutes(t *testing.T) {
	execd := func(pid int32, p string) *pb.Event {
		e := in(ev("sched_process_exec", sarg("pathname", p)), pid)
		e.ProcessName = "node"
		return e
	}
	wxMmap := func(pid int32, ts int64) *pb.Event {
		e := in(withSyscall(ret(ev("mmap", uarg("addr", 0), uarg("length", 4096), flag("prot", 7, "PROT_READ|PROT_WRITE|PROT_EXEC")), 0x7f0000000000), sysMmap), pid)
		e.Timestamp += ts
		return e
	}
	wxAlert := func(pid int32, ts int64) *pb.Event {
		e := in(withSyscall(ev("mem_prot_alert", &pb.Argument{Name: "alert", Value: &pb.Argument_Uint{Uint: 1}, Repr: "Mmaped region with W+E permissions!"},
			uarg("len", 4096), flag("prev_prot", 0, "")), sysMmap), pid)
		e.Timestamp += ts
		return e
	}
	mmapData := map[string]any{"syscall": "mmap", "prot": "PROT_READ|PROT_WRITE|PROT_EXEC", "len": uint64(4096)}
	sharedToW := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 5}, Repr: "Shared file mapping made writable!"}
	runCases(t, func() sdk.Signature { return NewDynamicCodeLoading() }, []sigCase{
		{name: "memfd mapped RW shared, then R-X", events: []*pb.Event{
			ev("security_mmap_file", sarg("pathname", "memfd:jit"), iarg("flags", 1), uarg("dev", 1), uarg("inode", 9), flag("prot", 3, "PROT_READ|PROT_WRITE")),
			ev("security_mmap_file", sarg("pathname", "memfd:jit"), iarg("flags", 1), uarg("dev", 1), uarg("inode", 9), flag("prot", 5, "PROT_READ|PROT_EXEC")),
			ev("security_mmap_file", sarg("pathname", "memfd:jit"), iarg("flags", 1), uarg("dev", 1), uarg("inode", 9), flag("prot", 5, "PROT_READ|PROT_EXEC"))},
			want: []wantFinding{{1, map[string]any{"reason": "one file mapped shared-writable and executable", "pathname": "memfd:jit", "prot": "PROT_READ|PROT_EXEC"}}}},
		{name: "a /dev/shm object mapped R-X, then RW shared", events: []*pb.Event{
			ev("security_mmap_file", sarg("pathname", "/dev/shm/x"), iarg("flags", 1), uarg("dev", 22), uarg("inode", 5), flag("prot", 5, "PROT_READ|PROT_EXEC")),
			ev("security_mmap_file", sarg("pathname", "/dev/shm/x"), iarg("flags", 1), uarg("dev", 22), uarg("inode", 5), flag("prot", 3, "PROT_READ|PROT_WRITE"))},
			want: []wantFinding{{1, map[string]any{"reason": "one file mapped shared-writable and executable", "pathname": "/dev/shm/x", "prot": "PROT_READ|PROT_WRITE"}}}},
		{name: "MAP_SHARED_VALIDATE is shared too", events: []*pb.Event{
			ev("security_mmap_file", sarg("pathname", "/dev/shm/v"), flag("flags", 3, "MAP_SHARED_VALIDATE"), uarg("dev", 22), uarg("inode", 6), flag("prot", 3, "PROT_READ|PROT_WRITE")),
			ev("security_mmap_file", sarg("pathname", "/dev/shm/v"), flag("flags", 2, "MAP_PRIVATE"), uarg("dev", 22), uarg("inode", 6), flag("prot", 5, "PROT_READ|PROT_EXEC"))},
			want: []wantFinding{{1, map[string]any{"reason": "one file mapped shared-writable and executable", "pathname": "/dev/shm/v", "prot": "PROT_READ|PROT_EXEC"}}}},
		{name: "a file mapped R-X, then a read-only shared mapping of it made writable by mprotect", events: []*pb.Event{
			ev("security_mmap_file", sarg("pathname", "/tmp/c"), iarg("flags", 1), uarg("dev", 8), uarg("inode", 4), flag("prot", 5, "PROT_READ|PROT_EXEC")),
			withSyscall(ev("mem_prot_alert", sharedToW, uarg("addr", 0x7f0000000000), uarg("len", 4096), flag("prot", 3, "PROT_READ|PROT_WRITE"),
				iarg("prev_prot", 0), sarg("pathname", "/tmp/c"), uarg("dev", 8), uarg("inode", 4)), sysMprotect)},
			want: []wantFinding{{1, map[string]any{"reason": "one file mapped shared-writable and executable", "pathname": "/tmp/c", "prot": "PROT_READ|PROT_WRITE"}}}},
		{name: "a shared mapping made writable, then the file mapped R-X", events: []*pb.Event{
			withSyscall(ev("mem_prot_alert", sharedToW, uarg("addr", 0x7f0000000000), uarg("len", 4096), flag("prot", 3, "PROT_READ|PROT_WRITE"),
				iarg("prev_prot", 0), sarg("pathname", "/tmp/c"), uarg("dev", 8), uarg("inode", 4)), sysPkeyMprotect),
			ev("security_mmap_file", sarg("pathname", "/tmp/c"), iarg("flags", 2), uarg("dev", 8), uarg("inode", 4), flag("prot", 5, "PROT_READ|PROT_EXEC"))},
			want: []wantFinding{{1, map[string]any{"reason": "one file mapped shared-writable and executable", "pathname": "/tmp/c", "prot": "PROT_READ|PROT_EXEC"}}}},
		{name: "a shared mapping made writable, no executable mapping of its file", events: []*pb.Event{
			withSyscall(ev("mem_prot_alert", sharedToW, uarg("addr", 0x7f0000000000), uarg("len", 4096), flag("prot", 3, "PROT_READ|PROT_WRITE"),
				iarg("prev_prot", 0), sarg("pathname", "/tmp/db"), uarg("dev", 8), uarg("inode", 4)), sysMprotect),
			ev("security_mmap_file", sarg("pathname", "/lib/libc.so.6"), iarg("flags", 2), uarg("dev", 8), uarg("inode", 7), flag("prot", 5, "PROT_READ|PROT_EXEC"))}},
		{name: "one file mapped RW shared by one process, R-X by another", events: []*pb.Event{
			ev("security_mmap_file", sarg("pathname", "/tmp/f"), iarg("flags", 1), uarg("dev", 8), uarg("inode", 5), flag("prot", 3, "PROT_READ|PROT_WRITE")),
			in(ev("security_mmap_file", sarg("pathname", "/tmp/f"), iarg("flags", 1), uarg("dev", 8), uarg("inode", 5), flag("prot", 5, "PROT_READ|PROT_EXEC")), 7)}},
		{name: "a library: private writable data and executable text", events: []*pb.Event{
			ev("security_mmap_file", sarg("pathname", "/lib/libc.so.6"), iarg("flags", 2), uarg("dev", 1), uarg("inode", 7), flag("prot", 3, "PROT_READ|PROT_WRITE")),
			ev("security_mmap_file", sarg("pathname", "/lib/libc.so.6"), iarg("flags", 2), uarg("dev", 1), uarg("inode", 7), flag("prot", 5, "PROT_READ|PROT_EXEC"))}},
		{name: "two files", events: []*pb.Event{
			ev("security_mmap_file", iarg("flags", 1), uarg("dev", 1), uarg("inode", 9), flag("prot", 3, "PROT_READ|PROT_WRITE")),
			ev("security_mmap_file", iarg("flags", 1), uarg("dev", 1), uarg("inode", 10), flag("prot", 5, "PROT_READ|PROT_EXEC"))}},
		{name: "READ_IMPLIES_EXEC", events: []*pb.Event{ev("personality", uarg("personality", 0x0400000))},
			want: []wantFinding{{0, map[string]any{"syscall": "personality", "persona": uint64(0x0400000), "reason": "READ_IMPLIES_EXEC"}}}},
		{name: "personality query", events: []*pb.Event{ev("personality", uarg("personality", 0xffffffff))}},
		{name: "shmat SHM_EXEC", events: []*pb.Event{ret(ev("shmat", iarg("shmid", 1), iarg("shmflg", 0o100000)), 0x7f0000000000)},
			want: []wantFinding{{0, map[string]any{"syscall": "shmat", "shmflg": int64(0o100000), "reason": "SHM_EXEC"}}}},
		{name: "shmat read-only", events: []*pb.Event{ev("shmat", iarg("shmid", 1), iarg("shmflg", 0o10000))}},
		{name: "node by path is a JIT", events: []*pb.Event{execd(5, "/usr/bin/node"), wxMmap(5, 0)}},
		{name: "java by path pattern, and its threads' forks", events: []*pb.Event{execd(5, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"),
			in(ev("sched_process_fork", iarg("child_pid", 6)), 5), wxMmap(6, 0)}},
		{name: "a program named node elsewhere is not excluded", events: []*pb.Event{execd(5, "/tmp/node"), wxMmap(5, 0)},
			want: []wantFinding{{1, mmapData}}},
		{name: "a later alert of another mmap is reported", events: []*pb.Event{wxMmap(5, 0), wxAlert(5, 0), wxAlert(5, 2e9)},
			want: []wantFinding{{0, mmapData}, {2, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
	})
}
