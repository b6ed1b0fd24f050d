/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --capture write|module|bpf (and the memfd side of exec): a program of its
 * own on sys_exit that copies the bytes a syscall handed to the kernel into
 * capture_chunk records (CAPTURE_CHUNK bytes each), in the events ring
 * buffer. The loader attaches it before the sys_exit program, so a
 * syscall's chunks are in the ring before its own event: user space has the
 * whole artifact when it handles the event.
 *
 *   write, pwrite64, writev, pwritev, pwritev2 to a regular file whose path
 *     starts with a configured prefix (kind 1), or to a memfd (kind 5, for
 *     exec capture of a payload whose process is gone before user space
 *     can open /proc/PID/exe)
 *   init_module: the image (kind 2); finit_module: the file's path and
 *     identity only (kind 3; user space reads the file)
 *   bpf(BPF_PROG_LOAD): the instructions, with prog_type and name (kind 4)
 *   mmap (anonymous), mprotect, pkey_mprotect that made memory executable:
 *     the region's bytes at that moment (kind 6; offset is the address), so
 *     a W+X region is dumped even when its process exits at once
 *
 * Every copy is bounded (capture_cfg.max_bytes per syscall, at most
 * CAPTURE_MAX_CHUNKS chunks, CAPTURE_MAX_IOV iovecs); a failed read or a
 * full ring buffer is counted (STAT_READ_FAILED, STAT_LOST) and shows in
 * user space as missing bytes. Args: kind, pathname, dev, inode, offset,
 * total, aux, data.
 */
#ifndef TRACEE_HOOK_CAPTURE_H
#define TRACEE_HOOK_CAPTURE_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/buffer.h"
#include "../lib/path.h"
#include "../lib/submit.h"
#include "../lib/hook.h"
#include "../lib/syscall.h"
#include "../lib/syscall_args.h"
#include <asm/unistd_64.h>

#define CAPTURE_CHUNK 4096
#define CAPTURE_MAX_CHUNKS 4096 /* 16 MiB per syscall at most */
#define CAPTURE_MAX_IOV 64
#define CAPTURE_MAX_PREFIXES 8
#define CAPTURE_PREFIX_LEN 256

/*
 * Scratch of the capture program: its own record per CPU (the loader sizes
 * the map to the possible CPUs) and its own path slot, past the hooks'
 * (the loader makes path_scratch one entry longer): it interleaves with the
 * other programs on sys_exit when preempted.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, struct event_buf);
} capture_scratch SEC(".maps");

#define CAPTURE_PATH_SLOT SLOT_MAX

statfn struct event_buf *capture_buf(void)
{
	u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&capture_scratch, &cpu);
}

/* capture_cfg.flags */
#define CAPF_WRITE (1 << 0)
#define CAPF_MODULE (1 << 1)
#define CAPF_BPF (1 << 2)
#define CAPF_MEMFD (1 << 3)
#define CAPF_MEM (1 << 4)

/* capture_chunk kinds */
#define CAPK_WRITE 1
#define CAPK_MODULE 2
#define CAPK_MODULE_FILE 3
#define CAPK_BPF 4
#define CAPK_MEMFD 5
#define CAPK_MEM 6

#define CAP_PROT_WRITE 0x2
#define CAP_PROT_EXEC 0x4
#define CAP_MAP_ANONYMOUS 0x20

struct capture_cfg {
	u32 flags;
	u32 nprefix;   /* 0 with CAPF_WRITE: every regular file */
	u64 max_bytes; /* per syscall */
};

struct capture_prefix {
	u32 len;
	char s[CAPTURE_PREFIX_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct capture_cfg);
} capture_cfg_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CAPTURE_MAX_PREFIXES);
	__type(key, u32);
	__type(value, struct capture_prefix);
} capture_prefixes SEC(".maps");

/* A path's first bytes, for the prefix comparison. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct capture_prefix);
} capture_path_head SEC(".maps");

struct prefix_ctx {
	struct capture_prefix *head;
	u32 n;
	u32 skip; /* 1 + the prefix found not to match */
	bool match;
};

