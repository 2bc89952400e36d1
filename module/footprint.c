// SPDX-License-Identifier: GPL-2.0
/*
 * FOOTPRINT: the kernel memory one zombie keeps allocated, object by object,
 * in the sizes the allocators give out.
 *
 * A memcg's cgroup, once removed, keeps until it is freed: the struct
 * mem_cgroup and its statistics (per memcg, per node, per CPU), its
 * shrinker bitmaps, the struct cgroup it pins with the cgroup's own per-CPU
 * state and pressure (PSI) data, its kernfs node and the data of its three
 * percpu_refs (the memcg's css, the cgroup's own css, its BPF programs).
 * The control files, the other controllers' state and the LRU and
 * writeback bookkeeping go at rmdir; what is still charged to the memcg is
 * CHARGED and SWAP, not FOOTPRINT.  selftests/footprint_test.c checks the
 * sum against what the kernel's allocation tracepoints see freed with a
 * zombie.
 *
 * Sizes are the allocators': a slab object its whole slot, a per-CPU area
 * its size on every possible CPU plus the percpu allocator's per-unit memcg
 * pointers.  The memcg's own slab objects are measured once, at load, on
 * the root memcg, which the kernel allocates as it does every memcg
 * (ksize(): the kmalloc bucket, or from 6.16 the object of the memcg
 * caches); the cgroup's by kmalloc_size_roundup().  The per-CPU structs
 * that mm/memcontrol.c keeps private are sized from the kernel's BTF
 * (btf.c); without BTF, from the counts of the items they hold, which can
 * only be an upper bound on kernels that keep a subset of the items.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/memcontrol.h>
#include <linux/nodemask.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/percpu-refcount.h>
#include <linux/psi_types.h>
#include <linux/rcupdate.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/vm_event_item.h>

#include "compat.h"
#include "zombiememcg.h"

/* The private per-CPU structs, in the order of zmc_fp_private_names. */
enum {
	ZMC_FP_VMSTATS_PERCPU,
	ZMC_FP_LRUVEC_STATS_PERCPU,
	ZMC_FP_NR_PRIVATE,
};

static const char *const zmc_fp_private_names[ZMC_FP_NR_PRIVATE] = {
	[ZMC_FP_VMSTATS_PERCPU]		= "memcg_vmstats_percpu",
	[ZMC_FP_LRUVEC_STATS_PERCPU]	= "lruvec_stats_percpu",
};

/**
 * struct zmc_fp - what every zombie holds alike, learnt at load
 * @slab: slab bytes every zombie holds, whatever its cgroup.
 * @percpu: bytes of one CPU's copy of its per-CPU areas.
 * @psi_slab: slab bytes of a cgroup's pressure data, where it has any.
 * @psi_percpu: and of one CPU's copy of its per-CPU part.
 * @btf: the private structs were sized from BTF.
 */
static struct zmc_fp {
	u64 slab;
	u64 percpu;
	u64 psi_slab;
	u64 psi_percpu;
	bool btf;
} zmc_fp;

/* One CPU's copy of a per-CPU area of @size bytes, in allocator units. */
static u64 zmc_fp_percpu(size_t size)
{
	return ALIGN(size, PCPU_MIN_ALLOC_SIZE);
}

/**
 * zmc_fp_percpu_total() - what per-CPU areas take on the whole machine
 * @bytes: the areas' bytes on one CPU (sum of zmc_fp_percpu()).
 *
 * As the percpu allocator counts it (pcpu_obj_full_size()): a copy on
 * every possible CPU, plus one obj_cgroup pointer per allocation unit
 * where kernel memory is accounted to memcgs.  That is known for sure only
 * once a memcg is online, as a zombie's was: hence at read time.
 *
 * Return: bytes.
 */
static u64 zmc_fp_percpu_total(u64 bytes)
{
	u64 total = bytes * num_possible_cpus();

	if (zmc_memcg_kmem())
		total += bytes / PCPU_MIN_ALLOC_SIZE * sizeof(void *);
	return total;
}

static u64 zmc_fp_kmalloc(size_t size)
{
	return kmalloc_size_roundup(size);
}

/**
 * zmc_fp_memcg_slab() - slab bytes of a memcg's own objects
 * @nodes: possible nodes.
 *
 * Measured on the root memcg, allocated as every other: struct mem_cgroup,
 * its struct memcg_vmstats, and per node struct mem_cgroup_per_node with
 * its struct lruvec_stats (where the kernel allocates those apart).  The
 * root memcg is never freed.
 *
 * Return: bytes.
 */
