// SPDX-License-Identifier: GPL-2.0
/*
 * What zombiememcg reads from a memory cgroup: at its lifecycle events, what
 * the record table keeps; when a reader lists it, whether it is a zombie,
 * what is still charged to it and its path.  With footprint.c, which
 * sizes what it holds, the only file that knows the layout of struct
 * mem_cgroup and struct cgroup.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/math64.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/sched.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "zombiememcg.h"

/* Boot-time clock at load: the age origin of zombies whose offline we missed. */
static u64 zmc_load_ns;

/**
 * zmc_memcg_online() - a memcg came online
 * @css: its css.  The caller is the task that created the cgroup, with
 *	cgroup_mutex held: nothing here may take it.
 */
void zmc_memcg_online(struct cgroup_subsys_state *css)
{
	/*
	 * current->comm is copied once, into the record, without task_lock():
	 * a rename racing with it can tear the name, never its terminating
	 * NUL (strscpy_pad()), as bpf_get_current_comm() reads it.
	 */
	zmc_table_online(cgroup_id(css->cgroup), ktime_get_boot_fast_ns(),
			 task_tgid_nr(current), current->comm);
}

/**
 * zmc_memcg_offline() - a memcg went offline (its cgroup was removed)
 * @css: its css.  This runs in a kworker: the creator is not current.
 */
void zmc_memcg_offline(struct cgroup_subsys_state *css)
{
	zmc_table_offline(cgroup_id(css->cgroup), ktime_get_boot_fast_ns());
}

/**
 * zmc_memcg_free() - a memcg is about to be freed
 * @css: its css.
 */
void zmc_memcg_free(struct cgroup_subsys_state *css)
{
	zmc_table_free(cgroup_id(css->cgroup));
}

/**
 * zmc_age_secs() - whole seconds from @since_ns to @now_ns
 * @since_ns: the origin.
 * @now_ns: now, on the same clock.
 *
 * Return: the age, 0 if the clock reads earlier than the origin.
 */
u64 zmc_age_secs(u64 since_ns, u64 now_ns)
{
	if (now_ns <= since_ns)
		return 0;
	return div_u64(now_ns - since_ns, NSEC_PER_SEC);
}

/* Bytes of swap charged to @memcg. */
static u64 zmc_memcg_swap(struct mem_cgroup *memcg)
{
	unsigned long mem, memsw;

	if (cgroup_subsys_on_dfl(memory_cgrp_subsys))
		return (u64)page_counter_read(&memcg->swap) << PAGE_SHIFT;
	/* cgroup v1 counts memory+swap in memsw, which shares swap's place. */
	mem = page_counter_read(&memcg->memory);
	memsw = page_counter_read(&memcg->memsw);
	return memsw > mem ? (u64)(memsw - mem) << PAGE_SHIFT : 0;
}

/**
 * zmc_memcg_zombie() - read a memcg, if it is a zombie
 * @css: a css found on the memory controller's tree, under RCU.
 * @now_ns: boot-time clock now.
 * @z: filled in if @css is a zombie.
 *
 * A zombie is a memcg that user space removed (CSS_DYING) and that the
 * kernel has not released yet: it is still on the tree.  That is what the
 * kernel itself counts (nr_dying_subsys_memory in cgroup.stat).  Its age
 * counts from the offline the table saw; until the offline callback runs
 * it is 0; if the table missed the offline (before the module was loaded,
 * or a lost event), from the load or the creation, whichever is later,
 * and the row is flagged %ZMC_F_UNSEEN.
 *
 * Caller holds rcu_read_lock(), which keeps @css from being freed.
 *
 * Return: true if @css is a zombie.
 */
bool zmc_memcg_zombie(struct cgroup_subsys_state *css, u64 now_ns,
		      struct zmc_zombie *z)
{
	unsigned int flags = READ_ONCE(css->flags);
	struct mem_cgroup *memcg;
	struct zmc_meta meta;
	u64 since;

	if (!(flags & CSS_DYING) || (flags & CSS_RELEASED))
		return false;

