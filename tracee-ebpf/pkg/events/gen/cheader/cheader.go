package cheader

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var defineLine = regexp.MustCompile(`^#define\s+(\w+)\s+(\d+)\b`)

// Defines returns the numbers of the "#define PREFIXname nr" lines of the
// header at path, keyed by name without the prefix. A header with none is
// an error naming it.
func Defines(path, prefix string) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := defineLine.FindStringSubmatch(sc.Text())
		if m == nil || !strings.HasPrefix(m[1], prefix) {
			continue
		}
		nr, _ := strconv.Atoi(m[2])
		out[strings.TrimPrefix(m[1], prefix)] = nr
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s definitions in %s", prefix, path)
	}
	return out, nil
}
