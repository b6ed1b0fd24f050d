// Package output prints findings: a readable line per finding (default), one
// JSON object per line, or a Go text/template (embedded simple.tmpl,
// json.tmpl, csv.tmpl, or a user's file). Every output is a Sink; webhooks
// and other destinations implement the same interface.
package output
