package events

//go:generate go run ./gen -go table_gen.go -c ../../../bpf/lib/events_gen.h
