package traceepb

import (
	"bytes"
	"slices"
	"testing"
)

func TestArg(t *testing.T) {
	sa := &SockAddr{Family: "AF_INET", Ip: "127.0.0.1", Port: 4444}
	ev := &Event{Args: []*Argument{
		{Name: "fd", Value: &Argument_Int{Int: -1}},
		{Name: "len", Value: &Argument_Uint{Uint: 7}},
		{Name: "path", Value: &Argument_Str{Str: "/etc/passwd"}},
		{Name: "flags", Value: &Argument_Int{Int: 2}, Repr: "O_RDWR"},
		{Name: "memfd", Value: &Argument_Bool{Bool: true}},
		{Name: "argv", Value: &Argument_StrArray{StrArray: &StringArray{Values: []string{"sh", "-c"}}}},
		{Name: "bytes", Value: &Argument_Bytes{Bytes: []byte{0x7f, 'E'}}},
		{Name: "addr", Value: &Argument_Sockaddr{Sockaddr: sa}},
		{Name: "empty"},
	}}
	if v, ok := Arg[int64](ev, "fd"); !ok || v != -1 {
		t.Errorf("int64 fd = %d %v", v, ok)
	}
	if v, ok := Arg[uint64](ev, "fd"); !ok || v != ^uint64(0) {
		t.Errorf("uint64 fd = %d %v", v, ok)
	}
	if v, ok := Arg[int64](ev, "len"); !ok || v != 7 {
		t.Errorf("int64 len = %d %v", v, ok)
	}
	if v, ok := Arg[string](ev, "path"); !ok || v != "/etc/passwd" {
		t.Errorf("path = %q %v", v, ok)
	}
	if _, ok := Arg[string](ev, "fd"); ok {
		t.Error("an int read as a string")
	}
	if v, ok := Arg[bool](ev, "memfd"); !ok || !v {
		t.Errorf("memfd = %v %v", v, ok)
	}
	if v, ok := Arg[[]string](ev, "argv"); !ok || !slices.Equal(v, []string{"sh", "-c"}) {
		t.Errorf("argv = %v %v", v, ok)
	}
	if v, ok := Arg[[]byte](ev, "bytes"); !ok || !bytes.Equal(v, []byte{0x7f, 'E'}) {
		t.Errorf("bytes = %v %v", v, ok)
	}
	if v, ok := Arg[*SockAddr](ev, "addr"); !ok || v != sa {
		t.Errorf("addr = %v %v", v, ok)
	}
	for _, name := range []string{"missing", "empty"} {
		if _, ok := Arg[int64](ev, name); ok {
			t.Errorf("%s read as int64", name)
		}
	}
	if s, ok := ev.GetArg("flags").Text(); !ok || s != "O_RDWR" {
		t.Errorf("flags text = %q %v", s, ok)
	}
	if s, ok := ev.GetArg("path").Text(); !ok || s != "/etc/passwd" {
		t.Errorf("path text = %q %v", s, ok)
	}
	if _, ok := ev.GetArg("fd").Text(); ok {
		t.Error("an int without repr has a text")
	}
	var nilEv *Event
	if nilEv.GetArg("x") != nil {
		t.Error("nil event has an argument")
	}
}
