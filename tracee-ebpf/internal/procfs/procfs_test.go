package procfs

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	st, err := ParseStat([]byte("42 (my (weird) sh) S 7 42 42 0 -1 4194560 " + strings.Repeat("0 ", 12) + "123456 0 0"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Comm != "my (weird) sh" || st.PPID != 7 || st.StartTicks != 123456 {
		t.Errorf("parsed %+v", st)
	}
	for _, in := range []string{"", "1 comm S 0", "1 (x) S notanumber " + strings.Repeat("0 ", 30), "1 (x) S 1 2"} {
		if _, err := ParseStat([]byte(in)); err == nil {
			t.Errorf("ParseStat(%q) accepted", in)
		}
	}
}

func TestSelf(t *testing.T) {
	st, err := ReadStat("/proc", int32(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	if st.PPID != int32(os.Getppid()) {
		t.Errorf("ppid %d, want %d", st.PPID, os.Getppid())
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if InnermostPID(status) == 0 {
		t.Error("no NSpid")
	}
	if caps, err := EffectiveCaps(status); err != nil || (os.Geteuid() == 0 && caps == 0) {
		t.Errorf("CapEff %#x, %v", caps, err)
	}
	if _, err := EffectiveCaps([]byte("Name:\tx\nCapEff:\tzz\n")); err == nil {
		t.Error("a bad CapEff accepted")
	}
	if ino, err := NSInode("/proc/self/ns/mnt"); err != nil || ino == 0 {
		t.Errorf("mount namespace inode %d, %v", ino, err)
	}
	if bt, err := BootTime("/proc"); err != nil || bt <= 0 {
		t.Errorf("boot time %d, %v", bt, err)
	}
}

func TestDescendants(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	got := Descendants("/proc", []uint32{uint32(os.Getpid())})
	if got[0] != uint32(os.Getpid()) || !slices.Contains(got, uint32(cmd.Process.Pid)) {
		t.Errorf("descendants %v lack the child %d", got, cmd.Process.Pid)
	}
}
