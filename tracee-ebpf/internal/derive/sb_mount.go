package derive

import (
	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// deriveSbMount: security_sb_mount(dev_name, path, type, flags) from
// mount(source, target, filesystemtype, mountflags, data), whatever its
// return value: the LSM hook of that name sees every attempt the kernel
// gets far enough to check, including those it then refuses. The strings
// are read at sys_exit, after the kernel copied them (their pages are
// mapped). path is the target as the caller passed it (relative to its
// working directory when not absolute). A mount whose target could not be
// read derives nothing (counted as skipped).
func deriveSbMount(d *Deriver, def *events.Definition, src *traceepb.Event) []*traceepb.Event {
	if src.GetArg("target") == nil {
		d.skipped++
		return nil
	}
	args := []*traceepb.Argument{
		copyArg(def, "dev_name", src, "source"),
		copyArg(def, "path", src, "target"),
		copyArg(def, "type", src, "filesystemtype"),
		copyArg(def, "flags", src, "mountflags"),
	}
	return []*traceepb.Event{newEvent(def, src, args)}
}
