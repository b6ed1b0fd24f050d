package decode

import (
	"bytes"
	"strconv"
	"testing"
	"unicode/utf8"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// unescape reverses EscapeInvalid.
func unescape(t *testing.T, s string) []byte {
	t.Helper()
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				t.Fatalf("bad escape in %q", s)
			}
			out = append(out, byte(v))
			i += 3
		default:
			t.Fatalf("lone backslash in %q", s)
		}
	}
	return out
}

// Names that are not UTF-8 keep their bytes: escaped losslessly in the
// string, raw in the argument; two names differing only in invalid bytes
// print differently.
func TestEscapeInvalidLossless(t *testing.T) {
	for _, b := range [][]byte{
		[]byte("plain"), []byte("caf\xc3\xa9"), []byte("a\xffb"), []byte("a\xfeb"), []byte("\xff\xff\xff"),
		[]byte(`back\slash\x41` + "\x80"), []byte("\xe2\x80"), []byte("ok\xe2\x80\xa6/tail\xc0"),
	} {
		s := validString(b)
		if !utf8.ValidString(s) {
			t.Errorf("%q: %q is not UTF-8", b, s)
		}
		if utf8.Valid(b) {
			if s != string(b) {
				t.Errorf("valid %q changed to %q", b, s)
			}
			continue
		}
		if got := unescape(t, s); !bytes.Equal(got, b) {
			t.Errorf("%q -> %q -> %q: not lossless", b, s, got)
		}
	}
	if validString([]byte("a\xffb")) == validString([]byte("a\xfeb")) {
		t.Error("two different names print the same")
	}
	var a pb.Argument
	setVariable(&a, events.ArgStr, []byte("x\xff\x00"))
	if !bytes.Equal(a.GetRaw(), []byte("x\xff")) || a.GetStr() != `x\xff` {
		t.Errorf("string argument: str %q raw %q", a.GetStr(), a.GetRaw())
	}
	setVariable(&a, events.ArgStrArr, []byte("ok\x00b\xfe\x00"))
	if vals := a.GetStrArray().GetValues(); len(vals) != 2 || vals[1] != `b\xfe` || !bytes.Equal(a.GetRaw(), []byte("ok\x00b\xfe\x00")) {
		t.Errorf("string array argument: %q raw %q", vals, a.GetRaw())
	}
	var v pb.Argument
	setVariable(&v, events.ArgStr, []byte("valid"))
	if v.GetRaw() != nil {
		t.Error("raw set on a valid string")
	}
}
