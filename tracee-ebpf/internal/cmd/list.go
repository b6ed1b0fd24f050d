package cmd

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// printList writes every event with its id, sets, arguments, where the
// kernel lacks what it needs why it is unavailable, and the i386 syscalls
// reported as it (I386: numbers, or multiplexer:call).
func printList(w io.Writer, feat *probes.Features) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEVENT\tSETS\tARGUMENTS\tAVAILABILITY\tI386")
	for _, d := range events.All() {
		if d.Internal {
			continue
		}
		args := make([]string, len(d.Params))
		for i, p := range d.Params {
			args[i] = p.Type + " " + p.Name
		}
		avail := "yes"
		var missing []string
		for _, r := range d.Requires {
			if feat == nil || !feat.Available(r) {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			avail = "no: needs " + strings.Join(missing, ",")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t(%s)\t%s\t%s\n", d.ID, d.Name, strings.Join(d.Sets, ","), strings.Join(args, ", "), avail, i386Of(d.ID))
	}
	tw.Flush()
}

// i386Of lists the i386 syscalls reported as the event: "90,192",
// "socketcall:3", or "-".
func i386Of(id events.ID) string {
	var out []string
	for _, c := range events.CompatOf(id) {
		if c.I386 >= 0 {
			out = append(out, strconv.Itoa(c.I386))
		} else {
			out = append(out, c.Mux+":"+strconv.Itoa(c.Call))
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ",")
}
