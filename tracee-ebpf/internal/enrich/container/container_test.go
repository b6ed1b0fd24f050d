package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	id1 = strings.Repeat("0123456789abcdef", 4)
	id2 = strings.Repeat("fedcba9876543210", 4)
)

func TestIDFromPath(t *testing.T) {
	tests := []struct {
		path string
		id   string
		rt   Runtime
	}{
		{"/docker/" + id1, id1, Docker},
		{"/system.slice/docker-" + id1 + ".scope", id1, Docker},
		{"/sys/fs/cgroup/system.slice/docker-" + id1 + ".scope/init.scope", id1, Docker},
		{"/docker/" + id1 + "/docker/" + id2, id2, Docker}, // docker in docker: innermost
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/cri-containerd-" + id1 + ".scope", id1, Containerd},
		{"/system.slice/containerd.service/kubepods-burstable-pod12.slice:cri-containerd:" + id1, id1, Containerd},
		{"/kubepods/burstable/pod8f3e0f3e-1111-2222-3333-444455556666/" + id1, id1, Containerd},
		{"/kubepods/besteffort/pod1/" + id2, id2, Containerd},
		{"/kubepods.slice/kubepods-pod1.slice/crio-" + id1 + ".scope", id1, CRIO},
		{"/machine.slice/libpod-" + id1 + ".scope", id1, Podman},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id1 + ".scope/container", id1, Podman},
		{"/libpod_parent/libpod-" + id1, id1, Podman},
		{"/kubepods.slice/kubepods-pod1.slice/crio-conmon-" + id1 + ".scope", "", ""},
		{"/machine.slice/libpod-conmon-" + id1 + ".scope", "", ""},
		{"/", "", ""},
		{"/user.slice/user-1000.slice/session-2.scope", "", ""},
		{"/system.slice/docker.service", "", ""},
		{"/" + id1, "", ""},                         // bare id without a known parent
		{"/docker/" + id1[:63], "", ""},             // too short
		{"/docker/" + strings.ToUpper(id1), "", ""}, // ids are lower-case hex
		{"/process_api/11e896ff868112a426077564f0963cac", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			id, rt, ok := IDFromPath(tc.path)
			if id != tc.id || rt != tc.rt || ok != (tc.id != "") {
				t.Fatalf("IDFromPath = %q, %q, %v; want %q, %q", id, rt, ok, tc.id, tc.rt)
			}
		})
	}
}

func TestIDFromProcCgroup(t *testing.T) {
	v2 := "0::/system.slice/docker-" + id1 + ".scope\n"
	v1 := "12:pids:/docker/" + id2 + "\n11:memory:/docker/" + id2 + "\n0::/\n"
	host := "0::/user.slice/user-0.slice/session-1.scope\n"
	for in, want := range map[string]string{v2: id1, v1: id2, host: "", "": ""} {
		id, _, _ := IDFromProcCgroup([]byte(in))
		if id != want {
			t.Errorf("IDFromProcCgroup(%q) = %q, want %q", in, id, want)
		}
	}
	if _, err := ParseProcCgroup(strings.NewReader("1:cpu:/\n")); err == nil {
		t.Error("ParseProcCgroup accepted a v1-only file")
	}
}

func TestFindCgroup2Mount(t *testing.T) {
	tests := []struct{ mounts, want string }{
		{"tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n", "/sys/fs/cgroup/unified"},
		{"cgroup2 /mnt/other cgroup2 rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", "/sys/fs/cgroup"},
		{"cgroup2 /mnt/with\\040space cgroup2 rw 0 0\n", "/mnt/with space"},
	}
	for _, tc := range tests {
		got, err := FindCgroup2Mount(strings.NewReader(tc.mounts))
		if err != nil || got != tc.want {
			t.Errorf("FindCgroup2Mount = %q, %v; want %q", got, err, tc.want)
		}
	}
	if _, err := FindCgroup2Mount(strings.NewReader("proc /proc proc rw 0 0\n")); err == nil {
		t.Error("no error without cgroup2")
	}
}

