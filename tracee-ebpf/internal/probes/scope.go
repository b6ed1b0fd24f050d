package probes

import (
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

// configureScope writes the scope filter maps and returns the config with
// its scope part filled.
func (p *Probes) configureScope(s *Scope) (abi.Config, error) {
	m := &p.maps
	cfg := abi.Config{
		FilterFlags: s.Flags, Policies: s.Policies, FilterPolicies: s.FlagPolicies,
		StartTime: s.StartTime, HostMntns: s.HostMntNS,
	}
	if cfg.Policies == 0 {
		cfg.Policies = 1
	}
	for i, r := range s.Ranges {
		if i < 0 || i >= len(cfg.Ranges) {
			return cfg, fmt.Errorf("scope range of policy %d: at most %d policies", i, len(cfg.Ranges))
		}
		cfg.Ranges[i] = r
	}
	if err := putBits(m.UidFilter, s.UID); err != nil {
		return cfg, err
	}
	if err := putBits(m.PidFilter, s.PID); err != nil {
		return cfg, err
	}
	if err := putBits(m.MntnsFilter, s.MntNS); err != nil {
		return cfg, err
	}
	if err := putBits(m.PidnsFilter, s.PidNS); err != nil {
		return cfg, err
	}
	if err := putBits(m.ExeFilter, s.Exe); err != nil {
		return cfg, err
	}
	comm := map[abi.Str16]abi.TraceeScopeBits{}
	for k, v := range s.Comm {
		var key abi.Str16
		for i := 0; i < len(k) && i < 15; i++ {
			key.S[i] = int8(k[i])
		}
		comm[key] = v
	}
	if err := putBits(m.CommFilter, comm); err != nil {
		return cfg, err
	}
	// uts: the whole nodename (struct str64), hostnames of 16 and more bytes included
	uts := map[[64]byte]abi.TraceeScopeBits{}
	for k, v := range s.UTS {
		if len(k) > 63 {
			return cfg, fmt.Errorf("filter uts: %q is longer than a nodename (64 bytes)", k)
		}
		var key [64]byte
		copy(key[:], k)
		uts[key] = v
	}
	if err := putBits(m.UtsFilter, uts); err != nil {
		return cfg, err
	}
	for pid, pols := range s.Tree {
		if err := m.TracedProcs.Put(pid, pols); err != nil {
			return cfg, fmt.Errorf("tree root %d: %w", pid, err)
		}
	}
	return cfg, nil
}

func putBits[K comparable](fm *ebpf.Map, vals map[K]abi.TraceeScopeBits) error {
	for k, v := range vals {
		if err := fm.Put(k, v); err != nil {
			return fmt.Errorf("filter %s: %w", fm, err)
		}
	}
	return nil
}
