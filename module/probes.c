// SPDX-License-Identifier: GPL-2.0
/*
 * Kprobes on the memory controller's css lifecycle callbacks.  Each handler
 * hands the css (the callbacks' first argument) to memcg.c.
 *
 * Plain kprobes on the function entries: the callbacks' prototypes have been
 * stable for years, unlike fprobe's.  Handlers run with preemption disabled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>

#include "compat.h"
#include "zombiememcg.h"

static struct cgroup_subsys_state *zmc_probe_css(struct pt_regs *regs)
{
	return (struct cgroup_subsys_state *)regs_get_kernel_argument(regs, 0);
}

static int zmc_online_pre(struct kprobe *p, struct pt_regs *regs)
{
	zmc_memcg_online(zmc_probe_css(regs));
	return 0;
}

static int zmc_offline_pre(struct kprobe *p, struct pt_regs *regs)
{
	zmc_memcg_offline(zmc_probe_css(regs));
	return 0;
}

static int zmc_free_pre(struct kprobe *p, struct pt_regs *regs)
{
	zmc_memcg_free(zmc_probe_css(regs));
	return 0;
}

/*
 * Armed in this order, the reverse of a memcg's life, and disarmed in the
 * reverse of it: a record made by one probe never misses a later event
 * because that event's probe was not armed yet.
 */
static struct kprobe zmc_kprobes[] = {
	{
		.symbol_name = "mem_cgroup_css_free",
		.pre_handler = zmc_free_pre,
	},
	{
		.symbol_name = "mem_cgroup_css_offline",
		.pre_handler = zmc_offline_pre,
	},
	{
		.symbol_name = "mem_cgroup_css_online",
		.pre_handler = zmc_online_pre,
	},
};

/**
 * zmc_probes_register() - arm the probes
 *
 * Return: 0, or the error of the first probe that failed; then none is armed.
 */
int zmc_probes_register(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(zmc_kprobes); i++) {
		ret = register_kprobe(&zmc_kprobes[i]);
		if (ret) {
			pr_err("cannot probe %s: %d\n",
			       zmc_kprobes[i].symbol_name, ret);
			goto unregister_armed;
		}
	}
	return 0;

unregister_armed:
	while (--i >= 0)
		unregister_kprobe(&zmc_kprobes[i]);
	return ret;
}

/**
 * zmc_probes_unregister() - disarm the probes
 *
 * On return no handler is running or will run.
 */
void zmc_probes_unregister(void)
{
	int i;

	for (i = ARRAY_SIZE(zmc_kprobes) - 1; i >= 0; i--)
		unregister_kprobe(&zmc_kprobes[i]);
}

/**
 * zmc_probes_missed() - events the kprobes missed (their nmissed counts)
 *
 * Return: the sum of the probes' miss counts.
 */
unsigned long zmc_probes_missed(void)
{
	unsigned long missed = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(zmc_kprobes); i++)
		missed += READ_ONCE(zmc_kprobes[i].nmissed);
	return missed;
}
