package rego

import "embed"

// FS holds the built-in Rego signatures, one *.rego file each, at its root.
//
//go:embed *.rego
var FS embed.FS
