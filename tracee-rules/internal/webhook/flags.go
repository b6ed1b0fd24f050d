package webhook

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// AddFlags binds --webhook, --webhook-format, --webhook-template and
// --webhook-content-type to c. The install path (--install-path) is the
// command's own flag: copy it into c.InstallPath.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.URL, "webhook", c.URL, "POST each finding to this URL")
	fs.StringVar((*string)(&c.Format), "webhook-format", string(c.Format),
		fmt.Sprintf("webhook body: %s, %s (Falco alert) or %s (default %s, or %s with --webhook-template)",
			FormatJSON, FormatFalcosidekick, FormatTemplate, FormatJSON, FormatTemplate))
	fs.StringVar(&c.TemplatePath, "webhook-template", c.TemplatePath, "Go text/template file rendering the webhook body from the finding")
	fs.StringVar(&c.ContentType, "webhook-content-type", c.ContentType, "Content-Type of webhook requests (default "+DefaultContentType+")")
	fs.Var((*byteSize)(&c.MaxSpoolBytes), "webhook-spool-max-size",
		"largest disk spool (bytes, or with K, M, G); past it the oldest spooled findings are deleted, counted and reported; -1: no limit (default 1G)")
}

// byteSize is a flag value in bytes with an optional K, M or G suffix
// (powers of 1024).
type byteSize int64

func (b *byteSize) String() string {
	if *b == 0 {
		return ""
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Type() string { return "size" }

func (b *byteSize) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func parseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	if s == "-1" {
		return -1, nil
	}
	mult := int64(1)
	for i, suf := range []string{"K", "M", "G"} {
		if t, ok := strings.CutSuffix(strings.TrimSuffix(s, "B"), suf); ok {
			s, mult = t, int64(1)<<(10*(i+1))
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q: want a positive number of bytes, optionally with K, M or G (or -1 for no limit)", v)
	}
	return n * mult, nil
}
