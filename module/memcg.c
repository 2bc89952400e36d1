// SPDX-License-Identifier: GPL-2.0
/*
 * What zombiememcg reads from a memory cgroup, at its lifecycle events and
 * when a reader lists it.  This is the only file that knows the layout of
 * struct mem_cgroup and struct cgroup.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/limits.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "zombiememcg.h"

/*
 * Scratch space for a cgroup path.  The probes run with preemption
 * disabled, where PATH_MAX bytes of stack are too much and an allocation per
 * event is wasteful; the record then gets exactly what the path needs.
 */
static char __percpu *zmc_path_buf;

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
			       ktime_get_boot_fast_ns()))
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
 * zmc_memcg_charged_bytes() - bytes charged to a memcg's memory counter
 * @key: the memcg, which must be alive (see zmc_record_sample()).
 *
 * Return: the usage of the memory counter, in bytes.
 */
u64 zmc_memcg_charged_bytes(const void *key)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)key;

	return (u64)page_counter_read(&memcg->memory) << PAGE_SHIFT;
}

int zmc_memcg_init(void)
{
	zmc_path_buf = __alloc_percpu(PATH_MAX, SMP_CACHE_BYTES);
	return zmc_path_buf ? 0 : -ENOMEM;
}

void zmc_memcg_exit(void)
{
	free_percpu(zmc_path_buf);
}
