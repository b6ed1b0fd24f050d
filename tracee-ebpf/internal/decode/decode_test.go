package decode

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

var update = flag.Bool("update", false, "rewrite golden files")

// record builds a raw record the way bpf/lib/buffer.h lays it out.
type record struct {
	h     abi.RecordHeader
	args  bytes.Buffer
	n     uint16
	flags uint16
}

func newRecord(id int32, retval int64, comm string) *record {
	r := &record{}
	h := abi.RecordHeader{
		Ts: 1_000_000_000, CgroupId: 4242, StartTime: 77, Retval: retval, // ts: 1s after boot
		HostPid: 1000, HostTid: 1001, HostPpid: 999, Pid: 10, Tid: 11, Ppid: 1, Uid: 0, Gid: 0,
		Mntns: 4026531841, Pidns: 4026531836, EventId: id, Syscall: id, Cpu: 1,
	}
	cstr(&h.Comm, comm)
	cstr(&h.Uts, "host-a")
	r.h = h
	return r
}

func cstr(dst *[16]int8, s string) {
	for i := 0; i < len(s) && i < len(dst); i++ {
		dst[i] = int8(s[i])
	}
}

func (r *record) u32(idx byte, v uint32) *record {
	r.args.WriteByte(idx)
	binary.Write(&r.args, binary.LittleEndian, v)
	r.n++
	return r
}

func (r *record) u64(idx byte, v uint64) *record {
	r.args.WriteByte(idx)
	binary.Write(&r.args, binary.LittleEndian, v)
	r.n++
	return r
}

func (r *record) u8(idx byte, v byte) *record {
	r.args.WriteByte(idx)
	r.args.WriteByte(v)
	r.n++
	return r
}

func (r *record) blob(idx byte, b []byte) *record {
	r.args.WriteByte(idx)
	binary.Write(&r.args, binary.LittleEndian, uint32(len(b)))
	r.args.Write(b)
	r.n++
	return r
}

// wide marks the record REC_WIDE_ARGS: fixed-size arguments as 8 bytes.
func (r *record) wide() *record {
	r.flags |= abi.RecWideArgs
	return r
}

func (r *record) bytes() []byte {
	h := r.h
	h.Argnum, h.Flags = r.n, r.flags
	var out bytes.Buffer
	if err := binary.Write(&out, binary.LittleEndian, &h); err != nil || out.Len() != HeaderSize {
		panic(fmt.Sprintf("record header: %v, %d bytes", err, out.Len()))
	}
	return append(out.Bytes(), r.args.Bytes()...)
}

func sysID(t testing.TB, name string) int32 {
	d, ok := events.ByName(name)
	if !ok {
		t.Fatalf("no event %s", name)
	}
	return int32(d.ID)
}

func sockaddrIn(port uint16, ip [4]byte) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b, 2)
	binary.BigEndian.PutUint16(b[2:], port)
	copy(b[4:], ip[:])
	return b
}

// goldenRecords are named raw records covering every argument kind.
func goldenRecords(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"openat": newRecord(sysID(t, "openat"), 3, "cat").
			u32(0, uint32(0xffffff9c)).blob(1, []byte("/etc/passwd")).u32(2, 0x80000).u32(3, 0).bytes(),
		"ptrace_traceme": newRecord(sysID(t, "ptrace"), 0, "anti_debug").
			u64(0, 0).u32(1, 0).u64(2, 0).u64(3, 0).bytes(),
		"connect": newRecord(sysID(t, "connect"), -115, "nc").
			u32(0, 3).blob(1, sockaddrIn(4444, [4]byte{127, 0, 0, 1})).u32(2, 16).bytes(),
		"sched_process_exec": newRecord(1003, 0, "payload").
			blob(0, []byte("/dev/fd/3")).blob(1, []byte("memfd:payload")).u32(2, 1).u64(3, 7).u32(4, 0o100777).
			blob(5, []byte("/dev/fd/3")).blob(6, []byte("payload\x00-x\x00")).blob(7, []byte("LD_PRELOAD=/tmp/x.so\x00HOME=/\x00")).
			u8(8, 1).u8(9, 1).blob(10, []byte("tmpfs")).bytes(),
		"socket_dup": newRecord(1013, 0, "sh").
			u32(0, 3).u32(1, 0).blob(2, sockaddrIn(80, [4]byte{10, 0, 0, 1})).bytes(),
		// mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0), raw registers
		"mmap_wide": newRecord(sysID(t, "mmap"), 0x7f0000001000, "wx_mem").wide().
			u64(0, 0).u64(1, 4096).u64(2, 7).u64(3, 0x22).u64(4, 0xffffffffffffffff).u64(5, 0).bytes(),
		"magic_write_invalid_utf8": newRecord(1015, 0, "\xff\xfebad").
			blob(0, []byte("/tmp/\xffx")).blob(1, []byte{0x7f, 'E', 'L', 'F'}).u32(2, 1).u64(3, 9).bytes(),
	}
}

