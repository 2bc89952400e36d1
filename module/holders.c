// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zombiememcg_holders: what keeps each zombie alive, found by one
 * scan of the machine when the file is opened.
 *
 * A zombie lives until its last reference goes.  Those the kernel does not
 * tell about are found here, for every zombie past older_than_secs:
 *
 * - socket: a socket created inside the memcg holds it (sk_memcg) until it
 *   is freed, on every kernel.  Each process holding one open is a line;
 *   the scan visits every process's file table (iterate_fd()).
 * - file, anon: user pages charged to the memcg hold it before 7.x, which
 *   reparents them at offline.  The scan reads every online page frame's
 *   memcg_data, without taking a reference, as /proc/kpagecgroup does.
 * - swap: swap entries charged to it hold it until freed (its swap counter).
 * - other: what CHARGED holds that the kinds above do not explain (kernel
 *   memory, whose charge stays with the zombie though it does not hold it).
 *
 * Nothing runs when nobody opens the file; the probes and the listing are
 * untouched.  The scan never holds a lock for long: RCU for batches of
 * page frames and tasks, a task's alloc_lock and file table lock for one
 * file table.  holders_scan_ms bounds it; a scan stopped by it says so.
 * The zombies are pinned (css_tryget()) for the scan, so that a memcg
 * pointer found in a page or a socket is compared with live zombies only;
 * such pointers are never followed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/fdtable.h>
#include <linux/jiffies.h>
#include <linux/memcontrol.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "zombiememcg.h"

#define ZMC_HOLDERS_NAME	"zombiememcg_holders"
/* Socket lines per zombie; the rest are counted on one line. */
#define ZMC_HOLDERS_SOCKS	16
/* Page frames between two checks of the time limit and breathers. */
#define ZMC_HOLDERS_PFN_BATCH	4096

/**
 * struct zmc_hsock - one socket holding a zombie, and who holds it open
 * @pid: the process (thread group) with it in its file table.
 * @fd: the descriptor there.
 * @comm: the process's command name.
 * @family: sk_family.
 * @type: sk_type.
 * @protocol: sk_protocol.
 * @state: sk_state.
 * @ino: the socket's inode number, as in /proc/PID/fd.
 * @addr: local and remote address, printed at the scan.
 */
struct zmc_hsock {
	pid_t pid;
	unsigned int fd;
	char comm[TASK_COMM_LEN];
	u16 family;
	u16 type;
	u16 protocol;
	u8 state;
	unsigned long ino;
	char addr[112];
};

/**
 * struct zmc_hzombie - a zombie and what the scan found holding it
 * @css: the zombie, pinned for the scan only (NULL after it).
 * @cgid: its cgroup id, as in the listing.
 * @charged: its memory counter, at the scan.
 * @swap: its swap charge, at the scan.
 * @file: bytes of page cache charged to it that the page walk found.
 * @anon: bytes of anonymous pages charged to it.
 * @nsock: sockets in @socks.
 * @more_socks: sockets found past ZMC_HOLDERS_SOCKS.
 * @socks: the first sockets found.
 */
struct zmc_hzombie {
	struct cgroup_subsys_state *css;
	u64 cgid;
	u64 charged;
	u64 swap;
	u64 file;
	u64 anon;
	unsigned int nsock;
	unsigned int more_socks;
	struct zmc_hsock *socks;
};

/**
 * struct zmc_hscan - the result of one scan, printed by the seq_file
 * @z: the zombies, in the walk's order.
 * @n: entries of @z.
 * @by_memcg: indices of @z sorted by memcg pointer, for the lookups.
 * @pool: the socket records, ZMC_HOLDERS_SOCKS for each zombie that has any.
 * @pool_used: records given out.
 * @pool_size: records in @pool.
 * @deadline: jiffies at which the scan stops.
 * @stopped: the time limit stopped the page walk at this pfn (0: it did not).
 * @pages_scanned: whether the page walk ran (it does not from 7.x).
 * @ms: the scan's duration.
 */
struct zmc_hscan {
	struct zmc_hzombie *z;
	size_t n;
	u32 *by_memcg;
	struct zmc_hsock *pool;
	size_t pool_used;
	size_t pool_size;
	unsigned long deadline;
	unsigned long stopped;
	bool pages_scanned;
	unsigned int ms;
};

/* The time limit of a scan, from the module parameter. */
static unsigned int zmc_holders_scan_ms;

