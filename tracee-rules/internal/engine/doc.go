// Package engine routes events to signatures and collects their findings.
//
// Each event goes only to the signatures that selected its name ("*" selects
// every event). A signature's error or panic is recovered, counted per
// signature and reported, and does not stop the others. Counters (events in,
// per-signature events, findings and errors) can be read at any time from
// another goroutine, for metrics.
package engine
