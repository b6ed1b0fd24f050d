// Package traceejson converts between the in-memory event (*traceepb.Event)
// and Tracee's JSON event format (field names "processId", "eventName",
// "args":[{"name","type","value"}], ...), and renders findings as JSON.
//
// Encoding prints an argument's repr when it has one, else its value, as
// Tracee does; socket addresses print as Tracee's sockaddr maps
// ({"sa_family":"AF_INET","sin_addr":"127.0.0.1","sin_port":"4444"}).
// Decoding accepts that format (and {family,ip,port,path} socket addresses)
// and types each value from its JSON type and the argument's C type string.
package traceejson
