package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tracee-ebpf's output formats and files, read the way a person or a
// script would read them.

// listedEvent is one row of tracee-ebpf --list.
type listedEvent struct {
	id        string
	sets      []string
	signature string // "(int dirfd, const char* pathname, ...)"
	available string
	i386      string // "5", "90,192", "socketcall:3", "-"
}

func listEbpf(t *testing.T) (map[string]listedEvent, string) {
	t.Helper()
	requirePrivileged(t)
	out, err := exec.Command(bin("tracee-ebpf"), "--list").CombinedOutput()
	if err != nil {
		t.Fatalf("tracee-ebpf --list: %v\n%s", err, out)
	}
	row := regexp.MustCompile(`^(\d+)\s+(\S+)\s+(\S+)\s+(\(.*\))\s+(yes|no: .*?)\s+(\S+)$`)
	evs := map[string]listedEvent{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		m := row.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			t.Fatalf("--list row does not read as ID EVENT SETS (ARGS) AVAILABILITY I386: %q", line)
		}
		evs[m[2]] = listedEvent{id: m[1], sets: strings.Split(m[3], ","), signature: m[4], available: m[5], i386: m[6]}
	}
	return evs, string(out)
}

// argTypes returns the types of a --list signature, "(int dirfd, const
// char* pathname)" -> ["int", "const char*"], and the names.
func argTypes(sig string) (types, names []string) {
	sig = strings.TrimSuffix(strings.TrimPrefix(sig, "("), ")")
	if sig == "" {
		return nil, nil
	}
	for _, p := range strings.Split(sig, ", ") {
		i := strings.LastIndexByte(p, ' ')
		types = append(types, p[:i])
		names = append(names, p[i+1:])
	}
	return types, names
}

