package enrich

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
)

func TestEnrich(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("c0", 32)
	dir := filepath.Join(root, "system.slice", "docker-"+id+".scope")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ino, err := container.Inode(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := container.NewResolver(container.Config{CgroupRoot: root, ProcRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	tree := proctree.New(proctree.Config{})
	tree.Put(proctree.Process{HostPID: 1, Comm: "init", PID: 1})
	tree.Put(proctree.Process{HostPID: 10, HostPPID: 1, Comm: "sh", PID: 10})
	e := &Enricher{Tree: tree, Containers: res, MaxAncestry: 1}
	ev := &pb.Event{EventId: 257, HostProcessId: 20, HostThreadId: 20, HostParentProcessId: 10, ProcessName: "cat", CgroupId: ino}
	e.Enrich(ev)
	if ev.ContainerId != id {
		t.Errorf("container id %q", ev.ContainerId)
	}
	if len(ev.Ancestry) != 1 || ev.Ancestry[0].Comm != "sh" || ev.Ancestry[0].HostPid != 10 {
		t.Errorf("ancestry %v", ev.Ancestry)
	}
	if p, ok := tree.Lookup(20); !ok || p.Comm != "cat" {
		t.Errorf("tree not updated: %+v", p)
	}
	host := &pb.Event{EventId: 257, HostProcessId: 10, HostThreadId: 10, CgroupId: 0}
	e.Enrich(host)
	if host.ContainerId != "" || len(host.Ancestry) != 1 || host.Ancestry[0].Comm != "init" {
		t.Errorf("host event %v", host)
	}
}
