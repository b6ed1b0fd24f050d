package webhook

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// FalcoPayload is the alert Falco posts to falcosidekick (falcosidekick's
// types.FalcoPayload, less the uuid it assigns itself). falcosidekick
// accepts a payload whose priority is one of its eight names, whose rule is
// not empty, whose time parses and is not zero, and whose output_fields is
// not empty.
type FalcoPayload struct {
	Output       string         `json:"output"`
	Priority     string         `json:"priority"`
	Rule         string         `json:"rule"`
	Time         string         `json:"time"` // RFC 3339, nanoseconds, UTC
	OutputFields map[string]any `json:"output_fields"`
	Source       string         `json:"source"`
	Tags         []string       `json:"tags,omitempty"`
	Hostname     string         `json:"hostname,omitempty"`
}

// FalcoSource is the payload's source: what produced the alert.
const FalcoSource = "tracee"

// falcoTimeLayout is RFC 3339 with all nine fraction digits, as Falco prints
// its alert times (time.RFC3339Nano would drop trailing zeros).
const falcoTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// outputTimeLayout is the clock time that opens Falco's output line.
const outputTimeLayout = "15:04:05.000000000"

// Falco's priorities, highest first, as falcosidekick spells them.
var falcoPriorities = []string{
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
}

// severityPriority maps Tracee's severities (index 0..4) to Falco priorities.
var severityPriority = [...]string{
	sdk.SeverityInfo:     "Informational",
	sdk.SeverityLow:      "Notice",
	sdk.SeverityMedium:   "Warning",
	sdk.SeverityHigh:     "Error",
	sdk.SeverityCritical: "Critical",
}

// Priority maps a Tracee severity to a Falco priority:
// 0 Informational, 1 Notice, 2 Warning, 3 Error, 4 Critical. A severity
// below 0 is Debug and one above 4 Critical, so every finding gets a
// priority falcosidekick accepts.
func Priority(severity int) string {
	switch {
	case severity < 0:
		return "Debug"
	case severity >= len(severityPriority):
		return severityPriority[len(severityPriority)-1]
	default:
		return severityPriority[severity]
	}
}

// ValidFalcoPriority reports whether p is one of falcosidekick's priority
// names (compared without case, as falcosidekick does).
func ValidFalcoPriority(p string) bool {
	return slices.ContainsFunc(falcoPriorities, func(q string) bool { return strings.EqualFold(p, q) })
}

// Keys that falcosidekick reads as strings (it type-asserts them).
var k8sKeys = []string{"k8s.ns.name", "k8s.pod.name"}

// execArgs names, per exec-like event, the arguments that hold the program
// path and its argv.
var execArgs = map[string]struct{ path, argv string }{
	"sched_process_exec":  {"pathname", "argv"},
	"security_bprm_check": {"pathname", "argv"},
	"execve":              {"pathname", "argv"},
	"execveat":            {"pathname", "argv"},
}

