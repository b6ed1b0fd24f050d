// Package signatures holds the built-in Go signatures TRC-1 to TRC-7.
//
// All returns a fresh instance of each; a signature keeps per-stream state
// (fd tables, de-duplication rings) and must not be shared between engines.
package signatures
