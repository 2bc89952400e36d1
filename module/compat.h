/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels zombiememcg supports (6.1 and later),
 * kept in this one place so that the other files read like upstream code.
 * Detected from the kernel's configuration and headers, not its version.
 */
#ifndef _ZOMBIEMEMCG_COMPAT_H
#define _ZOMBIEMEMCG_COMPAT_H

#if !IS_ENABLED(CONFIG_MEMCG)
#error "zombiememcg needs a kernel with CONFIG_MEMCG"
#endif

#if !IS_ENABLED(CONFIG_KPROBES)
#error "zombiememcg needs a kernel with CONFIG_KPROBES"
#endif

/*
 * Kbuild greps the kernel's headers for these (see module/Kbuild):
 *
 * ZMC_HAVE_LRUVEC_STATS_PTR: struct mem_cgroup_per_node points to its
 *	lruvec_stats (6.8+) instead of embedding them.
 * ZMC_HAVE_CSS_RSTAT_CPU: rstat per-CPU data is per css (7.x: struct
 *	css_rstat_cpu plus struct cgroup_rstat_base_cpu) rather than per
 *	cgroup (struct cgroup_rstat_cpu).
 * ZMC_HAVE_KERNFS_NAME_RCU: kernfs_node.name is published under RCU (7.x),
 *	so it can be read under rcu_read_lock() while a rename runs.
 */
#ifdef ZMC_HAVE_LRUVEC_STATS_PTR
#define ZMC_LRUVEC_STATS_APART	1
#else
#define ZMC_LRUVEC_STATS_APART	0
#endif

/* Per-CPU rstat bytes of the cgroup a memcg pins, and of the memcg's css. */
#ifdef ZMC_HAVE_CSS_RSTAT_CPU
#define ZMC_CGROUP_RSTAT_CPU_BYTES \
	(2 * sizeof(struct css_rstat_cpu) + sizeof(struct cgroup_rstat_base_cpu))
#else
#define ZMC_CGROUP_RSTAT_CPU_BYTES	sizeof(struct cgroup_rstat_cpu)
#endif

#ifdef ZMC_HAVE_KERNFS_NAME_RCU
#define ZMC_KERNFS_NAME_RCU		1
#define zmc_kernfs_name(kn)		rcu_dereference((kn)->name)
#else
#define ZMC_KERNFS_NAME_RCU		0
#define zmc_kernfs_name(kn)		((kn)->name)
#endif

#endif /* _ZOMBIEMEMCG_COMPAT_H */