// The JSON line has Tracee's field names and JSON types: eventId is a
// string, the numbers are numbers, args are {name, type, value} in the
// order and with the types --list gives, and ancestry starts at the parent.
func TestEbpfOutputJSONFields(t *testing.T) {
	list, _ := listEbpf(t)
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catjs7")
	before := time.Now().UnixNano()
	tr := StartJSON(t, "comm=catjs7", "event=openat")
	pid := runWorkload(t, cat, "/etc/hostname")
	tr.MustEvent("catjs7 opening /etc/hostname", openedBy(pid, "/etc/hostname"))
	tr.StopEvents()
	after := time.Now().UnixNano()
	var line string
	for _, l := range strings.Split(tr.Stdout(), "\n") {
		if strings.Contains(l, `"/etc/hostname"`) {
			line = l
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	hostname, _ := os.Hostname()
	mnt := nsIno(t, "/proc/self/ns/mnt")
	pidns := nsIno(t, "/proc/self/ns/pid")
	num := func(v any) float64 { f, _ := v.(float64); return f }
	checks := []struct {
		field string
		kind  string // JSON type
		ok    func(v any) bool
	}{
		{"timestamp", "number", func(v any) bool { return num(v) >= float64(before) && num(v) <= float64(after) }},
		{"processId", "number", func(v any) bool { return num(v) == float64(pid) }},
		{"threadId", "number", func(v any) bool { return num(v) == float64(pid) }},
		{"parentProcessId", "number", func(v any) bool { return num(v) == float64(os.Getpid()) }},
		{"hostProcessId", "number", func(v any) bool { return num(v) == float64(pid) }},
		{"userId", "number", func(v any) bool { return num(v) == float64(os.Getuid()) }},
		{"mountNamespace", "number", func(v any) bool { return num(v) == float64(mnt) }},
		{"pidNamespace", "number", func(v any) bool { return num(v) == float64(pidns) }},
		{"processName", "string", func(v any) bool { return v == "catjs7" }},
		{"hostName", "string", func(v any) bool { return v == hostname }},
		{"containerId", "string", func(v any) bool { return v == "" }},
		{"eventId", "string", func(v any) bool { return v == list["openat"].id && v == "257" }},
		{"eventName", "string", func(v any) bool { return v == "openat" }},
		{"argsNum", "number", func(v any) bool { a, _ := m["args"].([]any); return num(v) == float64(len(a)) && len(a) > 0 }},
		{"returnValue", "number", func(v any) bool { return num(v) >= 0 }},
		{"args", "array", nil},
		{"ancestry", "array", nil},
	}
	for _, c := range checks {
		v, ok := m[c.field]
		if !ok {
			t.Errorf("no %q field in %s", c.field, line)
			continue
		}
		if kind := jsonKind(v); kind != c.kind {
			t.Errorf("%s is a JSON %s (%v), want %s", c.field, kind, v, c.kind)
			continue
		}
		if c.ok != nil && !c.ok(v) {
			t.Errorf("%s = %v: wrong value", c.field, v)
		}
	}
	types, names := argTypes(list["openat"].signature)
	args, _ := m["args"].([]any)
	var gotNames, gotTypes []string
	for _, a := range args {
		am, _ := a.(map[string]any)
		for _, k := range []string{"name", "type", "value"} {
			if _, ok := am[k]; !ok {
				t.Errorf("argument %v has no %q", a, k)
			}
		}
		n, _ := am["name"].(string)
		ty, _ := am["type"].(string)
		gotNames, gotTypes = append(gotNames, n), append(gotTypes, ty)
	}
	if !slices.Equal(gotNames, names) || !slices.Equal(gotTypes, types) {
		t.Errorf("args %v %v, want --list's %v %v", gotNames, gotTypes, names, types)
	}
	anc, _ := m["ancestry"].([]any)
	if len(anc) == 0 {
		t.Fatalf("empty ancestry: %s", line)
	}
	first, _ := anc[0].(map[string]any)
	if num(first["hostProcessId"]) != float64(os.Getpid()) {
		t.Errorf("ancestry[0] = %v, want this test process %d", first, os.Getpid())
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case bool:
		return "bool"
	}
	return "null"
}

// tableColumns reads a row by the column offsets of the header.
func tableColumns(header, row string) map[string]string {
	pos := regexp.MustCompile(`\S+`).FindAllStringIndex(header, -1)
	cols := map[string]string{}
	for i, p := range pos {
		start, end := p[0], len(row)
		if i+1 < len(pos) {
			end = min(pos[i+1][0], len(row))
		}
		if start >= end {
			break
		}
		cols[header[p[0]:p[1]]] = strings.TrimSpace(row[start:end])
	}
	return cols
}

// The table and table-verbose formats: a header, then one aligned row per
// event with the process's identity.
func TestEbpfOutputTable(t *testing.T) {
	hostname, _ := os.Hostname()
	mnt := strconv.FormatUint(nsIno(t, "/proc/self/ns/mnt"), 10)
	pidns := strconv.FormatUint(nsIno(t, "/proc/self/ns/pid"), 10)
	timeRE := regexp.MustCompile(`^\d\d:\d\d:\d\d:\d{6}$`)
	cases := []struct {
		format string
		header []string
		want   func(pid int) map[string]string
	}{
		{"table", []string{"TIME", "UID", "COMM", "PID", "TID", "RET", "EVENT", "ARGS"},
			func(pid int) map[string]string {
				p := strconv.Itoa(pid)
				return map[string]string{"UID": "0", "COMM": "cattb7", "PID": p, "TID": p, "EVENT": "openat"}
			}},
		{"table-verbose", []string{"TIME", "UTS_NAME", "CONTAINER_ID", "MNT_NS", "PID_NS", "UID", "COMM", "PID", "TID", "PPID", "RET", "EVENT", "ARGS"},
			func(pid int) map[string]string {
				p := strconv.Itoa(pid)
				return map[string]string{"UTS_NAME": hostname, "CONTAINER_ID": "", "MNT_NS": mnt, "PID_NS": pidns, "UID": "0",
					"COMM": "cattb7", "PID": p + "/" + p, "TID": p + "/" + p,
					"PPID": fmt.Sprintf("%d/%d", os.Getpid(), os.Getpid()), "EVENT": "openat"}
			}},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			dir := sharedDir(t)
			cat := copyProgram(t, "/bin/cat", dir, "cattb7")
			tr := StartTracer(t, "--output", "format:"+c.format, "--trace", "comm=cattb7", "--trace", "event=openat")
			pid := runWorkload(t, cat, "/etc/hostname")
			if !pollUntil(findingTimeout, func() bool { return strings.Contains(tr.Stdout(), "pathname: /etc/hostname") }) {
				t.Fatalf("no row for /etc/hostname\n%s", tr.Diagnostics())
			}
			if code := tr.Stop(syscall.SIGINT); code != 0 {
				t.Errorf("exit code %d", code)
			}
			lines := strings.Split(strings.TrimRight(tr.Stdout(), "\n"), "\n")
			if got := strings.Fields(lines[0]); !slices.Equal(got, c.header) {
				t.Fatalf("header %q, want %q", got, c.header)
			}
			var row string
			for _, l := range lines[1:] {
				if strings.Contains(l, "pathname: /etc/hostname") {
					row = l
				}
			}
			cols := tableColumns(lines[0], row)
			for k, v := range c.want(pid) {
				if cols[k] != v {
					t.Errorf("column %s = %q, want %q\nheader: %s\nrow:    %s", k, cols[k], v, lines[0], row)
				}
			}
			if !timeRE.MatchString(cols["TIME"]) {
				t.Errorf("TIME %q is not HH:MM:SS:micros", cols["TIME"])
			}
			if n, err := strconv.Atoi(cols["RET"]); err != nil || n < 0 {
				t.Errorf("RET %q, want a file descriptor", cols["RET"])
			}
			for _, part := range []string{"dirfd: AT_FDCWD", "pathname: /etc/hostname", "flags: O_RDONLY"} {
				if !strings.Contains(cols["ARGS"], part) {
					t.Errorf("ARGS %q lacks %q", cols["ARGS"], part)
				}
			}
			for _, l := range lines[1:] {
				if strings.Contains(l, "{") && strings.Contains(l, `"eventName"`) {
					t.Errorf("JSON in table output: %s", l)
				}
			}
		})
	}
}

