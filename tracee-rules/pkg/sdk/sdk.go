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
//
// Filters are the data filters under which the signature can possibly fire on
// this event, in Tracee's policy syntax, AND-ed: "data.pathname=/etc/ld.so.preload",
// "data.request=PTRACE_TRACEME", "data.flags=O_WRONLY,O_RDWR" (values OR-ed;
// a flag name matches when the flag is set), "data.pathname=/proc/*" (prefix),
// "data.pathname=*/mem" (suffix), "retval>=0", "data.fd<=2". They include what
// the signature needs to keep its state right (TRC-1 forgets a descriptor on a
// close of fd 0-2). An event listed twice with different filters is wanted
// when either set passes. No filters: the whole event.
//
// tracee-rules --list-policy turns them into a Tracee policy for tracee-ebpf,
// which runs what it can in the kernel. Signatures still check every
// condition themselves: events from other producers arrive unfiltered.
//
// StreamOnly marks an event the signature handles when the stream carries it
// (for example Tracee's mem_prot_alert) but does not ask tracee-ebpf for,
// because its other selected events cover the same detections more cheaply.
type SelectedEvent struct {
	Source     string   `json:"source"` // "tracee"
	Name       string   `json:"name"`
	Filters    []string `json:"filters,omitempty"`
	StreamOnly bool     `json:"streamOnly,omitempty"`
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
