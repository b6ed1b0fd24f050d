package probes

//go:generate go tool bpf2go -cc clang -target bpfel -type event_ctx -type config -type syscall_arg_kinds tracee ../../../bpf/tracee.bpf.c -- -O2 -g -Wall -Werror -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -I../../../bpf
