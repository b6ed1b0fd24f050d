/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Data filters: the policies' rules on an event's arguments and return
 * value, evaluated on the record just built, before it is written to the
 * ring buffer. Generic and schema-driven: user space compiles each policy
 * rule (tracee-ebpf/internal/filter, kernel.go) into conditions on argument
 * indexes, with no per-event code here.
 *
 * data_filters[event id] says what the kernel knows of an event's filters;
 * its up to DF_MAX_RULES rules are df_rules[first .. first + nrules). Both
 * are arrays, so that a lookup is a few inlined instructions (a hash lookup
 * cost about 60 ns here, on every open and close). A rule is up to
 * DF_MAX_CONDS conditions, AND-ed; it carries the bitmap of the policies
 * (one bit each, up to 64) it belongs to. An event passes with the bitmap
 * `always` (policies that take it whole, or whose filters run in user space
 * only) OR-ed with the bitmaps of the rules that hold; a zero bitmap drops
 * it (STAT_DATA_FILTERED). An event without an entry (present 0) passes
 * unchanged. A producer's early check (tracee_may_pass) does not walk the
 * rules: it tests the event's distinct integer conditions (df_dconds), each
 * once, with the bitmap of the rules that have it, and asks the string
 * tables (df_strtab) what the patterns a path can match refute; a rule is
 * out when one of its conditions fails.
 *
 * Conditions: integer "value & mask == val" for any of DF_MAX_VALS values
 * (equality, flag bits, enum fields) or none of them, a signed or unsigned
 * range, and string equality, prefix and suffix through two LPM tries keyed
 * by (event, argument, bytes): forward for equality (pattern plus its NUL)
 * and prefixes, reversed for suffixes. A trie entry's value is the bitmap of
 * the event's string patterns it satisfies, so that the longest match says
 * everything; user space fills it.
 *
 * Path gates: the tries cost a path, and a path costs a walk of every
 * dentry up to the root. For an argument in `gates` (a file's path), user
 * space also stores what each pattern needs of the path's head (its first
 * two components, "/etc/kubernetes/") and of its base name ("/token"),
 * under src DF_SRC_GATE|argument, plus an empty key with the patterns that
 * need nothing of one or the other. A producer that holds the file walks
 * pointers only (pathgate.h) and can drop the event before it builds it.
 */
#ifndef TRACEE_DATAFILTER_H
#define TRACEE_DATAFILTER_H

#include "common.h"

/* Limits and special values, shared with Go through bpf2go (-type df_abi). */
enum df_abi {
	DF_MAX_RULES = 32,
	DF_MAX_CONDS = 4,
	DF_MAX_VALS = 4,
	DF_STR_MAX = 128,    /* bytes of a string the tries compare */
	DF_STR_KEY_HEAD = 64, /* bits of the key before the string: event, src, pad */
	DF_SRC_RETVAL = 15,  /* src: the return value; 0..DF_ARGS-1 are arguments */
	DF_SRC_GATE = 32,    /* src flag in the tries: a path gate's entries for argument src & 7 */
	DF_SIGNED = 1,       /* cond flag: compare as signed */
	DF_WIDTH32 = 2,      /* cond flag: a 32-bit argument: only the low half counts */
	DF_EVENT_IDS = 2048, /* data_filters entries: event ids below this */
	DF_RULE_SLOTS = 1024, /* df_rules entries, shared by every event */
	DF_MAX_DCONDS = 128, /* distinct conditions of one event: DF_MAX_RULES * DF_MAX_CONDS */
	DF_DCOND_SLOTS = 4096, /* df_dconds entries, shared: DF_RULE_SLOTS * DF_MAX_CONDS */
	DF_GATE_SLOTS = 4,     /* events with a path gate (df_event.gate_slot) */
	DF_SIEVE_BUCKETS = 256, /* df_sieve buckets of one gate part */
	DF_SIEVE_HEAD = 0,     /* df_sieve part: by the head's bytes 1 and 2 (df_head_bucket) */
	DF_SIEVE_TAIL = 1,     /* by the path's last byte */
	DF_STR_TABS = 4,       /* (event, argument) pairs with string-condition tables (df_strtab) */
	DF_STR_TAB_CONDS = 64, /* string conditions of one such argument the tables hold */
};

