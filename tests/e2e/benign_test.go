package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benignComms are the process names the ordinary work below runs as
// (including the compiler driver's and the shell pipelines' children).
var benignComms = map[string]bool{
	"sh": true, "ls": true, "sort": true, "head": true, "cat": true, "wc": true,
	"gcc": true, "cc": true, "cc1": true, "as": true, "collect2": true, "ld": true, "ld.bfd": true,
	"lto-wrapper": true, "benign": true,
	"dpkg": true, "dpkg-query": true, "cp": true, "rm": true, "find": true,
}

// With every signature loaded (Go and opt-in Rego), ordinary work (shell pipelines, a compiler
// run, a package listing, file copies) produces no finding. A known attack
// run at the end proves the pipeline was alive and had caught up.
func TestBenignWorkloadHasNoFindings(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: listedSignatures(t)})
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(src, "hello.c")
	if err := os.WriteFile(prog, []byte("#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "data.txt"), []byte(strings.Repeat("data\n", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}

	pids := map[int]string{}
	for _, argv := range [][]string{
		{"sh", "-c", "ls / | sort | head -3"},
		{"sh", "-c", "cat /etc/passwd | wc -l"},
		{"gcc", "-O2", "-o", filepath.Join(dir, "benign"), prog},
		{filepath.Join(dir, "benign")},
		{"sh", "-c", "dpkg -l | head"},
		{"cp", "-r", src, filepath.Join(dir, "copy")},
		{"find", filepath.Join(dir, "copy"), "-type", "f"},
		{"rm", "-r", filepath.Join(dir, "copy")},
	} {
		if _, err := exec.LookPath(argv[0]); err != nil && !filepath.IsAbs(argv[0]) {
			t.Logf("skipping %v: %v", argv, err)
			continue
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
		pids[cmd.Process.Pid] = strings.Join(argv, " ")
	}

	// sentinel: the pipeline must see this, after everything above
	adPid, _ := runTriggerPid(t, "anti_debug")
	mustFind(t, p, "the sentinel anti_debug trigger", bySigPid("TRC-2", adPid))
	time.Sleep(time.Second) // events of other CPUs may trail the sentinel's
	p.Stop()

	all := p.Findings()
	t.Logf("all findings (%d):\n%s", len(all), describe(all))
	for _, f := range all {
		cmdline, byPid := pids[f.Event.HostProcessID]
		if byPid || benignComms[f.Event.ProcessName] {
			t.Errorf("false positive %s (%s) on %s by %q pid %d (%s): data %v",
				f.SignatureMetadata.ID, f.SignatureMetadata.Name, f.Event.EventName,
				f.Event.ProcessName, f.Event.HostProcessID, cmdline, f.Data)
		}
	}
}
