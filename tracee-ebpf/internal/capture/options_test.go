package capture

import (
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		flags   []string
		check   func(c Config) bool
		wantErr string // substring; "" for success
	}{
		{"exec", []string{"exec"}, func(c Config) bool {
			return c.Exec && !c.Mem && c.Dir == "/inst/out" && c.ExecMaxSize == DefaultExecMaxSize
		}, ""},
		{"mem and exec, one flag", []string{"exec,mem"}, func(c Config) bool { return c.Exec && c.Mem }, ""},
		{"dir", []string{"mem", "dir:/var/cap/"}, func(c Config) bool { return c.Dir == "/var/cap" }, ""},
		{"clear-dir", []string{"exec", "clear-dir"}, func(c Config) bool { return c.ClearDir }, ""},
		{"sizes", []string{"exec", "exec-max-size=16M", "mem-max-size=4096", "mem-budget=2GiB"}, func(c Config) bool {
			return c.ExecMaxSize == 16<<20 && c.MemMaxSize == 4096 && c.MemBudget == 2<<30
		}, ""},
		{"nothing", nil, func(c Config) bool { return !c.Enabled() }, ""},
		{"unknown", []string{"exec", "bogus"}, nil, `unknown capture option "bogus"`},
		{"unknown with value", []string{"frobnicate=3"}, nil, `unknown capture option "frobnicate"`},
		{"tracee artifact not here", []string{"read"}, nil, `capturing "read" is not supported`},
		{"write everything", []string{"write"}, func(c Config) bool { return c.Write && len(c.WritePrefixes) == 0 && c.Kernel() }, ""},
		{"write prefixes", []string{"write=/etc/*", "write=/tmp/x"}, func(c Config) bool {
			return c.Write && len(c.WritePrefixes) == 2 && c.WritePrefixes[0] == "/etc/" && c.WritePrefixes[1] == "/tmp/x"
		}, ""},
		{"relative write prefix", []string{"write=etc/*"}, nil, `write prefix "etc/"`},
		{"too many prefixes", []string{"write=/a,write=/b,write=/c,write=/d,write=/e,write=/f,write=/g,write=/h,write=/i"}, nil, "at most 8 write prefixes"},
		{"module and bpf", []string{"module,bpf", "budget=10M", "copy-max-size=64K"}, func(c Config) bool {
			return c.Module && c.BPF && c.Budget == 10<<20 && c.CopyMax == 64<<10
		}, ""},
		{"copy too large", []string{"module", "copy-max-size=32M"}, nil, "at most 16777216 bytes"},
		{"net with value", []string{"network:eth0"}, nil, `unknown capture option "network"`},
		{"pcap options", []string{"pcap-options:filtered"}, nil, `capturing "pcap-options" is not supported`},
		{"network", []string{"network"}, func(c Config) bool { return c.Network && c.PcapSplit == PcapSingle && c.Snaplen == DefaultSnaplen }, ""},
		{"pcap split and snaplen", []string{"pcap:process", "pcap-snaplen=max"}, func(c Config) bool {
			return c.Network && c.PcapSplit == PcapProcess && c.Snaplen == MaxSnaplen
		}, ""},
		{"snaplen bytes", []string{"network", "pcap-snaplen=200b"}, func(c Config) bool { return c.Snaplen == 200 }, ""},
		{"bad pcap", []string{"pcap:interface"}, nil, "want single, process, container or command"},
		{"snaplen too big", []string{"network", "pcap-snaplen=1M"}, nil, "at most 4096"},
		{"empty dir", []string{"exec", "dir:"}, nil, "empty path"},
		{"dir without value", []string{"exec", "dir"}, nil, "dir needs a value"},
		{"bad size", []string{"exec", "exec-max-size=lots"}, nil, `size "lots"`},
		{"zero size", []string{"exec", "mem-budget=0"}, nil, "positive"},
		{"dir alone", []string{"dir:/x"}, nil, "need an artifact"},
		{"clear-dir alone", []string{"clear-dir"}, nil, "need an artifact"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseFlags(tc.flags, "/inst")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseFlags(%q) error = %v, want one containing %q", tc.flags, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFlags(%q): %v", tc.flags, err)
			}
			if !tc.check(c) {
				t.Errorf("ParseFlags(%q) = %+v", tc.flags, c)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 1, true}, {"4K", 4096, true}, {"4KiB", 4096, true}, {"3M", 3 << 20, true},
		{"256MiB", 256 << 20, true}, {"1G", 1 << 30, true},
		{"", 0, false}, {"-1", 0, false}, {"0", 0, false}, {"1T", 0, false}, {"K", 0, false},
		{"99999999999G", 0, false},
	}
	for _, tc := range cases {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestHelpNamesEveryOption(t *testing.T) {
	h := Help()
	for _, o := range options {
		if !strings.Contains(h, o.name) {
			t.Errorf("Help() lacks %s:\n%s", o.name, h)
		}
	}
}
