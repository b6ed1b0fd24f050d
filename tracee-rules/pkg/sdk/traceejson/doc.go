// Package traceejson gives signature writers, outputs and webhooks Tracee's
// JSON forms of events and findings.
//
// The event format itself is defined once, in
// github.com/tracee-go/tracee/proto/traceejson (shared with tracee-ebpf's JSON
// output, so that what tracee-ebpf prints is what tracee-rules reads); this
// package re-exports it under the same names (Event, FromProto, ArgValue,
// SockaddrMap, Marshal, Unmarshal) and adds the finding form:
//
//	{"signatureMetadata":{...},"event":{Tracee event fields...},"data":{...}}
package traceejson
