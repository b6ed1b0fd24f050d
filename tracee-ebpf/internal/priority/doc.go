// Package priority raises tracee-ebpf's CPU scheduling priority.
//
// The kernel ring buffer absorbs bursts, but on a host whose CPUs are
// saturated by other work the reader can be starved for seconds and the
// buffer overflows: events are lost although the tracer itself needs a
// fraction of one CPU. A lower nice value (--nice, default -10) gives the
// tracer a larger share whenever it is runnable and costs nothing while it
// sleeps. Linux keeps the nice value per thread: Set applies it to every
// thread of the process, and threads created later inherit it from theirs.
package priority
