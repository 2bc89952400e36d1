// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/zombiememcg/: the listing threshold and the counters.
 *
 *   older_than_secs  (rw) list zombies offline for at least this many seconds
 *   stats            (ro) "name value" lines: counters, and totals over the
 *                    zombies (charged, footprint, biggest creator)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "zombiememcg.h"

static struct dentry *zmc_debugfs_dir;

static ssize_t zmc_older_than_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	char buf[24];
	int len;

	len = scnprintf(buf, sizeof(buf), "%llu\n", zmc_older_than_secs());
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

/*
 * The whole value comes in one write; anything but a non-negative integer
 * that fits in 64 bits is refused with -EINVAL and the old value kept.
 */
static ssize_t zmc_older_than_write(struct file *file,
				    const char __user *ubuf, size_t count,
				    loff_t *ppos)
{
	char buf[24];
	u64 secs;

	if (*ppos || !count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if (zmc_parse_secs(buf, count, &secs))
		return -EINVAL;
	zmc_set_older_than_secs(secs);
	return count;
}

static const struct file_operations zmc_older_than_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = zmc_older_than_read,
	.write = zmc_older_than_write,
	.llseek = default_llseek,
};

/**
 * struct zmc_totals - what the stats file adds up over the zombies
 * @zombies: zombies seen by the walk.
 * @charged: bytes still charged to them.
 * @swap: swap bytes still charged to them.
 * @comms: creators' names of the zombies that have one.
 * @ncomms: entries used in @comms.
 * @cap: entries allocated in @comms.
 */
struct zmc_totals {
	unsigned long zombies;
	u64 charged;
	u64 swap;
	char (*comms)[TASK_COMM_LEN];
	size_t ncomms;
	size_t cap;
};

static void zmc_totals_add(const void *key, void *arg)
{
	struct zmc_totals *t = arg;
	struct zmc_sample s;

	zmc_memcg_sample(key, &s);
	t->charged += s.charged;
	t->swap += s.swap;
}

/* Walk every record; the walk lets go of RCU now and then. */
static void zmc_totals_walk(struct zmc_totals *t)
{
	u64 now_ns = ktime_get_boot_fast_ns();
	struct rhashtable_iter iter;
	struct zmc_record *rec;
	unsigned int n = 0;

	zmc_table_walk_enter(&iter);
	rhashtable_walk_start(&iter);
	while ((rec = rhashtable_walk_next(&iter))) {
		if (IS_ERR(rec)) {
			if (PTR_ERR(rec) != -EAGAIN)
				break;
			/* The table was resized: the walk starts over. */
			*t = (struct zmc_totals){ .comms = t->comms, .cap = t->cap };
			continue;
		}
		/* Zombies of any age: threshold 0. */
		if (zmc_record_is_zombie(rec, now_ns, 0) &&
		    zmc_record_sample(rec, zmc_totals_add, t)) {
			t->zombies++;
			if (rec->comm[0] && t->ncomms < t->cap)
				memcpy(t->comms[t->ncomms++], rec->comm,
				       TASK_COMM_LEN);
		}
		if (!(++n % 4096)) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static int zmc_comm_cmp(const void *a, const void *b)
{
	return memcmp(a, b, TASK_COMM_LEN);
}

/* The creator of the most zombies: sort the names, find the longest run. */
static size_t zmc_biggest_creator(struct zmc_totals *t, const char **comm)
{
	size_t i, run = 0, best = 0;

	*comm = NULL;
	sort(t->comms, t->ncomms, TASK_COMM_LEN, zmc_comm_cmp, NULL);
	for (i = 0; i < t->ncomms; i++) {
		if (i && zmc_comm_cmp(t->comms[i], t->comms[i - 1]))
			run = 0;
		if (++run > best) {
			best = run;
			*comm = t->comms[i];
		}
	}
	return best;
}

static int zmc_stats_show(struct seq_file *m, void *v)
{
	struct zmc_totals t = { };
	struct zmc_stats st;
	const char *comm;
	size_t most;

	zmc_table_stats(&st);
	/* Room for every record there is now, and some arriving meanwhile. */
	t.cap = st.records + 64;
	t.comms = kvmalloc_array(t.cap, TASK_COMM_LEN, GFP_KERNEL);
	if (!t.comms)
		t.cap = 0;
	zmc_totals_walk(&t);
	most = zmc_biggest_creator(&t, &comm);

	seq_printf(m, "records %lu\n", st.records);
	seq_printf(m, "online %lu\n", st.online);
	seq_printf(m, "zombies %lu\n", st.zombies);
	seq_printf(m, "predating_zombies %lu\n", st.predating);
	seq_printf(m, "freed %lu\n", st.freed);
	seq_printf(m, "untracked %lu\n", st.untracked);
	seq_printf(m, "alloc_failures %lu\n", st.alloc_failures);
	seq_printf(m, "stale %lu\n", st.stale);
	seq_printf(m, "probe_misses %lu\n", zmc_probes_missed());
	seq_printf(m, "record_bytes %lu\n", st.record_bytes);
	seq_printf(m, "lock_wait_max_ns %llu\n", st.lock_wait_max_ns);
	seq_printf(m, "charged_bytes %llu\n", t.charged);
	seq_printf(m, "swap_bytes %llu\n", t.swap);
	seq_printf(m, "footprint_bytes %llu\n",
		   (u64)t.zombies * zmc_memcg_footprint());
	seq_puts(m, "biggest_creator ");
	if (comm)
		seq_escape(m, comm, " \t\n\\");
	else
		seq_putc(m, '-');
	seq_printf(m, "\nbiggest_creator_zombies %zu\n", most);
	kvfree(t.comms);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zmc_stats);

/*
 * debugfs is optional: without it the module still lists zombies, so
 * failures here are not fatal (the debugfs API handles error dentries).
 */
void zmc_debugfs_init(void)
{
	zmc_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("older_than_secs", 0600, zmc_debugfs_dir, NULL,
			    &zmc_older_than_fops);
	debugfs_create_file("stats", 0400, zmc_debugfs_dir, NULL,
			    &zmc_stats_fops);
}

void zmc_debugfs_exit(void)
{
	debugfs_remove(zmc_debugfs_dir);
}
