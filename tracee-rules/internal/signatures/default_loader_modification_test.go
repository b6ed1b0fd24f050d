package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestDefaultLoaderModification(t *testing.T) {
	const ld = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
	runCases(t, func() sdkSig { return NewDefaultLoaderModification() }, []sigCase{
		{name: "glibc loader written", events: []*pb.Event{open(ld, 2, "O_RDWR")},
			want: []wantFinding{{0, map[string]any{"pathname": ld, "flags": "O_RDWR"}}}},
		{name: "musl loader in container", events: []*pb.Event{ctr(open("/lib/ld-musl-x86_64.so.1", 1, "O_WRONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/lib/ld-musl-x86_64.so.1", "flags": "O_WRONLY"}}}},
		{name: "old versioned name", events: []*pb.Event{open("/lib/x86_64-linux-gnu/ld-2.31.so", 1, "O_WRONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": "/lib/x86_64-linux-gnu/ld-2.31.so", "flags": "O_WRONLY"}}}},
		{name: "renamed onto the loader", events: []*pb.Event{ren("/tmp/evil", ld)},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/evil", "new_path": ld}}}},
		{name: "dpkg installing libc6", events: []*pb.Event{comm(ren(ld+".dpkg-new", ld), "dpkg")}},
		{name: "dpkg's convention by another process", events: []*pb.Event{comm(ren(ld+".dpkg-new", ld), "cp")},
			want: []wantFinding{{0, map[string]any{"old_path": ld + ".dpkg-new", "new_path": ld}}}},
		{name: "the loader renamed away is not a modification", events: []*pb.Event{ren(ld, "/tmp/ld")}},
		{name: "loader read by every exec", events: []*pb.Event{open(ld, 0x80000, "O_RDONLY|O_CLOEXEC")}},
		{name: "another library written (package manager)", events: []*pb.Event{open("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 0o1101, "O_WRONLY|O_CREAT|O_TRUNC")}},
		{name: "a file called like the loader elsewhere", events: []*pb.Event{open("/tmp/ld-linux-x86-64.so.2", 1, "O_WRONLY")}},
		{name: "linker script", events: []*pb.Event{open("/usr/lib/ldscripts/elf_x86_64.x", 1, "O_WRONLY")}},
	})
}
