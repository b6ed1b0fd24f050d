package output

import (
	"errors"
	"fmt"
	"strconv"
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
	RotateSize     int64 // rotate the protobuf out-file past this many bytes; 0: never
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
		case "rotate":
			n, err := parseSize(val)
			if err != nil {
				return cfg, bad("%v", err)
			}
			cfg.RotateSize = n
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
			return cfg, bad("unknown key %q (format, out-file, err-file, unix, rotate, option)", key)
		}
	}
	if cfg.UnixPath != "" && cfg.OutFile == "" && formatSet && cfg.Format != FormatProtobuf {
		return cfg, fmt.Errorf("--output format:%s with unix:%s needs out-file:PATH (the socket serves protobuf; with unix: nothing is written to stdout)", cfg.Format, cfg.UnixPath)
	}
	if cfg.RotateSize > 0 && (cfg.OutFile == "" || cfg.Format != FormatProtobuf) {
		return cfg, errors.New("--output rotate: needs format:protobuf and out-file:PATH (a recording)")
	}
	if cfg.OutFile != "" && cfg.OutFile == cfg.ErrFile {
		return cfg, errors.New("--output: out-file and err-file must differ")
	}
	return cfg, nil
}

// parseSize parses a positive byte count with an optional K, M or G suffix
// (binary multiples).
func parseSize(s string) (int64, error) {
	mult := int64(1)
	num := s
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q: want a positive number of bytes (K/M/G suffixes)", s)
	}
	return n * mult, nil
}
