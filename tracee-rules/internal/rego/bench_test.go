package rego_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	opa "github.com/open-policy-agent/opa/v1/rego"

	ptj "github.com/tracee-go/tracee/proto/traceejson"
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
	regosigs "github.com/tracee-go/tracee/tracee-rules/signatures/rego"
)

// benchEvents is a mix: 2 matching ptrace calls, 2 non-matching ptrace
// calls, and 4 events the signature did not select.
func benchEvents() []*pb.Event {
	return []*pb.Event{
		sdktest.Event("ptrace", sdktest.Flag("request", 0, "PTRACE_TRACEME"), sdktest.Int("pid", 0), sdktest.Uint("addr", 0), sdktest.Uint("data", 0)),
		sdktest.Event("openat", sdktest.Int("dirfd", -100), sdktest.Str("pathname", "/etc/ld.so.cache"), sdktest.Flag("flags", 0o2000000, "O_RDONLY|O_CLOEXEC"), sdktest.Uint("mode", 0)),
		sdktest.Event("ptrace", sdktest.Flag("request", 16, "PTRACE_ATTACH"), sdktest.Int("pid", 4242), sdktest.Uint("addr", 0), sdktest.Uint("data", 0)),
		sdktest.Event("sched_process_exec", sdktest.Str("pathname", "/usr/bin/id"), sdktest.Strs("argv", "id", "-u")),
		sdktest.Event("ptrace", sdktest.Int("request", 0), sdktest.Int("pid", 0)),
		sdktest.Event("close", sdktest.Int("fd", 3)),
		sdktest.Event("ptrace", sdktest.Repr("request", "PTRACE_PEEKDATA"), sdktest.Int("pid", 4242), sdktest.Uint("addr", 0x7ffd0000)),
		sdktest.Event("security_socket_connect", sdktest.Int("sockfd", 3), sdktest.Inet("remote_addr", "10.0.0.1", 443)),
	}
}

func onlyPtrace(evs []*pb.Event) []*pb.Event {
	var out []*pb.Event
	for _, ev := range evs {
		if ev.GetEventName() == "ptrace" {
			out = append(out, ev)
		}
	}
	return out
}

func benchSignature(b *testing.B, sig sdk.Signature, evs []*pb.Event) {
	findings := 0
	if err := sig.Init(func(sdk.Finding) { findings++ }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sig.OnEvent(evs[i%len(evs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if b.N >= len(evs) && findings == 0 {
		b.Fatal("no findings")
	}
}

// BenchmarkAntiDebugging reports ns and allocations per event (one op is one
// event) for the Rego signature and its Go twin.
func BenchmarkAntiDebugging(b *testing.B) {
	mix := benchEvents()
	b.Run("rego/mix", func(b *testing.B) { benchSignature(b, builtin(b, "TRC-2-REGO"), mix) })
	b.Run("rego/ptrace-only", func(b *testing.B) { benchSignature(b, builtin(b, "TRC-2-REGO"), onlyPtrace(mix)) })
	b.Run("go/ptrace-only", func(b *testing.B) { benchSignature(b, signatures.NewAntiDebugging(), onlyPtrace(mix)) })
}

// BenchmarkInput measures building the Rego input, directly and through the
// JSON round trip it avoids.
func BenchmarkInput(b *testing.B) {
	ev := benchEvents()[0]
	b.Run("ast", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = rego.Input(ev)
		}
	})
	b.Run("json-roundtrip", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			raw, err := ptj.Marshal(ev)
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEvalInputMap is the alternative design: a prepared query given a
// map[string]any input (OPA converts it on every evaluation). The map is
// built before timing, so this understates that design's cost.
func BenchmarkEvalInputMap(b *testing.B) {
	src, err := fs.ReadFile(regosigs.FS, "anti_debugging.rego")
	if err != nil {
		b.Fatal(err)
	}
	helpers, err := ast.ParseModuleWithOpts("helpers.rego", rego.HelpersSource(), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		b.Fatal(err)
	}
	sig, err := ast.ParseModuleWithOpts("anti_debugging.rego", string(src), ast.ParserOptions{RegoVersion: ast.RegoV0})
	if err != nil {
		b.Fatal(err)
	}
	pq, err := opa.New(opa.Query("data.tracee.TRC_2_REGO.tracee_match"),
		opa.ParsedModule(helpers), opa.ParsedModule(sig)).PrepareForEval(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	evs := onlyPtrace(benchEvents())
	inputs := make([]map[string]any, len(evs))
	for i, ev := range evs {
		raw, _ := ptj.Marshal(ev)
		if err := json.Unmarshal(raw, &inputs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := pq.Eval(context.Background(), opa.EvalInput(inputs[i%len(inputs)])); err != nil {
			b.Fatal(err)
		}
	}
}