/* One byte of one prefix per iteration: i = prefix * CAPTURE_PREFIX_LEN + byte. */
static long prefix_cb(u32 i, struct prefix_ctx *pc)
{
	u32 k = i / CAPTURE_PREFIX_LEN, j = i % CAPTURE_PREFIX_LEN;
	if (k >= pc->n || k >= CAPTURE_MAX_PREFIXES)
		return 1;
	if (pc->skip == k + 1)
		return 0;
	struct capture_prefix *p = bpf_map_lookup_elem(&capture_prefixes, &k);
	if (!p)
		return 1;
	u32 len = p->len;
	if (j >= len || j >= CAPTURE_PREFIX_LEN - 1) {
		if (len > 0 && j == len) {
			pc->match = true;
			return 1;
		}
		pc->skip = k + 1;
		return 0;
	}
	if (p->s[j & (CAPTURE_PREFIX_LEN - 1)] != pc->head->s[j & (CAPTURE_PREFIX_LEN - 1)])
		pc->skip = k + 1;
	return 0;
}

/* Whether the absolute path (kernel memory) starts with a configured prefix. */
statfn bool prefix_match(const char *path, u32 n)
{
	if (n == 0)
		return true;
	u32 zero = 0;
	struct capture_prefix *head = bpf_map_lookup_elem(&capture_path_head, &zero);
	if (!head || !path)
		return false;
	if (bpf_probe_read_kernel_str(head->s, CAPTURE_PREFIX_LEN, path) < 0)
		return false;
	struct prefix_ctx pc = {.head = head, .n = n};
	bpf_loop(CAPTURE_MAX_PREFIXES * CAPTURE_PREFIX_LEN, prefix_cb, &pc, 0);
	return pc.match;
}

/* What one syscall's chunks share, and where the copy stands. */
struct chunk_ctx {
	u64 path; /* const char * in kernel memory, or 0 */
	u64 iov;          /* user pointer to struct iovec[], or 0 for one buffer */
	u32 iovcnt;
	u32 iov_i;
	u64 cur;      /* user pointer into the current buffer */
	u64 cur_left; /* bytes left in it */
	u64 left;     /* bytes left to copy for this syscall */
	u64 offset;
	u64 total;
	u64 dev, ino;
	u32 kind, aux;
	u32 offset_pos, hdr_off; /* where offset's value is; end of the shared arguments */
	u16 hdr_argnum, hdr_flags;
	u32 compat; /* 32-bit caller: compat iovecs */
};

/*
 * The arguments before data are the same in every chunk of a syscall but
 * offset: they are written once, and each chunk patches offset in place and
 * appends its data after them.
 */
/*
 * A syscall's copy state lives in a map value, not on the stack: the
 * verifier then sees the loop counters as unknown and verifies chunk_cb
 * once instead of once per possible value.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct chunk_ctx);
} capture_state SEC(".maps");

statfn struct chunk_ctx *chunk_state(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&capture_state, &zero);
}

statfn void chunk_header(struct event_buf *b, struct chunk_ctx *cc)
{
	buf_reset(b);
	arg_u32(b, 0, cc->kind);
	arg_str(b, 1, (const char *)cc->path, false);
	arg_u32(b, 2, cc->dev);
	arg_u64(b, 3, cc->ino);
	cc->offset_pos = b->off + 1;
	arg_u64(b, 4, cc->offset);
	arg_u64(b, 5, cc->total);
	arg_u32(b, 6, cc->aux);
	cc->hdr_off = b->off;
	cc->hdr_argnum = b->ctx.argnum;
	cc->hdr_flags = b->ctx.flags;
}

static long chunk_cb(u32 i, void *unused)
{
	struct chunk_ctx *cc = chunk_state();
	if (!cc)
		return 1;
	struct config *cfg = get_config();
	if (!cfg)
		return 1;
	if (cc->left == 0)
		return 1;
	if (cc->cur_left == 0) {
		if (!cc->iov || cc->iov_i >= cc->iovcnt || cc->iov_i >= CAPTURE_MAX_IOV)
			return 1;
		u64 v[2] = {};
		if (cc->compat) { /* struct compat_iovec: two u32 */
			u32 w[2] = {};
			if (bpf_probe_read_user(w, sizeof(w), (void *)(cc->iov + (u64)cc->iov_i * 8))) {
				stat_inc(STAT_READ_FAILED);
				return 1;
			}
			v[0] = w[0];
			v[1] = w[1];
		} else if (bpf_probe_read_user(v, sizeof(v), (void *)(cc->iov + (u64)cc->iov_i * 16))) {
			stat_inc(STAT_READ_FAILED);
			return 1;
		}
		cc->iov_i++;
		cc->cur = v[0];
		cc->cur_left = v[1];
		return 0; /* an empty iovec costs one iteration */
	}
	struct event_buf *b = capture_buf();
	if (!b)
		return 1;
	u32 n = CAPTURE_CHUNK;
	if (cc->cur_left < n)
		n = cc->cur_left;
	if (cc->left < n)
		n = cc->left;
	b->off = cc->hdr_off;
	b->ctx.argnum = cc->hdr_argnum;
	b->ctx.flags = cc->hdr_flags;
	u64 pos = cc->offset_pos;
	BOUND_MASK(pos, 16383);
	*(u64 *)&b->args[pos] = cc->offset;
	arg_bytes(b, 7, (const void *)cc->cur, n, true);
	submit(b, cfg);
	cc->cur += n;
	cc->cur_left -= n;
	cc->left -= n;
	cc->offset += n;
	return 0;
}

