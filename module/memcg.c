// SPDX-License-Identifier: GPL-2.0
/*
 * What zombiememcg reads from a memory cgroup, at its lifecycle events and
 * when a reader lists it.  This is the only file that knows the layout of
 * struct mem_cgroup and struct cgroup.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vm_event_item.h>

#include "compat.h"
#include "zombiememcg.h"

/*
 * Scratch space for a cgroup path.  The probes run with preemption
 * disabled, where PATH_MAX bytes of stack are too much and an allocation per
 * event is wasteful; the record then gets exactly what the path needs.
 */
static char __percpu *zmc_path_buf;

/* How long the load waits for offline callbacks under way (see settle). */
#define ZMC_SETTLE_TIMEOUT	(10 * HZ)

/*
 * Fill @ev for @css.  @path is PATH_MAX bytes.  The online probe runs with
 * cgroup_mutex held, so cgroup_path_ns() would deadlock; cgroup_path() only
 * takes kernfs' rename lock.
 */
static void zmc_memcg_fill(struct cgroup_subsys_state *css,
			   struct zmc_event *ev, char *path)
{
	struct cgroup *cgrp = css->cgroup;

	ev->key = mem_cgroup_from_css(css);
	ev->cgid = cgroup_id(cgrp);
	ev->now_ns = ktime_get_boot_fast_ns();
	ev->tgid = 0;
	ev->comm = NULL;
	ev->flags = 0;
	if (cgroup_path(cgrp, path, PATH_MAX) < 0)
		strscpy(path, "?", PATH_MAX);
	ev->path = path;
}

/**
 * zmc_memcg_online() - a memcg came online
 * @css: its css.  The caller is the task that created the cgroup.
 */
void zmc_memcg_online(struct cgroup_subsys_state *css)
{
	char comm[TASK_COMM_LEN];
	struct zmc_event ev;
	char *path;

	path = get_cpu_ptr(zmc_path_buf);
	zmc_memcg_fill(css, &ev, path);
	ev.tgid = task_tgid_nr(current);
	get_task_comm(comm, current);
	ev.comm = comm;
	zmc_table_online(&ev);
	put_cpu_ptr(zmc_path_buf);
}

/**
 * zmc_memcg_offline() - a memcg went offline (its cgroup was removed)
 * @css: its css.  This runs in a kworker: the creator is not current.
 */
void zmc_memcg_offline(struct cgroup_subsys_state *css)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(css);
	struct zmc_event ev;
	char *path;

	if (!zmc_table_offline(memcg, cgroup_id(css->cgroup),
			       ktime_get_boot_fast_ns(), 0))
		return;

	/* Created before we were loaded: record it now, creator unknown. */
	path = get_cpu_ptr(zmc_path_buf);
	zmc_memcg_fill(css, &ev, path);
	zmc_table_insert_offline(&ev);
	put_cpu_ptr(zmc_path_buf);
}

/**
 * zmc_memcg_free() - a memcg is about to be freed
 * @css: its css.
 */
void zmc_memcg_free(struct cgroup_subsys_state *css)
{
	zmc_table_free(mem_cgroup_from_css(css));
}

/**
 * zmc_memcg_sample() - read what is still charged to a memcg
 * @key: the memcg, which must be alive (see zmc_record_sample()).
 * @arg: a &struct zmc_sample, filled in.
 */
void zmc_memcg_sample(const void *key, void *arg)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)key;
	struct zmc_sample *s = arg;

	s->charged = (u64)page_counter_read(&memcg->memory) << PAGE_SHIFT;
	s->swap = (u64)page_counter_read(&memcg->swap) << PAGE_SHIFT;
}

static u64 zmc_footprint_bytes;

/**
 * zmc_memcg_footprint() - estimated kernel memory held by one zombie
 *
 * The estimate adds up, for this kernel's sizes and nr_node_ids (N) and
 * nr_cpu_ids (C):
 *
 * - struct mem_cgroup with its N per-node pointers, and N struct
 *   mem_cgroup_per_node;
 * - the memcg's statistics: its per-CPU counters (C copies) and their
 *   aggregate, each 2 * (MEMCG_NR_STAT + NR_VM_EVENT_ITEMS) longs, and per
 *   node and CPU the lruvec counters, 2 * NR_VM_NODE_STAT_ITEMS longs (plus
 *   an aggregate per node where it is allocated apart from the per-node
 *   struct).  Kernels from 6.8 keep only a subset of these items, so this
 *   part is an upper bound there; the structs themselves are private to
 *   mm/memcontrol.c;
 * - the struct cgroup the memcg pins, with its per-CPU rstat data.
 *
 * Left out: slab and allocator overheads, the kernfs node and the cgroup's
 * other controllers' state, shrinker and LRU bookkeeping, and anything still
 * charged to the memcg (CHARGED, SWAP).
 *
 * Return: the estimate, in bytes; the same for every zombie.
 */
u64 zmc_memcg_footprint(void)
{
	return zmc_footprint_bytes;
}