enum df_op {
	DF_IN = 1,      /* (v & mask[i]) == val[i] for some i < nvals */
	DF_NOT_IN = 2,  /* for no i */
	DF_RANGE = 3,   /* lo <= v <= hi (signed when DF_SIGNED) */
	DF_STR_IN = 4,  /* the string matches one of strbits' patterns */
	DF_STR_NOT_IN = 5,
};


/* Keeps both enums in the object's BTF for bpf2go (the programs do not read them). */
struct df_btf_anchor {
	enum df_op op;
	enum df_abi abi;
};
const volatile struct df_btf_anchor df_anchor;

struct df_cond {
	u8 src;
	u8 op;
	u8 flags;
	u8 nvals;
	u32 pad;
	u64 mask[DF_MAX_VALS];
	u64 val[DF_MAX_VALS];
	s64 lo, hi;
	u64 strbits;
};

struct df_rule {
	u64 policies;
	u32 nconds;
	u32 pad;
	struct df_cond conds[DF_MAX_CONDS];
};

/*
 * One distinct condition of an event's rules and the rules that have it
 * (bit r: rule r). A producer's early check (tracee_may_pass) tests each
 * once, however many rules share it: a rule is out when any condition it
 * has fails. (Opening a regular file asked every rule in turn, four times
 * over: the open's check, then the path gate's three.)
 */
struct df_dcond {
	struct df_cond c;
	u32 rules;
	u32 pad;
};

struct df_event {
	u64 always;
	u32 present; /* the event has filters: without, it passes unchanged */
	u32 nrules;
	u32 first; /* its rules: df_rules[first .. first + nrules) */
	u32 first_dc; /* its distinct conditions: df_dconds[first_dc .. first_dc + ndc), */
	u32 ndc;
	u32 nint;     /* the integer ones first */
	u32 gate_slot; /* its df_sieve slot, when gates */
	u32 gates; /* arguments (bits) whose string patterns have path gates */
	u64 tail_any; /* gated patterns that need nothing of the path's tail */
	u32 mode_arg; /* the argument holding a file's mode (0xff: none) */
	u32 modes;    /* file types (mode >> 12) some rule can pass */
	u64 empty_hits; /* the event's string patterns the empty string matches */
	u32 need; /* 1 + the index (from first_dc) of an integer condition every
		   * rule has, on an argument or the return value: failing it
		   * refuses the event (df_need_holds); 0: none */
	u32 gate_tab; /* 1 + the df_strtab of the gated argument's string conditions; 0: none */
	u32 kstr_tab; /* 1 + the df_strtab of the known string's (df_pre.kstr_src) */
	u32 tail_any_dead; /* the rules the gate refutes when it leaves tail_any (its first question) */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_EVENT_IDS);
	__type(key, u32);
	__type(value, struct df_event);
} data_filters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_RULE_SLOTS);
	__type(key, u32);
	__type(value, struct df_rule);
} df_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_DCOND_SLOTS);
	__type(key, u32);
	__type(value, struct df_dcond);
} df_dconds SEC(".maps");

/* The filters of event id, or NULL when it has none. */
statfn struct df_event *df_event_of(u32 id)
{
	struct df_event *e = bpf_map_lookup_elem(&data_filters, &id);
	return e && e->present ? e : NULL;
}

/* Rule r of e (r < e->nrules), or NULL. */
statfn struct df_rule *df_rule_of(struct df_event *e, u32 r)
{
	u32 k = e->first + r;
	return bpf_map_lookup_elem(&df_rules, &k);
}

/*
 * Whether event id's filters refuse a file of this mode outright: no rule
 * of any policy takes its type (df_event.modes). The first check of a
 * producer that holds the file, before it reads anything else
 * (security_file_open_worth); tracee_may_pass does not repeat it.
 */
