package launcher

import (
	"slices"
	"strings"
	"testing"
)

func TestParseWebhook(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "url=http://127.0.0.1:2801", want: []string{"--webhook", "http://127.0.0.1:2801", "--webhook-format", "falcosidekick"}},
		{in: "url=http://h:1/x, format=json", want: []string{"--webhook", "http://h:1/x", "--webhook-format", "json"}},
		{in: "url=http://h,template=/t.tmpl,content-type=text/plain", want: []string{"--webhook", "http://h", "--webhook-template", "/t.tmpl", "--webhook-content-type", "text/plain"}},
		{in: "http://h", err: `"http://h": want key=value`},
		{in: "url=http://h,colour=red", err: `"colour=red"`},
		{in: "format=json", err: "has no url="},
		{in: "url=a,url=b", err: "url given twice"},
		{in: "url=", err: "want key=value"},
	} {
		got, err := ParseWebhook(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"TRACEE_BIN": "/b", "TRACEE_EBPF_ARGS": " --trace  comm=x ", "TRACEE_RULES_SELECT": "TRC-2",
		"TRACEE_WEBHOOK_CONFIG": "url=http://127.0.0.1:2801",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Install != "/tmp/tracee" || c.ebpf() != "/b/tracee-ebpf" || c.PidFile() != "/tmp/tracee/out/tracee.pid" {
		t.Errorf("config %+v", c)
	}
	if !slices.Equal(c.EbpfArgs, []string{"--trace", "comm=x"}) || c.Select != "TRC-2" || len(c.Webhook) != 4 {
		t.Errorf("config %+v", c)
	}
	env["TRACEE_WEBHOOK_CONFIG"] = "nonsense"
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "TRACEE_WEBHOOK_CONFIG") {
		t.Errorf("bad webhook config: %v", err)
	}
}