	memcg = mem_cgroup_from_css(css);
	z->memcg = memcg;
	z->cgid = cgroup_id(css->cgroup);
	z->flags = 0;
	if (zmc_table_lookup(z->cgid, &meta)) {
		z->tgid = meta.tgid;
		memcpy(z->comm, meta.comm, sizeof(z->comm));
	} else {
		meta.online_ns = 0;
		meta.offline_ns = 0;
		z->tgid = 0;
		z->comm[0] = '\0';
	}

	if (meta.offline_ns) {
		since = meta.offline_ns;
	} else if (flags & CSS_ONLINE) {
		since = now_ns;		/* removed, its offline still to come */
	} else {
		since = max(zmc_load_ns, meta.online_ns);
		z->flags |= ZMC_F_UNSEEN;
	}
	z->age_secs = zmc_age_secs(since, now_ns);
	z->charged = (u64)page_counter_read(&memcg->memory) << PAGE_SHIFT;
	z->swap = zmc_memcg_swap(memcg);
	z->footprint = zmc_footprint(css);
	return true;
}

/*
 * "/name" of @cgrp, a child of @parent, into @buf: its length, or one that
 * does not fit.  Names can change only by a rename, which cgroup v2
 * refuses; where kernfs publishes names under RCU (7.x) a rename is safe
 * to race with too.  Otherwise ask kernfs, under its rename lock.
 */
static int zmc_child_name(struct cgroup *cgrp, struct cgroup *parent,
			  char *buf, size_t len)
{
	const char *name;
	size_t n;

	if (!ZMC_KERNFS_NAME_RCU && !cgroup_subsys_on_dfl(memory_cgrp_subsys))
		return kernfs_path_from_node(cgrp->kn, parent->kn, buf, len);
	name = zmc_kernfs_name(cgrp->kn);
	n = strlen(name);
	if (n + 2 > len)
		return n + 1;
	buf[0] = '/';
	memcpy(buf + 1, name, n + 1);
	return n + 1;
}

/**
 * zmc_memcg_path() - the path of a memcg's cgroup, from its hierarchy's root
 * @css: the memcg's css, under RCU.
 * @buf: where to write it.
 * @len: size of @buf.
 * @pc: what an earlier call left in @buf, or NULL: a walk lists siblings
 *	one after the other, so the parent's path is kept and reused.
 *
 * A removed cgroup keeps its kernfs node, and so its last path, until it
 * is freed; on a v1 hierarchy a renamed cgroup shows its new name.  The
 * caller must reset @pc (zmc_path_cache_reset()) whenever RCU was dropped
 * or @buf was written by someone else since the last call.
 *
 * Return: 0, or -ENAMETOOLONG (@buf then holds "?").
 */
int zmc_memcg_path(struct cgroup_subsys_state *css, char *buf, size_t len,
		   struct zmc_path_cache *pc)
{
	struct cgroup_subsys_state *parent = css->parent;
	size_t room;
	int ret;

	if (!pc || !parent) {
		ret = cgroup_path(css->cgroup, buf, len);
		if (ret < 0 || ret >= len)
			goto too_long;
		return 0;
	}
	if (pc->parent != parent) {
		pc->parent = NULL;
		ret = cgroup_path(parent->cgroup, buf, len);
		if (ret < 0 || ret >= len)
			goto too_long;
		/* The root's path is "/": its children's is "/name". */
		pc->len = buf[1] ? strlen(buf) : 0;
		pc->parent = parent;
	}
	room = len - pc->len;
	ret = zmc_child_name(css->cgroup, parent->cgroup, buf + pc->len, room);
	if (ret < 0 || ret >= room)
		goto too_long;
	return 0;

too_long:
	if (pc)
		pc->parent = NULL;
	strscpy(buf, "?", len);
	return -ENAMETOOLONG;
}

/**
 * zmc_memcg_init() - set the age origin of zombies that predate the load
 * @load_ns: boot-time clock at load.
 */
void zmc_memcg_init(u64 load_ns)
{
	zmc_load_ns = load_ns;
}
