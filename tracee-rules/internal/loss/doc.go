// Package loss turns the producer's reports of lost events into findings.
//
// An attacker who floods the tracer until it drops events blinds every
// signature at once, so a loss is itself a detection: TRC-LOST "Events
// Lost" (severity high, MITRE Defense Evasion, T1562 Impair Defenses). The
// Reporter receives tracee-ebpf's Lost frames, stream cuts (a stream that
// stops without its end-of-stream frame: the producer was killed) and
// end-of-stream totals that exceed what Lost frames reported, and emits at
// most one finding per interval (one second by default): the first loss at
// once, what follows within the interval summed into one finding when the
// interval ends.
package loss
