package input

import "sync/atomic"

// Stats are the input's counters. Safe for concurrent use.
type Stats struct {
	Events           atomic.Uint64 // events passed on
	DecodeErrors     atomic.Uint64 // corrupt, truncated or oversized frames; bad JSON lines
	UnknownEvents    atomic.Uint64 // events whose name this build does not know (still passed on)
	LostFrames       atomic.Uint64 // Lost frames received
	LostKernelEvents atomic.Uint64 // sum of Lost.kernel_events
	LostFailedReads  atomic.Uint64 // sum of Lost.failed_reads
	LostUserspace    atomic.Uint64 // sum of Lost.dropped_userspace
	Connections      atomic.Uint64 // unix-socket connections made
	EndedStreams     atomic.Uint64 // protobuf streams that ended with their end-of-stream frame
	CutStreams       atomic.Uint64 // protobuf streams that stopped without it
	EmptyStreams     atomic.Uint64 // protobuf inputs without even a header
}

// Snapshot is a copy of Stats.
type Snapshot struct {
	Events, DecodeErrors, UnknownEvents                          uint64
	LostFrames, LostKernelEvents, LostFailedReads, LostUserspace uint64
	Connections                                                  uint64
	EndedStreams, CutStreams, EmptyStreams                       uint64
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() Snapshot {
	return Snapshot{
		Events: s.Events.Load(), DecodeErrors: s.DecodeErrors.Load(), UnknownEvents: s.UnknownEvents.Load(),
		LostFrames: s.LostFrames.Load(), LostKernelEvents: s.LostKernelEvents.Load(),
		LostFailedReads: s.LostFailedReads.Load(), LostUserspace: s.LostUserspace.Load(),
		Connections:  s.Connections.Load(),
		EndedStreams: s.EndedStreams.Load(), CutStreams: s.CutStreams.Load(), EmptyStreams: s.EmptyStreams.Load(),
	}
}
