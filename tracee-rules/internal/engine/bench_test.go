package engine

import (
	"math/rand/v2"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

// recordedStream builds a realistic event mix: mostly openat/close/read/mmap
// from many processes, some execs, connects and file opens, and a few attacks
// (about 1 in 500 events).
func recordedStream(n int) []*pb.Event {
	r := rand.New(rand.NewPCG(1, 2))
	evs := make([]*pb.Event, 0, n)
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/u", "LANG=C.UTF-8", "TERM=xterm", "SHELL=/bin/bash", "USER=u"}
	for len(evs) < n {
		pid := int32(1000 + r.IntN(200))
		fd := int64(3 + r.IntN(20))
		var e *pb.Event
		switch p := r.IntN(1000); {
		case p < 300:
			e = sdktest.Ret(sdktest.Event("openat", sdktest.Int("dirfd", -100), sdktest.Str("pathname", "/usr/lib/x86_64-linux-gnu/libc.so.6"), sdktest.Flag("flags", 0o2000000, "O_RDONLY|O_CLOEXEC"), sdktest.Uint("mode", 0)), fd)
		case p < 400:
			e = sdktest.Event("security_file_open", sdktest.Str("pathname", "/etc/passwd"), sdktest.Flag("flags", 0o2000000, "O_RDONLY|O_CLOEXEC"), sdktest.Uint("dev", 2049), sdktest.Uint("inode", 1234), sdktest.Str("syscall_pathname", "/etc/passwd"))
		case p < 600:
			e = sdktest.Event("close", sdktest.Int("fd", fd))
		case p < 800:
			e = sdktest.Ret(sdktest.Event("read", sdktest.Int("fd", fd), sdktest.Uint("buf", 0x7ffd0000), sdktest.Uint("count", 4096)), 4096)
		case p < 950:
			prot := sdktest.Flag("prot", 5, "PROT_READ|PROT_EXEC")
			if r.IntN(2) == 0 {
				prot = sdktest.Flag("prot", 3, "PROT_READ|PROT_WRITE")
			}
			e = sdktest.Ret(sdktest.Event("mmap", sdktest.Uint("addr", 0), sdktest.Uint("length", 8192), prot, sdktest.Flag("flags", 0x22, "MAP_PRIVATE|MAP_ANONYMOUS"), sdktest.Int("fd", -1), sdktest.Uint("offset", 0)), 0x7f0000000000)
		case p < 975:
			e = sdktest.Event("sched_process_exec", sdktest.Str("cmdpath", "/usr/bin/ls"), sdktest.Str("pathname", "/usr/bin/ls"), sdktest.Strs("argv", "ls", "-l"), sdktest.Strs("env", env...), sdktest.Bool("is_memfd", false), sdktest.Bool("is_deleted", false), sdktest.Str("fs_type", "ext4"))
		case p < 990:
			e = sdktest.Event("security_socket_connect", sdktest.Int("sockfd", fd), sdktest.Inet("remote_addr", "10.1.2.3", 443))
		case p < 998:
			e = sdktest.Event("sched_process_exit", sdktest.Int("exit_code", 0), sdktest.Bool("process_group_exit", true))
		default:
			switch r.IntN(4) {
			case 0:
				e = sdktest.Event("ptrace", sdktest.Flag("request", 0, "PTRACE_TRACEME"), sdktest.Int("pid", 0))
			case 1:
				e = sdktest.Ret(sdktest.Event("dup2", sdktest.Int("oldfd", fd), sdktest.Int("newfd", 0)), 0)
			case 2:
				e = sdktest.Event("sched_process_exec", sdktest.Str("cmdpath", "/proc/self/fd/3"), sdktest.Str("pathname", "/memfd:x (deleted)"), sdktest.Bool("is_memfd", true))
			default:
				e = sdktest.Event("finit_module", sdktest.Int("fd", 3), sdktest.Str("param_values", ""), sdktest.Int("flags", 0))
			}
		}
		sdktest.InProcess(e, pid)
		evs = append(evs, e)
	}
	return evs
}

func BenchmarkEngineAllSignatures(b *testing.B) {
	evs := recordedStream(100_000)
	findings := 0
	e, err := New(signatures.All(), func(sdk.Finding) { findings++ })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Dispatch(evs[i%len(evs)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
	if b.N >= len(evs) && findings == 0 {
		b.Fatal("no findings on a stream with attacks")
	}
}

// benchRecorded dispatches the decoded recording (testdata/recorded.pb.gz),
// round and round, through an engine with sigs: one op is one event.
func benchRecorded(b *testing.B, sigs []sdk.Signature) {
	evs := loadRecorded(b)
	findings := 0
	e, err := New(sigs, func(sdk.Finding) { findings++ })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Dispatch(evs[i%len(evs)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
	if b.N >= len(evs) && findings < len(recordedFindings) {
		b.Fatalf("%d findings in a pass over the recording, want at least %d", findings, len(recordedFindings))
	}
}

func BenchmarkEngineRecordedStream(b *testing.B) {
	benchRecorded(b, signatures.All())
}

func BenchmarkEngineRecordedStreamWithRego(b *testing.B) {
	rs, err := rego.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	benchRecorded(b, append(signatures.All(), rs...))
}