func TestDecodeGolden(t *testing.T) {
	d := &Decoder{BootTime: 1_700_000_000_000_000_000}
	for name, raw := range goldenRecords(t) {
		t.Run(name, func(t *testing.T) {
			hexPath := filepath.Join("testdata", name+".hex")
			goldenPath := filepath.Join("testdata", name+".golden.json")
			if *update {
				os.WriteFile(hexPath, []byte(hex.Dump(raw)), 0o644)
			}
			ev, err := d.Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			// protojson output is deliberately unstable in whitespace; compare canonical forms
			var canon bytes.Buffer
			canon.WriteString(strings.Join(strings.Fields(string(got)), " "))
			canon.WriteByte('\n')
			if *update {
				if err := os.WriteFile(goldenPath, canon.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(canon.Bytes(), want) {
				t.Errorf("decoded event differs from %s:\n got %s\nwant %s", goldenPath, canon.String(), want)
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	d := &Decoder{BootTime: 1_000}
	ev, err := d.Decode(goldenRecords(t)["sched_process_exec"])
	if err != nil {
		t.Fatal(err)
	}
	if ev.Timestamp != 1_000+1_000_000_000 || ev.HostProcessId != 1000 || ev.ProcessId != 10 || ev.EventName != "sched_process_exec" {
		t.Errorf("context: %+v", ev)
	}
	get := func(n string) *pb.Argument {
		for _, a := range ev.Args {
			if a.Name == n {
				return a
			}
		}
		t.Fatalf("no arg %s", n)
		return nil
	}
	if v := get("env").GetStrArray().GetValues(); len(v) != 2 || v[0] != "LD_PRELOAD=/tmp/x.so" {
		t.Errorf("env = %v", v)
	}
	if !get("is_memfd").GetBool() || get("pathname").GetStr() != "memfd:payload" {
		t.Errorf("memfd args wrong")
	}
	ev, err = d.Decode(goldenRecords(t)["connect"])
	if err != nil {
		t.Fatal(err)
	}
	sa := ev.Args[1].GetSockaddr()
	if sa.GetFamily() != "AF_INET" || sa.GetIp() != "127.0.0.1" || sa.GetPort() != 4444 {
		t.Errorf("sockaddr = %v", sa)
	}
	if ev.ReturnValue != -115 {
		t.Errorf("retval %d", ev.ReturnValue)
	}
}

func TestDecodeErrors(t *testing.T) {
	d := &Decoder{}
	good := goldenRecords(t)["openat"]
	unknown := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(unknown[72:], 9999)
	badIdx := newRecord(sysID(t, "close"), 0, "x").u32(9, 1).bytes()
	for _, tc := range []struct {
		name string
		raw  []byte
		want error
	}{
		{"short header", good[:50], ErrShortRecord},
		{"unknown event", unknown, ErrUnknownEvent},
		{"truncated argument", good[:len(good)-3], ErrBadArgument},
		{"index beyond parameters", badIdx, ErrBadArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Decode(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.want.Error()) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// A truncated record still yields the arguments before the damage.
	ev, err := d.Decode(good[:len(good)-3])
	if err == nil || ev == nil || len(ev.Args) != 3 {
		t.Fatalf("partial decode: ev=%v err=%v", ev, err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, raw := range goldenRecords(f) {
		f.Add(raw)
	}
	d := &Decoder{}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := d.Decode(raw)
		if err == nil && ev == nil {
			t.Fatal("nil event without error")
		}
		if ev != nil {
			// whatever was decoded must be valid protobuf (UTF-8 strings)
			if _, err := protojson.Marshal(ev); err != nil {
				t.Fatalf("decoded event does not marshal: %v", err)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	raw := goldenRecords(b)["openat"]
	d := &Decoder{}
	b.ReportAllocs()
	for b.Loop() {
		ev, err := d.Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		Release(ev)
	}
}
