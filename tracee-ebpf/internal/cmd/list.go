package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// printList writes every event with its id, sets, arguments and, where the
// kernel lacks what it needs, why it is unavailable.
func printList(w io.Writer, feat *probes.Features) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEVENT\tSETS\tARGUMENTS\tAVAILABILITY")
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
		fmt.Fprintf(tw, "%d\t%s\t%s\t(%s)\t%s\n", d.ID, d.Name, strings.Join(d.Sets, ","), strings.Join(args, ", "), avail)
	}
	tw.Flush()
}