statfn bool df_mode_refuses(u32 id, u32 mode)
{
	struct df_event *e = df_event_of(id);
	if (!e || e->always || e->mode_arg >= DF_ARGS || (e->modes & (1U << ((mode >> 12) & 15))))
		return false;
	stat_inc(STAT_DATA_FILTERED);
	return true;
}

struct df_str_key {
	u32 prefixlen; /* bits, counted from event */
	u32 event;
	u8 src;
	u8 pad[3];
	char s[DF_STR_MAX];
};


struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct df_str_key);
	__type(value, u64);
} df_prefix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct df_str_key);
	__type(value, u64);
} df_suffix SEC(".maps");

/*
 * The path gates' sieve: for each gated event (slot) and part (head, tail),
 * 256 buckets, each the bitmap of the patterns whose gate entry can match a
 * key in that bucket (an entry too short to fix the bucket's bytes is in
 * every bucket). A superset of what the trie answers, at the cost of one
 * array lookup: most files are refused here, and the trie is asked only
 * when the bucket leaves a pattern that the answer could change.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_GATE_SLOTS * 2 * DF_SIEVE_BUCKETS);
	__type(key, u32);
	__type(value, u64);
} df_sieve SEC(".maps");

/* The bucket of a head key by its bytes 1 and 2 (0 past its end); the
 * loader computes the same (probes.headBucket). */
statfn u32 df_head_bucket(u8 b1, u8 b2)
{
	return ((u32)b1 * 31 + b2) & (DF_SIEVE_BUCKETS - 1);
}

/* The sieve's patterns of bucket in part of the gate slot; all when unknown. */
statfn u64 df_sieve_bits(u32 slot, u32 part, u32 bucket)
{
	u32 k = ((slot & (DF_GATE_SLOTS - 1)) * 2 + (part & 1)) * DF_SIEVE_BUCKETS + (bucket & (DF_SIEVE_BUCKETS - 1));
	u64 *v = bpf_map_lookup_elem(&df_sieve, &k);
	return v ? *v : ~0ULL;
}

/*
 * String-condition tables: what a producer's early check (tracee_may_pass)
 * learns from the patterns an argument can match, in a few lookups rather
 * than a pass over the event's string conditions (a gated open asked all
 * 32 of security_file_open's four or five times: 40% of its time). For one
 * argument of one event, its string conditions are numbered (bit i < 64).
 * df_strbits holds two tables of 8 rows (one per byte of a bitmap) of 256
 * entries: part 0 maps a byte of a pattern bitmap to the conditions that
 * have one of those patterns, part 1 a byte of a condition bitmap to the
 * rules that have one of those conditions. So the conditions some pattern
 * satisfies are the OR of one entry per byte of the patterns, and the
 * rules some condition refutes likewise.
 */
struct df_strtab {
	u64 in;        /* conditions that are DF_STR_IN (the rest: DF_STR_NOT_IN) */
	u64 conds;     /* every condition */
	u32 src;       /* the argument */
	u32 pat_bytes; /* bytes of a pattern bitmap with patterns in them */
	u32 cond_bytes; /* bytes of a condition bitmap with conditions in them */
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_STR_TABS);
	__type(key, u32);
	__type(value, struct df_strtab);
} df_strtabs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_STR_TABS * 2 * 8 * 256);
	__type(key, u32);
	__type(value, u64);
} df_strbits SEC(".maps");

/* The OR of table part's row j entries for the bits of bitmap's byte j, j < n. */
statfn u64 df_strbits_or(u32 tab, u32 part, u64 bitmap, u32 n)
{
	u64 out = 0;
	for (u32 j = 0; j < 8; j++) {
		if (j >= n)
			break;
		u32 v = (bitmap >> (j * 8)) & 0xff;
		if (!v)
			continue;
		u32 k = (((tab & (DF_STR_TABS - 1)) * 2 + part) * 8 + j) * 256 + v;
		u64 *e = bpf_map_lookup_elem(&df_strbits, &k);
		if (e)
			out |= *e;
	}
	return out;
}