static u64 zmc_footprint_estimate(void)
{
	u64 nodes = nr_node_ids, cpus = nr_cpu_ids;
	u64 vmstats = 2 * (MEMCG_NR_STAT + NR_VM_EVENT_ITEMS) * sizeof(long);
	u64 lruvec = 2 * NR_VM_NODE_STAT_ITEMS * sizeof(long);
	u64 bytes;

	bytes = sizeof(struct mem_cgroup) + nodes * sizeof(void *);
	bytes += nodes * (sizeof(struct mem_cgroup_per_node) +
			  ZMC_LRUVEC_STATS_APART * lruvec);
	bytes += vmstats + cpus * (vmstats + nodes * lruvec);
	bytes += sizeof(struct cgroup) + cpus * ZMC_CGROUP_RSTAT_CPU_BYTES;
	return bytes;
}

/* The memory controller's root css, on every kernel we support. */
static struct cgroup_subsys_state *zmc_memcg_root_css(void)
{
	return rcu_dereference(memory_cgrp_subsys.root->cgrp.subsys[memory_cgrp_id]);
}

/*
 * Record a memcg found by the walk.  The caller holds a reference on it, so
 * it cannot be freed meanwhile: its free probe, if it comes, comes after
 * the record is in, and removes it.
 *
 * Return: true if the memcg was removed but its offline callback had not
 * finished: the caller must see it through zmc_memcg_settle().
 */
static bool zmc_memcg_found(struct cgroup_subsys_state *css, u64 load_ns,
			    char *path)
{
	unsigned int flags = READ_ONCE(css->flags);
	struct zmc_event ev;
	bool offline;

	if (flags & CSS_ONLINE)
		offline = false;
	else if (flags & CSS_DYING)
		offline = true;		/* removed before we were loaded */
	else
		return false;		/* not online yet: its probe records it */

	zmc_memcg_fill(css, &ev, path);
	if (offline) {
		ev.now_ns = load_ns;
		ev.flags = ZMC_F_PREDATES;
	}
	zmc_table_insert_found(&ev, offline);
	return !offline && (flags & CSS_DYING);
}

/*
 * A memcg the walk saw removed but still online.  Its offline callback is
 * queued or running.  If it started before the probes were armed, the probe
 * missed it, and CSS_ONLINE is only cleared once it returns.  So wait, up
 * to @deadline, until either the probe marked the record offline or the
 * callback finished unseen; then mark it here.
 */
static void zmc_memcg_settle(struct cgroup_subsys_state *css,
			     unsigned long deadline)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(css);
	u64 cgid = cgroup_id(css->cgroup);

	while ((READ_ONCE(css->flags) & CSS_ONLINE) &&
	       time_before(jiffies, deadline))
		msleep(20);
	if (!(READ_ONCE(css->flags) & CSS_ONLINE))
		zmc_table_offline(memcg, cgid, ktime_get_boot_fast_ns(),
				  ZMC_F_PREDATES);
}

/**
 * zmc_memcg_walk() - record the memcgs that exist at load
 * @load_ns: boot-time clock at load, the age origin of predating zombies.
 *
 * Online memcgs get a record (creator unknown) so that their offline is
 * tracked; offline ones not yet freed are zombies that predate the module.
 * The probes are armed before the walk, so a memcg created during it is
 * recorded by its online probe (the walk does not replace that record),
 * and one freed during it either was skipped (its refcount was zero) or is
 * pinned by the walk until its record is in.
 */
void zmc_memcg_walk(u64 load_ns)
{
	struct cgroup_subsys_state *root, *pos, *next, **dying = NULL, **more;
	unsigned int ndying = 0, i;
	unsigned long deadline;
	char *path;

	if (mem_cgroup_disabled())
		return;
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path) {
		zmc_table_alloc_failed();
		return;
	}

	rcu_read_lock();
	root = zmc_memcg_root_css();
	for (pos = css_next_descendant_pre(NULL, root); pos; pos = next) {
		if (pos == root || !css_tryget(pos)) {
			next = css_next_descendant_pre(pos, root);
			continue;
		}
		rcu_read_unlock();

		if (zmc_memcg_found(pos, load_ns, path)) {
			/* Keep the reference until it is settled. */
			more = krealloc(dying, (ndying + 1) * sizeof(*dying),
					GFP_KERNEL);
			if (more) {
				dying = more;
				dying[ndying++] = pos;
				css_get(pos);
			}
		}
		cond_resched();

		rcu_read_lock();
		/* Our reference keeps @pos valid to resume the walk from. */
		next = css_next_descendant_pre(pos, root);
		css_put(pos);
	}
	rcu_read_unlock();
	kfree(path);

	deadline = jiffies + ZMC_SETTLE_TIMEOUT;
	for (i = 0; i < ndying; i++) {
		zmc_memcg_settle(dying[i], deadline);
		css_put(dying[i]);
	}
	kfree(dying);
}

int zmc_memcg_init(void)
{
	zmc_footprint_bytes = zmc_footprint_estimate();
	zmc_path_buf = __alloc_percpu(PATH_MAX, SMP_CACHE_BYTES);
	return zmc_path_buf ? 0 : -ENOMEM;
}

void zmc_memcg_exit(void)
{
	free_percpu(zmc_path_buf);
}
