/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zombiememcg - track memory cgroups that were removed but not yet freed
 *
 * Data flows one way: the probes (probes.c, memcg.c) feed the record table
 * (table.c), which the readers (procfs.c, debugfs.c) walk.
 */
#ifndef _ZOMBIEMEMCG_H
#define _ZOMBIEMEMCG_H

#include <linux/bits.h>
#include <linux/rhashtable-types.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>

struct cgroup_subsys_state;

/**
 * enum zmc_state - lifecycle of a tracked memory cgroup
 * @ZMC_ONLINE: the cgroup exists in the hierarchy.
 * @ZMC_OFFLINE: removed by user space, not yet freed by the kernel: a zombie.
 * @ZMC_DEAD: the memcg was freed (or its record replaced); the record is
 *	unhashed and waits for an RCU grace period before it is freed itself.
 */
enum zmc_state {
	ZMC_ONLINE,
	ZMC_OFFLINE,
	ZMC_DEAD,
};

/* Record flags, shown in the FLAGS column. */
#define ZMC_F_PREDATES	BIT(0)	/* offline before load: AGE counts from load */

/**
 * struct zmc_record - what is known about one memory cgroup
 * @node: rhashtable linkage.
 * @key: the struct mem_cgroup pointer.  The table never dereferences it;
 *	readers may, through zmc_record_sample(), while the memcg is alive.
 * @cgid: cgroup id (the inode number of the cgroup directory).  Unlike
 *	@key it is never reused, so it tells a new memcg from a stale record.
 * @online_ns: boot-time clock at online, 0 if not seen.
 * @offline_ns: boot-time clock at offline, 0 while online.
 * @tgid: creator's thread group id, 0 if unknown.
 * @state: an &enum zmc_state; read locklessly with smp_load_acquire().
 * @flags: ZMC_F_* flags.
 * @comm: creator's command name, empty if unknown.
 * @rcu: deferred freeing.
 * @path: path from the cgroup root, NUL-terminated.
 */
struct zmc_record {
	struct rhash_head node;
	const void *key;
	u64 cgid;
	u64 online_ns;
	u64 offline_ns;
	pid_t tgid;
	u8 state;
	u8 flags;
	char comm[TASK_COMM_LEN];
	struct rcu_head rcu;
	char path[];
};

/**
 * struct zmc_event - what a probe saw, handed to the table
 * @key: the struct mem_cgroup pointer.
 * @cgid: cgroup id.
 * @now_ns: boot-time clock at the event.
 * @tgid: creator's tgid, 0 if unknown.
 * @comm: creator's command name, NULL if unknown.
 * @path: path from the cgroup root.
 * @flags: ZMC_F_* flags for the record.
 */
struct zmc_event {
	const void *key;
	u64 cgid;
	u64 now_ns;
	pid_t tgid;
	const char *comm;
	const char *path;
	unsigned int flags;
};

/**
 * struct zmc_sample - what a reader reads from a live memcg
 * @charged: bytes charged to its memory counter.
 * @swap: bytes charged to its swap counter.
 */
struct zmc_sample {
	u64 charged;
	u64 swap;
};

/**
 * struct zmc_stats - counters, as read by zmc_table_stats()
 * @records: records in the table.
 * @online: records of online memcgs.
 * @zombies: records of offline, not yet freed memcgs.
 * @freed: tracked memcgs freed since load.
 * @alloc_failures: events lost because a record could not be allocated.
 * @stale: records replaced because their memcg pointer was reused.
 * @predating: zombies that were offline before the module was loaded.
 * @untracked: memcgs not recorded because max_records was reached.
 * @record_bytes: slab bytes of the records in the table.
 * @lock_wait_max_ns: longest wait of the free probe for the table's lock.
 */
struct zmc_stats {
	unsigned long records;
	unsigned long online;
	unsigned long zombies;
	unsigned long freed;
	unsigned long alloc_failures;
	unsigned long stale;
	unsigned long predating;
	unsigned long untracked;
	unsigned long record_bytes;
	u64 lock_wait_max_ns;
};

/* table.c */
int zmc_table_init(unsigned long max_records);
void zmc_table_destroy(void);
void zmc_table_online(const struct zmc_event *ev);
int zmc_table_offline(const void *key, u64 cgid, u64 now_ns,
		      unsigned int flags);
void zmc_table_insert_offline(const struct zmc_event *ev);
int zmc_table_insert_found(const struct zmc_event *ev, bool offline);
void zmc_table_free(const void *key);
void zmc_table_alloc_failed(void);
void zmc_table_stats(struct zmc_stats *st);
bool zmc_record_sample(struct zmc_record *rec,
		       void (*fn)(const void *key, void *arg), void *arg);
bool zmc_record_is_zombie(const struct zmc_record *rec, u64 now_ns,
			  u64 min_age_secs);
u64 zmc_record_age_secs(const struct zmc_record *rec, u64 now_ns);
void zmc_table_walk_enter(struct rhashtable_iter *iter);

/* memcg.c: the only place that knows struct mem_cgroup */
int zmc_memcg_init(void);
void zmc_memcg_exit(void);
void zmc_memcg_online(struct cgroup_subsys_state *css);
void zmc_memcg_offline(struct cgroup_subsys_state *css);
void zmc_memcg_free(struct cgroup_subsys_state *css);
void zmc_memcg_walk(u64 load_ns);
void zmc_memcg_sample(const void *key, void *arg);
u64 zmc_memcg_footprint(void);

/* probes.c */
int zmc_probes_register(void);
void zmc_probes_unregister(void);
unsigned long zmc_probes_missed(void);

/* procfs.c */
int zmc_procfs_init(u64 older_than_secs);
void zmc_procfs_exit(void);
u64 zmc_older_than_secs(void);
void zmc_set_older_than_secs(u64 secs);
int zmc_parse_secs(const char *buf, size_t len, u64 *secs);

/* debugfs.c */
void zmc_debugfs_init(void);
void zmc_debugfs_exit(void);

#endif /* _ZOMBIEMEMCG_H */
