// Package stream frames tracee's protobuf messages on a byte stream.
//
// Each frame is a StreamMessage preceded by its length as a protobuf varint
// (google.golang.org/protobuf/encoding/protodelim). A stream starts with a
// Header frame. Readers refuse frames larger than a maximum size and report
// truncated or corrupt frames with the byte offset at which the frame started,
// so a damaged recording can be located and cut.
package stream
