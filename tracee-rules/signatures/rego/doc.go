// Package rego ships tracee-rules' built-in signatures written in Rego.
//
// Each *.rego file in this directory is one signature following the Tracee
// convention (__rego_metadoc__, tracee_selected_events, tracee_match); FS
// embeds them. The loader in tracee-rules/internal/rego compiles them, together
// with its helper library (package tracee.helpers), into sdk.Signature values.
package rego
