package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const openatFormat = `name: sys_enter_openat
ID: 782
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int dfd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:int flags;	offset:32;	size:8;	signed:0;
	field:umode_t mode;	offset:40;	size:8;	signed:0;
	field:const char *const * argv;	offset:48;	size:8;	signed:0;
`

func TestParseFormat(t *testing.T) {
	ps, err := parseFormat([]byte(openatFormat))
	if err != nil {
		t.Fatal(err)
	}
	want := []paramSpec{{Name: "dfd", Type: "int"}, {Name: "filename", Type: "const char*"}, {Name: "flags", Type: "int"}, {Name: "mode", Type: "umode_t"}, {Name: "argv", Type: "const char*const*"}}
	if len(ps) != len(want) {
		t.Fatalf("got %v", ps)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("param %d: %+v, want %+v", i, ps[i], want[i])
		}
	}
	if _, err := parseFormat([]byte("name: x\nformat:\n")); err == nil {
		t.Error("format without __syscall_nr accepted")
	}
}

func TestKindFor(t *testing.T) {
	tests := []struct{ name, ctype, want string }{
		{"pathname", "const char*", "str"},
		{"buf", "const char*", "pointer"},
		{"buf", "char*", "pointer"},
		{"dev_name", "char*", "str"},
		{"argv", "const char*const*", "str_arr"},
		{"addr", "struct sockaddr*", "pointer"},
		{"fd", "int", "int"},
		{"pid", "pid_t", "int"},
		{"mode", "umode_t", "uint"},
		{"uid", "uid_t", "uint"},
		{"offset", "loff_t", "long"},
		{"count", "size_t", "ulong"},
		{"hdr", "cap_user_header_t", "pointer"},
		{"which", "const enum landlock_rule_type", "int"},
	}
	for _, tt := range tests {
		got, err := kindFor(tt.name, tt.ctype)
		if err != nil || got != tt.want {
			t.Errorf("kindFor(%s, %s) = %s, %v; want %s", tt.name, tt.ctype, got, err, tt.want)
		}
	}
	if _, err := kindFor("x", "struct foo"); err == nil {
		t.Error("struct by value accepted")
	}
}

// TestRunFixture builds a schema from a tiny unistd/tracefs/overrides set.
func TestRunFixture(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "unistd.h"), "#define __NR_stat 4\n#define __NR_openat 257\n#define __NR_init_module 175\n")
	write(filepath.Join(dir, "tf/sys_enter_openat/format"), openatFormat)
	write(filepath.Join(dir, "tf/sys_enter_newstat/format"), "format:\n\tfield:int __syscall_nr;\toffset:8;\n\tfield:const char * filename;\toffset:16;\n")
	write(filepath.Join(dir, "ov.yaml"), `numbers: {uprobe: 336}
tracefs_aliases: {newstat: stat}
at_entry: [openat]
sets: {fs: [openat, stat]}
syscalls:
  openat: {rename: {dfd: dirfd, filename: pathname}, format: {flags: open_flags}}
  stat: {rename: {filename: pathname}}
  init_module: {params: [{name: module_image, type: "void*"}]}
`)
	out, warns, err := run(config{Unistd: filepath.Join(dir, "unistd.h"), Tracefs: filepath.Join(dir, "tf"), Overrides: filepath.Join(dir, "ov.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- id: 4\n  name: stat\n  sets: [syscalls, fs]\n  params:\n    - {name: pathname, type: \"const char*\", kind: str}\n",
		"- id: 257\n  name: openat\n  sets: [syscalls, fs]\n  at_entry: true\n  params:\n    - {name: dirfd, type: \"int\", kind: int}\n    - {name: pathname, type: \"const char*\", kind: str}\n    - {name: flags, type: \"int\", kind: int, format: open_flags}\n",
		"- id: 175\n  name: init_module\n  sets: [syscalls]\n  params:\n    - {name: module_image, type: \"void*\", kind: pointer}\n",
		"- id: 336\n  name: uprobe\n  sets: [syscalls]\n  note: \"no tracefs format on this kernel\"\n  params: []\n",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks:\n%s\ngot:\n%s", want, out)
		}
	}
	if len(warns) != 1 {
		t.Errorf("warnings %v, want one for uprobe", warns)
	}
	// A rename of a parameter that does not exist is an error.
	write(filepath.Join(dir, "ov.yaml"), "syscalls:\n  openat: {rename: {nope: x}}\n")
	if _, _, err := run(config{Unistd: filepath.Join(dir, "unistd.h"), Tracefs: filepath.Join(dir, "tf"), Overrides: filepath.Join(dir, "ov.yaml")}); err == nil {
		t.Error("bad rename accepted")
	}
}

// TestCommittedSchemaMatchesKernel regenerates syscalls.yaml from this
// machine's headers and tracefs and compares it with the committed file.
func TestCommittedSchemaMatchesKernel(t *testing.T) {
	cfg := config{
		Unistd:    "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
		Tracefs:   "/sys/kernel/tracing/events/syscalls",
		Overrides: "../../schema/syscall_overrides.yaml",
	}
	for _, p := range []string{cfg.Unistd, cfg.Tracefs} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s not available: %v", p, err)
		}
	}
	out, _, err := run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../schema/syscalls.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, committed) {
		t.Error("schema/syscalls.yaml differs from a fresh generation: run scripts/gen-syscall-schema")
	}
}