// format:gotemplate=PATH runs the template per event over Tracee's JSON
// field names; a missing or broken template is refused at start.
func TestEbpfOutputGoTemplate(t *testing.T) {
	dir := sharedDir(t)
	tmpl := filepath.Join(dir, "ev.tmpl")
	src := `{{ .EventName }} id={{ .EventID }} pid={{ .HostProcessID }} comm={{ .ProcessName }}` +
		`{{ range .Args }}{{ if eq .Name "pathname" }} path={{ .Value }}{{ end }}{{ end }}` + "\n"
	if err := os.WriteFile(tmpl, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := copyProgram(t, "/bin/cat", dir, "cattp7")
	tr := StartTracer(t, "--output", "format:gotemplate="+tmpl, "--trace", "comm=cattp7", "--trace", "event=openat")
	pid := runWorkload(t, cat, "/etc/hostname")
	want := fmt.Sprintf("openat id=257 pid=%d comm=cattp7 path=/etc/hostname", pid)
	if !pollUntil(findingTimeout, func() bool { return strings.Contains(tr.Stdout(), want+"\n") }) {
		t.Fatalf("no line %q\n%s", want, tr.Diagnostics())
	}
	tr.Stop(syscall.SIGINT)
	line := regexp.MustCompile(`^openat id=257 pid=` + strconv.Itoa(pid) + ` comm=cattp7 path=\S+$`)
	for _, l := range strings.Split(strings.TrimRight(tr.Stdout(), "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("line not from the template: %q", l)
		}
	}

	bad := filepath.Join(dir, "bad.tmpl")
	os.WriteFile(bad, []byte("{{ .EventName "), 0o644)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.tmpl"), "gotemplate"},
		{bad, "gotemplate: parse"},
	} {
		out, code := runEbpf(t, "--output", "format:gotemplate="+c.path, "--trace", "comm=x")
		if code == 0 || !strings.Contains(out, c.want) || !strings.Contains(out, c.path) {
			t.Errorf("template %s: exit %d, want non-zero and an error naming it (%q):\n%s", c.path, code, c.want, out)
		}
	}
}