static u64 zmc_fp_memcg_slab(unsigned int nodes)
{
	const struct mem_cgroup_per_node *pn;
	const struct mem_cgroup *root;
	u64 bytes;

	rcu_read_lock();
	root = mem_cgroup_from_css(zmc_root_css());
	pn = root->nodeinfo[first_node(node_possible_map)];
	bytes = ksize(root) + ksize(zmc_memcg_vmstats(root));
	bytes += nodes * (ksize(pn) + ksize(zmc_pn_lruvec_stats(pn)));
	rcu_read_unlock();
	return bytes;
}

/*
 * Without BTF: the private structs from the number of items they count,
 * each item a long and its last flushed value (an upper bound from 6.8,
 * which counts a subset of the items).
 */
static void zmc_fp_guess_private(u32 *sizes)
{
	if (!sizes[ZMC_FP_VMSTATS_PERCPU])
		sizes[ZMC_FP_VMSTATS_PERCPU] =
			2 * (MEMCG_NR_STAT + NR_VM_EVENT_ITEMS) * sizeof(long);
	if (!sizes[ZMC_FP_LRUVEC_STATS_PERCPU])
		sizes[ZMC_FP_LRUVEC_STATS_PERCPU] = 2 * NR_VM_NODE_STAT_ITEMS * sizeof(long);
}

/**
 * zmc_footprint_init() - learn this kernel's sizes
 *
 * Process context: reads the kernel's BTF.  Never fails: without BTF the
 * private structs are estimated, and footprint_btf in stats says so.
 */
void zmc_footprint_init(void)
{
	u32 sizes[ZMC_FP_NR_PRIVATE];
	unsigned int nodes = num_possible_nodes();
	u64 slab, percpu;
	int ret;

	ret = zmc_btf_read_sizes(zmc_fp_private_names, sizes, ZMC_FP_NR_PRIVATE);
	if (ret < 0)
		pr_info("no BTF (%d): FOOTPRINT estimates the private memcg structs\n", ret);
	zmc_fp.btf = ret > 0;
	zmc_fp_guess_private(sizes);

	slab = zmc_fp_memcg_slab(nodes);
	percpu = zmc_fp_percpu(sizes[ZMC_FP_VMSTATS_PERCPU]);
	percpu += nodes * zmc_fp_percpu(sizes[ZMC_FP_LRUVEC_STATS_PERCPU]);
	/* The writeback domain's completion counter. */
	if (IS_ENABLED(CONFIG_CGROUP_WRITEBACK))
		percpu += zmc_fp_percpu(sizeof(s32));
	percpu += zmc_rstat_percpu_bytes();
	/* The data of three percpu_refs: the memcg's css, cgroup's, its BPF. */
	slab += 3 * zmc_fp_kmalloc(sizeof(struct percpu_ref_data));
	slab += ALIGN(sizeof(struct kernfs_node), sizeof(void *));
	zmc_fp.slab = slab;
	zmc_fp.percpu = percpu;
#ifdef CONFIG_PSI
	zmc_fp.psi_slab = zmc_fp_kmalloc(sizeof(struct psi_group));
	zmc_fp.psi_percpu = zmc_fp_percpu(sizeof(struct psi_group_cpu));
#endif
}

/**
 * zmc_footprint_from_btf() - whether the private structs' sizes are known
 *
 * Return: true if they came from the kernel's BTF, false if estimated.
 */
bool zmc_footprint_from_btf(void)
{
	return zmc_fp.btf;
}

/* Shrinker bitmaps and deferred counts of @memcg on its first node. */
static u64 zmc_fp_shrinker(struct mem_cgroup *memcg)
{
	struct shrinker_info *info;

	info = rcu_dereference(memcg->nodeinfo[first_node(node_possible_map)]->shrinker_info);
	if (!info)
		return 0;
	return zmc_shrinker_info_bytes(info);
}

/**
 * zmc_footprint() - the kernel memory a zombie keeps allocated
 * @css: the zombie's css, on the memory controller's tree, under RCU.
 *
 * What every zombie holds alike (zmc_footprint_init()), plus what depends
 * on its cgroup: the struct cgroup (its size grows with the depth), its
 * pressure data if it has any, and the shrinker bitmaps, sized by the
 * shrinkers registered (the same on every node).
 *
 * Caller holds rcu_read_lock().
 *
 * Return: bytes.
 */
u64 zmc_footprint(struct cgroup_subsys_state *css)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(css);
	struct cgroup *cgrp = css->cgroup;
	u64 slab = zmc_fp.slab, percpu = zmc_fp.percpu;

	slab += zmc_fp_kmalloc(zmc_cgroup_bytes(cgrp));
#ifdef CONFIG_PSI
	if (cgrp->psi) {
		slab += zmc_fp.psi_slab;
		percpu += zmc_fp.psi_percpu;
	}
#endif
	slab += num_possible_nodes() * zmc_fp_shrinker(memcg);
	return slab + zmc_fp_percpu_total(percpu);
}
