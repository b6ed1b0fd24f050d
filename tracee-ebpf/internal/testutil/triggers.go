package testutil

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// BuildTrigger compiles tests/triggers/<name>.c into a temporary directory
// and returns the binary's path.
func BuildTrigger(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join(RepoRoot(), "tests", "triggers", name+".c")
	out := filepath.Join(t.TempDir(), name)
	if b, err := exec.Command("gcc", "-O2", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("compile %s: %v\n%s", src, err, b)
	}
	return out
}
