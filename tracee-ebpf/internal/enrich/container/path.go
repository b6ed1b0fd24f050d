package container

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Runtime names the container engine that a cgroup layout belongs to.
type Runtime string

// Runtimes.
const (
	Docker     Runtime = "docker"
	Containerd Runtime = "containerd"
	CRIO       Runtime = "crio"
	Podman     Runtime = "podman"
)

// componentRules match one path component; the id is the first group.
var componentRules = []struct {
	re      *regexp.Regexp
	runtime Runtime
}{
	{regexp.MustCompile(`^docker-([0-9a-f]{64})\.scope$`), Docker},
	{regexp.MustCompile(`^cri-containerd-([0-9a-f]{64})\.scope$`), Containerd},
	{regexp.MustCompile(`:cri-containerd:([0-9a-f]{64})$`), Containerd},
	{regexp.MustCompile(`^crio-([0-9a-f]{64})\.scope$`), CRIO},
	{regexp.MustCompile(`:crio:([0-9a-f]{64})$`), CRIO},
	{regexp.MustCompile(`^libpod-([0-9a-f]{64})(\.scope)?$`), Podman},
}

var bareID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// IDFromPath extracts a container id from a cgroup path (relative to the
// cgroup root or absolute under the mount point).
func IDFromPath(cgroupPath string) (id string, rt Runtime, ok bool) {
	parts := strings.Split(strings.Trim(cgroupPath, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		c := parts[i]
		for _, r := range componentRules {
			if m := r.re.FindStringSubmatch(c); m != nil {
				return m[1], r.runtime, true
			}
		}
		if bareID.MatchString(c) && i > 0 {
			for _, anc := range parts[:i] {
				if anc == "docker" {
					return c, Docker, true
				}
				if strings.HasPrefix(anc, "kubepods") {
					return c, Containerd, true
				}
			}
		}
	}
	return "", "", false
}

// ParseProcCgroup returns the cgroup v2 path ("0::<path>") from the
// contents of /proc/<pid>/cgroup.
func ParseProcCgroup(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if p, ok := bytes.CutPrefix(sc.Bytes(), []byte("0::")); ok {
			return string(p), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read cgroup file: %w", err)
	}
	return "", errors.New("no cgroup v2 (0::) entry")
}

// IDFromProcCgroup extracts a container id from the contents of
// /proc/<pid>/cgroup: the v2 entry first, then any v1 hierarchy.
func IDFromProcCgroup(data []byte) (id string, rt Runtime, ok bool) {
	if p, err := ParseProcCgroup(bytes.NewReader(data)); err == nil {
		if id, rt, ok := IDFromPath(p); ok {
			return id, rt, true
		}
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 {
			if id, rt, ok := IDFromPath(f[2]); ok {
				return id, rt, true
			}
		}
	}
	return "", "", false
}

// FindCgroup2Mount returns the mount point of the cgroup2 hierarchy from
// the contents of /proc/mounts, preferring /sys/fs/cgroup.
func FindCgroup2Mount(mounts io.Reader) (string, error) {
	sc := bufio.NewScanner(mounts)
	var found []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[2] == "cgroup2" {
			found = append(found, unescapeMount(f[1]))
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read mounts: %w", err)
	}
	for _, m := range found {
		if m == "/sys/fs/cgroup" {
			return m, nil
		}
	}
	if len(found) == 0 {
		return "", errors.New("no cgroup2 mount")
	}
	return found[0], nil
}

// unescapeMount undoes the octal escapes of /proc/mounts (\040 for space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%3o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
