// Package render gives flag and enum arguments their symbolic form
// (Argument.repr: "O_RDONLY|O_CLOEXEC", "PTRACE_TRACEME", "AF_INET") and
// decodes raw struct sockaddr bytes. Every format is a table; unknown flag
// bits are kept as hex ("O_RDONLY|0x4000000"), unknown enum values get no
// repr so the number is printed instead.
package render
