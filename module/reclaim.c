// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zombiememcg_reclaim: drop a zombie's own page cache, and only it.
 *
 * Before 7.x a page cache folio charged to a memcg holds it until the folio
 * is freed, which for clean cache on a host with free memory may be never.
 * Writing a zombie's ID (or "all": every zombie past older_than_secs) here
 * walks the page frames as the holders scan does (holders_page.c), its
 * zombies pinned, and for each folio charged to one of them:
 *
 * - anonymous, swap cache, shmem/tmpfs (file contents with no other copy):
 *   left alone;
 * - mapped, locked, or used by anyone else (an extra reference, buffers
 *   the file system keeps): left alone;
 * - dirty or under writeback: written back first (the folio unlocked, its
 *   inode held, errors left for the file's users to see), the inode's own
 *   metadata too, then looked at again;
 * - clean: dropped under its lock, as memory-failure drops a clean page
 *   cache folio, through generic_error_remove_folio(), on file systems
 *   whose address space operations use it (a file system that does not,
 *   such as ramfs whose pages are the only copy, is left alone).
 *
 * First every CPU's LRU batches are drained, as the kernel's reclaim does
 * (a folio in one is held by it).  A folio is dropped only if, under its
 * lock, it is still in its file and charged to the zombie: no other memcg's
 * page is ever touched.  The walk takes a breather every batch of frames
 * and stops at reclaim_ms; reading the file gives the last run's outcome.
 * From 7.x the kernel reparents page cache at offline: a request finds
 * nothing to do and says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/pagemap.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/writeback.h>

#include "compat.h"
#include "holders.h"
#include "zombiememcg.h"

#define ZMC_RECLAIM_NAME	"zombiememcg_reclaim"
/* The longest request: a cgroup id (20 digits) or "all", and a newline. */
#define ZMC_RECLAIM_REQ_MAX	24

/* What became of a folio charged to a zombie. */
enum zmc_rwhat {
	ZMC_R_MAPPED,
	ZMC_R_LOCKED,
	ZMC_R_DIRTY,
	ZMC_R_WRITEBACK,
	ZMC_R_WRITE_ERROR,
	ZMC_R_BUSY,
	ZMC_R_SHMEM,
	ZMC_R_FS,
	ZMC_R_NOT_PAGE_CACHE,
	ZMC_R_SKIPS,			/* the reasons above are skips */
	ZMC_R_DROPPED = ZMC_R_SKIPS,
	ZMC_R_WRITTEN,
	ZMC_R_N
};

static const char *const zmc_rwhat_names[ZMC_R_N] = {
	[ZMC_R_MAPPED] = "skipped_mapped",
	[ZMC_R_LOCKED] = "skipped_locked",
	[ZMC_R_DIRTY] = "skipped_dirty",
	[ZMC_R_WRITEBACK] = "skipped_writeback",
	[ZMC_R_WRITE_ERROR] = "skipped_write_error",
	[ZMC_R_BUSY] = "skipped_busy",
	[ZMC_R_SHMEM] = "skipped_shmem",
	[ZMC_R_FS] = "skipped_fs",
	[ZMC_R_NOT_PAGE_CACHE] = "skipped_not_page_cache",
	[ZMC_R_DROPPED] = "dropped",
	[ZMC_R_WRITTEN] = "written_back",
};

/**
 * struct zmc_routcome - what one request did
 * @requests: requests run since the module was loaded (0: none yet).
 * @cgid: the zombie asked for; 0: all.
 * @zombies: zombies pinned for it.
 * @reparented: this kernel reparents page cache at offline: nothing to do.
 * @stopped: reclaim_ms stopped the walk.
 * @ms: how long it ran.
 * @nr_pfns: page frames walked.
 * @folios: folios by what became of them.
 * @bytes: their bytes.
 */
struct zmc_routcome {
	unsigned long requests;
	u64 cgid;
	size_t zombies;
	bool reparented;
	bool stopped;
	unsigned int ms;
	unsigned long nr_pfns;
	u64 folios[ZMC_R_N];
	u64 bytes[ZMC_R_N];
};

/* The time limit of a request, from the module parameter. */
static unsigned int zmc_reclaim_ms;
static DEFINE_MUTEX(zmc_reclaim_lock);	/* one request at a time */
static DEFINE_SPINLOCK(zmc_rlast_lock);	/* guards zmc_rlast */
static struct zmc_routcome zmc_rlast;

static void zmc_rcount(struct zmc_routcome *o, enum zmc_rwhat what, u64 bytes)
{
	o->folios[what]++;
	o->bytes[what] += bytes;
}

/*
 * Drop @folio, locked and held, clean, unmapped, in @mapping: only if
 * nobody else uses it once the file system has let its buffers go.
 */
static enum zmc_rwhat zmc_reclaim_drop(struct address_space *mapping, struct folio *folio)
{
	if (!zmc_generic_error_remove(mapping))
		return ZMC_R_FS;
	if (folio_has_private(folio) && !filemap_release_folio(folio, 0))
		return ZMC_R_BUSY;
	/* The page cache's references, ours; more: someone else's. */
	if (folio_ref_count(folio) > folio_nr_pages(folio) + folio_has_private(folio) + 1)
		return ZMC_R_BUSY;
	if (zmc_error_remove_folio(mapping, folio))
		return ZMC_R_BUSY;
	return ZMC_R_DROPPED;
}

/*
 * Write back @folio (held, locked, dirty or under writeback, in @mapping)
 * and lock it again.  Its lock is let go meanwhile and its inode held.
 * Returns the outcome if it is settled, else ZMC_R_DROPPED after
 * dropping it; the folio is unlocked either way.
 */
static enum zmc_rwhat zmc_reclaim_write(struct zmc_routcome *o, struct address_space *mapping,
					struct folio *folio, unsigned long md)
{
	loff_t start = folio_pos(folio), end = start + folio_size(folio) - 1;
	struct inode *inode = igrab(mapping->host);
	enum zmc_rwhat what;
	int err;

	folio_unlock(folio);
	if (!inode)
		return ZMC_R_BUSY;	/* its inode is being evicted */
	/* Errors stay for the file's users (fsync()), not taken by us. */
	err = filemap_fdatawrite_range(mapping, start, end);
	if (!err)
		err = filemap_fdatawait_range_keep_errors(mapping, start, end);
	/*
	 * The inode too (its times, its size): while it is dirty, it keeps
	 * the zombie's cgroup writeback structure, and with it the zombie.
	 */
	if (!err)
		err = sync_inode_metadata(inode, 1);
	if (err) {
		what = ZMC_R_WRITE_ERROR;
	} else if (!folio_trylock(folio)) {
		what = ZMC_R_LOCKED;
	} else {
		if (folio->mapping != mapping || READ_ONCE(folio->memcg_data) != md) {
			/* Gone from the file (or the zombie) meanwhile. */
			what = ZMC_R_WRITTEN;
		} else if (folio_test_dirty(folio)) {
			what = ZMC_R_DIRTY;
		} else if (folio_test_writeback(folio)) {
			what = ZMC_R_WRITEBACK;
		} else if (folio_mapped(folio)) {
			what = ZMC_R_MAPPED;
		} else {
			zmc_rcount(o, ZMC_R_WRITTEN, folio_size(folio));
			what = zmc_reclaim_drop(mapping, folio);
		}
		folio_unlock(folio);
	}
	iput(inode);
	return what;
}

/* A head page charged to zombie @z (memcg_data @md when read). */
static void zmc_reclaim_page(struct zmc_hscan *s, struct zmc_hzombie *z, struct page *page,
			     unsigned long md)
{
	struct zmc_routcome *o = s->priv;
	struct folio *folio = page_folio(page);
	struct address_space *mapping;
	enum zmc_rwhat what;
	u64 bytes;

	if (!folio_try_get(folio)) {
		/* Frozen (split, migration) or being freed: not now. */
		zmc_rcount(o, ZMC_R_BUSY, PAGE_SIZE << min_t(unsigned int, compound_order(page),
							     ZMC_MAX_PAGE_ORDER));
		return;
	}
	/* Reused meanwhile: not this zombie's any more. */
	if (page_folio(page) != folio || READ_ONCE(folio->memcg_data) != md)
		goto put;
	bytes = folio_size(folio);
	if (folio_test_anon(folio) || folio_test_swapcache(folio)) {
		zmc_rcount(o, ZMC_R_NOT_PAGE_CACHE, bytes);
		goto put;
	}
	if (!folio_trylock(folio)) {
		zmc_rcount(o, ZMC_R_LOCKED, bytes);
		goto put;
	}
	/* Under the lock, its file and its memcg stay (truncation, migration). */
	mapping = folio->mapping;
	if (!mapping || READ_ONCE(folio->memcg_data) != md) {
		folio_unlock(folio);
		goto put;
	}
	if (shmem_mapping(mapping)) {
		what = ZMC_R_SHMEM;
	} else if (folio_mapped(folio)) {
		what = ZMC_R_MAPPED;
	} else if (folio_test_dirty(folio) || folio_test_writeback(folio)) {
		what = zmc_reclaim_write(o, mapping, folio, md);
		zmc_rcount(o, what, bytes);
		goto put;
	} else {
		what = zmc_reclaim_drop(mapping, folio);
	}
	folio_unlock(folio);
	zmc_rcount(o, what, bytes);
put:
	folio_put(folio);
}

static DEFINE_PER_CPU(struct work_struct, zmc_drain_work);

static void zmc_drain_fn(struct work_struct *work)
{
	zmc_lru_add_drain();
}

/*
 * Every CPU's LRU batches drained, as lru_add_drain_all() does before the
 * kernel's own reclaim: a folio added to one lately is held by it, and
 * would be left alone as busy.  Sleeps.
 */
static void zmc_drain_all(void)
{
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct work_struct *work = per_cpu_ptr(&zmc_drain_work, cpu);

		INIT_WORK(work, zmc_drain_fn);
		queue_work_on(cpu, system_wq, work);
	}
	for_each_online_cpu(cpu)
		flush_work(per_cpu_ptr(&zmc_drain_work, cpu));
	cpus_read_unlock();
}

