/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels zombiememcg supports (6.1 and later),
 * kept in this one place so that the other files read like upstream code.
 * Detected from the kernel's configuration and headers, not its version.
 */
#ifndef _ZOMBIEMEMCG_COMPAT_H
#define _ZOMBIEMEMCG_COMPAT_H

#include <linux/cgroup-defs.h>
#include <linux/memcontrol.h>
#include <linux/overflow.h>
#include <linux/page-flags.h>
#include <linux/percpu.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#if !IS_ENABLED(CONFIG_MEMCG)
#error "zombiememcg needs a kernel with CONFIG_MEMCG"
#endif

#if !IS_ENABLED(CONFIG_KPROBES)
#error "zombiememcg needs a kernel with CONFIG_KPROBES"
#endif

/*
 * module/compat.mk greps the kernel's headers for these:
 *
 * ZMC_HAVE_LRUVEC_STATS_PTR: struct mem_cgroup_per_node points to its
 *	lruvec_stats (6.8+) instead of embedding them.
 * ZMC_HAVE_CSS_RSTAT_CPU: rstat per-CPU data is per css (7.x: struct
 *	css_rstat_cpu plus struct cgroup_rstat_base_cpu) rather than per
 *	cgroup (struct cgroup_rstat_cpu).
 * ZMC_HAVE_KERNFS_NAME_RCU: kernfs_node.name is published under RCU (7.x),
 *	so it can be read under rcu_read_lock() while a rename runs.
 * ZMC_HAVE_MEMCG_VMSTATS_PTR: struct mem_cgroup points to its (private)
 *	struct memcg_vmstats instead of embedding it (6.1.y stable, 6.2+).
 * ZMC_HAVE_MEMCG_KMEM_ONLINE: memcg_kmem_online() replaced
 *	memcg_kmem_enabled() (6.3+).
 * ZMC_HAVE_CGROUP_LOW_ANCESTORS: struct cgroup allocates its ancestors
 *	but the root one, which it embeds (7.x).
 * ZMC_HAVE_SHRINKER_INFO_UNIT: a memcg's shrinker_info points to units of
 *	BITS_PER_LONG shrinkers allocated apart (6.7+), instead of holding
 *	the deferred counts and the bitmap in one allocation.
 * ZMC_HAVE_LRU_REPARENT: the kernel moves a memcg's LRU pages to its parent
 *	at offline (7.x), so that page cache and anonymous pages no longer
 *	keep a zombie alive; before, folio->memcg_data points to the memcg.
 * ZMC_HAVE_FPROBE_ENTRY_INT: an fprobe entry handler returns int (6.3+),
 *	not void.
 * ZMC_HAVE_FPROBE_RET_IP: it is passed the return address (6.5+).
 * ZMC_HAVE_FPROBE_FTRACE_REGS: it is passed struct ftrace_regs (6.14+,
 *	fprobe on the function graph tracer), not struct pt_regs.
 * ZMC_HAVE_FOLIO_BATCH_H: struct folio_batch has a header of its own
 *	(7.x), linux/folio_batch.h, and no struct pagevec.
 * ZMC_HAVE_FOLIO_BATCH_RELEASE: __folio_batch_release() (6.5+) releases
 *	a batch; before, __pagevec_release().
 * ZMC_HAVE_ERROR_REMOVE_FOLIO: the address space operation that drops a
 *	page cache folio for memory-failure takes a folio (6.8+); before, a
 *	page (error_remove_page, generic_error_remove_page()).
 */
#ifdef ZMC_HAVE_LRU_REPARENT
#define ZMC_LRU_REPARENTED	1
#else
#define ZMC_LRU_REPARENTED	0
#endif

/*
 * zmc_lru_add_drain() drains this CPU's LRU batches, whose folios each hold
 * a reference until then: lru_add_drain() is not exported, but releasing a
 * batch does it first, even an empty one.
 */
#ifdef ZMC_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif

static inline void zmc_lru_add_drain(void)
{
#if defined(ZMC_HAVE_FOLIO_BATCH_H) || defined(ZMC_HAVE_FOLIO_BATCH_RELEASE)
	struct folio_batch fbatch;

	folio_batch_init(&fbatch);
	__folio_batch_release(&fbatch);
#else
	struct pagevec pvec;

	pagevec_init(&pvec);
	__pagevec_release(&pvec);
#endif
}

/*
 * zmc_generic_error_remove(mapping): the file system drops a folio of
 * @mapping as truncation does; zmc_error_remove_folio() drops it so.
 */
#ifdef ZMC_HAVE_ERROR_REMOVE_FOLIO
#define zmc_generic_error_remove(m)	\
	((m)->a_ops->error_remove_folio == generic_error_remove_folio)
#define zmc_error_remove_folio(m, f)	generic_error_remove_folio(m, f)
#else
#define zmc_generic_error_remove(m)	\
	((m)->a_ops->error_remove_page == generic_error_remove_page)
#define zmc_error_remove_folio(m, f)	generic_error_remove_page(m, &(f)->page)
#endif

/* The low bits of folio->mapping that mark anonymous pages (7.x renamed them). */
#ifdef FOLIO_MAPPING_ANON
#define ZMC_MAPPING_ANON	FOLIO_MAPPING_ANON
#define ZMC_MAPPING_FLAGS	FOLIO_MAPPING_FLAGS
#else
#define ZMC_MAPPING_ANON	PAGE_MAPPING_ANON
#define ZMC_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

/* A slab cache kept apart from others of its size (6.5+), else 0: merged. */
#ifdef SLAB_NO_MERGE
#define ZMC_SLAB_NO_MERGE	SLAB_NO_MERGE
#else
#define ZMC_SLAB_NO_MERGE	0
#endif