// Bad --output values are refused with an error naming them.
func TestEbpfOutputBadFlags(t *testing.T) {
	for _, c := range []struct{ flag, want string }{
		{"format:xml", `--output "format:xml": unknown format`},
		{"format:json=1", "takes no argument"},
		{"option:nope", `unknown option "nope"`},
		{"verbose", "expected format:, out-file:"},
		{"out-file:/nonexistent-zz7/dir/events", "open out-file"},
		{"err-file:/nonexistent-zz7/dir/errors", "open err-file"},
	} {
		t.Run(c.flag, func(t *testing.T) {
			out, code := runEbpf(t, "--output", c.flag, "--trace", "comm=nosuchcomm7")
			if code == 0 || !strings.Contains(out, c.want) {
				t.Errorf("--output %s: exit %d, want non-zero and %q:\n%s", c.flag, code, c.want, out)
			}
		})
	}
}

// runEbpf runs tracee-ebpf to completion (bounded) and returns its
// combined output and exit code; for runs that end by themselves.
func runEbpf(t *testing.T, args ...string) (string, int) {
	t.Helper()
	requirePrivileged(t)
	cmd := exec.Command(bin("tracee-ebpf"), append([]string{"--install-path", t.TempDir()}, args...)...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitTimeout(cmd, tracerTimeout) {
		t.Fatalf("tracee-ebpf %v did not exit by itself\n%s", args, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// out-file: takes the events (stdout stays empty); err-file: takes the
// loss reports (a 1-page ring buffer under a burst loses events); the exit
// summary, with per-event counts and the lost count, goes to stderr.
func TestEbpfOutputFiles(t *testing.T) {
	dir := sharedDir(t)
	find := copyProgram(t, "/usr/bin/find", dir, "findzz7")
	outFile := filepath.Join(dir, "events.json")
	errFile := filepath.Join(dir, "errors.txt")
	tr := StartTracer(t, "--perf-buffer-size", "1", "--output", "format:json",
		"--output", "out-file:"+outFile, "--output", "err-file:"+errFile,
		"--trace", "comm=findzz7", "--trace", "event=openat,close,newfstatat,getdents64,fcntl,fstat")
	for range 3 {
		runWorkload(t, find, "/usr", "-xdev")
	}
	if !pollUntil(findingTimeout, func() bool {
		b, _ := os.ReadFile(errFile)
		return strings.Contains(string(b), "lost")
	}) {
		t.Errorf("no loss report in the err-file after a burst into a 1-page buffer")
	}
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d\n%s", code, tr.Diagnostics())
	}
	if tr.Stdout() != "" {
		t.Errorf("stdout not empty with out-file: %.300s", tr.Stdout())
	}
	data, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	evs := decodeEvents(t, string(data))
	counts := map[string]int{}
	for _, e := range evs {
		if e.ProcessName != "findzz7" {
			t.Errorf("event of %q in out-file", e.ProcessName)
			break
		}
		counts[e.EventName]++
	}
	if len(evs) == 0 {
		t.Fatal("no events in the out-file")
	}
	errs, _ := os.ReadFile(errFile)
	for _, l := range strings.Split(strings.TrimSpace(string(errs)), "\n") {
		if !regexp.MustCompile(`^tracee-ebpf: \d+ events lost in the kernel ring buffer \(\d+ in total\)`).MatchString(l) {
			t.Errorf("err-file line is not a loss report: %q", l)
		}
	}
	if strings.Contains(string(errs), "Stats:") || strings.Contains(string(data), "Stats:") {
		t.Errorf("summary written to a file; it belongs on stderr")
	}
	// the summary: EventCount equals the events printed, LostEvCount > 0,
	// and one count line per event name that matches the out-file
	stderr := tr.Stderr()
	m := regexp.MustCompile(`Stats: \{EventCount:(\d+) .*LostEvCount:(\d+) `).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no Stats line on stderr:\n%s", stderr)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(evs) {
		t.Errorf("summary EventCount %d, out-file has %d events", n, len(evs))
	}
	if n, _ := strconv.Atoi(m[2]); n == 0 {
		t.Errorf("summary LostEvCount 0 after losses were reported:\n%s", stderr)
	}
	for name, n := range counts {
		if !regexp.MustCompile(`(?m)^\s+` + name + `\s+` + strconv.Itoa(n) + `$`).MatchString(stderr) {
			t.Errorf("summary has no line %q %d:\n%s", name, n, stderr)
		}
	}
}

// option:exec-env adds envp to execve; without it execve has no envp.
func TestEbpfOutputExecEnv(t *testing.T) {
	for _, withEnv := range []bool{true, false} {
		t.Run(fmt.Sprintf("exec-env=%v", withEnv), func(t *testing.T) {
			g := StartGated(t, "sh", "-c", "read x; ZZ7VAR=hello exec /bin/true zz7arg")
			args := []string{"--output", "format:json", "--trace", "pid=" + strconv.Itoa(g.Pid()), "--trace", "event=execve,sched_process_exec"}
			if withEnv {
				args = append(args, "--output", "option:exec-env")
			}
			tr := StartTracer(t, args...)
			g.Release()
			e := tr.MustEvent("execve of /bin/true", func(e EbpfEvent) bool {
				return e.EventName == "execve" && e.HostProcessID == g.Pid() && e.Str("pathname") == "/bin/true"
			})
			if argv := e.Strs("argv"); !slices.Equal(argv, []string{"/bin/true", "zz7arg"}) {
				t.Errorf("argv %q, want [/bin/true zz7arg]", argv)
			}
			_, has := e.Arg("envp")
			if has != withEnv {
				t.Errorf("envp present=%v, want %v: %s", has, withEnv, e)
			}
			if withEnv && !slices.Contains(e.Strs("envp"), "ZZ7VAR=hello") {
				t.Errorf("envp %q lacks ZZ7VAR=hello", e.Strs("envp"))
			}
			if withEnv && e.ArgsNum != 3 || !withEnv && e.ArgsNum != 2 {
				t.Errorf("argsNum %d with exec-env=%v", e.ArgsNum, withEnv)
			}
		})
	}
}

// ---- events from real triggers, as tracee-ebpf prints them ----

// execve carries pathname and argv (a failed one too, with its error);
// sched_process_exec resolves the program's path.
func TestEbpfEventExecve(t *testing.T) {
	g := StartGated(t, "sh", "-c", `read x; /nonexistent-zz7/prog a b; exec /bin/echo zz7 "two words" ""`)
	tr := StartJSON(t, "tree="+strconv.Itoa(g.Pid()), "event=execve,sched_process_exec")
	g.Release()
	e := tr.MustEvent("execve of /bin/echo", func(e EbpfEvent) bool {
		return e.EventName == "execve" && e.Str("pathname") == "/bin/echo"
	})
	if argv := e.Strs("argv"); !slices.Equal(argv, []string{"/bin/echo", "zz7", "two words", ""}) {
		t.Errorf("argv %q", argv)
	}
	if e.ReturnValue != 0 {
		t.Errorf("returnValue %d for a successful execve", e.ReturnValue)
	}
	x := tr.MustEvent("sched_process_exec of echo", func(e EbpfEvent) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessID == g.Pid()
	})
	if x.Str("cmdpath") != "/bin/echo" || x.Str("pathname") != "/usr/bin/echo" || x.ProcessName != "echo" {
		t.Errorf("sched_process_exec cmdpath %q pathname %q comm %q, want /bin/echo /usr/bin/echo echo", x.Str("cmdpath"), x.Str("pathname"), x.ProcessName)
	}
	if argv := x.Strs("argv"); !slices.Equal(argv, []string{"/bin/echo", "zz7", "two words", ""}) {
		t.Errorf("sched_process_exec argv %q", argv)
	}
	evs := tr.StopEvents()
	failed := filterEvents(evs, func(e EbpfEvent) bool {
		return e.EventName == "execve" && e.Str("pathname") == "/nonexistent-zz7/prog"
	})
	if len(failed) == 0 {
		t.Fatalf("no execve for the missing program (the shell's child):\n%s", describeEvents(evs))
	}
	if f := failed[0]; f.HostParentProcessID != g.Pid() || f.ReturnValue != -2 || !slices.Equal(f.Strs("argv"), []string{"/nonexistent-zz7/prog", "a", "b"}) {
		t.Errorf("failed execve: %s, want the shell's child, returnValue -2 and argv [/nonexistent-zz7/prog a b]", f)
	}
}

// kernelDev is dev_t as the kernel keeps it (major<<20 | minor), which is
// what Tracee prints, from a stat st_dev.
func kernelDev(stDev uint64) int64 {
	major := (stDev >> 8) & 0xfff
	minor := (stDev & 0xff) | ((stDev >> 12) & 0xfff00)
	return int64(major<<20 | minor)
}

// sched_process_exec of a program run through a symlink: cmdpath is the
// link, pathname the resolved file, with its device, inode and mode.
func TestEbpfEventExecSymlink(t *testing.T) {
	dir := sharedDir(t)
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	target := copyProgram(t, "/bin/cat", filepath.Join(dir, "real"), "catreal7")
	link := filepath.Join(dir, "lnzz7")
	if err := os.Symlink("real/catreal7", link); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(target, &st); err != nil {
		t.Fatal(err)
	}
	tr := StartJSON(t, "comm=lnzz7", "event=sched_process_exec")
	pid := runWorkload(t, link, "/etc/hostname")
	e := tr.MustEvent("exec through the symlink", func(e EbpfEvent) bool { return e.HostProcessID == pid })
	for _, c := range []struct {
		arg  string
		want any
		got  any
	}{
		{"cmdpath", link, e.Str("cmdpath")},
		{"pathname", target, e.Str("pathname")},
		{"argv", fmt.Sprint([]string{link, "/etc/hostname"}), fmt.Sprint(e.Strs("argv"))},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.arg, c.got, c.want)
		}
	}
	if n, _ := e.Int("inode"); uint64(n) != st.Ino {
		t.Errorf("inode %d, want %d", n, st.Ino)
	}
	if n, _ := e.Int("dev"); n != kernelDev(st.Dev) {
		t.Errorf("dev %d, want %d (kernel encoding of st_dev %#x)", n, kernelDev(st.Dev), st.Dev)
	}
	if n, _ := e.Int("inode_mode"); uint32(n) != st.Mode {
		t.Errorf("inode_mode %o, want %o", n, st.Mode)
	}
	known, _ := os.ReadFile("/proc/filesystems")
	if fs := e.Str("fs_type"); !regexp.MustCompile(`(?m)\s`+regexp.QuoteMeta(fs)+`$`).Match(known) || fs == "" {
		t.Errorf("fs_type %q is not a file system type of /proc/filesystems", fs)
	}
}

