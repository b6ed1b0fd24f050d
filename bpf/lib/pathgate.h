/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path gates (datafilter.h): which of an argument's string patterns a file's
 * path can still match, decided without building the path. The walk follows
 * d_parent and mount pointers to the root as path.h's does, but copies no
 * names: it only remembers the leaf and the two components under the root.
 * Then the head ("/" top "/" next, with a "/" when more follows) is looked
 * up among the patterns' heads and the reversed base name ("/" leaf) among
 * their tails. A path that equals, starts or ends with a pattern has that
 * pattern's head and tail, so a pattern missing from either cannot match.
 * A walk that does not reach the root in MAX_PATH_COMPONENTS steps decides
 * nothing (the event is built and the full filters run).
 */
#ifndef TRACEE_PATHGATE_H
#define TRACEE_PATHGATE_H

#include "path.h"
#include "datafilter.h"

/*
 * The walk of path.h without names. Direct reads of d_parent (the dentry is
 * a BTF pointer); mounts, crossed rarely, through BPF_CORE_READ.
 */
struct gate_walk {
	struct dentry *d;
	struct mount *mnt;
	struct dentry *mnt_root;
	/* next: the component below top, third: below next (no counter: an
	 * iterator loop converges only on states that do not count) */
	struct dentry *leaf, *top, *next, *third;
	bool done;
	bool pseudo; /* a pseudo file's bare name (memfd:NAME) */
};

/* One step up; 1 ends the walk. */
statfn long gate_step(struct gate_walk *w)
{
	struct dentry *d = w->d;
	struct dentry *parent = RD(d, d_parent);
	struct mount *mnt = w->mnt;

	if (d == parent && d != w->mnt_root) { /* pseudo: as path.h, its bare name */
		if (!w->leaf) {
			w->leaf = w->top = d;
			w->pseudo = true;
			w->done = true;
		}
		return 1; /* below a component: "name/child", undecided */
	}
	if (d == w->mnt_root || d == parent) {
		struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
		if (d == w->mnt_root && mp != mnt) {
			w->d = AS_BTF(BPF_CORE_READ(mnt, mnt_mountpoint), struct dentry);
			w->mnt = mp;
			w->mnt_root = BPF_CORE_READ(mp, mnt.mnt_root);
			return 0;
		}
		w->done = true;
		return 1;
	}
	if (!w->leaf)
		w->leaf = d;
	w->third = w->next;
	w->next = w->top;
	w->top = d;
	w->d = parent;
	return 0;
}

static long gate_walk_cb(u32 i, struct gate_walk *w)
{
	return gate_step(w);
}

/* Runs the walk (bpf_loop: a bounded loop here is too much for the
 * verifier in some builds, -mcpu=v3). */
statfn void gate_walk(struct gate_walk *w)
{
	bpf_loop(MAX_PATH_COMPONENTS, gate_walk_cb, w, 0);
}

/* Copies up to 127 bytes of d's name to buf[pos..]; returns the bytes
 * copied. tail: the last bytes of a longer name rather than the first. */
statfn u32 gate_name(struct path_buf *pb, u32 pos, struct dentry *d, bool tail)
{
	d = AS_BTF(d, struct dentry);
	u32 len = RD(d, d_name.len);
	const unsigned char *name = RD(d, d_name.name);
	if (len > DF_STR_MAX - 1) {
		if (tail)
			name += len - (DF_STR_MAX - 1);
		len = DF_STR_MAX - 1;
	}
	len &= DF_STR_MAX - 1;
	pos &= 1023;
	if (bpf_probe_read_kernel(&pb->buf[pos], len, name))
		return 0;
	return len;
}

/* The tail key of leaf in k: its name reversed, then its "/" (none for a
 * bare name); the patterns of (k->event, k->src) it can end. */
statfn u64 gate_tail_bits(struct df_str_key *k, struct path_buf *pb, struct dentry *leaf, bool pseudo)
{
	u32 n = gate_name(pb, 512, leaf, true);
	for (u32 j = 0; j < DF_STR_MAX - 1; j++) {
		if (j >= n)
			break;
		k->s[j & (DF_STR_MAX - 1)] = pb->buf[(512 + n - 1 - j) & 1023];
	}
	u32 full = RD(AS_BTF(leaf, struct dentry), d_name.len);
	if (!pseudo && full < DF_STR_MAX - 1) { /* a longer name's "/" is past the key */
		k->s[n & (DF_STR_MAX - 1)] = '/';
		n++;
	}
	k->prefixlen = DF_STR_KEY_HEAD + n * 8;
	u64 *v = bpf_map_lookup_elem(&df_suffix, k);
	return v ? *v : 0;
}

