package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// record is one payload with its content type, as queued and spooled.
type record struct {
	ct   string
	body []byte
}

// spoolLine is a record on disk: one JSON object per line. Bodies that are
// valid UTF-8 (every JSON payload) are kept as text, others as base64.
type spoolLine struct {
	ContentType string `json:"ct"`
	Body        string `json:"body,omitempty"`
	BodyBase64  []byte `json:"body_b64,omitempty"`
	// Set in the rejected file only: the receiver's answer.
	Status   int    `json:"status,omitempty"`
	Response string `json:"response,omitempty"`
}

func encodeLine(r record) ([]byte, error) { return encodeSpoolLine(spoolLine{}, r) }

// encodeSpoolLine fills l with r (text or base64 body) and encodes it.
func encodeSpoolLine(l spoolLine, r record) ([]byte, error) {
	l.ContentType = r.ct
	if utf8.Valid(r.body) {
		l.Body = string(r.body)
	} else {
		l.BodyBase64 = r.body
	}
	b, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// encodeRejected is a refused payload's line in the rejected file: the
// payload plus the receiver's status code and response body.
func encodeRejected(r record, a answer) ([]byte, error) {
	return encodeSpoolLine(spoolLine{Status: a.status, Response: strings.ToValidUTF8(string(a.body), "\uFFFD")}, r)
}

func decodeLine(b []byte) (record, error) {
	var l spoolLine
	if err := json.Unmarshal(b, &l); err != nil {
		return record{}, err
	}
	if l.BodyBase64 != nil {
		return record{ct: l.ContentType, body: l.BodyBase64}, nil
	}
	return record{ct: l.ContentType, body: []byte(l.Body)}, nil
}

const (
	segmentExt = ".jsonl"
	cursorName = "cursor"
)

func segmentName(seq uint64) string { return fmt.Sprintf("%020d%s", seq, segmentExt) }

// spool is an ordered on-disk log of records in numbered segment files.
// Appends come from any goroutine (under the Sender's lock); reading, acking
// and draining are done by the delivery goroutine only.
type spool struct {
	dir      string
	segSize  int64
	maxBytes int64 // 0: unbounded; else the oldest segments are evicted to stay below

	mu    sync.Mutex // guards the writer state
	w     *os.File   // active segment, nil when none is open
	wSeq  uint64     // sequence of the active or last segment
	wSize int64      // bytes written to the active segment
	total int64      // bytes in the segment files on disk
	// Eviction (writer side) and the reader's position as the writer sees it.
	evictBelow uint64 // segments below this were evicted: the reader skips them
	readSeq    uint64
	readOff    int64

	// Reader state, owned by the delivery goroutine.
	rSeq uint64   // segment being replayed
	rOff int64    // offset of the next record in it
	rf   *os.File // open handle on segment rSeq
	buf  []byte
}

// openSpool opens (creating it if needed) the spool in dir and positions the
// reader at the first record not yet delivered. It reports whether the
// spool holds records from an earlier run.
func openSpool(dir string, segSize, maxBytes int64) (*spool, bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create spool directory: %w", err)
	}
	seqs, err := listSegments(dir)
	if err != nil {
		return nil, false, err
	}
	if maxBytes > 0 && segSize > maxBytes/4 {
		// Eviction is by whole segments: keep several under the cap.
		segSize = max(maxBytes/4, 1)
	}
	sp := &spool{dir: dir, segSize: segSize, maxBytes: maxBytes}
	for _, seq := range seqs {
		if st, err := os.Stat(filepath.Join(dir, segmentName(seq))); err == nil {
			if st.Size() == 0 { // left by a run that could not write it
				_ = os.Remove(filepath.Join(dir, segmentName(seq)))
				continue
			}
			sp.total += st.Size()
		}
	}
	if len(seqs) == 0 || sp.total == 0 {
		sp.rSeq = 1
		if len(seqs) > 0 {
			sp.wSeq = seqs[len(seqs)-1]
			sp.rSeq = sp.wSeq + 1
		}
		_ = os.Remove(filepath.Join(dir, cursorName))
		sp.readSeq = sp.rSeq
		return sp, false, nil
	}
	sp.wSeq = seqs[len(seqs)-1]
	sp.rSeq = seqs[0]
	if seq, off, ok := readCursor(dir); ok && seq >= seqs[0] && seq <= sp.wSeq {
		sp.rSeq, sp.rOff = seq, off
	}
	sp.readSeq, sp.readOff = sp.rSeq, sp.rOff
	return sp, true, nil
}

// listSegments returns the sequence numbers of the segment files in dir,
// ascending.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list spool directory: %w", err)
	}
	var seqs []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), segmentExt)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		seq, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		seqs = append(seqs, seq)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

func readCursor(dir string) (seq uint64, off int64, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, cursorName))
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(string(b), "%d %d", &seq, &off); err != nil || off < 0 {
		return 0, 0, false
	}
	return seq, off, true
}

