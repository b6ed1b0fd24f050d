// Package flagfile applies a YAML configuration file to a pflag.FlagSet:
// the file's keys are the long flag names, its values what would follow
// them on the command line, a list for a repeatable flag. Flags given on
// the command line win over the file.
package flagfile
