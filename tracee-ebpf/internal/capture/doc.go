// Package capture implements tracee-ebpf's --capture: forensic artifacts,
// stored while the event stream is handled and linked to their events.
//
//   - exec: on sched_process_exec the executed binary is read through
//     /proc/<hostpid>/exe and stored once, content-addressed, as
//     <dir>/exec/<sha256>. A memfd whose process is already gone is rebuilt
//     from the writes the kernel copied into it (capture_chunk kind 5). A
//     bounded cache keyed by the file's identity spares re-hashing.
//   - mem: a region made executable is copied by the kernel at the
//     syscall's exit and stored when a mem_prot_alert (or a W+X call) asks
//     for it; otherwise the alert's range is read from /proc/<hostpid>/mem.
//   - write, module, bpf: capture_chunk records from the kernel's capture
//     program (bpf/hooks/capture.h), assembled per thread.
//   - network: net_packet records (bpf/hooks/pcap.h) to pcapng files.
//   - written: a watched file opened for writing gets, at its opener's
//     exit, the sha256 of its captured bytes (KindWritten, on the
//     sched_process_exit), for tracee-rules' evidence follow-up.
//
// Each capture (and each skipped or failed one) is one JSON line in
// <dir>/<kind>/index.jsonl. Captures run in the event loop, before the
// event is printed, each bounded by a size limit; the event then carries
// its artifact (sha256 and stored path). Write, module, BPF and packet
// captures share a byte budget; when it is spent, or the disk is full, they
// stop with a warning (the kernel copies are switched off), later ones are
// counted as dropped, and tracing goes on.
package capture
