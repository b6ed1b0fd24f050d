// Package testutil holds helpers for tests that load real eBPF programs.
package testutil