// TestResolverFakeTree resolves inodes of an ordinary directory tree laid
// out like a cgroup hierarchy, through the scan and through /proc.
func TestResolverFakeTree(t *testing.T) {
	root := t.TempDir()
	proc := t.TempDir()
	dirs := map[string]string{
		"system.slice/docker-" + id1 + ".scope": id1,
		"kubepods/burstable/pod1/" + id2:        id2,
		"user.slice/session-1.scope":            "",
	}
	inodes := map[string]uint64{}
	for d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
		ino, err := Inode(filepath.Join(root, d))
		if err != nil {
			t.Fatal(err)
		}
		inodes[d] = ino
	}
	now := time.Unix(100, 0)
	r, err := NewResolver(Config{CgroupRoot: root, ProcRoot: proc, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range dirs {
		if got := r.Lookup(inodes[d], 0); got != want {
			t.Errorf("Lookup(%s) = %q, want %q", d, got, want)
		}
	}
	if r.Scans() != 1 {
		t.Errorf("%d scans, want 1 (the first scan warms the cache)", r.Scans())
	}
	// An unknown id right after a scan is not scanned for again, nor cached.
	if got := r.Lookup(999999999, 0); got != "" || r.Scans() != 1 {
		t.Errorf("rate limit: got %q, scans %d", got, r.Scans())
	}
	// A new container cgroup found through /proc/<pid>/cgroup without a scan.
	id3 := strings.Repeat("a1", 32)
	newDir := "machine.slice/libpod-" + id3 + ".scope"
	if err := os.MkdirAll(filepath.Join(root, newDir), 0o755); err != nil {
		t.Fatal(err)
	}
	ino, _ := Inode(filepath.Join(root, newDir))
	if err := os.MkdirAll(filepath.Join(proc, "4242"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proc, "4242", "cgroup"), []byte("0::/"+newDir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup(ino, 4242); got != id3 || r.Scans() != 1 {
		t.Errorf("via /proc: %q (scans %d), want %q", got, r.Scans(), id3)
	}
	// After the interval, a miss scans again.
	id4 := strings.Repeat("b2", 32)
	d4 := "system.slice/crio-" + id4 + ".scope"
	if err := os.MkdirAll(filepath.Join(root, d4), 0o755); err != nil {
		t.Fatal(err)
	}
	ino4, _ := Inode(filepath.Join(root, d4))
	now = now.Add(2 * time.Second)
	if got := r.Lookup(ino4, 0); got != id4 || r.Scans() != 2 {
		t.Errorf("rescan: %q (scans %d), want %q", got, r.Scans(), id4)
	}
}

func TestResolverCacheBounded(t *testing.T) {
	r, err := NewResolver(Config{CgroupRoot: t.TempDir(), ProcRoot: t.TempDir(), MaxEntries: 10})
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	for i := uint64(1); i <= 1000; i++ {
		r.put(i, fmt.Sprint(i))
	}
	n := len(r.cur) + len(r.old)
	v, ok := r.get(1000)
	r.mu.Unlock()
	if n > 10 {
		t.Fatalf("cache holds %d entries, bound 10", n)
	}
	if !ok || v != "1000" {
		t.Fatalf("latest entry lost: %q %v", v, ok)
	}
}

// TestRealCgroup creates a container-named cgroup under the cgroup2 mount
// and resolves its inode (the kernel's cgroup id).
func TestRealCgroup(t *testing.T) {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Skipf("no /proc/mounts: %v", err)
	}
	root, err := FindCgroup2Mount(f)
	f.Close()
	if err != nil {
		t.Skipf("no cgroup2 mount: %v", err)
	}
	id := fmt.Sprintf("%064x", time.Now().UnixNano())
	dir := filepath.Join(root, "docker-"+id+".scope")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cgroup2 mount %s is not writable: %v", root, err)
	}
	defer os.Remove(dir)
	ino, err := Inode(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewResolver(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r.CgroupRoot() != root {
		t.Fatalf("resolver root %q, want %q", r.CgroupRoot(), root)
	}
	if got := r.Lookup(ino, int32(os.Getpid())); got != id {
		t.Fatalf("Lookup(%d) = %q, want %q", ino, got, id)
	}
	// Our own cgroup is not a container.
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProcCgroup(strings.NewReader(string(data)))
	if err != nil {
		t.Skipf("own cgroup: %v", err)
	}
	own, err := Inode(filepath.Join(root, p))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, isCont := IDFromPath(p); !isCont {
		if got := r.Lookup(own, int32(os.Getpid())); got != "" {
			t.Fatalf("own cgroup %s resolved to %q", p, got)
		}
	}
}

// A cgroup learnt from cgroup_mkdir resolves after its directory is gone.
func TestResolverLearn(t *testing.T) {
	root := t.TempDir()
	r, err := NewResolver(Config{CgroupRoot: root, ProcRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("ab", 32)
	r.Learn(4242, "/docker/"+id)
	r.Learn(4243, "/user.slice")
	r.Learn(0, "/docker/"+id)
	if got := r.Lookup(4242, 0); got != id {
		t.Errorf("learnt container cgroup: %q, want %q", got, id)
	}
	if got := r.Lookup(4243, 0); got != "" || r.Scans() != 0 {
		t.Errorf("learnt host cgroup: %q after %d scans, want \"\" and no scan", got, r.Scans())
	}
}
