package webhook

import (
	"fmt"

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
}