/* The largest order of a page block (6.8 renamed MAX_ORDER, made inclusive). */
#ifdef MAX_PAGE_ORDER
#define ZMC_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define ZMC_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif
/*
 * One CPU's bytes of the per-CPU rstat areas of the cgroup a memcg pins
 * and of the memcg's css: the cgroup's own, or from 7.x the base stats of
 * the cgroup and one area per css (the cgroup's and the memcg's).
 */
static inline size_t zmc_rstat_percpu_bytes(void)
{
#ifdef ZMC_HAVE_CSS_RSTAT_CPU
	return ALIGN(sizeof(struct cgroup_rstat_base_cpu), PCPU_MIN_ALLOC_SIZE) +
	       2 * ALIGN(sizeof(struct css_rstat_cpu), PCPU_MIN_ALLOC_SIZE);
#else
	return ALIGN(sizeof(struct cgroup_rstat_cpu), PCPU_MIN_ALLOC_SIZE);
#endif
}

/* A memcg's statistics, where they are allocated apart from it (or NULL). */
static inline const void *zmc_memcg_vmstats(const struct mem_cgroup *memcg)
{
#ifdef ZMC_HAVE_MEMCG_VMSTATS_PTR
	return memcg->vmstats;
#else
	return NULL;
#endif
}

static inline const void *zmc_pn_lruvec_stats(const struct mem_cgroup_per_node *pn)
{
#ifdef ZMC_HAVE_LRUVEC_STATS_PTR
	return pn->lruvec_stats;
#else
	return NULL;
#endif
}

/* Where kernel memory is charged to memcgs (not cgroup.memory=nokmem). */
static inline bool zmc_memcg_kmem(void)
{
#ifdef ZMC_HAVE_MEMCG_KMEM_ONLINE
	return memcg_kmem_online();
#else
	return memcg_kmem_enabled();
#endif
}

/* Bytes kzalloc()ed for @cgrp: the struct with its ancestors. */
static inline size_t zmc_cgroup_bytes(const struct cgroup *cgrp)
{
#ifdef ZMC_HAVE_CGROUP_LOW_ANCESTORS
	return struct_size(cgrp, _low_ancestors, cgrp->level);
#else
	return struct_size(cgrp, ancestors, cgrp->level + 1);
#endif
}

/**
 * zmc_shrinker_info_bytes() - slab bytes of one node's shrinker_info
 * @info: a memcg's shrinker_info on one node, under RCU.
 *
 * Return: the kmalloc buckets of the info and, from 6.7, of its units.
 */
static inline u64 zmc_shrinker_info_bytes(const struct shrinker_info *info)
{
#ifdef ZMC_HAVE_SHRINKER_INFO_UNIT
	int units = DIV_ROUND_UP(READ_ONCE(info->map_nr_max), SHRINKER_UNIT_BITS);

	return kmalloc_size_roundup(struct_size(info, unit, units)) +
	       (u64)units * kmalloc_size_roundup(sizeof(struct shrinker_info_unit));
#else
	/* One allocation: the info, the deferred counts, then the bitmap. */
	size_t defer = (const char *)info->map - (const char *)info->nr_deferred;

	return kmalloc_size_roundup(sizeof(*info) + defer + defer / BITS_PER_LONG);
#endif
}

#ifdef ZMC_HAVE_KERNFS_NAME_RCU
#define ZMC_KERNFS_NAME_RCU		1
#define zmc_kernfs_name(kn)		rcu_dereference((kn)->name)
#else
#define ZMC_KERNFS_NAME_RCU		0
#define zmc_kernfs_name(kn)		((kn)->name)
#endif

/*
 * fprobe, where the kernel has it (not Debian's 6.1: CONFIG_FPROBE off).
 * ZMC_DEFINE_FPROBE_ENTRY(event) defines zmc_<event>_entry(), an fprobe
 * entry handler of the kernel's prototype that hands the probed function's
 * first argument, the css, to zmc_memcg_<event>() (memcg.c).
 */
#define ZMC_HAVE_FPROBE		IS_ENABLED(CONFIG_FPROBE)

#if ZMC_HAVE_FPROBE
#include <linux/fprobe.h>

#if defined(ZMC_HAVE_FPROBE_FTRACE_REGS)
#define zmc_fprobe_regs		ftrace_regs
#define zmc_fprobe_arg0(regs)	ftrace_regs_get_argument(regs, 0)
#else
#define zmc_fprobe_regs		pt_regs
#define zmc_fprobe_arg0(regs)	regs_get_kernel_argument(regs, 0)
#endif

#if defined(ZMC_HAVE_FPROBE_FTRACE_REGS) || defined(ZMC_HAVE_FPROBE_RET_IP)
#define ZMC_FPROBE_RET_IP_ARG	unsigned long ret_ip,
#else
#define ZMC_FPROBE_RET_IP_ARG
#endif

#if defined(ZMC_HAVE_FPROBE_ENTRY_INT)
#define zmc_fprobe_ret_t	int
#define ZMC_FPROBE_RETURN	0
#else
#define zmc_fprobe_ret_t	void
#define ZMC_FPROBE_RETURN
#endif

#define ZMC_DEFINE_FPROBE_ENTRY(event)					\
static zmc_fprobe_ret_t zmc_##event##_entry(struct fprobe *fp,		\
					    unsigned long entry_ip,	\
					    ZMC_FPROBE_RET_IP_ARG	\
					    struct zmc_fprobe_regs *regs,	\
					    void *entry_data)		\
{									\
	zmc_memcg_##event((struct cgroup_subsys_state *)zmc_fprobe_arg0(regs));\
	return ZMC_FPROBE_RETURN;					\
}
#endif /* ZMC_HAVE_FPROBE */

#endif /* _ZOMBIEMEMCG_COMPAT_H */
