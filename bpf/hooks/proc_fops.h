/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc_fops_check: is /proc's directory code still the kernel's? Never
 * attached: tracee-ebpf runs it with BPF_PROG_TEST_RUN (abi.yaml: on_demand),
 * so the current task is tracee-ebpf and the fds in the context are its own
 * fds of /proc and /proc/self (a /proc/PID directory). It reads the four
 * pointers a process-hiding rootkit replaces — the readdir (iterate_shared of
 * i_fop) and lookup (of i_op) of both directories' inodes — and compares them with the
 * addresses user space resolved from kallsyms. The pointers' order, the
 * context words and the return bits are abi.yaml's proc_fops_pointers and
 * proc_fops_failures (PROC_FOPS_* in events_gen.h). A mismatch is the
 * hooked_proc_fops event, whatever the scope filters say (it is about the
 * kernel, not a process). Returns the mismatch bits (1 << PROC_FOPS_PTR_*),
 * or PROC_FOPS_READ_FAILED / PROC_FOPS_NO_FILE (nothing compared), plus
 * PROC_FOPS_NO_RECORD when a mismatch could not be emitted. The task is read
 * as in the hooks (RD: BTF loads in the tp_btf object), the operations with
 * probe reads in both.
 */
#ifndef TRACEE_HOOK_PROC_FOPS_H
#define TRACEE_HOOK_PROC_FOPS_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/buffer.h"
#include "../lib/submit.h"
#include "../lib/path.h"

/*
 * iterate_shared and lookup of f's inode into *iterate, *lookup. The
 * operations are read from the inode (i_fop, i_op), which every open of the
 * directory copies from, not from our file's f_op: a rootkit that swaps the
 * inode's table after we opened the fd would leave our f_op unchanged.
 */
statfn int dir_ops(struct file *f, u64 *iterate, u64 *lookup)
{
	struct inode *ino = NULL;
	const struct file_operations *fop = NULL;
	const struct inode_operations *iop = NULL;
	if (!f)
		return PROC_FOPS_NO_FILE;
	if (bpf_probe_read_kernel(&ino, sizeof(ino), &f->f_inode) || !ino ||
	    bpf_probe_read_kernel(&fop, sizeof(fop), &ino->i_fop) || !fop ||
	    bpf_probe_read_kernel(iterate, sizeof(u64), &fop->iterate_shared) ||
	    bpf_probe_read_kernel(&iop, sizeof(iop), &ino->i_op) || !iop ||
	    bpf_probe_read_kernel(lookup, sizeof(u64), &iop->lookup))
		return PROC_FOPS_READ_FAILED;
	return 0;
}

SEC("raw_tp")
int tracee_proc_fops_check(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *cfg = get_config();
	if (!cfg)
		return PROC_FOPS_NO_RECORD;
	struct task_struct *t = CURRENT_TASK;
	u64 found[PROC_FOPS_PTRS] = {};
	int bad = dir_ops(task_fd_file(t, ctx->args[PROC_FOPS_CTX_ROOT_FD]),
			  &found[PROC_FOPS_PTR_PROC_ROOT_READDIR], &found[PROC_FOPS_PTR_PROC_ROOT_LOOKUP]);
	bad |= dir_ops(task_fd_file(t, ctx->args[PROC_FOPS_CTX_PID_FD]),
		       &found[PROC_FOPS_PTR_PROC_TGID_BASE_READDIR], &found[PROC_FOPS_PTR_PROC_TGID_BASE_LOOKUP]);
	if (bad)
		return bad;
	u32 hooked = 0;
	for (int i = 0; i < PROC_FOPS_PTRS; i++)
		if (found[i] != ctx->args[PROC_FOPS_CTX_EXPECTED + i])
			hooked |= 1 << i;
	if (!hooked || !(cfg->emit & EMIT_HOOKED_PROC_FOPS))
		return hooked;
	struct event_buf *b = get_buf(SLOT_PROC_FOPS_CHECK);
	if (!b) {
		stat_inc(STAT_LOST);
		return hooked | PROC_FOPS_NO_RECORD;
	}
	fill_ctx(&b->ctx, t, EVENT_HOOKED_PROC_FOPS, -1);
	buf_reset(b);
	arg_u32(b, HOOKED_PROC_FOPS__HOOKED, hooked);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_ROOT_ITERATE_SHARED, found[PROC_FOPS_PTR_PROC_ROOT_READDIR]);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_ROOT_LOOKUP, found[PROC_FOPS_PTR_PROC_ROOT_LOOKUP]);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_PID_ITERATE_SHARED, found[PROC_FOPS_PTR_PROC_TGID_BASE_READDIR]);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_PID_LOOKUP, found[PROC_FOPS_PTR_PROC_TGID_BASE_LOOKUP]);
	submit(b, cfg);
	return hooked;
}

#endif
