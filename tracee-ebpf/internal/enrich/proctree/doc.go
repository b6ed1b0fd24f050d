// Package proctree keeps a bounded process tree for ancestry and pid
// namespace translation.
//
// The tree is seeded from /proc (pid, ppid, comm, start time, innermost pid
// and pid namespace) and then follows sched_process_fork (new processes;
// new threads are ignored), sched_process_exec (new comm) and
// sched_process_exit (with process_group_exit: the process is gone). The
// context of every event also refreshes its process (comm of the main
// thread, parent, namespace pid).
//
// Bounds: at most Config.MaxEntries processes. Exited processes stay for
// Config.ExitGrace so that late events and their children still resolve,
// then are removed. When the tree is full, exited processes go first, then
// the least recently seen ones.
package proctree
