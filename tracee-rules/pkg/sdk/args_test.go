package sdk_test

import (
	"reflect"
	"testing"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

func TestArgHelpers(t *testing.T) {
	ev := sdktest.Event("x",
		sdktest.Int("fd", -3),
		sdktest.Uint("len", 1<<63),
		sdktest.Flag("flags", 0o102, "O_RDWR|O_CREAT"),
		sdktest.Repr("prot", "PROT_WRITE | PROT_EXEC"),
		sdktest.Str("pathname", "/etc/shadow"),
		sdktest.Strs("argv", "cat", "/etc/shadow"),
		sdktest.Inet("addr", "::1", 22),
		sdktest.Bool("is_memfd", true),
		sdktest.Bytes("bytes", []byte("ELF")),
	)
	if a := sdk.GetArg(ev, "pathname"); a == nil || a.GetStr() != "/etc/shadow" {
		t.Errorf("GetArg = %v", a)
	}
	if sdk.GetArg(ev, "nope") != nil || sdk.GetArg(nil, "fd") != nil {
		t.Error("GetArg of a missing argument or nil event must be nil")
	}
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"ArgInt int", pair(sdk.ArgInt(ev, "fd")), [2]any{int64(-3), true}},
		{"ArgInt uint", pair(sdk.ArgInt(ev, "len")), [2]any{int64(-1 << 63), true}},
		{"ArgInt repr only", pair(sdk.ArgInt(ev, "prot")), [2]any{int64(0), false}},
		{"ArgInt string", pair(sdk.ArgInt(ev, "pathname")), [2]any{int64(0), false}},
		{"ArgUint", pair(sdk.ArgUint(ev, "len")), [2]any{uint64(1 << 63), true}},
		{"ArgUint of int", pair(sdk.ArgUint(ev, "fd")), [2]any{uint64(1<<64 - 3), true}},
		{"ArgString str", pair(sdk.ArgString(ev, "pathname")), [2]any{"/etc/shadow", true}},
		{"ArgString repr wins", pair(sdk.ArgString(ev, "flags")), [2]any{"O_RDWR|O_CREAT", true}},
		{"ArgString int", pair(sdk.ArgString(ev, "fd")), [2]any{"", false}},
		{"ArgString missing", pair(sdk.ArgString(ev, "nope")), [2]any{"", false}},
		{"ArgStrings", pair(sdk.ArgStrings(ev, "argv")), [2]any{[]string{"cat", "/etc/shadow"}, true}},
		{"ArgStrings of str", pair(sdk.ArgStrings(ev, "pathname")), [2]any{[]string(nil), false}},
		{"ArgBool", pair(sdk.ArgBool(ev, "is_memfd")), [2]any{true, true}},
		{"ArgBytes", pair(sdk.ArgBytes(ev, "bytes")), [2]any{[]byte("ELF"), true}},
		{"ArgIs number", sdk.ArgIs(ev, "fd", -3, ""), false}, // negative value: symbols only
		{"ArgIs repr only", sdk.ArgIs(ev, "prot", 6, "PROT_WRITE | PROT_EXEC"), true},
		{"ArgIs number beats repr", sdk.ArgIs(ev, "flags", 0o102, "nothing"), true},
		{"ArgIs number mismatch", sdk.ArgIs(ev, "flags", 2, "O_RDWR|O_CREAT"), false},
		{"ArgIs string", sdk.ArgIs(ev, "pathname", -1, "/etc/shadow"), true},
		{"ArgHasFlag number", sdk.ArgHasFlag(ev, "flags", 0o100, "O_CREAT"), true},
		{"ArgHasFlag number clear", sdk.ArgHasFlag(ev, "flags", 0o1000, "O_CREAT"), false},
		{"ArgHasFlag repr spaces", sdk.ArgHasFlag(ev, "prot", 4, "PROT_EXEC"), true},
		{"ArgHasFlag repr absent", sdk.ArgHasFlag(ev, "prot", 1, "PROT_READ"), false},
		{"ArgHasFlag missing", sdk.ArgHasFlag(ev, "nope", 1, "X"), false},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	sa, ok := sdk.ArgSockAddr(ev, "addr")
	if !ok || sa.GetFamily() != "AF_INET6" || sa.GetPort() != 22 {
		t.Errorf("ArgSockAddr = %v, %v", sa, ok)
	}
	if _, ok := sdk.ArgSockAddr(ev, "fd"); ok {
		t.Error("ArgSockAddr of an int")
	}
	if sdk.HasFlagName("O_WRONLY|O_CREAT", "O_CREA") || !sdk.HasFlagName("O_WRONLY|O_CREAT", "O_WRONLY") || sdk.HasFlagName("", "") {
		t.Error("HasFlagName must match whole names only")
	}
}

func pair[T any](v T, ok bool) [2]any { return [2]any{v, ok} }
