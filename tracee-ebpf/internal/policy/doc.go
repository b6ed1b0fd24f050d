// Package policy loads Tracee policies (tracee-ebpf --policy FILE|DIR) and
// matches events against a set of them.
//
// A policy is a YAML document in Tracee's format:
//
//	apiVersion: tracee.aquasec.com/v1beta1
//	kind: Policy
//	metadata:
//	  name: ld-preload
//	  annotations:
//	    description: writes to /etc/ld.so.preload
//	spec:
//	  scope:
//	    - global            # or comm=, pid=, uid=, container, tree=, follow, ...
//	  rules:
//	    - event: security_file_open
//	      filters:
//	        - data.pathname=/etc/ld.so.preload
//	        - data.flags=O_WRONLY,O_RDWR
//	    - event: ptrace
//	      filters: [data.request=PTRACE_TRACEME]
//
// Scope expressions are AND-ed; a rule's filters are AND-ed and the
// comma-separated values of one filter OR-ed. Unlike Tracee, an event may
// have several rules in one policy: the event matches the policy when any of
// them passes (tracee-rules --list-policy needs this to express one
// signature's alternatives). Rule filters are data filters (data.NAME,
// args.NAME, retval) or context filters (uid=, comm=, pid=, ...), the latter
// evaluated in user space.
//
// Up to 64 policies are loaded at once (--trace expressions form one policy
// of their own). Every policy's scope runs in the kernel (bit i of the
// record's policy bitmap is policy i, see Set.Kernels and
// bpf/lib/filter.h), which also drops an event no policy in scope selects;
// Match names the policies from that bitmap after checking what only user
// space can (container ids, rules' filters the kernel cannot express,
// context filters). Every event carries the names of the policies it
// matched.
package policy