/* One request: pin, walk, unpin.  -ENOENT: @cgid is no zombie. */
static int zmc_reclaim_run(u64 cgid, struct zmc_routcome *o)
{
	unsigned long start = jiffies;
	struct zmc_hscan *s;
	int ret;

	s = zmc_hscan_new(zmc_reclaim_ms, cgid);
	if (!s)
		return -ENOMEM;
	ret = zmc_hscan_pin(s);
	if (!ret && cgid && !s->n)
		ret = -ENOENT;
	if (!ret) {
		o->cgid = cgid;
		o->zombies = s->n;
		o->reparented = ZMC_LRU_REPARENTED;
		s->priv = o;
		if (!ZMC_LRU_REPARENTED && s->n)
			zmc_drain_all();
		zmc_hscan_walk_pages(s, zmc_reclaim_page);
		o->stopped = s->stopped;
		o->nr_pfns = s->nr_pfns;
	}
	zmc_hscan_free(s);
	o->ms = jiffies_to_msecs(jiffies - start);
	return ret;
}

/* "all", or a cgroup id; a newline at the end allowed. */
static int zmc_reclaim_parse(const char *buf, u64 *cgid)
{
	if (sysfs_streq(buf, "all")) {
		*cgid = 0;
		return 0;
	}
	if (kstrtou64(buf, 10, cgid) || !*cgid)
		return -EINVAL;
	return 0;
}

