package signatures

import "testing"

func TestInDir(t *testing.T) {
	for _, tc := range []struct {
		p, dir string
		want   bool
	}{
		{"/etc/sudoers.d/x", "/etc/sudoers.d", true},
		{"/etc/sudoers.d/x/y", "/etc/sudoers.d", false},
		{"/etc/sudoers.d/", "/etc/sudoers.d", false},
		{"/etc/sudoers.d", "/etc/sudoers.d", false},
		{"/etc/sudoers.dx/y", "/etc/sudoers.d", false},
		{"/etc", "/etc/sudoers.d", false},
	} {
		if got := inDir(tc.p, tc.dir); got != tc.want {
			t.Errorf("inDir(%q, %q) = %v, want %v", tc.p, tc.dir, got, tc.want)
		}
	}
}
