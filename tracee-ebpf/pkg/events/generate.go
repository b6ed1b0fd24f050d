package events

//go:generate go run ./gen -go table_gen.go -c ../../../bpf/lib/events_gen.h -compat-go compat_gen.go -compat-c ../../../bpf/lib/compat_gen.h
