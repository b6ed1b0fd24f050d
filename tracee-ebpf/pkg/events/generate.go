package events

//go:generate go run ./gen -go table_gen.go -c ../../../bpf/lib/events_gen.h -derived ../../../bpf/derived/derived_gen.h -abi ../../internal/abi/abi_gen.go -compat-go compat_gen.go -compat-c ../../../bpf/lib/compat_gen.h