/*
 * The rules whose string conditions on argument src refute the event,
 * given hits: the patterns its string matches (exact), or can still match
 * (a path gate: only its DF_STR_IN conditions decide). tab1: 1 + the table.
 */
statfn u32 df_str_dead(u32 tab1, u32 src, u64 hits, bool exact)
{
	u32 tab = tab1 - 1;
	struct df_strtab *t = bpf_map_lookup_elem(&df_strtabs, &tab);
	if (!tab1 || !t || t->src != src)
		return 0;
	u64 sat = df_strbits_or(tab, 0, hits, t->pat_bytes);
	u64 bad = t->in & ~sat; /* none of their patterns */
	if (exact)
		bad |= t->conds & ~t->in & sat; /* one of the patterns they exclude */
	return (u32)df_strbits_or(tab, 1, bad, t->cond_bytes);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct df_str_key);
} df_key_scratch SEC(".maps");

/* Reversing a string into the suffix key, one byte per bpf_loop step (a
 * bounded loop here is verified once per call site and rule: too large). */
struct df_rev_ctx {
	struct event_buf *b;
	struct df_str_key *k;
	u32 last; /* offset in args of the string's last byte */
};

static long df_rev_cb(u32 i, struct df_rev_ctx *c)
{
	u64 src = c->last - i;
	BOUND_MASK(src, 65535);
	if (src >= sizeof(c->b->args))
		return 1;
	u64 j = i;
	BOUND_MASK(j, 127); /* DF_STR_MAX - 1 */
	c->k->s[j] = c->b->args[src];
	return 0;
}

/* The string patterns of (event, src) that the argument's string satisfies. */
static __noinline u64 df_str_hits(struct event_buf *b, u32 event, u32 src)
{
	u32 zero = 0;
	struct df_str_key *k = bpf_map_lookup_elem(&df_key_scratch, &zero);
	if (!b || !k)
		return 0;
	u32 i = src & (DF_ARGS - 1);
	u64 off = b->soff[i];
	u64 len = b->slen[i];
	BOUND_MASK(off, 65535);
	if (off >= ARGS_HALF + 5)
		return 0;
	k->event = event;
	k->src = src;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	u64 hits = 0;
	/* forward: the first bytes, and the NUL when the whole string fits */
	u64 n = len < DF_STR_MAX ? len : DF_STR_MAX;
	BOUND_MASK(n, 255);
	if (n > DF_STR_MAX)
		n = DF_STR_MAX;
	if (n && bpf_probe_read_kernel(k->s, n, &b->args[off]))
		return 0;
	u32 bytes = n;
	if (len < DF_STR_MAX) {
		u64 z = len;
		BOUND_MASK(z, 127);
		k->s[z] = 0;
		bytes = len + 1;
	}
	k->prefixlen = DF_STR_KEY_HEAD + bytes * 8;
	u64 *v = bpf_map_lookup_elem(&df_prefix, k);
	if (v)
		hits |= *v;
	/* reversed: the last bytes */
	if (len) {
		struct df_rev_ctx rc = {.b = b, .k = k, .last = off + len - 1};
		bpf_loop(n, df_rev_cb, &rc, 0);
		k->prefixlen = DF_STR_KEY_HEAD + n * 8;
		v = bpf_map_lookup_elem(&df_suffix, k);
		if (v)
			hits |= *v;
	}
	return hits;
}

/* String hits per argument, computed once per record (a rule list tests the
 * same path many times). */
struct df_memo {
	u64 hits[DF_ARGS];
	u32 done;
};

/* An integer condition on value v (the argument's raw 64 bits). */
statfn bool df_int_holds(struct df_cond *c, u64 v)
{
	if (c->flags & DF_WIDTH32) {
		v = (u32)v;
		if (c->flags & DF_SIGNED)
			v = (s64)(s32)v;
	}
	switch (c->op) {
	case DF_IN:
	case DF_NOT_IN: {
		bool any = false;
		for (int k = 0; k < DF_MAX_VALS; k++) {
			if (k < c->nvals && (v & c->mask[k]) == c->val[k])
				any = true;
		}
		return any == (c->op == DF_IN);
	}
	case DF_RANGE:
		if (c->flags & DF_SIGNED)
			return (s64)v >= c->lo && (s64)v <= c->hi;
		return v >= (u64)c->lo && v <= (u64)c->hi;
	}
	return true; /* unknown: never drop */
}

