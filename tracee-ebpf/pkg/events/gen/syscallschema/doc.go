// Command syscallschema writes schema/syscalls.yaml: every x86_64 syscall of
// the running kernel with its parameters. Numbers come from unistd_64.h,
// parameter names and C types from the tracefs sys_enter_* formats, and
// schema/syscall_overrides.yaml renames parameters to their man-page names,
// sets formats, kinds and categories. Run it through scripts/gen-syscall-schema.
package main
