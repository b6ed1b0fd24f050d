package output

import (
	"errors"
	"fmt"
	"strings"
)

// Formats.
const (
	FormatTable        = "table"
	FormatTableVerbose = "table-verbose"
	FormatJSON         = "json"
	FormatGoTemplate   = "gotemplate"
	FormatProtobuf     = "protobuf"
)

// Config is the parsed form of the --output flags.
type Config struct {
	Format         string // one of the Format constants; default table
	TemplatePath   string // for gotemplate
	OutFile        string // "" = stdout
	ErrFile        string // "" = stderr
	UnixPath       string // "" = no socket; when set, stdout gets nothing (events go to the socket, and to OutFile if set)
	ExecEnv        bool
	ParseArguments bool
}

// ParseFlags parses --output flag values.
func ParseFlags(flags []string) (Config, error) {
	cfg := Config{Format: FormatTable, ParseArguments: true}
	formatSet := false
	for _, raw := range flags {
		bad := func(msg string, args ...any) error {
			return fmt.Errorf("--output %q: %s", raw, fmt.Sprintf(msg, args...))
		}
		key, val, ok := strings.Cut(strings.TrimSpace(raw), ":")
		if !ok {
			return cfg, bad("expected format:, out-file:, err-file:, unix: or option:")
		}
		switch key {
		case "format":
			if formatSet {
				return cfg, bad("only one format can be given (already %s)", cfg.Format)
			}
			formatSet = true
			name, arg, hasArg := strings.Cut(val, "=")
			switch name {
			case FormatTable, FormatTableVerbose, FormatJSON, FormatProtobuf:
				if hasArg {
					return cfg, bad("format %s takes no argument", name)
				}
			case FormatGoTemplate:
				if arg == "" {
					return cfg, bad("gotemplate needs a template file: format:gotemplate=PATH")
				}
				cfg.TemplatePath = arg
			default:
				return cfg, bad("unknown format %q (table, table-verbose, json, gotemplate=PATH, protobuf)", name)
			}
			cfg.Format = name
		case "out-file", "err-file", "unix":
			if val == "" {
				return cfg, bad("missing path")
			}
			switch key {
			case "out-file":
				cfg.OutFile = val
			case "err-file":
				cfg.ErrFile = val
			default:
				cfg.UnixPath = val
			}
		case "option":
			switch val {
			case "exec-env":
				cfg.ExecEnv = true
			case "parse-arguments":
				cfg.ParseArguments = true
			default:
				return cfg, bad("unknown option %q (exec-env, parse-arguments)", val)
			}
		default:
			return cfg, bad("unknown key %q (format, out-file, err-file, unix, option)", key)
		}
	}
	if cfg.UnixPath != "" && cfg.OutFile == "" && formatSet && cfg.Format != FormatProtobuf {
		return cfg, fmt.Errorf("--output format:%s with unix:%s needs out-file:PATH (the socket serves protobuf; with unix: nothing is written to stdout)", cfg.Format, cfg.UnixPath)
	}
	if cfg.OutFile != "" && cfg.OutFile == cfg.ErrFile {
		return cfg, errors.New("--output: out-file and err-file must differ")
	}
	return cfg, nil
}
