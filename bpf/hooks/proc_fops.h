/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc_fops_check: is /proc's directory code still the kernel's? Never
 * attached: tracee-ebpf runs it with BPF_PROG_TEST_RUN (abi.yaml: on_demand),
 * so the current task is tracee-ebpf and the fds in the context are its own
 * fds of /proc and /proc/self (a /proc/PID directory). It reads the four
 * pointers a process-hiding rootkit replaces — f_op->iterate_shared (readdir)
 * and f_inode->i_op->lookup of both directories — and compares them with the
 * addresses user space resolved from kallsyms (context words 2..5, in the
 * order of abi.ProcFopsPointers). A mismatch is the hooked_proc_fops event,
 * whatever the scope filters say (it is about the kernel, not a process).
 * Returns the mismatch bits, plus 1<<8 when a kernel read failed and 1<<9
 * when an fd was no file (nothing compared then), 1<<10 when no record could
 * be built. Every read is a probe read: the same code in both objects.
 */
#ifndef TRACEE_HOOK_PROC_FOPS_H
#define TRACEE_HOOK_PROC_FOPS_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/buffer.h"
#include "../lib/submit.h"

#define PROC_FOPS_PTRS 4
#define PROC_FOPS_READ_FAILED (1 << 8)
#define PROC_FOPS_NO_FILE (1 << 9)
#define PROC_FOPS_NO_RECORD (1 << 10)

/* The file behind fd of the current task (probe reads only). */
statfn struct file *own_fd_file(struct task_struct *t, u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fda = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fda[fd]);
	return f;
}

/* f_op->iterate_shared and f_inode->i_op->lookup of f into out[0], out[1]. */
statfn int dir_ops(struct file *f, u64 *out)
{
	const struct file_operations *fop = NULL;
	struct inode *ino = NULL;
	const struct inode_operations *iop = NULL;
	if (!f)
		return PROC_FOPS_NO_FILE;
	if (bpf_probe_read_kernel(&fop, sizeof(fop), &f->f_op) || !fop ||
	    bpf_probe_read_kernel(&out[0], sizeof(u64), &fop->iterate_shared) ||
	    bpf_probe_read_kernel(&ino, sizeof(ino), &f->f_inode) || !ino ||
	    bpf_probe_read_kernel(&iop, sizeof(iop), &ino->i_op) || !iop ||
	    bpf_probe_read_kernel(&out[1], sizeof(u64), &iop->lookup))
		return PROC_FOPS_READ_FAILED;
	return 0;
}

SEC("raw_tp")
int tracee_proc_fops_check(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *cfg = get_config();
	if (!cfg)
		return PROC_FOPS_NO_RECORD;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	u64 found[PROC_FOPS_PTRS] = {};
	int bad = dir_ops(own_fd_file(t, ctx->args[0]), &found[0]);
	bad |= dir_ops(own_fd_file(t, ctx->args[1]), &found[2]);
	if (bad)
		return bad;
	u32 hooked = 0;
	for (int i = 0; i < PROC_FOPS_PTRS; i++)
		if (found[i] != ctx->args[2 + i])
			hooked |= 1 << i;
	if (!hooked || !(cfg->emit & EMIT_HOOKED_PROC_FOPS))
		return hooked;
	struct event_buf *b = get_buf(SLOT_PROC_FOPS_CHECK);
	if (!b) {
		stat_inc(STAT_LOST);
		return hooked | PROC_FOPS_NO_RECORD;
	}
	fill_ctx(&b->ctx, CURRENT_TASK, EVENT_HOOKED_PROC_FOPS, -1); /* RD: BTF loads in the tp_btf object */
	buf_reset(b);
	arg_u32(b, HOOKED_PROC_FOPS__HOOKED, hooked);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_ROOT_ITERATE_SHARED, found[0]);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_ROOT_LOOKUP, found[1]);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_PID_ITERATE_SHARED, found[2]);
	arg_u64(b, HOOKED_PROC_FOPS__PROC_PID_LOOKUP, found[3]);
	submit(b, cfg);
	return hooked;
}

#endif
