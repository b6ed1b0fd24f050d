package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
)

// FuzzParse: any input either parses into policies that build a set, or
// fails with a *Error naming the file; it never panics.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/tracee-docs/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: tracee.aquasec.com/v1beta1\nkind: Policy\nmetadata: {name: x}\nspec: {scope: [global], rules: [{event: openat, filters: [retval<0]}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pols, err := Parse(data, "fuzz.yaml", filter.EventTable{}, nil)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v is not a *policy.Error", err, err)
			}
			return
		}
		if len(pols) == 0 {
			t.Fatal("no policies and no error")
		}
		for _, p := range pols {
			if p.Name == "" || p.Scope == nil || len(p.Rules) == 0 {
				t.Fatalf("incomplete policy %+v", p)
			}
		}
	})
}