// magic_write: the first bytes written at offset 0 of a regular file, with
// its path; a write further into the file is not one.
func TestEbpfEventMagicWrite(t *testing.T) {
	dir := sharedDir(t)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 24)...)
	elf[16] = 2 // e_type ET_EXEC
	path := filepath.Join(dir, "elfzz7")
	tr := StartJSON(t, "pid="+strconv.Itoa(os.Getpid()), "event=magic_write")
	if err := os.WriteFile(path, elf, 0o644); err != nil {
		t.Fatal(err)
	}
	later := filepath.Join(dir, "laterzz7")
	f, err := os.OpenFile(later, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt(elf, 100) // pwrite64 at offset 100
	f.Close()
	e := tr.MustEvent("magic_write of "+path, func(e EbpfEvent) bool { return e.Str("pathname") == path })
	raw, _ := e.Arg("bytes")
	var got []byte
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("bytes %s: %v", raw, err)
	}
	if !slices.Equal(got, elf[:20]) {
		t.Errorf("bytes %x, want the first 20 written: %x", got, elf[:20])
	}
	var st syscall.Stat_t
	syscall.Stat(path, &st)
	if n, _ := e.Int("inode"); uint64(n) != st.Ino {
		t.Errorf("inode %d, want %d", n, st.Ino)
	}
	evs := tr.StopEvents()
	mustNone(t, evs, "a write at offset 100", func(e EbpfEvent) bool { return e.Str("pathname") == later })
}

