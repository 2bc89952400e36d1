// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zombiememcg: one line per zombie memory cgroup that has been offline
 * for at least older_than_secs.
 *
 * The listing walks the kernel's own css tree (walk.c), holding RCU only
 * between ->start() and ->stop(), and parks the walk on a pinned css between
 * two read() calls.  So one read of the file, from offset 0 to EOF in reads
 * of any size, lists no memcg twice and lists every memcg that was a zombie
 * past the threshold for the whole read; no lock is held across reads and
 * the probes never wait for a reader.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kstrtox.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "zombiememcg.h"

#define ZMC_PROC_NAME		"zombiememcg"

static u64 zmc_older_than = ZMC_OLDER_THAN_DEFAULT;

u64 zmc_older_than_secs(void)
{
	return READ_ONCE(zmc_older_than);
}

void zmc_set_older_than_secs(u64 secs)
{
	WRITE_ONCE(zmc_older_than, secs);
}

/**
 * zmc_parse_secs() - parse a number of seconds written by user space
 * @buf: the bytes written, not necessarily NUL-terminated.
 * @len: their count.
 * @secs: the value, set only on success.
 *
 * Accepts a non-negative decimal integer that fits in 64 bits, optionally
 * followed by one newline, as kstrtoull() does.
 *
 * Return: 0 or -EINVAL.
 */
int zmc_parse_secs(const char *buf, size_t len, u64 *secs)
{
	char tmp[24];	/* 20 digits, a newline and NUL, with room to spare */
	unsigned long long val;

	if (!len || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	if (kstrtoull(tmp, 10, &val))
		return -EINVAL;
	*secs = val;
	return 0;
}

/* Leave RCU now and then while skipping rows that are not listed. */
#define ZMC_PROC_SKIP_BATCH	256

/**
 * struct zmc_proc_iter - state of one reader of /proc/zombiememcg
 * @cur: the walk; its css is the row at @pos.
 * @pos: seq_file position of the row the cursor stands on.
 * @now_ns: clock at ->start(), so one buffer-full of rows agrees on it.
 * @min_age: the threshold at ->start().
 * @row: what was read of the zombie at the cursor.
 * @path: PATH_MAX bytes of scratch space for the row's path.
 * @pc: the parent path @path starts with, valid between ->start() and
 *	->stop() as long as RCU is held.
 */
struct zmc_proc_iter {
	struct zmc_cursor cur;
	loff_t pos;
	u64 now_ns;
	u64 min_age;
	struct zmc_zombie row;
	char *path;
	struct zmc_path_cache pc;
};

/*
 * From the cursor's css on, the first zombie past the threshold; read into
 * @it->row.  Caller holds rcu_read_lock(), which this drops and retakes
 * (the cursor parked) every ZMC_PROC_SKIP_BATCH memcgs skipped.
 */
static struct cgroup_subsys_state *zmc_proc_find(struct zmc_proc_iter *it)
	__must_hold(RCU)
{
	struct cgroup_subsys_state *css = zmc_cursor_pos(&it->cur);
	unsigned int skipped = 0;

	while (css) {
		if (zmc_memcg_zombie(css, it->now_ns, &it->row) &&
		    it->row.age_secs >= it->min_age)
			return css;
		css = zmc_cursor_next(&it->cur);
		if (css && ++skipped % ZMC_PROC_SKIP_BATCH == 0) {
			zmc_cursor_park(&it->cur);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
			zmc_path_cache_reset(&it->pc);
			css = zmc_cursor_pos(&it->cur);
		}
	}
	return NULL;
}

/* The next row after the cursor's (or the first, after the header). */
static struct cgroup_subsys_state *zmc_proc_next_row(struct zmc_proc_iter *it)
	__must_hold(RCU)
{
	if (!zmc_cursor_next(&it->cur))
		return NULL;
	return zmc_proc_find(it);
}

static void *zmc_proc_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	struct zmc_proc_iter *it = m->private;
	struct cgroup_subsys_state *css;

	rcu_read_lock();
	zmc_path_cache_reset(&it->pc);
	it->now_ns = ktime_get_boot_fast_ns();
	it->min_age = zmc_older_than_secs();

	/* Sequential reads resume at the row the last one stopped on. */
	if (*pos && *pos == it->pos)
		return zmc_proc_find(it);

	/* Start over: at the header, or after a seek. */
	zmc_cursor_exit(&it->cur);
	it->pos = 0;
	if (!*pos)
		return SEQ_START_TOKEN;
	do {
		css = zmc_proc_next_row(it);
		it->pos++;
	} while (css && it->pos < *pos);
	return css;
}

