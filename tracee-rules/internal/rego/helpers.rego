# Helper library loaded with every Rego signature. Import it with
#   import data.tracee.helpers
# and call, for example, helpers.get_tracee_argument("pathname").
#
# The input is the event in Tracee's JSON shape (see input.go): arguments are
# input.args[_] = {"name": ..., "type": ..., "value": ...}, where value is the
# symbolic rendering ("O_RDWR|O_CREAT", "PTRACE_TRACEME") when the producer
# made one, else the raw value.
package tracee.helpers

# get_tracee_argument is the value of the argument called name; undefined when
# the event has no such argument.
get_tracee_argument(name) := arg.value if {
	some arg in input.args
	arg.name == name
}

# has_tracee_argument holds when the event has an argument called name.
has_tracee_argument(name) if {
	some arg in input.args
	arg.name == name
}

# flag_set holds when the symbolic flags text ("O_RDWR|O_CREAT") contains
# exactly the flag name (case-insensitive).
flag_set(flags, name) if {
	is_string(flags)
	some flag in split(flags, "|")
	upper(trim_space(flag)) == upper(name)
}

# is_file_write holds when open flags allow writing, given as text or number.
is_file_write(flags) if flag_set(flags, "O_WRONLY")

is_file_write(flags) if flag_set(flags, "O_RDWR")

is_file_write(flags) if {
	is_number(flags)
	bits.and(flags, 3) in {1, 2} # O_ACCMODE: O_WRONLY = 1, O_RDWR = 2
}

# is_file_read holds when open flags allow reading, given as text or number.
is_file_read(flags) if flag_set(flags, "O_RDONLY")

is_file_read(flags) if flag_set(flags, "O_RDWR")

# Text flags without an access mode mean O_RDONLY (its value is 0).
is_file_read(flags) if {
	is_string(flags)
	not flag_set(flags, "O_WRONLY")
	not flag_set(flags, "O_RDWR")
}

is_file_read(flags) if {
	is_number(flags)
	bits.and(flags, 3) in {0, 2} # O_RDONLY = 0, O_RDWR = 2
}

# is_elf_file holds when a base64-encoded buffer (as "bytes" arguments are
# rendered) starts with the ELF magic.
is_elf_file(b64) if {
	is_string(b64)
	startswith(base64.decode(b64), "\u007fELF")
}

# in_container holds when the event comes from a container.
in_container if input.containerId != ""

# ancestor_names lists the process names of the event's ancestry, parent first.
ancestor_names := [a.processName | some a in input.ancestry]
