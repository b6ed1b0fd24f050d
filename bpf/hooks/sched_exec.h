/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_process_exec: the new image is in place, so argv and envp are read
 * from the new mm (always mapped), and the executed file from bprm->file.
 * Args: cmdpath, pathname, dev, inode, inode_mode, interp, argv, env,
 * is_memfd, is_deleted, fs_type, prev_comm (kept by task_rename.h), ld_env.
 */
#ifndef TRACEE_HOOK_SCHED_EXEC_H
#define TRACEE_HOOK_SCHED_EXEC_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/buffer.h"
#include "../lib/path.h"
#include "../lib/submit.h"
#include "../lib/unreturned.h"
#include "../lib/hook.h"
#include "../lib/bigargs.h"
#include "../derived/socket_dup.h"
#include "../lib/envscan.h"

/*
 * socket_dup at exec, for each of fds 0-2 that is an inet socket with a
 * peer: oldfd -1, newfd, remote_addr. However the socket got there (dup,
 * fcntl, accept, SCM_RIGHTS, pidfd_getfd, io_uring), the new program starts
 * with it as standard input, output or error. Done when socket_dup is
 * selected (its bit on dup2).
 */
statfn void emit_stdio_sockets(struct event_buf *b, struct config *cfg, struct task_struct *t)
{
	u32 nr = __NR_dup2;
	u32 *sel = bpf_map_lookup_elem(&selected, &nr);
	if (!sel || !(*sel & SEL_SOCKET_DUP))
		return;
	/* fds 0-2 in one read (the table always has them); a socket among them
	 * is rare: the header only then */
	struct fdtable *fdt = RD(t, files, fdt);
	struct file *std[3] = {};
	if (!fdt || bpf_probe_read_kernel(std, sizeof(std), RD(fdt, fd)))
		return;
	u32 socks = 0;
	for (u32 fd = 0; fd < 3; fd++)
		if (std[fd] && (RD(AS_BTF(std[fd], struct file), f_inode, i_mode) & S_IFMT) == S_IFSOCK)
			socks |= 1 << fd;
	if (!socks)
		return;
	fill_ctx(&b->ctx, t, EVENT_SOCKET_DUP, -1);
	if (!should_trace(cfg, &b->ctx))
		return;
	for (u32 fd = 0; fd < 3; fd++) {
		if (!(socks & (1 << fd)))
			continue;
		struct sock *sk = fd_inet_sock(t, fd);
		if (!sk || !BPF_CORE_READ(sk, __sk_common.skc_dport))
			continue;
		buf_reset(b);
		arg_u32(b, SOCKET_DUP__OLDFD, (u32)-1);
		arg_u32(b, SOCKET_DUP__NEWFD, fd);
		sockaddr_from_sock(b, SOCKET_DUP__REMOTE_ADDR, sk);
		submit(b, cfg);
	}
}
#include "task_rename.h"

statfn int on_exec(struct task_struct *t, struct linux_binprm *bprm)
{
	struct config *cfg = get_config();
	struct event_buf *b = get_buf(SLOT_SCHED_PROCESS_EXEC);
	if (!cfg || !b)
		return 0;
	/* what the process runs from now on, for the executable filter (filter.h) */
	if (cfg->filter_flags & (F_EXE_EQ | F_EXE_NE))
		proc_exe_set(BPF_CORE_READ(t, tgid), BPF_CORE_READ(bprm, file));
	emit_exec_syscall(b, cfg, t, bprm);
	emit_stdio_sockets(b, cfg, t);
	if (!(cfg->emit & EMIT_SCHED_PROCESS_EXEC))
		return 0;
	fill_ctx(&b->ctx, t, EVENT_SCHED_PROCESS_EXEC, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);

	/* direct reads through the BTF pointers (helper calls in the raw build) */
	struct file *f = RD(bprm, file);
	struct dentry *d = RD(f, f_path.dentry);
	struct inode *ino = RD(f, f_inode);
	struct super_block *sb = RD(ino, i_sb);

	arg_str(b, SCHED_PROCESS_EXEC__CMDPATH, RD(bprm, filename), false);
	arg_file_path(b, SCHED_PROCESS_EXEC__PATHNAME, SLOT_SCHED_PROCESS_EXEC, f);
	arg_u32(b, SCHED_PROCESS_EXEC__DEV, RD(sb, s_dev));
	arg_u64(b, SCHED_PROCESS_EXEC__INODE, RD(ino, i_ino));
	arg_u32(b, SCHED_PROCESS_EXEC__INODE_MODE, RD(ino, i_mode));
	arg_str(b, SCHED_PROCESS_EXEC__INTERP, RD(bprm, interp), false);

	char name[8] = {};
	bpf_probe_read_kernel(name, 6, RD(d, d_name.name));
	/* memfd_create names its (unlinked, shmem or hugetlbfs) file "memfd:<name>" */
	bool memfd = name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
		     name[4] == 'd' && name[5] == ':';
	unsigned int nlink = RD(ino, i_nlink);
	arg_u8(b, SCHED_PROCESS_EXEC__IS_MEMFD, memfd && nlink == 0);
	arg_u8(b, SCHED_PROCESS_EXEC__IS_DELETED, nlink == 0);
	arg_str(b, SCHED_PROCESS_EXEC__FS_TYPE, RD(sb, s_type, name), false);
	u32 tid = RD(t, pid);
	struct comm_val *prev = prev_comm_take(tid);
	if (prev)
		arg_str(b, SCHED_PROCESS_EXEC__PREV_COMM, prev->comm, false);

	/* argv and env last: whole up to --exec-args-max-kib in a big record (bigargs.h) */
	struct mm_struct *mm = RD(t, mm);
	/* the LD_ variables past the first 8 KiB of env, whatever the env argument keeps */
	unsigned long env_start = RD(mm, env_start), env_end = RD(mm, env_end);
	if (env_end > env_start + MAX_ARR_BLOB)
		arg_env_ld_tail(b, SLOT_SCHED_PROCESS_EXEC, SCHED_PROCESS_EXEC__LD_ENV, env_start + MAX_ARR_BLOB, env_end);
	struct mm_blob blobs[2] = {
		{RD(mm, arg_start), RD(mm, arg_end), SCHED_PROCESS_EXEC__ARGV},
		{env_start, env_end, SCHED_PROCESS_EXEC__ENV},
	};
	if (!submit_with_blobs(b, cfg, blobs, 2)) {
		arg_mm_blob(b, SCHED_PROCESS_EXEC__ARGV, blobs[0].start, blobs[0].end);
		arg_mm_blob(b, SCHED_PROCESS_EXEC__ENV, blobs[1].start, blobs[1].end);
		submit(b, cfg);
	}
	prev_comm_drop(tid);
	return 0;
}

/* sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
TRACEE_HOOK(sched_process_exec, sched_exec,
	    on_exec(HOOK_ARG(struct task_struct *, 0), HOOK_ARG(struct linux_binprm *, 2)))

#endif