// socket_dup: a connected socket dup2'ed onto 0, 1 and 2, with its peer.
func TestEbpfEventSocketDup(t *testing.T) {
	l := listen(t, "tcp4", "127.0.0.1:0")
	tr := StartJSON(t, "comm=reverse_shell", "event=socket_dup,dup2")
	pid, out := runTriggerPid(t, "reverse_shell", "dup2", "127.0.0.1", strconv.Itoa(l.port()))
	sock := outInt(t, out, "sock")
	for fd := 0; fd <= 2; fd++ {
		e := tr.MustEvent(fmt.Sprintf("socket_dup onto %d", fd), func(e EbpfEvent) bool {
			n, _ := e.Int("newfd")
			return e.EventName == "socket_dup" && e.HostProcessID == pid && n == int64(fd)
		})
		if n, _ := e.Int("oldfd"); n != int64(sock) {
			t.Errorf("oldfd %d, want %d", n, sock)
		}
		raw, _ := e.Arg("remote_addr")
		var addr map[string]string
		json.Unmarshal(raw, &addr)
		want := map[string]string{"sa_family": "AF_INET", "sin_addr": "127.0.0.1", "sin_port": strconv.Itoa(l.port())}
		for k, v := range want {
			if addr[k] != v {
				t.Errorf("remote_addr %s, want %v", raw, want)
				break
			}
		}
	}
	evs := tr.StopEvents()
	if n := len(filterEvents(evs, func(e EbpfEvent) bool { return e.EventName == "dup2" && e.HostProcessID == pid })); n != 3 {
		t.Errorf("%d dup2 events, want 3", n)
	}
	if n := len(filterEvents(evs, func(e EbpfEvent) bool { return e.EventName == "socket_dup" })); n != 3 {
		t.Errorf("%d socket_dup events, want 3:\n%s", n, describeEvents(evs))
	}
}