static const void *zmc_hz_memcg(const struct zmc_hscan *s, u32 i)
{
	return mem_cgroup_from_css(s->z[i].css);
}

/* The zombie whose memcg is @memcg, or NULL.  Never dereferences @memcg. */
static struct zmc_hzombie *zmc_hscan_find(const struct zmc_hscan *s,
					  const void *memcg)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const void *m = zmc_hz_memcg(s, s->by_memcg[mid]);

		if (m == memcg)
			return &s->z[s->by_memcg[mid]];
		if ((unsigned long)m < (unsigned long)memcg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Order of indices of @scan's zombies by memcg pointer, for sort_r(). */
static int zmc_hz_cmp(const void *a, const void *b, const void *scan)
{
	unsigned long x = (unsigned long)zmc_hz_memcg(scan, *(const u32 *)a);
	unsigned long y = (unsigned long)zmc_hz_memcg(scan, *(const u32 *)b);

	return x < y ? -1 : x > y;
}

static DEFINE_MUTEX(zmc_holders_lock);	/* one scan at a time */

/* Grow @s->z by a batch; sleeps. */
static int zmc_hscan_reserve(struct zmc_hscan *s, size_t *cap)
{
	struct zmc_hzombie *z;
	size_t ncap;

	if (s->n < *cap)
		return 0;
	ncap = max_t(size_t, 2 * *cap, 256);
	z = kvcalloc(ncap, sizeof(*z), GFP_KERNEL);
	if (!z)
		return -ENOMEM;
	if (s->n)
		memcpy(z, s->z, s->n * sizeof(*z));
	kvfree(s->z);
	s->z = z;
	*cap = ncap;
	return 0;
}

/* Pin every zombie past the threshold, in the listing's order. */
static int zmc_hscan_zombies(struct zmc_hscan *s)
{
	u64 now_ns = ktime_get_boot_fast_ns(), min_age = zmc_older_than_secs();
	struct cgroup_subsys_state *css;
	struct zmc_cursor cur;
	struct zmc_zombie row;
	unsigned int batch = 0;
	size_t cap = 0;
	int ret = 0;
	u32 i;

	zmc_cursor_init(&cur);
	rcu_read_lock();
	for (css = zmc_cursor_first(&cur); css; css = zmc_cursor_next(&cur)) {
		if (++batch % 256 == 0 || s->n == cap) {
			zmc_cursor_park(&cur);
			rcu_read_unlock();
			ret = zmc_hscan_reserve(s, &cap);
			cond_resched();
			rcu_read_lock();
			if (ret)
				break;
			css = zmc_cursor_pos(&cur);
			if (!css)
				break;
		}
		if (!zmc_memcg_zombie(css, now_ns, &row) || row.age_secs < min_age ||
		    !css_tryget(css))
			continue;
		s->z[s->n].css = css;
		s->z[s->n].cgid = row.cgid;
		s->z[s->n].charged = row.charged;
		s->z[s->n].swap = row.swap;
		s->n++;
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	if (ret)
		return ret;

	s->by_memcg = kvmalloc_array(max_t(size_t, s->n, 1), sizeof(u32), GFP_KERNEL);
	if (!s->by_memcg)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		s->by_memcg[i] = i;
	sort_r(s->by_memcg, s->n, sizeof(u32), zmc_hz_cmp, NULL, s);
	return 0;
}

/*
 * The page walk: every online page frame's memcg_data, read without a
 * reference (the memmap of an online section stays mapped).  A head page
 * charged to a zombie counts as file or anon by its mapping's type bit.
 * From 7.x user pages are reparented at offline: nothing to find.
 */
static void zmc_hscan_pages(struct zmc_hscan *s)
{
	unsigned long pfn, end;
	int nid;

	if (ZMC_LRU_REPARENTED || !s->n)
		return;
	s->pages_scanned = true;
	for_each_online_node(nid) {
		pfn = node_start_pfn(nid);
		end = node_end_pfn(nid);
		for (; pfn < end; pfn++) {
			struct zmc_hzombie *z;
			struct page *page;
			unsigned long md;
			u64 bytes;

			if (!(pfn % ZMC_HOLDERS_PFN_BATCH)) {
				if (time_after(jiffies, s->deadline)) {
					s->stopped = pfn ? pfn : 1;
					return;
				}
				cond_resched();
			}
			page = pfn_to_online_page(pfn);
			if (!page || page_to_nid(page) != nid || PageTail(page))
				continue;
			md = READ_ONCE(page->memcg_data);
			if (!md || (md & (__NR_MEMCG_DATA_FLAGS - 1)))
				continue;	/* uncharged, kmem or slab */
			z = zmc_hscan_find(s, (const void *)md);
			if (!z)
				continue;
			bytes = PAGE_SIZE << min_t(unsigned int, compound_order(page),
						   ZMC_MAX_PAGE_ORDER);
			if (PageAnon(page))
				z->anon += bytes;
			else
				z->file += bytes;
		}
	}
}

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

	sock = sock_from_file(file);
	sk = sock ? READ_ONCE(sock->sk) : NULL;
	if (!sk)
		return 0;
	z = zmc_hscan_find(s, READ_ONCE(sk->sk_memcg));
	if (!z)
		return 0;
	if (!z->socks && s->pool_used < s->pool_size) {
		z->socks = &s->pool[s->pool_used];
		s->pool_used += ZMC_HOLDERS_SOCKS;
	}
	if (!z->socks || z->nsock == ZMC_HOLDERS_SOCKS) {
		z->more_socks++;
		return 0;
	}
	h = &z->socks[z->nsock++];
	h->pid = c->pid;
	h->fd = fd;
	memcpy(h->comm, c->comm, sizeof(h->comm));
	h->family = READ_ONCE(sk->sk_family);
	h->type = READ_ONCE(sk->sk_type);
	h->protocol = READ_ONCE(sk->sk_protocol);
	h->state = READ_ONCE(sk->sk_state);
	h->ino = file_inode(file)->i_ino;
	zmc_hsock_addr(h, sk);
	return 0;
}

/*
 * Every process's file table, from a resumable tgid cursor: no lock is
 * held from one process to the next, and processes that come and go
 * meanwhile are seen or not, never twice.  Threads that unshared their
 * file table (rare) are not visited.
 */
static int zmc_hscan_sockets(struct zmc_hscan *s)
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
		task_lock(task);
		if (task->files)
			iterate_fd(task->files, 0, zmc_hscan_fd, &c);
		task_unlock(task);
		put_task_struct(task);
		cond_resched();
	}
	return 0;
}