/*
 * Whether e's necessary condition (df_event.need) holds on a syscall's
 * registers a[0..5] and its return value; true when it has none. The
 * inline first test of sys_exit: most syscalls a policy filters fail it
 * (a close of fd 7 against close's fd <= 2), and then the full check's
 * scratch and call are not needed.
 */
statfn bool df_need_holds(struct df_event *e, u64 *a, s64 ret)
{
	if (!e->need)
		return true;
	u32 k = e->first_dc + e->need - 1;
	struct df_dcond *dc = bpf_map_lookup_elem(&df_dconds, &k);
	if (!dc)
		return true;
	u32 src = dc->c.src;
	u64 v;
	if (src == DF_SRC_RETVAL)
		v = ret;
	else if (src < 6)
		v = a[src];
	else
		return true;
	return df_int_holds(&dc->c, v);
}

/* One condition on the record. */
statfn bool df_cond_holds(struct event_buf *b, struct df_cond *c, u32 event, struct df_memo *m)
{
	u64 v;
	u32 src = c->src;
	if (src == DF_SRC_RETVAL) {
		v = b->ctx.retval;
	} else {
		u32 i = src & (DF_ARGS - 1);
		if (!(b->have & (1 << i)))
			return c->op == DF_NOT_IN || c->op == DF_STR_NOT_IN; /* missing: only "none of" holds */
		v = b->vals[i];
	}
	if (c->op == DF_STR_IN || c->op == DF_STR_NOT_IN) {
		u32 i = src & (DF_ARGS - 1);
		if (!(m->done & (1 << i))) {
			m->hits[i] = df_str_hits(b, event, src);
			m->done |= 1 << i;
		}
		bool hit = (m->hits[i] & c->strbits) != 0;
		return hit == (c->op == DF_STR_IN);
	}
	return df_int_holds(c, v);
}

/*
 * What a producer knows before it builds a record: some integer arguments
 * (the raw registers of a syscall, the flags of an opened file) and maybe
 * the return value.
 */
struct df_pre {
	u64 vals[DF_ARGS];
	s64 ret;
	u32 have; /* which vals are known */
	u32 event;
	u32 use_ret;
	u32 gate_src; /* with gate_known: the argument whose path gate ran */
	u32 gate_known;
	u32 gates; /* out: the event's df_event.gates */
	u64 tail_any; /* out: the event's df_event.tail_any */
	u32 int_known; /* int_dead holds */
	u32 int_dead;  /* rules an integer condition refuses on the known values */
	u64 gate; /* the string patterns of gate_src its path can still match */
	u32 kstr_src; /* with kstr_known: an argument whose string is known ahead */
	u32 kstr_known;
	u64 kstr_hits; /* its string patterns that string matches */
	u32 kstr_null; /* the known string is none: kstr_hits are the event's empty_hits */
	u32 gate_slot; /* out: the event's df_event.gate_slot */
	u32 kstr_dead_known; /* kstr_dead holds */
	u32 kstr_dead;  /* rules the known string's conditions refute (asked once) */
};

/* A producer's df_pre off the stack (a gated open's is too big for it),
 * one per hook slot as path_scratch. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_MAX);
	__type(key, u32);
	__type(value, struct df_pre);
} df_pre_scratch SEC(".maps");

/* slot's df_pre, cleared, for event: what a producer fills with what it
 * knows before it asks tracee_may_pass; NULL when the map has none. */
statfn struct df_pre *df_pre_begin(u32 slot, u32 event)
{
	struct df_pre *pre = bpf_map_lookup_elem(&df_pre_scratch, &slot);
	if (!pre)
		return NULL;
	__builtin_memset(pre, 0, sizeof(*pre));
	pre->event = event;
	return pre;
}


