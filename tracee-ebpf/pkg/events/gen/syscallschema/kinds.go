package main

import (
	"fmt"
	"strings"
)

// scalarKinds maps integer C types (after normalizeType) to kind names.
var scalarKinds = map[string]string{
	"int": "int", "const int": "int", "__s32": "int", "pid_t": "int", "key_t": "int",
	"key_serial_t": "int", "timer_t": "int", "clockid_t": "int", "const clockid_t": "int",
	"mqd_t": "int", "rwf_t": "int",
	"unsigned int": "uint", "unsigned": "uint", "u32": "uint", "__u32": "uint",
	"const __u32": "uint", "umode_t": "uint", "uid_t": "uint", "gid_t": "uint", "qid_t": "uint",
	"long": "long", "off_t": "long", "loff_t": "long", "ssize_t": "long",
	"unsigned long": "ulong", "size_t": "ulong", "const size_t": "ulong", "u64": "ulong",
	"__u64": "ulong", "aio_context_t": "ulong",
}

// pointerTypedefs are typedefs of pointer types.
var pointerTypedefs = map[string]bool{
	"cap_user_header_t": true, "cap_user_data_t": true, "const cap_user_data_t": true,
}

// inputStringNames are parameter names that, on a char pointer, name an
// input C string (a path, a name); other char pointers are buffers.
var inputStringNames = map[string]bool{
	"filename": true, "pathname": true, "path": true, "name": true, "oldname": true,
	"newname": true, "specialfile": true, "special": true, "dev_name": true, "dir_name": true,
	"type": true, "new_root": true, "put_old": true, "uname": true, "u_name": true,
	"_type": true, "_description": true, "_callout_info": true, "_key": true, "_fs_name": true,
	"from_pathname": true, "to_pathname": true, "library": true,
	"oldpath": true, "newpath": true, "target": true, "linkpath": true, "source": true,
	"filesystemtype": true, "param_values": true, "cmdline": true,
}

// normalizeType turns a tracefs C type ("const char *const *") into the
// compact form Tracee prints ("const char*const*").
func normalizeType(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	t = strings.ReplaceAll(t, " *", "*")
	return t
}

// kindFor derives the raw-record kind of a parameter from its C type.
func kindFor(name, ctype string) (string, error) {
	if k, ok := scalarKinds[ctype]; ok {
		return k, nil
	}
	if strings.HasPrefix(ctype, "const enum ") || strings.HasPrefix(ctype, "enum ") {
		if !strings.Contains(ctype, "*") {
			return "int", nil
		}
	}
	if pointerTypedefs[ctype] {
		return "pointer", nil
	}
	switch ctype {
	case "const char*const*", "char*const*", "const char**":
		return "str_arr", nil
	case "const char*", "char*":
		if inputStringNames[name] {
			return "str", nil
		}
		return "pointer", nil
	}
	if strings.Contains(ctype, "*") {
		return "pointer", nil
	}
	return "", fmt.Errorf("no kind for C type %q (parameter %s)", ctype, name)
}
