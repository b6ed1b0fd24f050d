package tracer

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// TestKernelFsmount mounts a tmpfs through the new mount API (fsopen,
// fsconfig source, fsmount; the mount stays detached and goes with its fd)
// and checks security_fsmount carries the mount's source and type. mount(2)
// is the other route (security_sb_mount); this one never calls it. Both
// builds.
func TestKernelFsmount(t *testing.T) {
	for _, rawTp := range []bool{false, true} {
		name := "tp_btf"
		if rawTp {
			name = "raw_tracepoint"
		}
		t.Run(name, func(t *testing.T) {
			testutil.RequirePrivileged(t)
			feat := probes.ProbeFeatures()
			if rawTp {
				feat.Have[probes.FacilityTpBtf] = false
			}
			c := startTracingWith(t, feat, "security_fsmount")
			src := "/dev/tracee-fsmount-" + name
			fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
			if err != nil {
				t.Fatalf("fsopen: %v", err)
			}
			defer unix.Close(fsfd)
			if err := unix.FsconfigSetString(fsfd, "source", src); err != nil {
				t.Fatalf("fsconfig source: %v", err)
			}
			if err := unix.FsconfigCreate(fsfd); err != nil {
				t.Fatalf("fsconfig create: %v", err)
			}
			mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID)
			if err != nil {
				t.Fatalf("fsmount: %v", err)
			}
			defer unix.Close(mfd)
			ev := c.waitFor(t, "security_fsmount of "+src, func(e *pb.Event) bool {
				return e.EventName == "security_fsmount" && int(e.HostProcessId) == os.Getpid() &&
					arg(e, "dev_name").GetStr() == src
			})
			if got := arg(ev, "type").GetStr(); got != "tmpfs" {
				t.Errorf("type = %q, want tmpfs", got)
			}
			if got := arg(ev, "fs_fd").GetInt(); got != int64(fsfd) {
				t.Errorf("fs_fd = %d, want %d", got, fsfd)
			}
			if got := arg(ev, "attr_flags").GetUint(); got != unix.MOUNT_ATTR_NOSUID {
				t.Errorf("attr_flags = %#x, want MOUNT_ATTR_NOSUID", got)
			}
		})
	}
}