/*
 * The rules of e that an integer condition refuses on the values the
 * producer knows (unknown values refuse nothing). Each distinct condition
 * once.
 */
statfn u32 df_int_dead(struct df_pre *p, struct df_event *e, u32 all)
{
	u32 dead = 0;
	for (u32 i = 0; i < DF_MAX_DCONDS; i++) {
		if (i >= e->nint || !(all & ~dead))
			break;
		u32 k = e->first_dc + i;
		struct df_dcond *dc = bpf_map_lookup_elem(&df_dconds, &k);
		if (!dc)
			break;
		if (!(dc->rules & ~dead))
			continue; /* its rules are out already */
		struct df_cond *cd = &dc->c;
		u64 v;
		if (cd->src == DF_SRC_RETVAL) {
			if (!p->use_ret)
				continue;
			v = p->ret;
		} else {
			u32 a = cd->src & (DF_ARGS - 1);
			if (!(p->have & (1 << a)))
				continue;
			v = p->vals[a];
		}
		if (!df_int_holds(cd, v))
			dead |= dc->rules;
	}
	return dead;
}

/*
 * Whether some policy's rule can still pass the event given what the
 * producer knows: unknown values and string conditions count as passing,
 * but for an argument whose path gate ran (pathgate.h), whose patterns it
 * ruled out fail, and for a string known ahead (kstr), whose conditions
 * decide (df_str_dead).
 * 0 lets the producer skip building the record (header, path walks, string
 * reads): the cost of a filtered-out event is then this check. The integer
 * conditions are tested once (a gated producer asks again with more known).
 */
__noinline int tracee_may_pass(struct df_pre *p)
{
	if (!p)
		return 1;
	struct df_event *e = df_event_of(p->event);
	if (!e || e->always)
		return 1;
	/* the file's type was asked first, by the producer (df_mode_refuses) */
	p->gates = e->gates;
	p->tail_any = e->tail_any;
	p->gate_slot = e->gate_slot;
	if (p->kstr_known && p->kstr_null)
		p->kstr_hits = e->empty_hits;
	u32 all = e->nrules >= 32 ? ~0U : (1U << e->nrules) - 1;
	if (!p->int_known) {
		p->int_dead = df_int_dead(p, e, all);
		p->int_known = 1;
	}
	u32 dead = p->int_dead;
	/* string conditions: what the path gate and a known string say (the
	 * gate's first question, tail_any, and the known string answered once) */
	if (p->gate_known && (all & ~dead))
		dead |= p->gate == e->tail_any ? e->tail_any_dead : df_str_dead(e->gate_tab, p->gate_src, p->gate, false);
	if (p->kstr_known && !p->kstr_dead_known) {
		p->kstr_dead = df_str_dead(e->kstr_tab, p->kstr_src, p->kstr_hits, true);
		p->kstr_dead_known = 1;
	}
	if (p->kstr_known)
		dead |= p->kstr_dead;
	if (all & ~dead)
		return 1;
	stat_inc(STAT_DATA_FILTERED);
	return 0;
}

/*
 * The policies an event matches by its data (a superset: user space checks
 * again what only it can); 0 drops it. Events without filters match all.
 */
static __noinline u64 df_match(struct event_buf *b)
{
	if (!b)
		return ~0ULL;
	u32 event = b->ctx.event_id;
	struct df_event *e = df_event_of(event);
	if (!e)
		return ~0ULL;
	u64 matched = e->always;
	struct df_memo memo = {};
	for (int r = 0; r < DF_MAX_RULES; r++) {
		if (r >= e->nrules)
			break;
		struct df_rule *rule = df_rule_of(e, r);
		if (!rule)
			return ~0ULL;
		if ((matched & rule->policies) == rule->policies)
			continue; /* its policies already match */
		bool ok = true;
		for (int c = 0; c < DF_MAX_CONDS; c++) {
			if (c >= rule->nconds)
				break;
			if (!df_cond_holds(b, &rule->conds[c], event, &memo)) {
				ok = false;
				break;
			}
		}
		if (ok)
			matched |= rule->policies;
	}
	return matched;
}

#endif
