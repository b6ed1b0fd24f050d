package cheader

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "unistd.h")
	src := "#ifndef X\n#define __NR_read 0\n#define __NR_write 1 /* c */\n#define SYS_SOCKET 1\n#define __NR_bad x\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Defines(p, "__NR_")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"read": 0, "write": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Defines = %v, want %v", got, want)
	}
	if _, err := Defines(p, "__NR32_"); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("no definitions: error %v, want one naming %s", err, p)
	}
	if _, err := Defines(filepath.Join(t.TempDir(), "absent.h"), "__NR_"); err == nil {
		t.Error("missing header: no error")
	}
}
