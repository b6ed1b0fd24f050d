package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"

	"github.com/tracee-go/tracee/tracee-rules/internal/engine"
	"github.com/tracee-go/tracee/tracee-rules/internal/input"
	"github.com/tracee-go/tracee/tracee-rules/internal/loss"
	"github.com/tracee-go/tracee/tracee-rules/internal/output"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ErrUnknownRule is wrapped when --rules names an ID no signature has.
var ErrUnknownRule = errors.New("unknown signature ID")

// sinkCloseTimeout bounds how long sinks may take to deliver at exit.
const sinkCloseTimeout = 10 * time.Second

// loadSignatures returns the built-in signatures, then those of extensions
// (Rego), selected by --rules. Opt-in signatures (the Rego twins of Go
// ones) run only when --rules names them; withOptIn adds them to the
// default set (for --list).
func loadSignatures(rules []string, withOptIn bool) ([]sdk.Signature, error) {
	all := signatures.All()
	var optIn []sdk.Signature
	for _, e := range extensions {
		for _, src := range []struct {
			load func() ([]sdk.Signature, error)
			dst  *[]sdk.Signature
		}{{e.Signatures, &all}, {e.OptInSignatures, &optIn}} {
			if src.load == nil {
				continue
			}
			more, err := src.load()
			if err != nil {
				return nil, fmt.Errorf("load %s signatures: %w", e.Name, err)
			}
			*src.dst = append(*src.dst, more...)
		}
	}
	byID := map[string]sdk.Signature{}
	var ids []string
	for _, s := range append(append([]sdk.Signature{}, all...), optIn...) {
		m, err := s.GetMetadata()
		if err != nil {
			return nil, fmt.Errorf("signature metadata: %w", err)
		}
		if _, dup := byID[m.ID]; dup {
			return nil, fmt.Errorf("two signatures have the ID %q", m.ID)
		}
		byID[m.ID] = s
		ids = append(ids, m.ID)
	}
	for id, aliases := range signatures.Aliases {
		for _, a := range aliases {
			if s, ok := byID[id]; ok {
				if _, dup := byID[a]; dup {
					return nil, fmt.Errorf("alias %q of %s is also a signature ID", a, id)
				}
				byID[a] = s
			}
		}
	}
	if len(rules) == 0 {
		if withOptIn {
			return append(all, optIn...), nil
		}
		return all, nil
	}
	var out []sdk.Signature
	seen := map[sdk.Signature]bool{}
	for _, id := range rules {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		s, ok := byID[id]
		if !ok {
			for _, u := range signatures.Unavailable {
				if u.ID == id {
					return nil, cli.Usage(fmt.Errorf("--rules: %s (%s) is %s", id, u.Name, u.Reason))
				}
			}
			sort.Strings(ids)
			return nil, cli.Usage(fmt.Errorf("--rules: %w %q (known: %s; aliases: TRC-101...)", ErrUnknownRule, id, strings.Join(ids, ", ")))
		}
		if seen[s] {
			continue // named twice, or by an ID and an alias
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

// outputSink builds the stdout sink from --output and --output-template.
func outputSink(o *options, stdout io.Writer) (output.Sink, error) {
	format := ""
	for _, v := range o.outputs {
		key, val, ok := strings.Cut(v, ":")
		if !ok || key != "format" {
			return nil, cli.Usage(fmt.Errorf("--output %q: want format:line or format:json", v))
		}
		if format != "" {
			return nil, cli.Usage(fmt.Errorf("--output %q: format given twice", v))
		}
		format = val
	}
	if o.outputTemplate != "" {
		if format != "" {
			return nil, cli.Usage(errors.New("--output format and --output-template are exclusive"))
		}
		p, err := output.NewTemplate(stdout, o.outputTemplate)
		if err != nil {
			return nil, cli.Usage(err)
		}
		return p, nil
	}
	switch format {
	case "", "line", "table":
		return output.NewLine(stdout), nil
	case "json":
		return output.NewJSON(stdout), nil
	}
	return nil, cli.Usage(fmt.Errorf("--output format:%s: want line or json", format))
}

func run(ctx context.Context, o *options, stdout, stderr io.Writer) (err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "tracee-rules: "+format+"\n", args...) }

	sigs, err := loadSignatures(o.rules, o.list)
	if err != nil {
		return err
	}
	if !o.list {
		for _, e := range extensions {
			if e.Internal != nil {
				sigs = append(sigs, e.Internal()...)
			}
		}
	}
	if o.listPolicy {
		return printPolicy(stdout, stderr, sigs)
	}
	if o.list || o.listEvents {
		descs, err := engine.Describe(sigs)
		if err != nil {
			return err
		}
		if o.list {
			if err := printList(stdout, descs); err != nil {
				return err
			}
			return printUnavailable(stdout)
		}
		return printEvents(stdout, stderr, descs)
	}
	inCfg, err := input.ParseFlags(o.inputs)
	if err != nil {
		return cli.Usage(err)
	}
	stdoutSink, err := outputSink(o, stdout)
	if err != nil {
		return err
	}
	sinks := []output.Sink{stdoutSink}
	for _, e := range extensions {
		if e.Sinks == nil {
			continue
		}
		more, err := e.Sinks(ctx)
		if err != nil {
			closeSinks(sinks, logf)
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		sinks = append(sinks, more...)
	}
	// A sink that lost findings (the webhook's spool full or unwritable)
	// makes the run fail: exit status 1, after the loss summary.
	defer func() {
		if cerr := closeSinks(sinks, logf); cerr != nil && err == nil {
			err = cerr
		}
	}()

	sinkErrors := make([]uint64, len(sinks))
	var sinkMu sync.Mutex // signatures and the loss reporter's timer both send
	onFinding := func(f sdk.Finding) {
		sinkMu.Lock()
		defer sinkMu.Unlock()
		for i, s := range sinks {
			if err := s.Send(f); err != nil {
				sinkErrors[i]++
				if n := sinkErrors[i]; n <= 10 || n%1000 == 0 {
					logf("output %d: %v (error #%d)", i, err, n)
				}
			}
		}
	}
	eng, err := engine.New(sigs, onFinding, engine.WithErrorReporter(func(id string, n uint64, err error) {
		logf("signature %s: %v (error #%d)", id, err, n)
	}))
	if err != nil {
		return err
	}
	defer eng.Close()

	rt := &Runtime{Engine: eng, Sinks: sinks}
	for _, e := range extensions {
		if e.Prepare != nil {
			if err := e.Prepare(rt); err != nil {
				return fmt.Errorf("%s: %w", e.Name, err)
			}
		}
	}
	inCfg.Logf = func(format string, args ...any) { logf("input: "+format, args...) }
	inCfg.OnLost, inCfg.OnDecodeError = rt.InputHooks.OnLost, rt.InputHooks.OnDecodeError
	// Losses are findings (TRC-LOST).
	lossRep := loss.New(loss.Config{}, onFinding)
	defer lossRep.Close()
	metricsLost := inCfg.OnLost
	inCfg.OnLost = func(l *pb.Lost) {
		if metricsLost != nil {
			metricsLost(l)
		}
		lossRep.Lost(l)
	}
	inCfg.OnHeader, inCfg.OnEnd = lossRep.Header, lossRep.End
	inCfg.OnCut = func(name string) {
		lossRep.Cut(name + ": the stream stopped without tracee-ebpf's end-of-stream frame (producer killed or crashed?)")
	}
	in := input.New(inCfg)
	rt.Input = in
	for _, e := range extensions {
		if e.Start == nil {
			continue
		}
		stop, err := e.Start(ctx, rt)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if stop != nil {
			defer func() {
				sctx, cancel := context.WithTimeout(context.Background(), sinkCloseTimeout)
				defer cancel()
				if err := stop(sctx); err != nil {
					logf("%s: stop: %v", e.Name, err)
				}
			}()
		}
	}

	dispatch := func(ev *pb.Event) {
		lossRep.Event(ev)
		eng.Dispatch(ev)
	}
	if hook := rt.InputHooks.OnEvent; hook != nil {
		inner := dispatch
		dispatch = func(ev *pb.Event) {
			hook(ev)
			inner(ev)
		}
	}
	runErr := in.Run(ctx, dispatch)
	eng.EndOfInput()
	lossRep.Close()
	summary(logf, eng.Stats(), in.Stats().Snapshot())
	if runErr != nil {
		return fmt.Errorf("input: %w", runErr)
	}
	return nil
}

func closeSinks(sinks []output.Sink, logf func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(context.Background(), sinkCloseTimeout)
	defer cancel()
	var errs []error
	for i, s := range sinks {
		if err := s.Close(ctx); err != nil {
			logf("output %d: close: %v", i, err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// summary reports the run on stderr when something went wrong or was lost.
func summary(logf func(string, ...any), es engine.Stats, is input.Snapshot) {
	var findings, sigErrors uint64
	for _, s := range es.Signatures {
		findings += s.Findings
		sigErrors += s.Errors
	}
	if is.DecodeErrors+is.UnknownEvents+is.LostKernelEvents+is.LostUserspace+sigErrors+is.CutStreams+is.EmptyStreams == 0 {
		return
	}
	if is.CutStreams+is.EmptyStreams > 0 {
		logf("WARNING: %d input streams ended without their end-of-stream frame and %d were empty: the producer did not finish, events may be missing", is.CutStreams, is.EmptyStreams)
	}
	logf("summary: %d events, %d findings; %d decode errors, %d unknown events, %d events lost by the producer (%d kernel, %d user space), %d signature errors",
		is.Events, findings, is.DecodeErrors, is.UnknownEvents, is.LostKernelEvents+is.LostUserspace, is.LostKernelEvents, is.LostUserspace, sigErrors)
}
