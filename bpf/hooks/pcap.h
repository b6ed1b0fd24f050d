/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --capture network: packets of traced processes, from cgroup programs on
 * the cgroup v2 root (every process of the host sits below it).
 *
 *   cgroup/sock_create   a socket created by a task in scope gets its
 *                        owner (the record header of the creating task) in
 *                        socket storage; accepted sockets inherit it
 *                        (BPF_F_CLONE)
 *   cgroup_skb egress,   a packet of an owned socket becomes a net_packet
 *   cgroup_skb ingress   record: direction, ifindex, length, the first
 *                        snaplen bytes from the IP header on
 *
 * Every packet is accepted (return 1): this observes, it never filters. A
 * full ring buffer counts in STAT_LOST like any event.
 */
#ifndef TRACEE_HOOK_PCAP_H
#define TRACEE_HOOK_PCAP_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"

#define PCAP_MAX_SNAP 4096

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct event_ctx);
} sock_owner SEC(".maps");

struct pcap_cfg {
	u32 snaplen;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct pcap_cfg);
} pcap_cfg_map SEC(".maps");

/* Record: header, then the four arguments (idx + u32 each, idx + u32 len + bytes). */
struct pcap_rec {
	struct event_ctx ctx;
	u8 args[5 * 3 + 5 + PCAP_MAX_SNAP];
};

/* One per direction and CPU: an ingress packet may interrupt an egress one. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct pcap_rec);
} pcap_scratch SEC(".maps");

SEC("cgroup/sock_create")
int tracee_pcap_sock_create(struct bpf_sock *sk)
{
	struct config *cfg = get_config();
	if (!cfg)
		return 1;
	struct event_ctx c = {};
	fill_ctx(&c, CURRENT_TASK, EVENT_NET_PACKET, -1);
	if (!should_trace(cfg, &c))
		return 1;
	bpf_sk_storage_get(&sock_owner, sk, &c, BPF_SK_STORAGE_GET_F_CREATE);
	return 1;
}

statfn void put_u32(u8 *p, u8 idx, u32 v)
{
	p[0] = idx;
	__builtin_memcpy(p + 1, &v, 4);
}

statfn int pcap_packet(struct __sk_buff *skb, u32 dir)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	struct event_ctx *owner = bpf_sk_storage_get(&sock_owner, sk, 0, 0);
	if (!owner)
		return 1;
	u32 zero = 0;
	struct pcap_cfg *pc = bpf_map_lookup_elem(&pcap_cfg_map, &zero);
	struct config *cfg = get_config();
	struct pcap_rec *r = bpf_map_lookup_elem(&pcap_scratch, &dir);
	if (!pc || !cfg || !r || !pc->snaplen) /* snaplen 0: stopped (budget spent) */
		return 1;
	__builtin_memcpy(&r->ctx, owner, sizeof(r->ctx));
	r->ctx.ts = bpf_ktime_get_boot_ns();
	r->ctx.event_id = EVENT_NET_PACKET;
	r->ctx.syscall = -1;
	r->ctx.retval = 0;
	r->ctx.cpu = bpf_get_smp_processor_id();
	r->ctx.flags = 0;
	r->ctx.argnum = 4;
	put_u32(&r->args[0], 0, dir);
	put_u32(&r->args[5], 1, skb->ifindex);
	put_u32(&r->args[10], 2, skb->len);
	u32 n = skb->len;
	if (n > pc->snaplen)
		n = pc->snaplen;
	if (n > PCAP_MAX_SNAP)
		n = PCAP_MAX_SNAP;
	r->args[15] = 3;
	if (n == 0 || bpf_skb_load_bytes(skb, 0, &r->args[20], n) < 0)
		n = 0;
	__builtin_memcpy(&r->args[16], &n, 4);
	u64 size = sizeof(struct event_ctx) + 20 + n;
	if (size > sizeof(*r))
		size = sizeof(*r);
	if (bpf_ringbuf_output(&events, r, size, 0))
		stat_inc(STAT_LOST);
	return 1;
}

SEC("cgroup_skb/egress")
int tracee_pcap_egress(struct __sk_buff *skb)
{
	return pcap_packet(skb, 0);
}

SEC("cgroup_skb/ingress")
int tracee_pcap_ingress(struct __sk_buff *skb)
{
	return pcap_packet(skb, 1);
}

#endif
