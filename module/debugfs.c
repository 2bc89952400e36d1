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

/* Leave RCU now and then during the totals' walk. */
#define ZMC_TOTALS_BATCH	256

/**
 * struct zmc_totals - what the stats file adds up over the kernel's memcgs
 * @memcgs: live memcgs (the root excluded).
 * @zombies: zombies, of any age.
 * @unseen: zombies whose offline the module did not see (FLAGS p).
 * @unrecorded: zombies without a record: creator unknown.
 * @charged: bytes still charged to the zombies.
 * @swap: swap bytes still charged to them.
 * @footprint: kernel memory the zombies keep allocated (FOOTPRINT).
 * @comms: creators' names of the zombies that have one.
 * @ncomms: entries used in @comms.
 * @cap: entries allocated in @comms.
 */
struct zmc_totals {
	unsigned long memcgs;
	unsigned long zombies;
	unsigned long unseen;
	unsigned long unrecorded;
	u64 charged;
	u64 swap;
	u64 footprint;
	char (*comms)[TASK_COMM_LEN];
	size_t ncomms;
	size_t cap;
};

/* Room for the names of one batch of zombies more.  Sleeps. */
static int zmc_totals_reserve(struct zmc_totals *t)
{
	char (*comms)[TASK_COMM_LEN];
	size_t cap;

	if (t->cap - t->ncomms >= ZMC_TOTALS_BATCH)
		return 0;
	cap = max_t(size_t, 2 * t->cap, 4 * ZMC_TOTALS_BATCH);
	comms = kvmalloc_array(cap, TASK_COMM_LEN, GFP_KERNEL);
	if (!comms)
		return -ENOMEM;
	if (t->ncomms)
		memcpy(comms, t->comms, t->ncomms * TASK_COMM_LEN);
	kvfree(t->comms);
	t->comms = comms;
	t->cap = cap;
	return 0;
}

static void zmc_totals_add(struct zmc_totals *t, const struct zmc_zombie *z)
{
	t->zombies++;
	t->charged += z->charged;
	t->swap += z->swap;
	t->footprint += z->footprint;
	if (z->flags & ZMC_F_UNSEEN)
		t->unseen++;
	if (z->comm[0])
		memcpy(t->comms[t->ncomms++], z->comm, TASK_COMM_LEN);
	else
		t->unrecorded++;
}

/*
 * One walk of the css tree, as a read of /proc/zombiememcg at threshold 0
 * makes it: the same zombies, each once (see walk.c).
 */
static int zmc_totals_walk(struct zmc_totals *t)
{
	u64 now_ns = ktime_get_boot_fast_ns();
	struct cgroup_subsys_state *css;
	struct zmc_cursor cur;
	struct zmc_zombie z;
	unsigned int n = 0;
	int ret;

	ret = zmc_totals_reserve(t);
	if (ret)
		return ret;
	zmc_cursor_init(&cur);
	rcu_read_lock();
	css = zmc_cursor_first(&cur);
	while (css) {
		if (zmc_memcg_zombie(css, now_ns, &z))
			zmc_totals_add(t, &z);
		else
			t->memcgs++;
		css = zmc_cursor_next(&cur);
		if (!css || ++n % ZMC_TOTALS_BATCH)
			continue;
		zmc_cursor_park(&cur);
		rcu_read_unlock();
		cond_resched();
		ret = zmc_totals_reserve(t);
		rcu_read_lock();
		if (ret)
			break;
		css = zmc_cursor_pos(&cur);
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	return ret;
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
	int ret;

	ret = zmc_totals_walk(&t);
	if (ret)
		goto free_comms;
	most = zmc_biggest_creator(&t, &comm);
	zmc_table_stats(&st);

	/* From the kernel's css tree, in one walk. */
	seq_printf(m, "memcgs %lu\n", t.memcgs);
	seq_printf(m, "zombies %lu\n", t.zombies);
	seq_printf(m, "predating_zombies %lu\n", t.unseen);
	seq_printf(m, "untracked %lu\n", t.unrecorded);
	seq_printf(m, "charged_bytes %llu\n", t.charged);
	seq_printf(m, "swap_bytes %llu\n", t.swap);
	seq_printf(m, "footprint_bytes %llu\n", t.footprint);
	seq_puts(m, "biggest_creator ");
	if (comm)
		seq_escape(m, comm, ZMC_ESCAPE);
	else
		seq_putc(m, '-');
	seq_printf(m, "\nbiggest_creator_zombies %zu\n", most);
	/* The module's own accounting. */
	seq_printf(m, "records %lu\n", st.records);
	seq_printf(m, "record_bytes %lu\n", st.record_bytes);
	seq_printf(m, "table_bytes %lu\n", st.table_bytes);
	seq_printf(m, "freed %lu\n", st.freed);
	seq_printf(m, "refused %lu\n", st.refused);
	seq_printf(m, "alloc_failures %lu\n", st.alloc_failures);
	seq_printf(m, "probe_misses %lu\n", zmc_probes_missed());
	seq_printf(m, "lock_wait_max_ns %llu\n", st.lock_wait_max_ns);
	/* FOOTPRINT's sizes: 1 from the kernel's BTF, 0 estimated. */
	seq_printf(m, "footprint_btf %d\n", zmc_footprint_from_btf());
free_comms:
	kvfree(t.comms);
	return ret;
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
