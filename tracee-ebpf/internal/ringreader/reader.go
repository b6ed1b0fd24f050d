package ringreader

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

const (
	hdrSize     = 8 // struct bpf_ringbuf_hdr: u32 len, u32 pg_off
	busyBit     = 1 << 31
	discardBit  = 1 << 30
	publishStep = 256 << 10
)

// ErrCorrupt is returned when the ring's positions or a record header make
// no sense; the reader cannot continue.
var ErrCorrupt = errors.New("ring buffer corrupt")

// Reader reads one BPF_MAP_TYPE_RINGBUF map. It is not safe for concurrent use.
type Reader struct {
	consMap []byte // consumer page (read-write)
	prodMap []byte // producer page + data mapped twice (read-only)
	cons    *uint64
	prod    *uint64
	data    []byte
	mask    uint64
	epfd    int
	events  []unix.EpollEvent
}

// New maps the ring buffer of m and prepares to wait for its notifications.
func New(m *ebpf.Map) (*Reader, error) {
	if m.Type() != ebpf.RingBuf {
		return nil, fmt.Errorf("map %s is %s, not a ring buffer", m, m.Type())
	}
	size := int(m.MaxEntries())
	page := os.Getpagesize()
	fd := m.FD()
	r := &Reader{epfd: -1, mask: uint64(size - 1)}
	var err error
	if r.consMap, err = unix.Mmap(fd, 0, page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return nil, fmt.Errorf("map consumer page: %w", err)
	}
	// MAP_POPULATE: fault the whole ring in now, not one page at a time
	// during the first burst, when the reader can least afford it.
	if r.prodMap, err = unix.Mmap(fd, int64(page), page+2*size, unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		r.Close()
		return nil, fmt.Errorf("map producer page and data: %w", err)
	}
	r.cons = (*uint64)(unsafe.Pointer(&r.consMap[0]))
	r.prod = (*uint64)(unsafe.Pointer(&r.prodMap[0]))
	r.data = r.prodMap[page:]
	if r.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		r.Close()
		return nil, fmt.Errorf("epoll: %w", err)
	}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
		r.Close()
		return nil, fmt.Errorf("epoll add ring buffer: %w", err)
	}
	r.events = make([]unix.EpollEvent, 1)
	return r, nil
}

// Pending is the number of bytes written and not yet consumed.
func (r *Reader) Pending() uint64 {
	return atomic.LoadUint64(r.prod) - atomic.LoadUint64(r.cons)
}

// Wait blocks until the kernel signals new data or timeout passes. A
// producer that submits with BPF_RB_NO_WAKEUP does not signal: callers
// read after every Wait, whatever it returns.
func (r *Reader) Wait(timeout time.Duration) error {
	if r.Pending() > 0 {
		return nil
	}
	ms := int(timeout / time.Millisecond)
	for {
		_, err := unix.EpollWait(r.epfd, r.events, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("epoll wait: %w", err)
		}
		return nil
	}
}

// Read hands every committed record to fn, in order, with the record's
// bytes in place: fn must not keep the slice. It stops at the first record
// still being written and returns how many records it handed out.
func (r *Reader) Read(fn func(sample []byte)) (int, error) {
	cons := atomic.LoadUint64(r.cons)
	prod := atomic.LoadUint64(r.prod)
	published := cons
	n := 0
	for cons < prod {
		if prod-cons < hdrSize {
			return n, fmt.Errorf("%w: %d bytes left, less than a record header", ErrCorrupt, prod-cons)
		}
		// The length word is written last by the kernel (xchg on commit).
		lenWord := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[cons&r.mask])))
		if lenWord&busyBit != 0 {
			break
		}
		length := uint64(lenWord &^ (busyBit | discardBit))
		aligned := (length + 7) &^ 7
		start := (cons + hdrSize) & r.mask
		if hdrSize+aligned > prod-cons || length > r.mask+1 {
			return n, fmt.Errorf("%w: record of %d bytes with %d left", ErrCorrupt, length, prod-cons-hdrSize)
		}
		if lenWord&discardBit == 0 {
			// data is mapped twice, so a record that wraps is contiguous here
			fn(r.data[start : start+length])
			n++
		}
		cons += hdrSize + aligned
		if cons-published >= publishStep {
			atomic.StoreUint64(r.cons, cons)
			published = cons
		}
	}
	if cons != published {
		atomic.StoreUint64(r.cons, cons)
	}
	return n, nil
}

// Close unmaps the ring and closes the epoll instance.
func (r *Reader) Close() error {
	var errs []error
	if r.epfd >= 0 {
		errs = append(errs, unix.Close(r.epfd))
		r.epfd = -1
	}
	for _, m := range []*[]byte{&r.prodMap, &r.consMap} {
		if *m != nil {
			errs = append(errs, unix.Munmap(*m))
			*m = nil
		}
	}
	return errors.Join(errs...)
}
