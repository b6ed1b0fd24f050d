package derive

import (
	"testing"
)

func TestDeriveSbMount(t *testing.T) {
	d := New()
	for _, rv := range []int64{0, -13, -2} { // success, EACCES, ENOENT: every attempt
		src := event("mount", 7, rv, sarg("source", "/dev/vda1"), sarg("target", "mnt"), sarg("filesystemtype", "ext4"), uarg("mountflags", 1), uarg("data", 0))
		out := d.Derive(src)
		if len(out) != 1 {
			t.Fatalf("ret %d: derived %d events, want 1", rv, len(out))
		}
		checkContext(t, src, out[0], "security_sb_mount")
		want := map[string]string{"dev_name": "/dev/vda1", "path": "mnt", "type": "ext4"}
		for i, name := range []string{"dev_name", "path", "type", "flags"} {
			if got := out[0].Args[i].GetName(); got != name {
				t.Errorf("arg %d is %s, want %s", i, got, name)
			}
			if w, ok := want[name]; ok && out[0].Args[i].GetStr() != w {
				t.Errorf("%s = %q, want %q", name, out[0].Args[i].GetStr(), w)
			}
		}
		if out[0].Args[3].GetUint() != 1 {
			t.Errorf("flags %v, want 1", out[0].Args[3])
		}
	}
	// a mount with no source (remount, propagation change) keeps an empty dev_name
	out := d.Derive(event("mount", 7, 0, sarg("target", "/"), uarg("mountflags", 0x40000)))
	if len(out) != 1 || out[0].Args[0].GetStr() != "" {
		t.Errorf("propagation change derived %v", out)
	}
	before := d.Stats().Skipped
	if out := d.Derive(event("mount", 7, -14, uarg("mountflags", 0))); out != nil {
		t.Errorf("mount without a readable target derived %v", out)
	}
	if d.Stats().Skipped != before+1 {
		t.Errorf("skipped %d, want %d", d.Stats().Skipped, before+1)
	}
}
