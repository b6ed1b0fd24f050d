package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tracee-go/tracee/tracee-rules/internal/engine"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
)

func printList(w io.Writer, sigs []engine.Signature) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tDESCRIPTION")
	for _, s := range sigs {
		m := s.Metadata
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", m.ID, m.Name, m.Severity, m.Description)
	}
	return tw.Flush()
}

// printUnavailable lists the Tracee detections this build does not run.
func printUnavailable(w io.Writer) error {
	if len(signatures.Unavailable) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nUNAVAILABLE (Tracee detections without a signature here)")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, u := range signatures.Unavailable {
		fmt.Fprintf(tw, "%s\t%s\t-\t%s\n", u.ID, u.Name, u.Reason)
	}
	return tw.Flush()
}

func printEvents(w, errw io.Writer, sigs []engine.Signature) error {
	names, wildcard := engine.EventNames(sigs)
	names = engine.EvidenceEvents(names)
	if wildcard {
		fmt.Fprintln(errw, "tracee-rules: a selected signature wants every event (\"*\"); the list names only the explicit ones")
	}
	_, err := fmt.Fprintln(w, strings.Join(names, ","))
	return err
}
