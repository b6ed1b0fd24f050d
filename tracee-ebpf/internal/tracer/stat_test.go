package tracer

import "syscall"

type syscallStat struct{ ino uint64 }

func statFile(path string, st *syscallStat) error {
	var s syscall.Stat_t
	if err := syscall.Stat(path, &s); err != nil {
		return err
	}
	st.ino = s.Ino
	return nil
}
