// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zombiememcg: one line per zombie memory cgroup that has been offline
 * for at least older_than_secs.
 *
 * The listing walks the record table with the rhashtable walker, which holds
 * RCU only between ->start() and ->stop(), never a lock for the whole
 * listing.  A walk that meets a table resize restarts (-EAGAIN), so a row may
 * be listed twice then, as with other rhashtable-backed /proc files.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kstrtox.h>
#include <linux/proc_fs.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "zombiememcg.h"

#define ZMC_PROC_NAME		"zombiememcg"
/* Characters escaped in COMM and PATH, as octal, as /proc/mounts does. */
#define ZMC_ESCAPE		" \t\n\\"

static u64 zmc_older_than;

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

/**
 * struct zmc_proc_iter - state of one reader of /proc/zombiememcg
 * @walk: the table walker.
 * @pos: seq_file position of the record the walker stands on.
 * @now_ns: clock at ->start(), so one buffer-full of rows agrees on it.
 * @min_age: the threshold at ->start().
 */
struct zmc_proc_iter {
	struct rhashtable_iter walk;
	loff_t pos;
	u64 now_ns;
	u64 min_age;
};

/* From @rec (or the walker's next record if NULL), the first one to list. */
static struct zmc_record *zmc_proc_skip(struct zmc_proc_iter *it,
					struct zmc_record *rec)
{
	for (;;) {
		if (!rec)
			rec = rhashtable_walk_next(&it->walk);
		if (IS_ERR(rec)) {
			if (PTR_ERR(rec) == -EAGAIN) {
				rec = NULL;
				continue;
			}
			return NULL;
		}
		if (!rec || zmc_record_is_zombie(rec, it->now_ns, it->min_age))
			return rec;
		rec = NULL;
	}
}

static void *zmc_proc_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	struct zmc_proc_iter *it = m->private;
	struct zmc_record *rec;
	loff_t i;

	it->now_ns = ktime_get_boot_fast_ns();
	it->min_age = zmc_older_than_secs();

	if (*pos && *pos == it->pos) {
		/* Resume at the record the last read stopped on. */
		rhashtable_walk_start(&it->walk);
		rec = rhashtable_walk_peek(&it->walk);
		if (IS_ERR(rec))
			rec = NULL;
		return zmc_proc_skip(it, rec);
	}

	/* Start over: at the header, or after a seek. */
	rhashtable_walk_exit(&it->walk);
	zmc_table_walk_enter(&it->walk);
	rhashtable_walk_start(&it->walk);
	it->pos = *pos;
	if (!*pos)
		return SEQ_START_TOKEN;
	for (i = 0, rec = NULL; i < *pos; i++) {
		rec = zmc_proc_skip(it, NULL);
		if (!rec)
			break;
	}
	return rec;
}

static void *zmc_proc_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct zmc_proc_iter *it = m->private;

	it->pos = ++*pos;
	return zmc_proc_skip(it, NULL);
}

static void zmc_proc_stop(struct seq_file *m, void *v)
	__releases(RCU)
{
	struct zmc_proc_iter *it = m->private;

	rhashtable_walk_stop(&it->walk);
}

static int zmc_proc_show(struct seq_file *m, void *v)
{
	struct zmc_proc_iter *it = m->private;
	struct zmc_record *rec = v;
	struct zmc_sample s;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH\n");
		return 0;
	}

	/* Freed since the walk found it: not a zombie any more. */
	if (!zmc_record_sample(rec, zmc_memcg_sample, &s))
		return SEQ_SKIP;

	seq_printf(m, "%pK %llu %d ", rec->key, rec->cgid, rec->tgid);
	if (rec->comm[0])
		seq_escape(m, rec->comm, ZMC_ESCAPE);
	else
		seq_putc(m, '-');
	seq_printf(m, " %llu %llu %llu %llu %s ",
		   zmc_record_age_secs(rec, it->now_ns), s.charged, s.swap,
		   zmc_memcg_footprint(),
		   rec->flags & ZMC_F_PREDATES ? "p" : "-");
	seq_escape(m, rec->path, ZMC_ESCAPE);
	seq_putc(m, '\n');
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

	it = __seq_open_private(file, &zmc_proc_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	zmc_table_walk_enter(&it->walk);
	return 0;
}

static int zmc_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct zmc_proc_iter *it = m->private;

	rhashtable_walk_exit(&it->walk);
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
 * @older_than_secs: the initial listing threshold.
 *
 * Return: 0 or -ENOMEM.
 */
int zmc_procfs_init(u64 older_than_secs)
{
	zmc_set_older_than_secs(older_than_secs);
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