static ssize_t zmc_reclaim_write_file(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	char buf[ZMC_RECLAIM_REQ_MAX + 1];
	struct zmc_routcome *o;
	u64 cgid;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!count || count > ZMC_RECLAIM_REQ_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (zmc_reclaim_parse(buf, &cgid))
		return -EINVAL;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	ret = mutex_lock_killable(&zmc_reclaim_lock);
	if (ret)
		goto free;
	ret = zmc_reclaim_run(cgid, o);
	if (!ret) {
		spin_lock(&zmc_rlast_lock);
		o->requests = zmc_rlast.requests + 1;
		zmc_rlast = *o;
		spin_unlock(&zmc_rlast_lock);
	}
	mutex_unlock(&zmc_reclaim_lock);
free:
	kfree(o);
	return ret ? ret : count;
}

static int zmc_reclaim_show(struct seq_file *m, void *v)
{
	struct zmc_routcome *o;
	unsigned int i;

	o = kmalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	spin_lock(&zmc_rlast_lock);
	*o = zmc_rlast;
	spin_unlock(&zmc_rlast_lock);

	seq_printf(m, "requests %lu\n", o->requests);
	if (!o->requests)
		seq_puts(m, "request none\n");
	else if (o->cgid)
		seq_printf(m, "request %llu\n", o->cgid);
	else
		seq_puts(m, "request all\n");
	seq_printf(m, "result %s\n", !o->requests ? "none" :
		   o->reparented ? "nothing_to_do_reparented" :
		   o->stopped ? "stopped_by_reclaim_ms" : "complete");
	seq_printf(m, "zombies %zu\n", o->zombies);
	seq_printf(m, "ms %u\n", o->ms);
	seq_printf(m, "reclaim_ms %u\n", zmc_reclaim_ms);
	seq_printf(m, "page_frames %lu\n", o->nr_pfns);
	for (i = ZMC_R_SKIPS; i < ZMC_R_N; i++)
		seq_printf(m, "%s_folios %llu\n%s_bytes %llu\n", zmc_rwhat_names[i],
			   o->folios[i], zmc_rwhat_names[i], o->bytes[i]);
	for (i = 0; i < ZMC_R_SKIPS; i++)
		seq_printf(m, "%s_folios %llu\n%s_bytes %llu\n", zmc_rwhat_names[i],
			   o->folios[i], zmc_rwhat_names[i], o->bytes[i]);
	kfree(o);
	return 0;
}

static int zmc_reclaim_open(struct inode *inode, struct file *file)
{
	return single_open(file, zmc_reclaim_show, NULL);
}

static const struct proc_ops zmc_reclaim_ops = {
	.proc_open = zmc_reclaim_open,
	.proc_read_iter = seq_read_iter,
	.proc_write = zmc_reclaim_write_file,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static struct proc_dir_entry *zmc_reclaim_entry;

/**
 * zmc_reclaim_init() - create /proc/zombiememcg_reclaim
 * @ms: the time limit of a request.
 *
 * Return: 0 or -ENOMEM.
 */
int zmc_reclaim_init(unsigned int ms)
{
	zmc_reclaim_ms = max(ms, 1U);
	zmc_reclaim_entry = proc_create(ZMC_RECLAIM_NAME, 0600, NULL, &zmc_reclaim_ops);
	if (!zmc_reclaim_entry) {
		pr_err("cannot create /proc/%s\n", ZMC_RECLAIM_NAME);
		return -ENOMEM;
	}
	return 0;
}

void zmc_reclaim_exit(void)
{
	proc_remove(zmc_reclaim_entry);
}