// append writes one record at the end of the spool. When the spool would
// grow past its maximum size, the oldest segments are deleted first; evicted
// is the number of records they held that had not been delivered.
func (sp *spool) append(r record) (evicted uint64, err error) {
	line, err := encodeLine(r)
	if err != nil {
		return 0, fmt.Errorf("encode spool record: %w", err)
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.maxBytes > 0 && sp.total+int64(len(line)) > sp.maxBytes {
		evicted = sp.evictLocked(int64(len(line)))
	}
	if sp.w == nil || sp.wSize >= sp.segSize {
		if err := sp.rotateLocked(); err != nil {
			return evicted, err
		}
	}
	n, err := sp.w.Write(line)
	if err != nil {
		// Take back a partial line (a full disk, ENOSPC) so that the
		// segment stays whole; the next record tries the same segment
		// again instead of leaving an empty one behind.
		if n > 0 {
			if terr := sp.w.Truncate(sp.wSize); terr != nil {
				sp.wSize += int64(n) // the reader will skip the torn record
				sp.total += int64(n)
			}
		}
		return evicted, fmt.Errorf("write spool segment: %w", err)
	}
	sp.wSize += int64(n)
	sp.total += int64(n)
	return evicted, nil
}

// evictLocked deletes the oldest finished segments until need more bytes
// fit under maxBytes, and returns how many undelivered records they held.
// The active segment is never evicted.
func (sp *spool) evictLocked(need int64) uint64 {
	seqs, err := listSegments(sp.dir)
	if err != nil {
		return 0
	}
	var n uint64
	for _, seq := range seqs {
		if sp.total+need <= sp.maxBytes || seq >= sp.wSeq {
			break
		}
		path := filepath.Join(sp.dir, segmentName(seq))
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		from := 0
		if seq == sp.readSeq {
			from = int(min(sp.readOff, int64(len(b))))
		}
		if seq >= sp.readSeq {
			n += uint64(bytes.Count(b[from:], []byte{'\n'}))
		}
		if err := os.Remove(path); err != nil {
			continue
		}
		sp.total -= int64(len(b))
		sp.evictBelow = seq + 1
	}
	return n
}

// rotateLocked closes (with fsync) the active segment and opens the next.
func (sp *spool) rotateLocked() error {
	if err := sp.closeWriterLocked(); err != nil {
		return err
	}
	sp.wSeq++
	f, err := os.OpenFile(filepath.Join(sp.dir, segmentName(sp.wSeq)), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("create spool segment: %w", err)
	}
	sp.w, sp.wSize = f, 0
	if d, err := os.Open(sp.dir); err == nil { // make the new name durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

func (sp *spool) closeWriterLocked() error {
	if sp.w == nil {
		return nil
	}
	f := sp.w
	sp.w = nil
	if sp.wSize == 0 { // nothing in it: leave no empty segment
		_ = f.Close()
		_ = os.Remove(filepath.Join(sp.dir, segmentName(sp.wSeq)))
		return nil
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("close spool segment: %w", err)
	}
	return nil
}

// close flushes the active segment to disk. The spool stays on disk for
// the next run.
func (sp *spool) close() error {
	sp.mu.Lock()
	err := sp.closeWriterLocked()
	sp.mu.Unlock()
	if sp.rf != nil {
		_ = sp.rf.Close()
		sp.rf = nil
	}
	return err
}

// errCorrupt marks a spool record that cannot be decoded.
var errCorrupt = errors.New("corrupt spool record")

// next returns the next record to replay and its size on disk, or ok false
// when the reader has caught up with the writer. A torn or undecodable
// line is skipped and reported with errCorrupt (the record is lost).
func (sp *spool) next() (rec record, size int64, ok bool, err error) {
	for {
		sp.mu.Lock()
		wSeq, wSize, active := sp.wSeq, sp.wSize, sp.w != nil
		if sp.rSeq < sp.evictBelow { // evicted under our feet
			if sp.rf != nil {
				_ = sp.rf.Close()
				sp.rf = nil
			}
			sp.rSeq, sp.rOff = sp.evictBelow, 0
			sp.readSeq, sp.readOff = sp.rSeq, 0
		}
		sp.mu.Unlock()
		if sp.rSeq > wSeq {
			return record{}, 0, false, nil
		}
		complete := sp.rSeq < wSeq || !active
		if sp.rf == nil {
			f, err := os.Open(filepath.Join(sp.dir, segmentName(sp.rSeq)))
			if errors.Is(err, fs.ErrNotExist) && complete {
				sp.advance()
				continue
			}
			if err != nil {
				return record{}, 0, false, fmt.Errorf("open spool segment: %w", err)
			}
			sp.rf = f
		}
		limit := wSize
		if complete {
			st, err := sp.rf.Stat()
			if err != nil {
				return record{}, 0, false, fmt.Errorf("stat spool segment: %w", err)
			}
			limit = st.Size()
		}
		if sp.rOff >= limit {
			if !complete {
				return record{}, 0, false, nil
			}
			if err := sp.removeSegment(); err != nil {
				return record{}, 0, false, err
			}
			continue
		}
		line, err := sp.readLine(limit)
		if err != nil {
			return record{}, 0, false, fmt.Errorf("read spool segment: %w", err)
		}
		if len(line) == 0 { // the segment is shorter than it was
			sp.rOff = limit
			continue
		}
		if line[len(line)-1] != '\n' { // torn tail of a finished segment
			sp.ack(int64(len(line)))
			return record{}, 0, false, fmt.Errorf("%w: %s: torn record at offset %d", errCorrupt, segmentName(sp.rSeq), sp.rOff-int64(len(line)))
		}
		r, err := decodeLine(line)
		if err != nil {
			sp.ack(int64(len(line)))
			return record{}, 0, false, fmt.Errorf("%w: %s at offset %d: %w", errCorrupt, segmentName(sp.rSeq), sp.rOff-int64(len(line)), err)
		}
		return r, int64(len(line)), true, nil
	}
}

// readLine reads from the reader's offset up to and including the next
// newline, or up to limit.
func (sp *spool) readLine(limit int64) ([]byte, error) {
	sp.buf = sp.buf[:0]
	off := sp.rOff
	chunk := make([]byte, 64<<10)
	for off < limit {
		n := int64(len(chunk))
		if limit-off < n {
			n = limit - off
		}
		m, err := sp.rf.ReadAt(chunk[:n], off)
		if i := bytes.IndexByte(chunk[:m], '\n'); i >= 0 {
			sp.buf = append(sp.buf, chunk[:i+1]...)
			return sp.buf, nil
		}
		sp.buf = append(sp.buf, chunk[:m]...)
		off += int64(m)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if m == 0 {
			break
		}
	}
	return sp.buf, nil
}

// ack marks size bytes after the reader's offset as delivered.
func (sp *spool) ack(size int64) {
	sp.rOff += size
	sp.publish()
	sp.writeCursor()
}

// publish makes the reader's position visible to the writer (eviction).
func (sp *spool) publish() {
	sp.mu.Lock()
	sp.readSeq, sp.readOff = sp.rSeq, sp.rOff
	sp.mu.Unlock()
}

// writeCursor records the reader's position. It is best effort: a lost
// cursor only means records are delivered again.
func (sp *spool) writeCursor() {
	tmp := filepath.Join(sp.dir, cursorName+".tmp")
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", sp.rSeq, sp.rOff), 0o600); err == nil {
		_ = os.Rename(tmp, filepath.Join(sp.dir, cursorName))
	}
}

func (sp *spool) advance() {
	sp.rSeq++
	sp.rOff = 0
	sp.publish()
	sp.writeCursor()
}

// removeSegment deletes the fully replayed segment rSeq and moves on.
func (sp *spool) removeSegment() error {
	if sp.rf != nil {
		_ = sp.rf.Close()
		sp.rf = nil
	}
	path := filepath.Join(sp.dir, segmentName(sp.rSeq))
	st, serr := os.Stat(path)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove replayed spool segment: %w", err)
	}
	if serr == nil {
		sp.mu.Lock()
		sp.total -= st.Size()
		sp.mu.Unlock()
	}
	sp.advance()
	return nil
}

// drainIfCaughtUp empties the spool when every record in it was replayed,
// and reports whether it did. The caller must hold the Sender's lock so
// that no record is appended meanwhile.
func (sp *spool) drainIfCaughtUp() (bool, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	caughtUp := sp.rSeq > sp.wSeq || (sp.rSeq == sp.wSeq && sp.w != nil && sp.rOff >= sp.wSize)
	if !caughtUp {
		return false, nil
	}
	if sp.rf != nil {
		_ = sp.rf.Close()
		sp.rf = nil
	}
	if err := sp.closeWriterLocked(); err != nil {
		return false, err
	}
	seqs, err := listSegments(sp.dir)
	if err != nil {
		return false, err
	}
	for _, seq := range seqs {
		if seq <= sp.wSeq {
			if err := os.Remove(filepath.Join(sp.dir, segmentName(seq))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return false, fmt.Errorf("remove replayed spool segment: %w", err)
			}
		}
	}
	_ = os.Remove(filepath.Join(sp.dir, cursorName))
	sp.rSeq, sp.rOff = sp.wSeq+1, 0
	sp.readSeq, sp.readOff = sp.rSeq, 0
	sp.total = 0
	return true, nil
}

// appendFile appends one line to path and syncs it (dead letters, rare).
func appendFile(path string, line []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(line)
	serr := f.Sync()
	cerr := f.Close()
	return errors.Join(werr, serr, cerr)
}