// ptrace and process_vm_writev name the target process.
func TestEbpfEventInjectionTargets(t *testing.T) {
	tr := StartJSON(t, "comm=code_injection", "event=ptrace,process_vm_writev")
	pokePid, pokeOut := runTriggerPid(t, "code_injection", "ptrace-poke")
	vmPid, vmOut := runTriggerPid(t, "code_injection", "vm-writev")
	pokeChild, vmChild := outInt(t, pokeOut, "child"), outInt(t, vmOut, "child")
	for _, req := range []string{"PTRACE_ATTACH", "PTRACE_POKETEXT", "PTRACE_DETACH"} {
		e := tr.MustEvent("ptrace "+req, func(e EbpfEvent) bool {
			return e.EventName == "ptrace" && e.HostProcessID == pokePid && e.Str("request") == req
		})
		if n, _ := e.Int("pid"); n != int64(pokeChild) {
			t.Errorf("%s pid %d, want the child %d", req, n, pokeChild)
		}
	}
	e := tr.MustEvent("process_vm_writev", func(e EbpfEvent) bool {
		return e.EventName == "process_vm_writev" && e.HostProcessID == vmPid
	})
	if n, _ := e.Int("pid"); n != int64(vmChild) {
		t.Errorf("process_vm_writev pid %d, want the child %d", n, vmChild)
	}
	if want := int64(outInt(t, vmOut, "process_vm_writev")); e.ReturnValue != want {
		t.Errorf("process_vm_writev returned %d, the trigger saw %d", e.ReturnValue, want)
	}
	tr.StopEvents()
}
