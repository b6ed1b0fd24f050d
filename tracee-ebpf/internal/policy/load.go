package policy

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
)

// maxFileSize bounds a policy file.
const maxFileSize = 1 << 20

// Load reads the policies of each path: a file, or a directory whose *.yaml
// and *.yml files are read in name order (not recursively).
func Load(paths []string, cat filter.Catalog, avail map[string]bool) ([]*Policy, error) {
	var out []*Policy
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("--policy: %w", err)
		}
		files := []string{path}
		if st.IsDir() {
			ents, err := os.ReadDir(path)
			if err != nil {
				return nil, fmt.Errorf("--policy: %w", err)
			}
			files = files[:0]
			for _, e := range ents {
				if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
					files = append(files, filepath.Join(path, e.Name()))
				}
			}
			slices.Sort(files)
			if len(files) == 0 {
				return nil, fmt.Errorf("--policy %s: no *.yaml or *.yml file in the directory", path)
			}
		}
		for _, f := range files {
			data, err := readLimited(f)
			if err != nil {
				return nil, fmt.Errorf("--policy: %w", err)
			}
			pols, err := Parse(data, f, cat, avail)
			if err != nil {
				return nil, err
			}
			out = append(out, pols...)
		}
	}
	return out, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1)) // a pipe such as <(...) delivers in pieces
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxFileSize)
	}
	return data, nil
}
