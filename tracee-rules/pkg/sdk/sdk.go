package sdk

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Severity levels, as Tracee grades them (0 lowest, 4 highest).
const (
	SeverityInfo     = 0
	SeverityLow      = 1
	SeverityMedium   = 2
	SeverityHigh     = 3
	SeverityCritical = 4
)

// Metadata describes a signature.
type Metadata struct {
	ID          string `json:"id"`      // "TRC-2"
	Version     string `json:"version"` // "1.0.0"
	Name        string `json:"name"`    // "Anti-Debugging"
	Description string `json:"description"`
	Severity    int    `json:"severity"` // 0..4
	// MITRE ATT&CK: category (tactic) and technique, e.g.
	// "Defense Evasion" and "T1622 Debugger Evasion".
	MitreCategory  string         `json:"mitreCategory,omitempty"`
	MitreTechnique string         `json:"mitreTechnique,omitempty"`
	Tags           []string       `json:"tags,omitempty"` // "linux", "container"
	Properties     map[string]any `json:"properties,omitempty"`
}

// SelectedEvent names one event a signature wants. Name "*" selects all.
type SelectedEvent struct {
	Source string `json:"source"` // "tracee"
	Name   string `json:"name"`
}

// Finding is what a signature reports.
type Finding struct {
	SigMetadata Metadata
	Event       *pb.Event      // the triggering event (with ancestry and container id)
	Data        map[string]any // signature-specific details
}

// Callback receives findings.
type Callback func(Finding)

// Signal tells a signature about the stream rather than an event.
type Signal int

const (
	// SignalEndOfInput is sent once when the input stream ends.
	SignalEndOfInput Signal = iota + 1
)

// Signature is implemented by every detection.
type Signature interface {
	GetMetadata() (Metadata, error)
	GetSelectedEvents() ([]SelectedEvent, error)
	Init(cb Callback) error
	OnEvent(ev *pb.Event) error
	OnSignal(s Signal) error
	Close()
}
