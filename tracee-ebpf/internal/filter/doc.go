// Package filter parses Tracee's --trace expressions into a Policy.
//
// A Policy has three parts:
//   - Events: the events the user asked for (the "default" set when none was
//     named), and Deps: events that must also be traced because a selected
//     user-space event is derived from them (they are not printed).
//   - Kernel: plain data the loader writes into BPF maps (scope filters
//     evaluated in the kernel: uid, pid, namespaces, comm, uts, container,
//     follow, new pids, process trees).
//   - a user-space part applied by (*Policy).Match: event selection,
//     argument and return-value filters, and container ids.
//
// Expressions (one per --trace flag; values separated by commas are OR-ed,
// separate expressions are AND-ed, except event selection, which adds up):
//
//	event=openat,execve   event!=close   event=security_*   set=fs,net
//	pid=1,2  pid!=3  pid>100  pid<200  pid>=100  pid<=200  pid=new
//	follow   tree=1234   uid=0  uid>=1000   comm=bash  comm!=sshd
//	mntns=4026531840   pidns=...   uts=myhost   container  !container
//	container=new   container=<id>   container!=<id>
//	openat.pathname=/etc/*   openat.args.pathname=*shadow   openat.retval<0
//	openat.flags=O_CREAT   ptrace.request=PTRACE_TRACEME
//
// An argument or return-value filter also selects its event.
package filter