static void *zmc_proc_next(struct seq_file *m, void *v, loff_t *pos)
	__must_hold(RCU)
{
	struct zmc_proc_iter *it = m->private;

	it->pos = ++*pos;
	return zmc_proc_next_row(it);
}

static void zmc_proc_stop(struct seq_file *m, void *v)
	__releases(RCU)
{
	struct zmc_proc_iter *it = m->private;

	zmc_cursor_park(&it->cur);
	rcu_read_unlock();
}

/* seq_escape() of ZMC_ESCAPE, with a fast path for the common case. */
static void zmc_seq_escape(struct seq_file *m, const char *s)
{
	if (strpbrk(s, ZMC_ESCAPE))
		seq_escape(m, s, ZMC_ESCAPE);
	else
		seq_puts(m, s);
}

/**
 * zmc_proc_show_row() - print one row of the listing
 * @m: the seq_file.
 * @z: the zombie.
 * @path: its path.
 *
 * The numbers go through seq_put_decimal_*(), and strings with nothing to
 * escape are copied whole: a fraction of the cost of seq_printf()'s format
 * parsing and of seq_escape()'s per-character work, on a listing that has
 * tens of thousands of rows.
 */
static void zmc_proc_show_row(struct seq_file *m, const struct zmc_zombie *z,
			      const char *path)
{
	seq_printf(m, "%pK", z->memcg);
	seq_put_decimal_ull(m, " ", z->cgid);
	seq_put_decimal_ll(m, " ", z->tgid);
	seq_putc(m, ' ');
	if (z->comm[0])
		zmc_seq_escape(m, z->comm);
	else
		seq_putc(m, '-');
	seq_put_decimal_ull(m, " ", z->age_secs);
	seq_put_decimal_ull(m, " ", z->charged);
	seq_put_decimal_ull(m, " ", z->swap);
	seq_put_decimal_ull(m, " ", z->footprint);
	seq_puts(m, z->flags & ZMC_F_UNSEEN ? " p " : " - ");
	zmc_seq_escape(m, path);
	seq_putc(m, '\n');
}

static int zmc_proc_show(struct seq_file *m, void *v)
	__must_hold(RCU)
{
	struct zmc_proc_iter *it = m->private;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH\n");
		return 0;
	}
	zmc_memcg_path(v, it->path, PATH_MAX, &it->pc);
	zmc_proc_show_row(m, &it->row, it->path);
	return 0;
}

static const struct seq_operations zmc_proc_seq_ops = {
	.start = zmc_proc_start,
	.next = zmc_proc_next,
	.stop = zmc_proc_stop,
	.show = zmc_proc_show,
};

static int zmc_proc_open(struct inode *inode, struct file *file)
{
	struct zmc_proc_iter *it;
	char *path;
	int ret;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	it = __seq_open_private(file, &zmc_proc_seq_ops, sizeof(*it));
	if (!it) {
		ret = -ENOMEM;
		goto free_path;
	}
	zmc_cursor_init(&it->cur);
	it->path = path;
	return 0;

free_path:
	kfree(path);
	return ret;
}

static int zmc_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct zmc_proc_iter *it = m->private;

	zmc_cursor_exit(&it->cur);
	kfree(it->path);
	return seq_release_private(inode, file);
}

static const struct proc_ops zmc_proc_ops = {
	.proc_open = zmc_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = zmc_proc_release,
};

static struct proc_dir_entry *zmc_proc_entry;

/**
 * zmc_procfs_init() - create /proc/zombiememcg
 *
 * Return: 0 or -ENOMEM.
 */
int zmc_procfs_init(void)
{
	zmc_proc_entry = proc_create(ZMC_PROC_NAME, 0400, NULL, &zmc_proc_ops);
	if (!zmc_proc_entry) {
		pr_err("cannot create /proc/%s\n", ZMC_PROC_NAME);
		return -ENOMEM;
	}
	return 0;
}

void zmc_procfs_exit(void)
{
	proc_remove(zmc_proc_entry);
}
