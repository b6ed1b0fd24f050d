package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Bounds of each socket reader's queue: a reader that lets this many
// frames, or this many bytes, pile up is disconnected.
const (
	UnixQueueFrames = 8192
	UnixQueueBytes  = 16 << 20
)

// UnixServer serves the protobuf stream to any number of readers on a
// unix socket. See the package documentation for the slow-reader policy.
type UnixServer struct {
	path string
	ln   *net.UnixListener
	logf func(string, ...any)

	mu      sync.Mutex
	header  []byte // the encoded header frame, nil until Header
	enc     *stream.Writer
	encBuf  bytes.Buffer
	clients map[*unixClient]struct{}
	nextID  int
	closed  bool

	wg sync.WaitGroup
}

type unixClient struct {
	id      int
	conn    net.Conn
	ch      chan []byte
	gone    bool   // removed from the server; ch closed
	sent    uint64 // frames queued so far
	dropped uint64
	queued  atomic.Int64 // bytes waiting in ch
}

// ListenUnix creates the socket at path with mode 0600 (the socket is
// made in a private directory and renamed into place, so it is never
// reachable with looser permissions). A stale socket at path is replaced;
// a live one, or any other kind of file, is an error.
func ListenUnix(path string, logf func(string, ...any)) (*UnixServer, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("unix output: %s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
			c.Close()
			return nil, fmt.Errorf("unix output: %s is in use by another process", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("unix output: remove stale socket: %w", err)
		}
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), ".tracee-sock-")
	if err != nil {
		return nil, fmt.Errorf("unix output: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("unix output: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("unix output: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		return nil, fmt.Errorf("unix output: %w", err)
	}
	s := &UnixServer{path: path, ln: ln, logf: logf, clients: map[*unixClient]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Path is the socket path.
func (s *UnixServer) Path() string { return s.path }

func (s *UnixServer) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("unix output: accept: %v", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.nextID++
		c := &unixClient{id: s.nextID, conn: conn, ch: make(chan []byte, UnixQueueFrames)}
		s.clients[c] = struct{}{}
		if s.header != nil {
			c.ch <- s.header
			c.queued.Add(int64(len(s.header)))
			c.sent++
		}
		s.wg.Add(1)
		go s.serve(c)
		s.mu.Unlock()
	}
}

// serve writes queued frames to one reader.
func (s *UnixServer) serve(c *unixClient) {
	defer s.wg.Done()
	defer c.conn.Close()
	w := bufio.NewWriterSize(c.conn, 64<<10)
	for frame := range c.ch {
		_, err := w.Write(frame)
		c.queued.Add(-int64(len(frame)))
		if err == nil && len(c.ch) == 0 {
			err = w.Flush()
		}
		if err != nil {
			s.drop(c, fmt.Sprintf("write failed: %v", err))
			for range c.ch { //nolint:revive // drain until the channel is closed
			}
			return
		}
	}
	_ = w.Flush()
}

// drop removes a client; callers must not hold s.mu.
func (s *UnixServer) drop(c *unixClient, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked(c, why)
}

func (s *UnixServer) dropLocked(c *unixClient, why string) {
	if c.gone {
		return
	}
	c.gone = true
	delete(s.clients, c)
	close(c.ch)
	s.logf("unix output: reader %d disconnected (%s) after %d frames; %d frames not delivered", c.id, why, c.sent, c.dropped)
}

// broadcast queues one encoded frame to every reader, under s.mu.
func (s *UnixServer) broadcast(frame []byte) {
	for c := range s.clients {
		if c.queued.Load()+int64(len(frame)) > UnixQueueBytes {
			c.dropped = uint64(len(c.ch)) + 1
			s.dropLocked(c, fmt.Sprintf("too slow: %d bytes queued", c.queued.Load()))
			c.conn.Close()
			continue
		}
		select {
		case c.ch <- frame:
			c.queued.Add(int64(len(frame)))
			c.sent++
		default:
			c.dropped = uint64(len(c.ch)) + 1
			s.dropLocked(c, fmt.Sprintf("too slow: %d frames queued", len(c.ch)))
			// Stop its writer promptly; queued frames are abandoned.
			c.conn.Close()
		}
	}
}

// takeFrame returns the bytes encoded into encBuf since the last call.
func (s *UnixServer) takeFrame() ([]byte, error) {
	if err := s.enc.Flush(); err != nil {
		return nil, err
	}
	frame := bytes.Clone(s.encBuf.Bytes())
	s.encBuf.Reset()
	return frame, nil
}

// Header implements Printer: it becomes the first frame for every reader.
func (s *UnixServer) Header(h *pb.Header) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.header != nil {
		return errors.New("unix output: header written twice")
	}
	enc, err := stream.NewWriter(&s.encBuf, h)
	if err != nil {
		return fmt.Errorf("unix output: %w", err)
	}
	s.enc = enc
	frame, err := s.takeFrame()
	if err != nil {
		return fmt.Errorf("unix output: %w", err)
	}
	s.header = frame
	s.broadcast(frame)
	return nil
}

// Print implements Printer.
func (s *UnixServer) Print(ev *pb.Event) error {
	return s.send("event", func() error { return s.enc.WriteEvent(ev) })
}

// Lost implements Printer.
func (s *UnixServer) Lost(l *pb.Lost) error {
	return s.send("loss report", func() error { return s.enc.WriteLost(l) })
}

// End implements Ender: every connected reader gets the end-of-stream
// frame before Close disconnects it.
func (s *UnixServer) End(e *pb.EndOfStream) error {
	return s.send("end of stream", func() error { return s.enc.WriteEnd(e) })
}

// send encodes one frame with write and broadcasts it to every reader.
func (s *UnixServer) send(what string, write func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.enc == nil {
		return fmt.Errorf("unix output: %s before the stream header", what)
	}
	if len(s.clients) == 0 {
		return nil
	}
	if err := write(); err != nil {
		return fmt.Errorf("unix output: %w", err)
	}
	frame, err := s.takeFrame()
	if err != nil {
		return fmt.Errorf("unix output: %w", err)
	}
	s.broadcast(frame)
	return nil
}

// Readers is the number of connected readers.
func (s *UnixServer) Readers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// Close stops accepting, lets readers receive what is queued (up to 2 s),
// then closes their connections and removes the socket.
func (s *UnixServer) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]net.Conn, 0, len(s.clients))
	for c := range s.clients {
		c.gone = true
		close(c.ch)
		conns = append(conns, c.conn)
	}
	s.clients = map[*unixClient]struct{}{}
	s.mu.Unlock()
	err := s.ln.Close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		for _, c := range conns {
			c.Close()
		}
		<-done
	}
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	return err
}
