package probes

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// putWatchedDirs stats each directory (on this host's root) and records its
// identity with the canonical path and the security_file_open watched_dir
// patterns that path matches.
func putWatchedDirs(m *ebpf.Map, dirs []string, pats strPatterns) error {
	openEvent := uint32(events.SecurityFileOpen)
	openArg := kstrArgs[openEvent]
	for _, d := range dirs {
		if len(d) > 63 {
			return fmt.Errorf("watched directory %q: longer than 63 bytes", d)
		}
		var st unix.Stat_t
		if err := unix.Stat(d, &st); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("watched directory %s: %w", d, err)
		}
		key := abi.TraceeDirId{Dev: filter.KernelDev(st.Dev), Ino: st.Ino}
		var val abi.TraceeDirName
		for i := 0; i < len(d); i++ {
			val.Path[i] = int8(d[i])
		}
		val.OpenHits = pats.hits(openEvent, openArg, d)
		if err := m.Put(key, val); err != nil {
			return fmt.Errorf("watched directory %s: %w", d, err)
		}
	}
	return nil
}
