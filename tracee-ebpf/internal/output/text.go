package output

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/tracee-go/tracee/proto/traceejson"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Table prints Tracee's table: TIME UID COMM PID TID RET EVENT ARGS, and
// with verbose also UTS_NAME, CONTAINER_ID, MNT_NS, PID_NS and PPID, with
// pids as namespace/host.
type Table struct {
	out     *buffered
	errW    io.Writer
	verbose bool
	loc     *time.Location
}

// NewTable returns a table printer; loc nil means time.Local.
func NewTable(out, errW io.Writer, verbose bool, loc *time.Location) *Table {
	if loc == nil {
		loc = time.Local
	}
	return &Table{out: newBuffered(out), errW: errW, verbose: verbose, loc: loc}
}

const (
	tableRow        = "%-15s %-6s %-16s %-7s %-7s %-6s %-25s %s\n"
	tableVerboseRow = "%-15s %-16s %-12s %-10s %-10s %-6s %-16s %-15s %-15s %-15s %-6s %-25s %s\n"
)

// Header implements Printer: it prints the column titles.
func (t *Table) Header(*pb.Header) error {
	return t.out.write(func(w *bufio.Writer) error {
		var err error
		if t.verbose {
			_, err = fmt.Fprintf(w, tableVerboseRow, "TIME", "UTS_NAME", "CONTAINER_ID", "MNT_NS", "PID_NS", "UID", "COMM", "PID", "TID", "PPID", "RET", "EVENT", "ARGS")
		} else {
			_, err = fmt.Fprintf(w, tableRow, "TIME", "UID", "COMM", "PID", "TID", "RET", "EVENT", "ARGS")
		}
		return err
	})
}

// FormatTime renders a unix-ns timestamp as Tracee's table does:
// HH:MM:SS:microseconds.
func FormatTime(ts int64, loc *time.Location) string {
	t := time.Unix(0, ts).In(loc)
	return fmt.Sprintf("%02d:%02d:%02d:%06d", t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000)
}

// FormatArgs renders arguments as "name: value, name: value".
func FormatArgs(args []*pb.Argument) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.GetName())
		b.WriteString(": ")
		fmt.Fprint(&b, traceejson.ArgValue(a))
	}
	return b.String()
}

func itoa[T ~int32 | ~uint32 | ~int64](v T) string { return fmt.Sprint(v) }

// Print implements Printer.
func (t *Table) Print(ev *pb.Event) error {
	ts := FormatTime(ev.GetTimestamp(), t.loc)
	args := FormatArgs(ev.GetArgs())
	return t.out.write(func(w *bufio.Writer) error {
		var err error
		if t.verbose {
			cid := ev.GetContainerId()
			if len(cid) > 12 {
				cid = cid[:12]
			}
			_, err = fmt.Fprintf(w, tableVerboseRow, ts, ev.GetHostName(), cid,
				itoa(ev.GetMountNamespace()), itoa(ev.GetPidNamespace()), itoa(ev.GetUserId()), ev.GetProcessName(),
				itoa(ev.GetProcessId())+"/"+itoa(ev.GetHostProcessId()),
				itoa(ev.GetThreadId())+"/"+itoa(ev.GetHostThreadId()),
				itoa(ev.GetParentProcessId())+"/"+itoa(ev.GetHostParentProcessId()),
				itoa(ev.GetReturnValue()), ev.GetEventName(), args)
		} else {
			_, err = fmt.Fprintf(w, tableRow, ts, itoa(ev.GetUserId()), ev.GetProcessName(),
				itoa(ev.GetHostProcessId()), itoa(ev.GetHostThreadId()), itoa(ev.GetReturnValue()), ev.GetEventName(), args)
		}
		return err
	})
}

// Lost implements Printer: a line on the error stream.
func (t *Table) Lost(l *pb.Lost) error { return lostLine(t.errW, l) }

// Close implements Printer.
func (t *Table) Close() error { return t.out.close() }

func lostLine(w io.Writer, l *pb.Lost) error {
	if s := LostText(l); s != "" {
		_, err := fmt.Fprintf(w, "tracee-ebpf: %s\n", s)
		return err
	}
	return nil
}

// JSON prints one Tracee JSON object per line.
type JSON struct {
	out  *buffered
	errW io.Writer
	buf  []byte
}

// NewJSON returns a JSON-lines printer.
func NewJSON(out, errW io.Writer) *JSON { return &JSON{out: newBuffered(out), errW: errW} }

// Header implements Printer (Tracee's JSON stream has no header).
func (j *JSON) Header(*pb.Header) error { return nil }

// Print implements Printer.
func (j *JSON) Print(ev *pb.Event) error {
	var err error
	j.buf, err = traceejson.AppendJSON(j.buf[:0], ev)
	if err != nil {
		return fmt.Errorf("json output: %w", err)
	}
	j.buf = append(j.buf, '\n')
	return j.out.write(func(w *bufio.Writer) error {
		_, err := w.Write(j.buf)
		return err
	})
}

// Lost implements Printer: a line on the error stream.
func (j *JSON) Lost(l *pb.Lost) error { return lostLine(j.errW, l) }

// Close implements Printer.
func (j *JSON) Close() error { return j.out.close() }

// Template executes a Go text/template for each event, over the Tracee
// JSON struct (traceejson.Event: {{ .EventName }}, {{ .HostProcessID }},
// {{ range .Args }}{{ .Name }}={{ .Value }} {{ end }}). The template
// prints its own newlines.
type Template struct {
	tmpl *template.Template
	out  *buffered
	errW io.Writer
}

// NewTemplate parses the template file at path.
func NewTemplate(path string, out, errW io.Writer) (*Template, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gotemplate: %w", err)
	}
	tmpl, err := template.New(path).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("gotemplate: parse %s: %w", path, err)
	}
	return &Template{tmpl: tmpl, out: newBuffered(out), errW: errW}, nil
}

// Header implements Printer.
func (t *Template) Header(*pb.Header) error { return nil }

// Print implements Printer.
func (t *Template) Print(ev *pb.Event) error {
	data := traceejson.FromProto(ev)
	return t.out.write(func(w *bufio.Writer) error {
		if err := t.tmpl.Execute(w, data); err != nil {
			return fmt.Errorf("gotemplate: %w", err)
		}
		return nil
	})
}

// Lost implements Printer: a line on the error stream.
func (t *Template) Lost(l *pb.Lost) error { return lostLine(t.errW, l) }

// Close implements Printer.
func (t *Template) Close() error { return t.out.close() }
