package signatures

import (
	"slices"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// A signature may match files by their watched directory only where the
// kernel watches it: every data.watched_dir value is in events.WatchedDirs.
func TestWatchedDirFiltersAreWatched(t *testing.T) {
	n := 0
	for _, s := range All() {
		sel, err := s.GetSelectedEvents()
		if err != nil {
			t.Fatal(err)
		}
		meta, _ := s.GetMetadata()
		for _, e := range sel {
			for _, f := range e.Filters {
				v, ok := strings.CutPrefix(f, "data.watched_dir=")
				if !ok {
					continue
				}
				for _, d := range strings.Split(v, ",") {
					n++
					if !slices.Contains(events.WatchedDirs, d) {
						t.Errorf("%s: %s: %s is not a watched directory", meta.ID, f, d)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no signature filters on watched_dir")
	}
}