statfn void emit_chunks(struct chunk_ctx *cc, struct config *cfg)
{
	struct event_buf *b = capture_buf();
	if (!b)
		return;
	chunk_header(b, cc);
	if (cc->left == 0) { /* nothing to copy: one record with the metadata */
		arg_bytes(b, 7, NULL, 0, false);
		submit(b, cfg);
		return;
	}
	bpf_loop(CAPTURE_MAX_CHUNKS + CAPTURE_MAX_IOV, chunk_cb, NULL, 0);
}

statfn bool is_memfd_file(struct file *f)
{
	char name[8] = {};
	bpf_probe_read_kernel(name, 6, BPF_CORE_READ(f, f_path.dentry, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	       name[5] == ':' && BPF_CORE_READ(f, f_inode, i_nlink) == 0;
}

/* Writes: which file, and where the written bytes are. */
statfn bool capture_write(struct chunk_ctx *cc, struct capture_cfg *ccfg, struct task_struct *t,
			  struct sysc *sc, u32 nr, long ret)
{
	struct file *f = task_fd_file(t, (u32)sc->a[0]);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFREG)
		return false;
	if ((ccfg->flags & CAPF_MEMFD) && is_memfd_file(f)) {
		cc->kind = CAPK_MEMFD;
		cc->path = 0;
	} else if (ccfg->flags & CAPF_WRITE) {
		const char *path = file_path(CAPTURE_PATH_SLOT, f);
		cc->path = (u64)path;
		if (!prefix_match(path, ccfg->nprefix))
			return false;
		cc->kind = CAPK_WRITE;
	} else {
		return false;
	}
	cc->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	cc->ino = BPF_CORE_READ(f, f_inode, i_ino);
	cc->total = ret;
	switch (nr) {
	case __NR_pwrite64:
	case __NR_pwritev:
	case __NR_pwritev2:
		cc->offset = sc->a[3];
		if (nr == __NR_pwritev2 && (s64)cc->offset == -1)
			cc->offset = BPF_CORE_READ(f, f_pos) - ret;
		break;
	default:
		cc->offset = BPF_CORE_READ(f, f_pos) - ret;
	}
	if (nr == __NR_write || nr == __NR_pwrite64) {
		cc->cur = sc->a[1];
		cc->cur_left = ret;
	} else {
		cc->iov = sc->a[1];
		cc->iovcnt = sc->a[2];
	}
	return true;
}

/* bpf(BPF_PROG_LOAD, attr, size): prog_type, insn_cnt, insns, prog_name. */
#define BPF_PROG_LOAD_CMD 5
#define ATTR_PROG_NAME_OFF 48

statfn bool capture_bpf_prog(struct chunk_ctx *cc, struct sysc *sc)
{
	u32 zero = 0;
	struct capture_prefix *name = bpf_map_lookup_elem(&capture_path_head, &zero);
	if (!name)
		return false;
	if (sc->a[0] != BPF_PROG_LOAD_CMD)
		return false;
	u64 attr = sc->a[1];
	u32 size = sc->a[2];
	struct {
		u32 prog_type;
		u32 insn_cnt;
		u64 insns;
	} head = {};
	if (bpf_probe_read_user(&head, sizeof(head), (void *)attr)) {
		stat_inc(STAT_READ_FAILED);
		return false;
	}
	name->s[0] = 0;
	if (size >= ATTR_PROG_NAME_OFF + 16)
		bpf_probe_read_user(name->s, 16, (void *)(attr + ATTR_PROG_NAME_OFF));
	name->s[16] = 0;
	cc->kind = CAPK_BPF;
	cc->aux = head.prog_type;
	cc->path = (u64)name->s;
	cc->total = (u64)head.insn_cnt * 8;
	cc->cur = head.insns;
	cc->cur_left = cc->total;
	return true;
}

statfn int on_capture_exit(struct pt_regs *regs, long ret)
{
	u32 zero = 0;
	struct capture_cfg *ccfg = bpf_map_lookup_elem(&capture_cfg_map, &zero);
	if (!ccfg || !ccfg->flags)
		return 0;
	struct task_struct *t = CURRENT_TASK;
	struct sysc scv;
	struct sysc *sc = &scv;
	if (!sysc_read(t, regs, sc))
		return 0;
	u32 nr = sc->nr;
	switch (nr) {
	case __NR_write:
	case __NR_pwrite64:
	case __NR_writev:
	case __NR_pwritev:
	case __NR_pwritev2:
		if (ret <= 0 || !(ccfg->flags & (CAPF_WRITE | CAPF_MEMFD)))
			return 0;
		break;
	case __NR_init_module:
	case __NR_finit_module:
		if (!(ccfg->flags & CAPF_MODULE))
			return 0;
		break;
	case __NR_bpf:
		if (!(ccfg->flags & CAPF_BPF))
			return 0;
		break;
	case __NR_mmap:
	case __NR_mprotect:
	case __NR_pkey_mprotect:
		if (!(ccfg->flags & CAPF_MEM) || ret < 0)
			return 0;
		break;
	default:
		return 0;
	}
	struct config *cfg = get_config();
	struct event_buf *b = capture_buf();
	if (!cfg || !b)
		return 0;
	fill_ctx(&b->ctx, t, EVENT_CAPTURE_CHUNK, nr);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	b->ctx.retval = ret;
	sysc_load64(sc, regs);
	mark_compat(b, sc);
	struct chunk_ctx *cp = chunk_state();
	if (!cp)
		return 0;
	__builtin_memset(cp, 0, sizeof(*cp));
	switch (nr) {
	case __NR_init_module:
		cp->kind = CAPK_MODULE;
		cp->total = sc->a[1];
		cp->cur = sc->a[0];
		cp->cur_left = cp->total;
		break;
	case __NR_finit_module: {
		struct file *f = task_fd_file(t, (u32)sc->a[0]);
		cp->kind = CAPK_MODULE_FILE;
		if (f) {
			cp->path = (u64)file_path(CAPTURE_PATH_SLOT, f);
			cp->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
			cp->ino = BPF_CORE_READ(f, f_inode, i_ino);
		}
		break;
	}
	case __NR_bpf:
		if (!capture_bpf_prog(cp, sc))
			return 0;
		break;
	case __NR_mmap:
	case __NR_mprotect:
	case __NR_pkey_mprotect:
		if (!(sc->a[2] & CAP_PROT_EXEC))
			return 0;
		if (nr == __NR_mmap && !(sc->a[3] & CAP_MAP_ANONYMOUS))
			return 0;
		cp->kind = CAPK_MEM;
		cp->aux = sc->a[2];
		cp->cur = nr == __NR_mmap ? (u64)ret : sc->a[0];
		cp->offset = cp->cur;
		cp->total = sc->a[1];
		cp->cur_left = cp->total;
		break;
	default:
		if (!capture_write(cp, ccfg, t, sc, nr, ret))
			return 0;
	}
	cp->compat = sc->compat;
	cp->left = cp->total < ccfg->max_bytes ? cp->total : ccfg->max_bytes;
	if (cp->kind == CAPK_MODULE_FILE)
		cp->left = 0;
	emit_chunks(cp, cfg);
	return 0;
}

TRACEE_HOOK(sys_exit, capture_exit, on_capture_exit(HOOK_ARG(struct pt_regs *, 0), HOOK_ARG(long, 1)))

#endif
