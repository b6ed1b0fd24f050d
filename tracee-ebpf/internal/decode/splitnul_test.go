package decode

import (
	"slices"
	"testing"
)

// argv/envp blobs are NUL-terminated strings; empty strings, trailing ones
// included, are arguments too.
func TestSplitNul(t *testing.T) {
	for _, c := range []struct {
		blob string
		want []string
	}{
		{"", []string{}},
		{"\x00", []string{""}},
		{"a\x00", []string{"a"}},
		{"a\x00b\x00", []string{"a", "b"}},
		{"a\x00\x00", []string{"a", ""}},
		{"\x00a\x00", []string{"", "a"}},
		{"a\x00\x00b\x00\x00", []string{"a", "", "b", ""}},
		{"a\x00bc", []string{"a", "bc"}}, // last string cut by the size limit
	} {
		if got := splitNul([]byte(c.blob)); !slices.Equal(got, c.want) {
			t.Errorf("splitNul(%q) = %q, want %q", c.blob, got, c.want)
		}
	}
}
