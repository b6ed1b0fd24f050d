// Package sdk is the public API for writing tracee-rules signatures.
//
// A signature declares the events it wants (GetSelectedEvents), receives each
// matching event in OnEvent and reports findings through the Callback it was
// given in Init. The engine delivers events of one stream to a signature from
// one goroutine, so a signature needs no locking of its own state.
//
// Events are the protobuf messages tracee-ebpf produces
// (github.com/tracee-go/tracee/proto/traceepb); helpers in this package read
// arguments by name.
package sdk