/* The scan is over: the zombies are free to go, what was read of them stays. */
static void zmc_hscan_unpin(struct zmc_hscan *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->z[i].css)
			css_put(s->z[i].css);
		s->z[i].css = NULL;
	}
}

static void zmc_hscan_free(struct zmc_hscan *s)
{
	zmc_hscan_unpin(s);
	kvfree(s->pool);
	kvfree(s->by_memcg);
	kvfree(s->z);
	kfree(s);
}

/* One scan, from pinning the zombies to unpinning them. */
static struct zmc_hscan *zmc_hscan_run(void)
{
	unsigned long start = jiffies;
	struct zmc_hscan *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&zmc_holders_lock);
	s->deadline = start + msecs_to_jiffies(zmc_holders_scan_ms);
	ret = zmc_hscan_zombies(s);
	if (!ret)
		ret = zmc_hscan_sockets(s);
	if (!ret)
		zmc_hscan_pages(s);
	zmc_hscan_unpin(s);
	mutex_unlock(&zmc_holders_lock);
	s->ms = jiffies_to_msecs(jiffies - start);
	if (ret) {
		zmc_hscan_free(s);
		return ERR_PTR(ret);
	}
	return s;
}

/* ---- the file ---- */

static const char *zmc_sock_kind(const struct zmc_hsock *h)
{
	switch (h->family) {
	case AF_UNIX:
		return h->type == SOCK_DGRAM ? "unix-dgram" :
		       h->type == SOCK_SEQPACKET ? "unix-seqpacket" : "unix-stream";
	case AF_INET:
	case AF_INET6:
		if (h->protocol == IPPROTO_TCP)
			return h->family == AF_INET ? "tcp" : "tcp6";
		if (h->protocol == IPPROTO_UDP)
			return h->family == AF_INET ? "udp" : "udp6";
		return h->family == AF_INET ? "inet" : "inet6";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	default:
		return "socket";
	}
}

