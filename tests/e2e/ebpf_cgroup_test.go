package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cgroup2Root is where the cgroup v2 hierarchy is mounted.
func cgroup2Root(t *testing.T) string {
	t.Helper()
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 2 && fields[2] == "cgroup2" {
			return fields[1]
		}
	}
	t.Fatal("no cgroup2 mount")
	return ""
}

// cgroup_mkdir: a new cgroup v2 directory is reported with the id events
// carry (its inode) and its path in the hierarchy, whoever made it.
func TestCgroupMkdir(t *testing.T) {
	tr := StartJSON(t, "event=cgroup_mkdir")
	dir := filepath.Join(cgroup2Root(t), "tracee-e2e-"+filepath.Base(t.TempDir()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(dir)
	ino := nsIno(t, dir)
	rel := strings.TrimPrefix(dir, cgroup2Root(t))
	e := tr.MustEvent("cgroup_mkdir of "+dir, func(e EbpfEvent) bool {
		return e.EventName == "cgroup_mkdir" && e.Str("cgroup_path") == rel
	})
	id, _ := e.Int("cgroup_id")
	var hier int64
	json.Unmarshal(mustArg(t, e, "hierarchy_id"), &hier)
	if uint64(id) != ino || hier != 0 || e.HostProcessID != os.Getpid() {
		t.Errorf("cgroup_mkdir %s: cgroup_id %d (inode %d), hierarchy %d, pid %d (test %d)", rel, id, ino, hier, e.HostProcessID, os.Getpid())
	}
}

func mustArg(t *testing.T, e EbpfEvent, name string) json.RawMessage {
	t.Helper()
	v, ok := e.Arg(name)
	if !ok {
		t.Fatalf("%s has no argument %s: %s", e.EventName, name, e)
	}
	return v
}
