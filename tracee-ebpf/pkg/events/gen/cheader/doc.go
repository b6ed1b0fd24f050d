// Package cheader reads the "#define NAME NUMBER" lines of C headers, the
// form the kernel's syscall-number and multiplexer headers take
// (asm/unistd_*.h, linux/net.h, linux/ipc.h). The schema generators use it.
package cheader
