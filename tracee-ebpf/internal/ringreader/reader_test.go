package ringreader

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// producer returns a program that writes one 24-byte record into rb per
// run: a sequence number taken from the first 8 bytes of the packet, and a
// fixed pattern.
func producer(t *testing.T, rb *ebpf.Map) *ebpf.Program {
	t.Helper()
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.SocketFilter,
		License: "GPL",
		Instructions: asm.Instructions{
			// r6 = ctx (skb); load the sequence number from the packet with bpf_skb_load_bytes
			asm.Mov.Reg(asm.R6, asm.R1),
			asm.Mov.Reg(asm.R1, asm.R6),
			asm.Mov.Imm(asm.R2, 0),
			asm.Mov.Reg(asm.R3, asm.RFP),
			asm.Add.Imm(asm.R3, -24),
			asm.Mov.Imm(asm.R4, 8),
			asm.FnSkbLoadBytes.Call(),
			asm.StoreImm(asm.RFP, -16, 0x11223344, asm.Word),
			asm.StoreImm(asm.RFP, -12, 0x55667788, asm.Word),
			asm.StoreImm(asm.RFP, -8, 0x7eadbeef, asm.Word),
			asm.StoreImm(asm.RFP, -4, 0x7eedface, asm.Word),
			asm.LoadMapPtr(asm.R1, rb.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -24),
			asm.Mov.Imm(asm.R3, 24),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnRingbufOutput.Call(),
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatalf("load producer: %v", err)
	}
	return prog
}

func TestReadInOrderAcrossWraps(t *testing.T) {
	testutil.RequirePrivileged(t)
	rb, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	prog := producer(t, rb)
	defer prog.Close()
	r, err := New(rb)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	pkt := make([]byte, 64)
	var next, want uint64
	// 4096-byte ring, 32 bytes per record: 20 rounds of 100 records wrap it many times.
	for round := 0; round < 20; round++ {
		for i := 0; i < 100; i++ {
			binary.LittleEndian.PutUint64(pkt[14:], next) // test runs start the skb after the Ethernet header
			if _, err := prog.Run(&ebpf.RunOptions{Data: pkt}); err != nil {
				t.Fatal(err)
			}
			next++
			if i%50 == 49 { // the ring holds 128 records: read before it fills
				n, err := r.Read(func(s []byte) {
					if len(s) != 24 {
						t.Fatalf("record of %d bytes", len(s))
					}
					if got := binary.LittleEndian.Uint64(s); got != want {
						t.Fatalf("record %d out of order: got %d", want, got)
					}
					if binary.LittleEndian.Uint32(s[20:]) != 0x7eedface {
						t.Fatalf("record %d corrupt: %x", want, s)
					}
					want++
				})
				if err != nil || n != 50 {
					t.Fatalf("read %d records, err %v", n, err)
				}
			}
		}
	}
	if want != 2000 || r.Pending() != 0 {
		t.Fatalf("read %d of 2000 records, %d bytes pending", want, r.Pending())
	}
	// Nothing to read: Wait returns after its timeout.
	start := time.Now()
	if err := r.Wait(50 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 40*time.Millisecond {
		t.Errorf("Wait returned early with nothing pending")
	}
}

func TestNotARingBuffer(t *testing.T) {
	testutil.RequirePrivileged(t)
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := New(m); err == nil {
		t.Fatal("New accepted an array map")
	}
}
