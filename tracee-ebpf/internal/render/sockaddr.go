package render

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/tracee-go/tracee/proto/traceepb"
)

// Address families decoded in detail.
const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
)

// ErrShortSockaddr is returned (wrapped) for a sockaddr too short for its family.
var ErrShortSockaddr = errors.New("sockaddr too short")

// sockaddrDecoders decode the family-specific part (raw includes the family).
var sockaddrDecoders = map[uint16]func(raw []byte, sa *traceepb.SockAddr) error{
	afInet:  decodeInet,
	afInet6: decodeInet6,
	afUnix:  decodeUnix,
}

// SockAddr decodes a raw struct sockaddr as captured by the kernel (family in
// host byte order, ports in network order). AF_INET and AF_INET6 give ip and
// port (and flowinfo, scope id); AF_UNIX gives the path, abstract names as
// "@name"; other families only their name.
func SockAddr(raw []byte) (*traceepb.SockAddr, error) {
	if len(raw) < 2 {
		return nil, fmt.Errorf("decode sockaddr: %d bytes, no family: %w", len(raw), ErrShortSockaddr)
	}
	family := binary.LittleEndian.Uint16(raw)
	sa := &traceepb.SockAddr{Family: FamilyName(family)}
	if dec, ok := sockaddrDecoders[family]; ok {
		if err := dec(raw, sa); err != nil {
			return nil, fmt.Errorf("decode sockaddr %s: %w", sa.Family, err)
		}
	}
	return sa, nil
}

// struct sockaddr_in: family u16, port be16, addr [4]byte.
func decodeInet(raw []byte, sa *traceepb.SockAddr) error {
	if len(raw) < 8 {
		return fmt.Errorf("%d bytes, need 8: %w", len(raw), ErrShortSockaddr)
	}
	sa.Port = uint32(binary.BigEndian.Uint16(raw[2:]))
	sa.Ip = netip.AddrFrom4([4]byte(raw[4:8])).String()
	return nil
}

// struct sockaddr_in6: family u16, port be16, flowinfo be32, addr [16]byte,
// scope_id u32 (host order; absent in the old 24-byte form).
func decodeInet6(raw []byte, sa *traceepb.SockAddr) error {
	if len(raw) < 24 {
		return fmt.Errorf("%d bytes, need 24: %w", len(raw), ErrShortSockaddr)
	}
	sa.Port = uint32(binary.BigEndian.Uint16(raw[2:]))
	sa.Flowinfo = binary.BigEndian.Uint32(raw[4:])
	sa.Ip = netip.AddrFrom16([16]byte(raw[8:24])).String()
	if len(raw) >= 28 {
		sa.ScopeId = binary.LittleEndian.Uint32(raw[24:])
	}
	return nil
}

// struct sockaddr_un: family u16, path. A path starting with NUL is abstract
// and runs to the end of the address (trailing NULs trimmed); otherwise it
// ends at the first NUL. An empty or all-NUL path is an unnamed socket.
func decodeUnix(raw []byte, sa *traceepb.SockAddr) error {
	path := raw[2:]
	if len(path) > 108 {
		path = path[:108]
	}
	if len(path) > 0 && path[0] == 0 {
		// An all-zero path (a padded capture of an unnamed socket) stays "".
		if name := bytes.TrimRight(path[1:], "\x00"); len(name) > 0 {
			sa.Path = "@" + string(name)
		}
		return nil
	}
	if i := bytes.IndexByte(path, 0); i >= 0 {
		path = path[:i]
	}
	sa.Path = string(path)
	return nil
}
