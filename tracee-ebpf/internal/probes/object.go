package probes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/cilium/ebpf"
)

// ObjectEnv names the environment variable (Tracee's) that makes
// tracee-ebpf load a BPF object file (`make bpf` writes
// dist/tracee.bpf.core.o) instead of the one embedded in the binary.
const ObjectEnv = "TRACEE_BPF_FILE"

// objectSpec returns the collection to load: the embedded build (embedded)
// or, when path is set, the object file at path, checked against the
// embedded build: every map with the same type, key and value size, every
// program the hooks use (keep) with the same type and attach point. What
// the second return value says is the object's origin, for the log.
func objectSpec(path string, embedded func() (*ebpf.CollectionSpec, error), keep map[string]bool) (*ebpf.CollectionSpec, string, error) {
	want, err := embedded()
	if err != nil {
		return nil, "", err
	}
	if path == "" {
		return want, "embedded", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", ObjectEnv, err)
	}
	sum := sha256.Sum256(data)
	origin := fmt.Sprintf("%s (sha256 %s)", path, hex.EncodeToString(sum[:]))
	got, err := ebpf.LoadCollectionSpec(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s=%s is not a BPF object this tracee-ebpf can read: %w", ObjectEnv, path, err)
	}
	if err := compatible(got, want, keep); err != nil {
		return nil, "", fmt.Errorf("%s=%s does not match this tracee-ebpf (build it from the same source with `make bpf`): %w", ObjectEnv, path, err)
	}
	return got, origin, nil
}

// compatible checks got against want (see objectSpec).
func compatible(got, want *ebpf.CollectionSpec, keep map[string]bool) error {
	for _, n := range slices.Sorted(maps.Keys(want.Maps)) {
		w, g := want.Maps[n], got.Maps[n]
		if g == nil {
			return fmt.Errorf("map %s missing", n)
		}
		if g.Type != w.Type || g.KeySize != w.KeySize || g.ValueSize != w.ValueSize {
			return fmt.Errorf("map %s is %v key %d value %d bytes, want %v key %d value %d bytes",
				n, g.Type, g.KeySize, g.ValueSize, w.Type, w.KeySize, w.ValueSize)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(keep)) {
		w, g := want.Programs[n], got.Programs[n]
		if g == nil {
			return fmt.Errorf("program %s missing", n)
		}
		if w != nil && (g.Type != w.Type || g.AttachType != w.AttachType || g.AttachTo != w.AttachTo) {
			return fmt.Errorf("program %s is %v/%v on %q, want %v/%v on %q",
				n, g.Type, g.AttachType, g.AttachTo, w.Type, w.AttachType, w.AttachTo)
		}
	}
	return nil
}
