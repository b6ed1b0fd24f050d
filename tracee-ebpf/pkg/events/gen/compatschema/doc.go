// Command compatschema writes schema/compat_syscalls.yaml: how each i386
// syscall (int $0x80, sysenter and every syscall of a 32-bit program) is
// reported. Numbers come from the installed kernel headers (linux-libc-dev:
// asm/unistd_32.h, asm/unistd_64.h, and the multiplexers' call numbers from
// linux/net.h and linux/ipc.h); schema/compat_overrides.yaml says what names
// alone do not. Run it through scripts/gen-syscall-schema.
package main
