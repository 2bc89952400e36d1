// SPDX-License-Identifier: GPL-2.0
/*
 * The holders scan's socket walks: every process's open files, then the
 * TCP tables, for the sockets charged to a zombie (sk_memcg).  A socket
 * created inside a memcg holds it until the socket is freed, on every
 * kernel, whether a process still holds it open or not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "holders.h"

/**
 * struct zmc_hfd - what the file table callback knows
 * @s: the scan.
 * @pid: the process whose table is walked.
 * @comm: its command name, read before its alloc_lock is taken.
 */
struct zmc_hfd {
	struct zmc_hscan *s;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

static void zmc_hsock_addr(struct zmc_hsock *h, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	switch (h->family) {
	case AF_INET:
		snprintf(h->addr, sizeof(h->addr), "%pI4:%u->%pI4:%u",
			 &inet->inet_rcv_saddr, ntohs(inet->inet_sport),
			 &inet->inet_daddr, ntohs(inet->inet_dport));
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		snprintf(h->addr, sizeof(h->addr), "[%pI6c]:%u->[%pI6c]:%u",
			 &sk->sk_v6_rcv_saddr, ntohs(inet->inet_sport),
			 &sk->sk_v6_daddr, ntohs(inet->inet_dport));
		break;
#endif
	default:
		h->addr[0] = '\0';
	}
}

/* The next socket record of @z, or NULL (counted) when it has no room. */
static struct zmc_hsock *zmc_hsock_slot(struct zmc_hscan *s, struct zmc_hzombie *z)
{
	if (!z->socks && s->pool_used < s->pool_size) {
		z->socks = &s->pool[s->pool_used];
		s->pool_used += ZMC_HOLDERS_SOCKS;
	}
	if (!z->socks || z->nsock == ZMC_HOLDERS_SOCKS) {
		z->more_socks++;
		return NULL;
	}
	return &z->socks[z->nsock++];
}

/* What a socket record says of the socket itself. */
static void zmc_hsock_fill(struct zmc_hsock *h, const struct sock *sk)
{
	h->sk = sk;
	h->family = READ_ONCE(sk->sk_family);
	h->type = READ_ONCE(sk->sk_type);
	h->protocol = READ_ONCE(sk->sk_protocol);
	h->state = READ_ONCE(sk->sk_state);
	zmc_hsock_addr(h, sk);
}

/*
 * One descriptor of the task's table, under the table's spinlock: a socket
 * charged to a zombie is recorded.  The socket is alive (the file holds
 * it); only plain fields of it are read.
 */
static int zmc_hscan_fd(const void *arg, struct file *file, unsigned int fd)
{
	const struct zmc_hfd *c = arg;
	struct zmc_hscan *s = c->s;
	struct zmc_hzombie *z;
	struct zmc_hsock *h;
	struct socket *sock;
	struct sock *sk;

	s->nr_files++;
	sock = sock_from_file(file);
	sk = sock ? READ_ONCE(sock->sk) : NULL;
	if (!sk)
		return 0;
	z = zmc_hscan_find(s, READ_ONCE(sk->sk_memcg));
	if (!z)
		return 0;
	h = zmc_hsock_slot(s, z);
	if (!h)
		return 0;
	h->pid = c->pid;
	h->fd = fd;
	memcpy(h->comm, c->comm, sizeof(h->comm));
	h->ino = file_inode(file)->i_ino;
	zmc_hsock_fill(h, sk);
	return 0;
}

/* Whether the file table walk found @sk held by a process. */
static bool zmc_hsock_seen(const struct zmc_hzombie *z, const struct sock *sk)
{
	unsigned int i;

	for (i = 0; i < z->nsock; i++)
		if (z->socks[i].sk == sk && z->socks[i].pid)
			return true;
	return false;
}

/*
 * One bucket of a TCP established hash, under its lock (which keeps its
 * sockets from being unhashed and freed): a full socket charged to a
 * zombie that no process was seen holding is an orphan (closed by its
 * process, the connection still ending) or, with a struct socket left, a
 * socket the kernel holds (one it made for a process of the cgroup).
 * The latter only when every socket of the zombie was recorded, so that
 * one held by a process past the cap is not taken for the kernel's.
 */
static void zmc_hscan_tcp_bucket(struct zmc_hscan *s, struct inet_hashinfo *hashinfo,
				 unsigned int i)
{
	struct inet_ehash_bucket *head = &hashinfo->ehash[i];
	struct hlist_nulls_node *node;
	struct sock *sk;

	if (hlist_nulls_empty(&head->chain))
		return;
	spin_lock_bh(inet_ehash_lockp(hashinfo, i));
	sk_nulls_for_each(sk, node, &head->chain) {
		struct zmc_hzombie *z;
		struct zmc_hsock *h;
		bool orphan;

		if (!sk_fullsock(sk))
			continue;	/* TIME_WAIT, NEW_SYN_RECV: no memcg */
		z = zmc_hscan_find(s, READ_ONCE(sk->sk_memcg));
		if (!z || zmc_hsock_seen(z, sk))
			continue;
		orphan = sock_flag(sk, SOCK_DEAD) || !READ_ONCE(sk->sk_socket);
		if (!orphan && z->more_socks)
			continue;
		h = zmc_hsock_slot(s, z);
		if (!h)
			continue;
		h->pid = 0;
		h->orphan = orphan;
		strscpy(h->comm, "-", sizeof(h->comm));
		zmc_hsock_fill(h, sk);
	}
	spin_unlock_bh(inet_ehash_lockp(hashinfo, i));
}

/* TCP hash buckets between two breathers. */
#define ZMC_HOLDERS_TCP_BATCH	1024
/* Network namespaces whose TCP tables one scan visits at most. */
#define ZMC_HOLDERS_NETS	64

/*
 * The TCP established hash of every network namespace (most share one),
 * each once: the namespaces are held (maybe_get_net()) so that their
 * tables stay while they are walked without net_rwsem.
 */
static void zmc_hscan_tcp(struct zmc_hscan *s)
{
	struct inet_hashinfo *seen[ZMC_HOLDERS_NETS];
	struct net *nets[ZMC_HOLDERS_NETS], *net;
	unsigned int n = 0, k, j, i;

	down_read(&net_rwsem);
	for_each_net(net) {
		struct inet_hashinfo *h = READ_ONCE(net->ipv4.tcp_death_row.hashinfo);

		for (j = 0; j < n && seen[j] != h; j++)
			;
		if (j < n || !h)
			continue;
		if (n == ZMC_HOLDERS_NETS) {
			s->nets_skipped++;
			continue;
		}
		if (!maybe_get_net(net))
			continue;
		nets[n] = net;
		seen[n++] = h;
	}
	up_read(&net_rwsem);
	for (k = 0; k < n; k++) {
		for (i = 0; i <= seen[k]->ehash_mask; i++) {
			zmc_hscan_tcp_bucket(s, seen[k], i);
			if (!(i % ZMC_HOLDERS_TCP_BATCH))
				cond_resched();
		}
		s->nr_tcp_buckets += seen[k]->ehash_mask + 1;
		put_net(nets[k]);
	}
}

/**
 * zmc_hscan_sockets() - find the sockets charged to the scan's zombies
 * @s: the scan, its zombies pinned.
 *
 * Every process's file table, from a resumable tgid cursor: no lock is
 * held from one process to the next, and processes that come and go
 * meanwhile are seen or not, never twice.  Threads that unshared their
 * file table (rare) are not visited.  Then the TCP tables, for the sockets
 * no process holds.  Sleeps.
 *
 * Return: 0 or -ENOMEM.
 */
int zmc_hscan_sockets(struct zmc_hscan *s)
{
	struct zmc_hfd c = { .s = s };
	struct task_struct *task;
	struct pid *pid;
	int nr = 1;

	if (!s->n)
		return 0;
	/* ZMC_HOLDERS_SOCKS records for each of up to 4096 zombies. */
	s->pool_size = min_t(size_t, s->n, 4096) * ZMC_HOLDERS_SOCKS;
	s->pool = kvcalloc(s->pool_size, sizeof(*s->pool), GFP_KERNEL);
	if (!s->pool)
		return -ENOMEM;
	for (;;) {
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		task = pid ? pid_task(pid, PIDTYPE_TGID) : NULL;
		if (task)
			get_task_struct(task);
		if (pid)
			nr = pid_nr(pid) + 1;
		rcu_read_unlock();
		if (!pid)
			break;
		if (!task)
			continue;
		c.pid = task_tgid_nr(task);
		get_task_comm(c.comm, task);
		s->nr_procs++;
		task_lock(task);
		if (task->files)
			iterate_fd(task->files, 0, zmc_hscan_fd, &c);
		task_unlock(task);
		put_task_struct(task);
		cond_resched();
	}
	zmc_hscan_tcp(s);
	return 0;
}

