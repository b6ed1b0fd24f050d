// Package webhook delivers findings to an HTTP receiver without losing them.
//
// A Sender renders each finding when it is handed over (Send), in one of
// three formats: "json" (the finding as JSON), "falcosidekick" (Falco's
// alert payload, built from a typed struct; see FalcoPayload) or "template"
// (a user's Go text/template). Rendered payloads go through a bounded
// in-memory queue to a single delivery goroutine, which POSTs them in order
// and retries transport errors and non-2xx answers with exponential backoff.
//
// When the receiver stays unavailable (the retry budget of a payload is
// spent, or the queue is full), the Sender switches to the disk spool: the
// queue and every later payload are appended, in order, to segment files
// under <install-path>/spool/webhook/. The delivery goroutine then replays
// the spool from its oldest record, retrying for as long as it takes, and
// switches back to the in-memory queue once the spool is drained. A spool
// left by an earlier run is replayed first at start-up. Order is therefore
// kept across the queue, the spool and restarts; a payload may be delivered
// twice (a request cut off by shutdown or by a queue overflow), never lost.
//
// Spool format: files named <20-digit sequence>.jsonl, append-only and
// fsynced when closed (on rotation, on drain and on Close). Each line is a
// JSON object {"ct": content type, "body": payload}. The file "cursor" holds
// "<sequence> <byte offset>" of the next record to replay; records before it
// were delivered. Fully replayed segment files are removed.
//
// A payload the receiver refuses permanently (a 4xx answer other than 408
// and 429, after the retry budget) is not retried forever: it is appended to
// <install-path>/spool/webhook-rejected/rejected.jsonl and counted as
// rejected, so one bad payload cannot block the ones behind it. Only a
// failure of the disk spool itself loses a payload; it is counted as dropped
// and logged at error level.
package webhook
