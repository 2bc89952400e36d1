// SPDX-License-Identifier: GPL-2.0
/*
 * zombiememcg: find memory cgroups that user space removed but the kernel
 * has not freed ("zombies"), who created them and what they still hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "zombiememcg.h"

/*
 * The threshold is the listing's (procfs.c); the parameter reads and sets
 * it, validated as the debugfs file's writes are, so that a host whose
 * kernel is locked down (where a debugfs file with a write bit cannot even
 * be opened) can tune it in /sys/module/zombiememcg/parameters/.
 */
static int zmc_older_than_set(const char *val, const struct kernel_param *kp)
{
	u64 secs;

	if (zmc_parse_secs(val, strlen(val), &secs))
		return -EINVAL;
	zmc_set_older_than_secs(secs);
	return 0;
}

static int zmc_older_than_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", zmc_older_than_secs());
}

static const struct kernel_param_ops zmc_older_than_ops = {
	.set = zmc_older_than_set,
	.get = zmc_older_than_get,
};

module_param_cb(older_than_secs, &zmc_older_than_ops, NULL, 0644);
MODULE_PARM_DESC(older_than_secs,
		 "List zombies offline for at least this many seconds (default 30; writable here and in debugfs)");

static unsigned long max_records = 1UL << 21;
module_param(max_records, ulong, 0444);
MODULE_PARM_DESC(max_records,
		 "Most records of memory cgroups kept at once (default 2097152); zombies past it are listed without their creator");

static unsigned int holders_scan_ms = 10000;
module_param(holders_scan_ms, uint, 0444);
MODULE_PARM_DESC(holders_scan_ms,
		 "Longest a scan of /proc/zombiememcg_holders may run, in milliseconds (default 10000)");

static unsigned int reclaim_ms = 10000;
module_param(reclaim_ms, uint, 0444);
MODULE_PARM_DESC(reclaim_ms,
		 "Longest a request to /proc/zombiememcg_reclaim may run, in milliseconds (default 10000)");

/*
 * The interfaces come last at load and go first at unload: a reader never
 * meets a half set-up or half torn-down module, and a failed load never
 * had a file anyone could open.
 */
static int __init zmc_init(void)
{
	int ret;

	zmc_memcg_init(ktime_get_boot_fast_ns());
	zmc_footprint_init();
	ret = zmc_table_init(max_records);
	if (ret)
		return ret;

	ret = zmc_probes_register();
	if (ret)
		goto destroy_table;

	ret = zmc_procfs_init();
	if (ret)
		goto unregister_probes;

	ret = zmc_holders_init(holders_scan_ms);
	if (ret)
		goto remove_procfs;

	ret = zmc_reclaim_init(reclaim_ms);
	if (ret)
		goto remove_holders;

	zmc_debugfs_init();
	pr_info("tracking memory cgroups\n");
	return 0;

remove_holders:
	zmc_holders_exit();
remove_procfs:
	zmc_procfs_exit();
unregister_probes:
	zmc_probes_unregister();
destroy_table:
	zmc_table_destroy();
	return ret;
}

/*
 * Readers first: proc_remove() and debugfs_remove() wait for them, and
 * release every open file (dropping a parked walk's pin).
 */
static void __exit zmc_exit(void)
{
	zmc_debugfs_exit();
	zmc_reclaim_exit();
	zmc_holders_exit();
	zmc_procfs_exit();
	zmc_probes_unregister();
	zmc_table_destroy();
}

module_init(zmc_init);
module_exit(zmc_exit);

MODULE_DESCRIPTION("List memory cgroups removed but not yet freed (zombies)");
MODULE_AUTHOR("zombiememcg developers");
MODULE_LICENSE("GPL");
