// Package signatures holds the built-in Go signatures: TRC-1 to TRC-7 (with
// Tracee's newer IDs for them as Aliases), Tracee's other detections under
// its IDs (TRC-106 ... TRC-1031), and detections derived from Falco's stable
// default rules that Tracee lacks (FAL-001 ...). Signatures that watch opens
// of particular files share fileWatch; those that trust a process by the
// program it runs share procExe.
//
// All returns a fresh instance of each; a signature keeps per-stream state
// (fd tables, de-duplication rings) and must not be shared between engines.
package signatures