/* TCP states by number (include/net/tcp_states.h), as ss(8) names them. */
static const char *const zmc_tcp_states[] = {
	[TCP_ESTABLISHED] = "ESTAB", [TCP_SYN_SENT] = "SYN-SENT",
	[TCP_SYN_RECV] = "SYN-RECV", [TCP_FIN_WAIT1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT2] = "FIN-WAIT-2", [TCP_TIME_WAIT] = "TIME-WAIT",
	[TCP_CLOSE] = "UNCONN", [TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_LAST_ACK] = "LAST-ACK", [TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

static void zmc_holders_show_sock(struct seq_file *m, const struct zmc_hzombie *z,
				  const struct zmc_hsock *h)
{
	char detail[192];
	int len;

	len = scnprintf(detail, sizeof(detail), "fd %u %s socket:[%lu]", h->fd,
			zmc_sock_kind(h), h->ino);
	if (h->addr[0])
		len += scnprintf(detail + len, sizeof(detail) - len, " %s", h->addr);
	if (h->protocol == IPPROTO_TCP && (h->family == AF_INET || h->family == AF_INET6) &&
	    h->state < ARRAY_SIZE(zmc_tcp_states) && zmc_tcp_states[h->state])
		scnprintf(detail + len, sizeof(detail) - len, " %s", zmc_tcp_states[h->state]);
	seq_printf(m, "%llu socket 0 %d ", z->cgid, h->pid);
	seq_escape(m, h->comm, ZMC_ESCAPE);
	seq_putc(m, ' ');
	seq_escape(m, detail, ZMC_ESCAPE);
	seq_putc(m, '\n');
}

static void zmc_holders_show_zombie(struct seq_file *m, const struct zmc_hzombie *z)
{
	u64 pages = z->file + z->anon;
	unsigned int i;

	for (i = 0; i < z->nsock; i++)
		zmc_holders_show_sock(m, z, &z->socks[i]);
	if (z->more_socks)
		seq_printf(m, "%llu socket 0 0 - %u\\040more\\040sockets\n",
			   z->cgid, z->more_socks);
	if (z->file)
		seq_printf(m, "%llu file %llu 0 - -\n", z->cgid, z->file);
	if (z->anon)
		seq_printf(m, "%llu anon %llu 0 - -\n", z->cgid, z->anon);
	if (z->swap)
		seq_printf(m, "%llu swap %llu 0 - -\n", z->cgid, z->swap);
	if (z->charged > pages)
		seq_printf(m, "%llu other %llu 0 - kernel\\040memory\n", z->cgid,
			   z->charged - pages);
}

static int zmc_holders_show(struct seq_file *m, void *v)
{
	struct zmc_hscan *s = m->private;
	size_t i;

	seq_puts(m, "ID KIND BYTES PID COMM DETAIL\n");
	for (i = 0; i < s->n; i++)
		zmc_holders_show_zombie(m, &s->z[i]);
	if (s->stopped)
		seq_printf(m, "# scan stopped by holders_scan_ms=%u at pfn %lu: page kinds incomplete\n",
			   zmc_holders_scan_ms, s->stopped);
	seq_printf(m, "# %zu zombies scanned in %u ms", s->n, s->ms);
	if (!s->pages_scanned && s->n)
		seq_puts(m, " (pages not scanned: this kernel reparents them at offline)");
	seq_putc(m, '\n');
	return 0;
}

static int zmc_holders_open(struct inode *inode, struct file *file)
{
	struct zmc_hscan *s = zmc_hscan_run();
	int ret;

	if (IS_ERR(s))
		return PTR_ERR(s);
	/* Its output is printed from the scan, which stays until release. */
	ret = single_open_size(file, zmc_holders_show, s,
			       PAGE_SIZE + s->n * 256 + s->pool_used * 256);
	if (ret)
		zmc_hscan_free(s);
	return ret;
}

static int zmc_holders_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	zmc_hscan_free(m->private);
	return single_release(inode, file);
}

static const struct proc_ops zmc_holders_ops = {
	.proc_open = zmc_holders_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = zmc_holders_release,
};

static struct proc_dir_entry *zmc_holders_entry;

/**
 * zmc_holders_init() - create /proc/zombiememcg_holders
 * @scan_ms: the time limit of a scan.
 *
 * Return: 0 or -ENOMEM.
 */
int zmc_holders_init(unsigned int scan_ms)
{
	zmc_holders_scan_ms = max(scan_ms, 1U);
	zmc_holders_entry = proc_create(ZMC_HOLDERS_NAME, 0400, NULL, &zmc_holders_ops);
	if (!zmc_holders_entry) {
		pr_err("cannot create /proc/%s\n", ZMC_HOLDERS_NAME);
		return -ENOMEM;
	}
	return 0;
}

void zmc_holders_exit(void)
{
	proc_remove(zmc_holders_entry);
}
