// SPDX-License-Identifier: GPL-2.0
/*
 * zombiememcg: find memory cgroups that user space removed but the kernel
 * has not freed ("zombies"), who created them and what they still hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "zombiememcg.h"

static unsigned long long older_than_secs = 30;
module_param(older_than_secs, ullong, 0444);
MODULE_PARM_DESC(older_than_secs,
		 "List zombies offline for at least this many seconds (default 30; debugfs changes it later)");

static unsigned long max_records = 1UL << 21;
module_param(max_records, ulong, 0444);
MODULE_PARM_DESC(max_records,
		 "Most memory cgroups tracked at once (default 2097152); the rest are counted as untracked");

static int __init zmc_init(void)
{
	u64 load_ns = ktime_get_boot_fast_ns();
	int ret;

	ret = zmc_table_init(max_records);
	if (ret)
		return ret;

	ret = zmc_memcg_init();
	if (ret)
		goto destroy_table;

	ret = zmc_procfs_init(older_than_secs);
	if (ret)
		goto exit_memcg;

	zmc_debugfs_init();

	ret = zmc_probes_register();
	if (ret)
		goto exit_interfaces;

	/* After the probes, so that nothing falls between the two. */
	zmc_memcg_walk(load_ns);

	pr_info("tracking memory cgroups\n");
	return 0;

exit_interfaces:
	zmc_debugfs_exit();
	zmc_procfs_exit();
exit_memcg:
	zmc_memcg_exit();
destroy_table:
	zmc_table_destroy();
	return ret;
}

/*
 * Readers first: proc_remove() and debugfs_remove() wait for them.  Were
 * the probes gone first, a memcg freed meanwhile would not be marked dead
 * and a reader could sample freed memory (found by KASAN in the debug tier).
 */
static void __exit zmc_exit(void)
{
	zmc_debugfs_exit();
	zmc_procfs_exit();
	zmc_probes_unregister();
	zmc_memcg_exit();
	zmc_table_destroy();
}

module_init(zmc_init);
module_exit(zmc_exit);

MODULE_DESCRIPTION("List memory cgroups removed but not yet freed (zombies)");
MODULE_AUTHOR("zombiememcg developers");
MODULE_LICENSE("GPL");
