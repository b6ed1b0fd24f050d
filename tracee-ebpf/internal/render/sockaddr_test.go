package render

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/proto/traceepb"
)

func describe(sa *traceepb.SockAddr) string {
	return fmt.Sprintf("family=%s ip=%s port=%d path=%q flowinfo=%d scope_id=%d",
		sa.Family, sa.Ip, sa.Port, sa.Path, sa.Flowinfo, sa.ScopeId)
}

// TestSockAddrGolden decodes every sample in testdata/sockaddr.golden.
func TestSockAddrGolden(t *testing.T) {
	f, err := os.Open("testdata/sockaddr.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			t.Fatalf("bad golden line %q", line)
		}
		name, want := cols[0], cols[2]
		raw, err := hex.DecodeString(cols[1])
		if err != nil {
			t.Fatalf("%s: bad hex: %v", name, err)
		}
		n++
		sa, err := SockAddr(raw)
		if want == "error" {
			if err == nil {
				t.Errorf("%s: want error, got %s", name, describe(sa))
			} else if !errors.Is(err, ErrShortSockaddr) {
				t.Errorf("%s: error %v is not ErrShortSockaddr", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := describe(sa); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Fatalf("only %d golden samples", n)
	}
}

// FuzzSockAddr: any bytes decode or fail cleanly, never panic; a decoded
// address always has a family, and only AF_INET/AF_INET6 get an ip.
func FuzzSockAddr(f *testing.F) {
	for _, s := range []string{
		"02001f907f000001", "0a0001bb0001234500000000000000000000000000000001", "0100", "010000616263",
		"0100", "", "02", "1000", "0a00",
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sa, err := SockAddr(raw)
		if err != nil {
			if sa != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if sa.Family == "" {
			t.Fatal("no family")
		}
		if sa.Ip != "" && sa.Family != "AF_INET" && sa.Family != "AF_INET6" {
			t.Fatalf("ip on %s", sa.Family)
		}
		if len(sa.Path) > 109 {
			t.Fatalf("path of %d bytes", len(sa.Path))
		}
	})
}

func BenchmarkSockAddrInet6(b *testing.B) {
	raw, _ := hex.DecodeString("0a0001bb00012345000000000000000000000000000000010200000000")
	for b.Loop() {
		if _, err := SockAddr(raw); err != nil {
			b.Fatal(err)
		}
	}
}
