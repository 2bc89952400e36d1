// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/zombiememcg/: the listing threshold and the counters.
 *
 *   older_than_secs  (rw) list zombies offline for at least this many seconds
 *   stats            (ro) "name value" lines
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
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

static int zmc_stats_show(struct seq_file *m, void *v)
{
	struct zmc_stats st;

	zmc_table_stats(&st);
	seq_printf(m, "records %lu\n", st.records);
	seq_printf(m, "online %lu\n", st.online);
	seq_printf(m, "zombies %lu\n", st.zombies);
	seq_printf(m, "freed %lu\n", st.freed);
	seq_printf(m, "alloc_failures %lu\n", st.alloc_failures);
	seq_printf(m, "stale %lu\n", st.stale);
	seq_printf(m, "probe_misses %lu\n", zmc_probes_missed());
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
