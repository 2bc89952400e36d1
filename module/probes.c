// SPDX-License-Identifier: GPL-2.0
/*
 * Probes on the memory controller's css lifecycle callbacks.  Each handler
 * hands the css (the callbacks' first argument) to memcg.c.
 *
 * Two ways, chosen at load by the probe parameter: plain kprobes on the
 * function entries (the default; the callbacks' prototypes have been stable
 * for years, unlike fprobe's), or fprobes, where the kernel has them
 * (CONFIG_FPROBE), which skip the kprobe dispatch.  Handlers run with
 * preemption disabled either way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/poison.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "compat.h"
#include "zombiememcg.h"

static char *probe = "kprobe";
module_param(probe, charp, 0444);
MODULE_PARM_DESC(probe,
		 "How to probe the memcg callbacks: kprobe (default) or fprobe (where the kernel has CONFIG_FPROBE)");

/* The probe parameter is fprobe: armed by fprobes, not kprobes. */
static bool zmc_use_fprobe;

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

#if ZMC_HAVE_FPROBE
ZMC_DEFINE_FPROBE_ENTRY(online)
ZMC_DEFINE_FPROBE_ENTRY(offline)
ZMC_DEFINE_FPROBE_ENTRY(free)

/* One per function, in zmc_kprobes[]' order and on its symbols. */
static struct fprobe zmc_fprobes[] = {
	{ .entry_handler = zmc_free_entry },
	{ .entry_handler = zmc_offline_entry },
	{ .entry_handler = zmc_online_entry },
};

static_assert(ARRAY_SIZE(zmc_fprobes) == ARRAY_SIZE(zmc_kprobes));

/**
 * zmc_fprobes_register() - arm the fprobes, as zmc_probes_register()
 *
 * Return: 0, or the error of the first fprobe that failed; then none is
 * armed.
 */
static int zmc_fprobes_register(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(zmc_fprobes); i++) {
		ret = register_fprobe_syms(&zmc_fprobes[i],
					   &zmc_kprobes[i].symbol_name, 1);
		if (ret) {
			pr_err("cannot fprobe %s: %d\n",
			       zmc_kprobes[i].symbol_name, ret);
			goto unregister_armed;
		}
	}
	return 0;

unregister_armed:
	while (--i >= 0)
		unregister_fprobe(&zmc_fprobes[i]);
	synchronize_rcu();
	return ret;
}

/**
 * zmc_fprobes_unregister() - disarm the fprobes
 *
 * The handlers run with preemption disabled, so the grace period after the
 * last unregister_fprobe() waits for any still running, whether or not
 * unregister_fprobe() waits for them itself (which varies with the kernel).
 */
static void zmc_fprobes_unregister(void)
{
	int i;

	for (i = ARRAY_SIZE(zmc_fprobes) - 1; i >= 0; i--)
		unregister_fprobe(&zmc_fprobes[i]);
	synchronize_rcu();
}

static unsigned long zmc_fprobes_missed(void)
{
	unsigned long missed = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(zmc_fprobes); i++)
		missed += READ_ONCE(zmc_fprobes[i].nmissed);
	return missed;
}
#else
static int zmc_fprobes_register(void)
{
	pr_err("probe=fprobe: this kernel has no fprobe (CONFIG_FPROBE is not set); use probe=kprobe\n");
	return -EOPNOTSUPP;
}

static void zmc_fprobes_unregister(void)
{
}

static unsigned long zmc_fprobes_missed(void)
{
	return 0;
}
#endif /* ZMC_HAVE_FPROBE */

/**
 * zmc_kprobe_dropped() - did register_kprobe() drop @p while returning 0?
 * @p: a kprobe register_kprobe() has just accepted
 *
 * When arming a new kprobe fails (on ftrace, an allocation of
 * register_ftrace_function()), __register_kprobe() takes it off the kprobe
 * table again with hlist_del_rcu(), which poisons its node.  6.12 then
 * returns the error; the guard() rework of __register_kprobe() (7.2 has it)
 * returns 0 instead, leaving a probe that never fires.  The poisoned node
 * tells; a kprobe on the table, or aggregated on another one's address,
 * never has it.
 *
 * Return: true if @p is not registered after all.
 */
static bool zmc_kprobe_dropped(const struct kprobe *p)
{
	return p->hlist.pprev == LIST_POISON2;
}

/**
 * zmc_probes_register() - arm the probes the probe parameter names
 *
 * Return: 0, or the error of the first probe that failed; then none is
 * armed.  -EINVAL for an unknown probe parameter, -EOPNOTSUPP for fprobe on
 * a kernel without it (never a fallback to kprobes).
 */
int zmc_probes_register(void)
{
	int i, ret;

	if (sysfs_streq(probe, "fprobe")) {
		zmc_use_fprobe = true;
		return zmc_fprobes_register();
	}
	if (!sysfs_streq(probe, "kprobe")) {
		pr_err("probe=%s: not kprobe or fprobe\n", probe);
		return -EINVAL;
	}

	for (i = 0; i < ARRAY_SIZE(zmc_kprobes); i++) {
		ret = register_kprobe(&zmc_kprobes[i]);
		/* Its own error is lost: an allocation failure, most likely. */
		if (!ret && zmc_kprobe_dropped(&zmc_kprobes[i])) {
			pr_err("the kernel did not arm the kprobe on %s and said nothing\n",
			       zmc_kprobes[i].symbol_name);
			ret = -ENOMEM;
		}
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

	if (zmc_use_fprobe) {
		zmc_fprobes_unregister();
		return;
	}
	for (i = ARRAY_SIZE(zmc_kprobes) - 1; i >= 0; i--)
		unregister_kprobe(&zmc_kprobes[i]);
}

/**
 * zmc_probes_missed() - events the probes missed (their nmissed counts)
 *
 * Return: the sum of the armed probes' miss counts.
 */
unsigned long zmc_probes_missed(void)
{
	unsigned long missed = 0;
	int i;

	if (zmc_use_fprobe)
		return zmc_fprobes_missed();

	for (i = 0; i < ARRAY_SIZE(zmc_kprobes); i++)
		missed += READ_ONCE(zmc_kprobes[i].nmissed);
	return missed;
}