/*
 * gate_tail_bits through the sieve: the bucket of the name's last byte.
 * When it holds no pattern past those that need nothing of the tail, those
 * are the trie's answer too (every other entry would start with that byte).
 */
statfn u64 gate_tail_sieved(struct df_pre *p, struct df_str_key *k, struct path_buf *pb, struct dentry *leaf,
			    bool pseudo)
{
	struct dentry *bl = AS_BTF(leaf, struct dentry);
	u32 len = RD(bl, d_name.len);
	u8 last = 0;
	if (!len || bpf_probe_read_kernel(&last, 1, RD(bl, d_name.name) + len - 1))
		return gate_tail_bits(k, pb, leaf, pseudo);
	if (!(df_sieve_bits(p->gate_slot, DF_SIEVE_TAIL, last) & ~p->tail_any))
		return p->tail_any;
	return gate_tail_bits(k, pb, leaf, pseudo);
}

/*
 * Gates argument src of p->event by the file at (vm, d), in two steps: the
 * tail needs only the file's own name (unless the file is a mount's root),
 * and most opens stop there; the head needs the walk. Sets p->gate and
 * p->gate_known (0 when nothing could be decided). Uses path_scratch[slot]
 * (the path is built there later) and the string key scratch.
 */
__noinline int tracee_path_gate(struct df_pre *p, u32 slot, u64 vm_ptr, u64 d_ptr, u32 src)
{
	/* a global function (verified once): kernel pointers come as values */
	struct vfsmount *vm = (struct vfsmount *)vm_ptr;
	struct dentry *d = (struct dentry *)d_ptr;
	u32 zero = 0;
	struct df_str_key *k = bpf_map_lookup_elem(&df_key_scratch, &zero);
	struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &slot);
	if (!p || !k || !pb || !vm || !d)
		return 0;
	k->event = p->event;
	k->src = DF_SRC_GATE | src;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	p->gate_src = src;
	p->gate_known = 0;

	struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
	struct dentry *dd = AS_BTF(d, struct dentry);
	u64 tail = ~0ULL;
	bool have_tail = false;
	/* the tail can refuse only where some rule needs one */
	p->gate = p->tail_any;
	p->gate_known = 1;
	bool tail_decides = !tracee_may_pass(p);
	p->gate_known = 0;
	if (tail_decides && dd != mnt_root) {
		tail = gate_tail_sieved(p, k, pb, dd, RD(dd, d_parent) == dd);
		have_tail = true;
		p->gate = tail;
		p->gate_known = 1;
		if (!tracee_may_pass(p))
			return 0;
	}

	struct gate_walk w = {
		.d = dd,
		.mnt = real_mount(vm),
		.mnt_root = mnt_root,
	};
	gate_walk(&w);
	p->gate_known = 0;
	if (!w.done)
		return 0;
	/* locals: BPF_CORE_READ must not relocate gate_walk */
	struct dentry *leaf = w.leaf, *top = w.top, *next = w.next;
	bool deeper = w.third != NULL;
	bool pseudo = w.pseudo;

	/* head */
	u32 pos = 0;
	if (pseudo) {
		pos = gate_name(pb, 0, top, false);
	} else {
		pb->buf[0] = '/';
		pos = 1;
		if (top) {
			pos += gate_name(pb, pos, top, false);
			if (next) {
				pb->buf[pos & 511] = '/';
				pos++;
				pos += gate_name(pb, pos, next, false);
				if (deeper) {
					pb->buf[pos & 511] = '/';
					pos++;
				}
			}
		}
	}
	if (pos > DF_STR_MAX)
		pos = DF_STR_MAX;
	/* the sieve first: most heads leave no pattern, and the trie is not asked */
	p->gate = df_sieve_bits(p->gate_slot, DF_SIEVE_HEAD,
				df_head_bucket(pos > 1 ? pb->buf[1] : 0, pos > 2 ? pb->buf[2] : 0)) &
		  (have_tail ? tail : ~0ULL);
	p->gate_known = 1;
	if (!tracee_may_pass(p))
		return 0;
	p->gate_known = 0;
	if (bpf_probe_read_kernel(k->s, DF_STR_MAX, pb->buf))
		return 0;
	k->prefixlen = DF_STR_KEY_HEAD + pos * 8;
	u64 *v = bpf_map_lookup_elem(&df_prefix, k);
	u64 head = v ? *v : 0;
	if (head && !have_tail) {
		if (leaf)
			tail = gate_tail_sieved(p, k, pb, leaf, pseudo);
		else
			tail = 0; /* "/": no name ends it */
	}
	p->gate = head & tail;
	p->gate_known = 1;
	return tracee_may_pass(p);
}

#endif