// techniqueID matches a MITRE ATT&CK technique id at the start of a string.
var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?\b`)

// eventTime is the time of the finding's triggering event, or now when the
// event carries none.
func eventTime(f sdk.Finding, now func() time.Time) time.Time {
	if ts := f.Event.GetTimestamp(); ts > 0 {
		return time.Unix(0, ts).UTC()
	}
	return now().UTC()
}

// NewFalcoPayload builds the falcosidekick payload of a finding. hostname is
// the machine the finding comes from; now is used only when the event has no
// timestamp.
func NewFalcoPayload(f sdk.Finding, hostname string, now func() time.Time) FalcoPayload {
	md := f.SigMetadata
	ev := f.Event
	t := eventTime(f, now)
	prio := Priority(md.Severity)

	fields := eventFields(ev)
	for k, v := range Flatten("tracee", f.Data) {
		fields[k] = v
	}
	// Kubernetes names, when a signature or enrichment knows them, are
	// lifted to Falco's keys and always strings.
	for _, k := range k8sKeys {
		if v, ok := f.Data[k]; ok && v != nil {
			fields[k] = fmt.Sprint(v)
		}
	}
	sigFields := []struct {
		key string
		val string
	}{
		{"sig.id", md.ID},
		{"sig.name", md.Name},
		{"sig.version", md.Version},
		{"mitre.tactic", md.MitreCategory},
		{"mitre.technique", md.MitreTechnique},
	}
	for _, sf := range sigFields {
		if sf.val != "" {
			fields[sf.key] = sf.val
		}
	}
	fields["sig.severity"] = md.Severity

	rule := md.Name
	if rule == "" {
		rule = md.ID
	}
	if rule == "" {
		rule = "tracee finding"
	}

	return FalcoPayload{
		Output:       t.Format(outputTimeLayout) + ": " + prio + " " + message(rule, md.Description, fields),
		Priority:     prio,
		Rule:         rule,
		Time:         t.Format(falcoTimeLayout),
		OutputFields: fields,
		Source:       FalcoSource,
		Tags:         falcoTags(md),
		Hostname:     hostname,
	}
}

// eventFields returns the Falco-style fields of the triggering event.
func eventFields(ev *pb.Event) map[string]any {
	fields := map[string]any{}
	if ev == nil {
		return fields
	}
	fields["evt.type"] = ev.GetEventName()
	fields["evt.time"] = ev.GetTimestamp()
	fields["evt.rawres"] = ev.GetReturnValue()
	fields["proc.pid"] = ev.GetHostProcessId()
	fields["proc.vpid"] = ev.GetProcessId()
	fields["proc.ppid"] = ev.GetHostParentProcessId()
	fields["thread.tid"] = ev.GetHostThreadId()
	fields["thread.vtid"] = ev.GetThreadId()
	fields["proc.name"] = ev.GetProcessName()
	fields["user.uid"] = ev.GetUserId()
	fields["group.gid"] = ev.GetGroupId()
	cid := ev.GetContainerId()
	if cid == "" {
		cid = "host" // Falco's container.id for processes outside containers
	}
	fields["container.id"] = cid
	// What the container runtime said (Falco's names); absent when unknown.
	repo, tag := splitImage(ev.GetContainerImage())
	for k, v := range map[string]string{
		"container.name":             ev.GetContainerName(),
		"container.image":            ev.GetContainerImage(),
		"container.image.repository": repo,
		"container.image.tag":        tag,
		"container.image.digest":     ev.GetContainerImageDigest(),
		"k8s.pod.name":               ev.GetPodName(),
		"k8s.ns.name":                ev.GetPodNamespace(),
		"k8s.pod.uid":                ev.GetPodUid(),
	} {
		if v != "" {
			fields[k] = v
		}
	}
	if anc := ev.GetAncestry(); len(anc) > 0 {
		fields["proc.pname"] = anc[0].GetComm()
	}
	if ea, ok := execArgs[ev.GetEventName()]; ok {
		if p, ok := sdk.ArgString(ev, ea.path); ok && p != "" {
			fields["proc.exepath"] = p
		}
		if argv, ok := sdk.ArgStrings(ev, ea.argv); ok {
			// Falco's proc.cmdline is the process name followed by the
			// arguments (argv without argv[0]).
			parts := append([]string{ev.GetProcessName()}, argv[min(1, len(argv)):]...)
			fields["proc.cmdline"] = strings.Join(parts, " ")
		}
	}
	return fields
}

// messageKeys are the fields quoted in the output line, in order; the
// signature's own fields (tracee.*) follow, sorted.
var messageKeys = []string{
	"evt.type", "proc.name", "proc.pid", "proc.ppid", "proc.pname", "proc.cmdline",
	"user.uid", "container.id", "container.name", "container.image.repository", "k8s.ns.name", "k8s.pod.name",
}

// splitImage splits an image reference ("registry:5000/repo:tag@sha256:...")
// into its repository and tag, as Falco's container.image.repository and
// container.image.tag ("" when there is no tag).
func splitImage(image string) (repo, tag string) {
	image, _, _ = strings.Cut(image, "@")
	slash := strings.LastIndexByte(image, '/')
	if colon := strings.LastIndexByte(image, ':'); colon > slash {
		return image[:colon], image[colon+1:]
	}
	return image, ""
}

// message is the text after the priority in Falco's output line:
// "<rule>: <description> (key=value ...)".
func message(rule, desc string, fields map[string]any) string {
	var b strings.Builder
	b.WriteString(rule)
	if desc != "" {
		b.WriteString(": ")
		b.WriteString(desc)
	}
	var kv []string
	for _, k := range messageKeys {
		if v, ok := fields[k]; ok {
			kv = append(kv, fmt.Sprintf("%s=%v", k, v))
		}
	}
	var own []string
	for k := range fields {
		if strings.HasPrefix(k, "tracee.") {
			own = append(own, k)
		}
	}
	sort.Strings(own)
	for _, k := range own {
		kv = append(kv, fmt.Sprintf("%s=%v", k, fields[k]))
	}
	if len(kv) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(kv, " "))
		b.WriteString(")")
	}
	return b.String()
}

// falcoTags returns the signature's tags, MITRE tactic and technique (and
// the technique's bare id, "T1622"), sorted and without duplicates.
func falcoTags(md sdk.Metadata) []string {
	tags := slices.Clone(md.Tags)
	for _, t := range []string{md.MitreCategory, md.MitreTechnique, techniqueID.FindString(md.MitreTechnique)} {
		if t != "" {
			tags = append(tags, t)
		}
	}
	tags = slices.DeleteFunc(tags, func(s string) bool { return s == "" })
	sort.Strings(tags)
	return slices.Compact(tags)
}
