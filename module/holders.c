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
 *   the scan visits every process's file table (iterate_fd()), then the TCP
 *   tables for the sockets no process holds (holders_sock.c).
 * - file, anon: user pages charged to the memcg hold it before 7.x, which
 *   reparents them at offline.  The scan reads every online page frame's
 *   memcg_data (holders_page.c): page cache is named by file, anonymous
 *   pages by the process mapping them.
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
#include <linux/jiffies.h>
#include <linux/kdev_t.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <net/sock.h>

#include "compat.h"
#include "holders.h"
#include "zombiememcg.h"

#define ZMC_HOLDERS_NAME	"zombiememcg_holders"

/* The time limit of a scan, from the module parameter. */
static unsigned int zmc_holders_scan_ms;

/**
 * zmc_hscan_find() - the zombie of a memcg pointer found in the machine
 * @s: the scan, its zombies pinned.
 * @memcg: a pointer read from a page or a socket, never dereferenced.
 *
 * Return: the zombie whose memcg is @memcg, or NULL.
 */
struct zmc_hzombie *zmc_hscan_find(const struct zmc_hscan *s, const void *memcg)
{
	unsigned long key = (unsigned long)memcg;
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->memcgs[mid] == key)
			return &s->z[s->by_memcg[mid]];
		if (s->memcgs[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Order of indices of @scan's zombies by memcg pointer, for sort_r(). */
static int zmc_hz_cmp(const void *a, const void *b, const void *scan)
{
	const struct zmc_hscan *s = scan;
	unsigned long x = (unsigned long)mem_cgroup_from_css(s->z[*(const u32 *)a].css);
	unsigned long y = (unsigned long)mem_cgroup_from_css(s->z[*(const u32 *)b].css);

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

/**
 * zmc_hscan_pin() - pin the zombies a scan is of
 * @s: a new scan (zmc_hscan_new()).
 *
 * Every zombie past older_than_secs, in the listing's order, or with
 * @s->cgid only that one, whatever its age.  Sleeps.
 *
 * Return: 0 or -ENOMEM; the zombies pinned so far stay for zmc_hscan_free().
 */
int zmc_hscan_pin(struct zmc_hscan *s)
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
		if (!zmc_memcg_zombie(css, now_ns, &row) ||
		    (s->cgid ? row.cgid != s->cgid : row.age_secs < min_age) ||
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
	s->memcgs = kvmalloc_array(max_t(size_t, s->n, 1), sizeof(long), GFP_KERNEL);
	if (!s->by_memcg || !s->memcgs)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		s->by_memcg[i] = i;
	sort_r(s->by_memcg, s->n, sizeof(u32), zmc_hz_cmp, NULL, s);
	for (i = 0; i < s->n; i++) {
		s->memcgs[i] = (unsigned long)mem_cgroup_from_css(s->z[s->by_memcg[i]].css);
		__set_bit(hash_long(s->memcgs[i], ZMC_HFILTER_SHIFT), s->filter);
	}
	return 0;
}

/**
 * zmc_hscan_unpin() - the scan is over: the zombies are free to go
 * @s: the scan; what was read of its zombies stays.
 */
void zmc_hscan_unpin(struct zmc_hscan *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->z[i].css)
			css_put(s->z[i].css);
		s->z[i].css = NULL;
	}
}

/**
 * zmc_hscan_free() - unpin what is pinned and free a scan
 * @s: the scan (from zmc_hscan_new()).
 */
void zmc_hscan_free(struct zmc_hscan *s)
{
	size_t i;

	zmc_hscan_unpin(s);
	for (i = 0; i < s->n; i++)
		zmc_hscan_pages_free(&s->z[i]);
	kvfree(s->pool);
	kvfree(s->memcgs);
	kvfree(s->by_memcg);
	kvfree(s->z);
	kfree(s);
}

/**
 * zmc_hscan_new() - a scan, nothing pinned yet
 * @ms: its time limit, from now.
 * @cgid: the zombie it is of (0: every zombie past the threshold).
 *
 * Return: the scan, or NULL.
 */
struct zmc_hscan *zmc_hscan_new(unsigned int ms, u64 cgid)
{
	struct zmc_hscan *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (s) {
		s->deadline = jiffies + msecs_to_jiffies(ms);
		s->cgid = cgid;
	}
	return s;
}

/* One scan, from pinning the zombies to unpinning them. */
static struct zmc_hscan *zmc_hscan_run(void)
{
	unsigned long start = jiffies;
	struct zmc_hscan *s;
	int ret;

	mutex_lock(&zmc_holders_lock);
	s = zmc_hscan_new(zmc_holders_scan_ms, 0);
	if (!s) {
		mutex_unlock(&zmc_holders_lock);
		return ERR_PTR(-ENOMEM);
	}
	ret = zmc_hscan_pin(s);
	if (!ret)
		ret = zmc_hscan_sockets(s);
	if (!ret) {
		zmc_hscan_pages(s);
		zmc_hscan_name_files(s);
	}
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

	if (h->pid)
		len = scnprintf(detail, sizeof(detail), "fd %u %s socket:[%lu]", h->fd,
				zmc_sock_kind(h), h->ino);
	else
		len = scnprintf(detail, sizeof(detail), "%s %s",
				h->orphan ? "orphan" : "kernel", zmc_sock_kind(h));
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

/* DETAIL of the page cache not in a file line (escaped). */
#define ZMC_MORE_FILES	"more\\040files"
#define ZMC_BUSY_FILES	"not\\040named\\040(busy\\040at\\040the\\040scan)"

static void zmc_holders_show_file(struct seq_file *m, const struct zmc_hzombie *z,
				  const struct zmc_hfile *f)
{
	seq_printf(m, "%llu file %llu 0 - dev=%u:%u\\040ino=%lu\\040fs=", z->cgid,
		   f->bytes, MAJOR(f->dev), MINOR(f->dev), f->ino);
	seq_escape(m, f->fstype, ZMC_ESCAPE);
	if (f->shmem)
		seq_puts(m, "\\040shmem");
	if (f->deleted)
		seq_puts(m, "\\040deleted");
	seq_puts(m, "\\040path=");
	if (f->path)
		seq_escape(m, f->path, ZMC_ESCAPE);
	else
		seq_putc(m, '?');
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
	for (i = 0; i < z->nfile; i++)
		zmc_holders_show_file(m, z, &z->files[i]);
	if (z->file_rest)
		seq_printf(m, "%llu file %llu 0 - %s\n", z->cgid, z->file_rest,
			   z->more_files ? ZMC_MORE_FILES : ZMC_BUSY_FILES);
	for (i = 0; i < z->nanon; i++) {
		seq_printf(m, "%llu anon %llu %d ", z->cgid, z->anons[i].bytes,
			   z->anons[i].pid);
		seq_escape(m, z->anons[i].comm, ZMC_ESCAPE);
		seq_puts(m, " mapped\n");
	}
	if (z->anon_rest)
		seq_printf(m, "%llu anon %llu 0 - no\\040process\\040found\n", z->cgid,
			   z->anon_rest);
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
	if (s->nets_skipped)
		seq_printf(m, "# %u network namespaces with TCP tables of their own not scanned\n",
			   s->nets_skipped);
	seq_printf(m, "# %zu zombies scanned in %u ms: %lu page frames, %lu open files of %lu processes, %lu TCP hash buckets",
		   s->n, s->ms, s->nr_pfns, s->nr_files, s->nr_procs, s->nr_tcp_buckets);
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
