package probes

import (
	"fmt"
	"os"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/procfs"
)

// CheckPrivileges returns an error naming the missing capabilities.
func CheckPrivileges() error {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	eff, err := procfs.EffectiveCaps(data)
	if err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	const capSysAdmin, capPerfmon, capBPF = 21, 38, 39
	has := func(c uint) bool { return eff&(1<<c) != 0 }
	if has(capSysAdmin) || (has(capBPF) && has(capPerfmon)) {
		return nil
	}
	var missing []string
	if !has(capBPF) {
		missing = append(missing, "CAP_BPF")
	}
	if !has(capPerfmon) {
		missing = append(missing, "CAP_PERFMON")
	}
	return fmt.Errorf("not privileged enough: missing %s (or CAP_SYS_ADMIN); run as root or grant them", strings.Join(missing, " and "))
}
