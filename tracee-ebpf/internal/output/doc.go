// Package output prints events: Tracee's --output flags, the Printer
// implementations and the run summary.
//
// Flags (repeatable --output):
//
//	format:table | format:table-verbose | format:json | format:gotemplate=PATH | format:protobuf
//	out-file:PATH      events go there instead of stdout
//	err-file:PATH      messages (lost events in text formats) go there instead of stderr
//	unix:PATH          serve the protobuf stream on a unix socket (mode 0600); stdout then
//	                   gets nothing (out-file: still gets the format)
//	option:exec-env    keep envp in execve/execveat (dropped otherwise)
//	option:parse-arguments   accepted; symbolic arguments are always rendered
//
// Text formats and protobuf are buffered and flushed at least every
// 100 ms, and whenever more than 64 KiB wait, so a reader on a pipe sees
// events promptly.
//
// The unix socket: every reader that connects gets the Header frame first
// and then the live stream from that moment on. Each reader has a bounded
// queue (UnixQueueFrames frames, UnixQueueBytes bytes); a reader that falls that far behind is
// disconnected and the number of frames it missed is logged, so a slow or
// stuck reader never stalls the tracer or the other readers (losses stay
// visible; the kernel ring buffer is never back-pressured by a socket).
//
// Framed streams (protobuf, unix) end with an end-of-stream frame carrying
// the run's totals (End); a reader that misses it knows the stream was cut.
//
// Printers are not safe for concurrent Print calls: the pipeline calls them
// from one goroutine (their own flush timers lock internally). A Printer
// does not keep the event after Print returns.
package output
