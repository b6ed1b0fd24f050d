/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel structures tracee reads, declared with only the fields it
 * uses. preserve_access_index makes every access a CO-RE relocation, so the
 * real offsets come from the running kernel's BTF at load time; the order and
 * completeness of fields here do not matter.
 */
#ifndef TRACEE_KERNEL_TYPES_H
#define TRACEE_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax, ip, cs, flags, sp, ss;
};

struct ns_common {
	unsigned int inum;
};

struct new_utsname {
	char sysname[65];
	char nodename[65];
};

struct uts_namespace {
	struct new_utsname name;
	struct ns_common ns;
};

struct mnt_namespace {
	struct ns_common ns;
};

struct pid_namespace {
	unsigned int level;
	struct ns_common ns;
};

struct nsproxy {
	struct uts_namespace *uts_ns;
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

typedef struct {
	__u32 val;
} kuid_t;

typedef struct {
	__u32 val;
} kgid_t;

struct cred {
	kuid_t uid;
	kgid_t gid;
};

struct qstr {
	__u32 len;
	const unsigned char *name;
};

struct file_system_type {
	const char *name;
};

struct super_block {
	__u32 s_dev;
	unsigned long s_magic;
	struct file_system_type *s_type;
};

struct inode_operations {
	void *lookup;
};

struct inode {
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;
	unsigned short i_mode;
	unsigned long i_ino;
	unsigned int i_nlink;
	struct super_block *i_sb;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
};

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
	const char *mnt_devname;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file_operations {
	void *iterate_shared;
};

struct atomic_t_ {
	int counter;
};

struct address_space {
	struct atomic_t_ i_mmap_writable;
};

struct file {
	const struct file_operations *f_op;
	struct address_space *f_mapping;
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
	long long f_pos;
	void *private_data;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct anon_vma;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	struct anon_vma *anon_vma;
	struct file *vm_file;
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
	struct file *exe_file;
};

struct signal_struct {
	struct atomic_t_ live;
};

struct kernfs_node {
	__u64 id;
};

struct cgroup_root {
	int hierarchy_id;
};

struct cgroup {
	struct kernfs_node *kn;
	struct cgroup_root *root;
};

struct css_set {
	struct cgroup *dfl_cgrp;
};

struct thread_info {
	__u32 status; /* TS_COMPAT: in a syscall made from 32-bit code */
};

struct fs_struct {
	struct path root, pwd;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int flags; /* PF_* */
	struct fs_struct *fs;
	int pid;
	int tgid;
	char comm[16];
	int exit_code;
	unsigned long long start_time;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	struct nsproxy *nsproxy;
	const struct cred *real_cred;
	struct mm_struct *mm;
	struct files_struct *files;
	struct signal_struct *signal;
	struct css_set *cgroups;
};

struct linux_binprm {
	struct file *file;
	const char *filename;
	const char *interp;
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__u32 u6_addr32[4];
	} in6_u;
};

struct sock_common {
	__u32 skc_daddr;
	__u32 skc_rcv_saddr;
	__u16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
};

struct sock {
	struct sock_common __sk_common;
};

struct socket {
	short type;
	struct sock *sk;
};

struct io_uring_cqe;

/* io_uring (hooks/io_uring.h): a request and the per-opcode data that
 * overlays its first bytes (io_kiocb.cmd), the ring's fixed-file table. */
struct io_cqe {
	__s32 fd; /* the request's sqe->fd until its result is set */
};

struct io_rsrc_node {
	unsigned long file_ptr; /* struct file *, flag bits in the low 2 */
};

struct io_rsrc_data {
	unsigned int nr;
	struct io_rsrc_node **nodes;
};

struct io_file_table {
	struct io_rsrc_data data;
};

struct io_ring_ctx {
	unsigned int compat : 1; /* set up by a 32-bit process */
	struct io_file_table file_table;
};

struct io_uring_task {
	struct task_struct *task; /* the task whose requests these are */
};

struct io_kiocb {
	struct file *file;
	__u8 opcode;
	__u64 flags; /* io_req_flags_t: REQ_F_* */
	struct io_cqe cqe;
	struct io_ring_ctx *ctx;
	struct io_uring_task *tctx;
};

struct open_how___tracee {
	__u64 flags;
};

struct filename {
	const char *name; /* the kernel's copy */
};

struct io_open {
	int dfd;
	struct filename *filename; /* until the open runs */
	u32 file_slot; /* 1 + the fixed-file slot, IORING_FILE_INDEX_ALLOC, or 0: an fd */
	struct open_how___tracee how;
};

struct io_rename {
	int old_dfd;
	int new_dfd;
	struct filename *oldpath; /* until the rename runs */
	struct filename *newpath;
};

struct io_link { /* LINKAT, and SYMLINKAT (oldpath: the target) */
	int old_dfd;
	int new_dfd;
	struct filename *oldpath;
	struct filename *newpath;
};

struct io_unlink { /* UNLINKAT */
	int dfd;
	int flags; /* AT_REMOVEDIR */
	struct filename *filename; /* until the unlink runs */
};

struct io_accept {
	u32 file_slot;
};

struct io_connect {
	struct sockaddr *addr; /* the user's */
	int addr_len;
};

struct kiocb {
	struct file *ki_filp; /* first: lib/path.h reads an fd slot through it */
	long long ki_pos;
};

struct io_rw {
	struct kiocb kiocb;
	__u64 addr;
	__u32 len;
};

#pragma clang attribute pop

#endif
