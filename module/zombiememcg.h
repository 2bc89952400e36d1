/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zombiememcg - track memory cgroups that were removed but not yet freed
 *
 * What exists, and whether it is alive, is always read from the kernel: the
 * readers (procfs.c, debugfs.c) walk the memory controller's css tree under
 * RCU (walk.c) and read each memcg there (memcg.c).  The record table
 * (table.c), fed by the probes (probes.c), only adds what the kernel does
 * not keep: who created a memcg, and when it came online and went offline.
 * A missed probe therefore costs metadata, never a row or memory safety.
 * Data flows one way: probes -> table -> readers.
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
 * struct zmc_record - what the kernel does not keep about a memory cgroup
 * @node: rhashtable linkage.
 * @cgid: cgroup id (the inode number of the cgroup directory), the key.
 *	Cgroup ids grow monotonically and are never reused.
 * @offline_ns: boot-time clock at offline, 0 if not seen (yet).
 * @online_secs: boot-time clock at online, in whole seconds, 0 if not
 *	seen.  It only dates a zombie whose offline was not seen.
 * @tgid: creator's thread group id, 0 if unknown.
 * @comm: creator's command name, empty if unknown.
 *
 * Fixed size (48 bytes on 64-bit), from a kmem_cache of its own
 * ("zombiememcg_record").  Readers copy a record under the table's lock,
 * so a removed record is freed at once: no rcu_head.
 */
struct zmc_record {
	struct rhash_head node;
	u64 cgid;
	u64 offline_ns;
	u32 online_secs;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
};

/**
 * struct zmc_meta - a copy of a record, as a reader gets it
 * @online_ns: boot-time clock at online, to the second; 0 if not seen.
 * @offline_ns: see &struct zmc_record.
 * @tgid: see &struct zmc_record.
 * @comm: see &struct zmc_record; NUL-terminated.
 */
struct zmc_meta {
	u64 online_ns;
	u64 offline_ns;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
};

/* Characters escaped in COMM and PATH, as octal, as /proc/mounts does. */
#define ZMC_ESCAPE	" \t\n\\"

/* Row flags, shown in the FLAGS column. */
#define ZMC_F_UNSEEN	BIT(0)	/* offline not seen: AGE counts from load */

/**
 * struct zmc_zombie - what a reader learns about one zombie
 * @memcg: the struct mem_cgroup, for the MEMCG column only.
 * @cgid: cgroup id.
 * @age_secs: whole seconds since it went offline (see @flags).
 * @charged: bytes charged to its memory counter.
 * @swap: bytes of swap charged to it.
 * @tgid: creator's tgid, 0 if unknown.
 * @flags: ZMC_F_* flags.
 * @comm: creator's command name, empty if unknown.
 */
struct zmc_zombie {
	const void *memcg;
	u64 cgid;
	u64 age_secs;
	u64 charged;
	u64 swap;
	u64 footprint;
	pid_t tgid;
	unsigned int flags;
	char comm[TASK_COMM_LEN];
};

/**
 * struct zmc_stats - the table's counters, as read by zmc_table_stats()
 * @records: records in the table.
 * @freed: tracked memcgs freed since load.
 * @alloc_failures: events whose record could not be allocated.
 * @refused: records refused because max_records was reached.
 * @record_bytes: slab bytes of the records in the table.
 * @table_bytes: bytes of the hash table's bucket array.
 * @lock_wait_max_ns: longest wait of a probe for the table's lock.
 */
struct zmc_stats {
	unsigned long records;
	unsigned long freed;
	unsigned long alloc_failures;
	unsigned long refused;
	unsigned long record_bytes;
	unsigned long table_bytes;
	u64 lock_wait_max_ns;
};

/**
 * struct zmc_cursor - a position in the memory controller's css tree
 * @root: the tree's root css, taken when the walk started.
 * @pos: the css the cursor stands on, valid under RCU; pinned by a
 *	reference while the walk is parked.
 * @state: ZMC_CURSOR_* below.
 * @pinned: @pos holds a reference taken by zmc_cursor_park().
 *
 * The walk is css_next_descendant_pre()'s pre-order: parents before
 * children, children in creation order.  A walk that resumes from a
 * parked (pinned) position visits each css that stays on the tree
 * throughout the walk exactly once, whatever is added or removed
 * meanwhile; see walk.c.
 */
struct zmc_cursor {
	struct cgroup_subsys_state *root;
	struct cgroup_subsys_state *pos;
	u8 state;
	bool pinned;
};

enum {
	ZMC_CURSOR_BEFORE,	/* before the first css */
	ZMC_CURSOR_AT,		/* at @pos */
	ZMC_CURSOR_END,		/* past the last css */
};

/**
 * struct zmc_path_cache - the parent path left in a path buffer
 * @parent: the css whose path the buffer starts with, NULL if none.
 * @len: length of that path ("/" counts as 0).
 */
struct zmc_path_cache {
	const struct cgroup_subsys_state *parent;
	size_t len;
};

static inline void zmc_path_cache_reset(struct zmc_path_cache *pc)
{
	pc->parent = NULL;
}

/* table.c */
int zmc_table_init(unsigned long max_records);
void zmc_table_destroy(void);
void zmc_table_online(u64 cgid, u64 now_ns, pid_t tgid, const char *comm);
void zmc_table_offline(u64 cgid, u64 now_ns);
void zmc_table_free(u64 cgid);
bool zmc_table_lookup(u64 cgid, struct zmc_meta *meta);
void zmc_table_stats(struct zmc_stats *st);

/* walk.c */
struct cgroup_subsys_state *zmc_root_css(void);
void zmc_cursor_init(struct zmc_cursor *c);
struct cgroup_subsys_state *zmc_cursor_first(struct zmc_cursor *c);
struct cgroup_subsys_state *zmc_cursor_next(struct zmc_cursor *c);
struct cgroup_subsys_state *zmc_cursor_pos(const struct zmc_cursor *c);
void zmc_cursor_park(struct zmc_cursor *c);
void zmc_cursor_exit(struct zmc_cursor *c);

/* memcg.c: the only place that knows struct mem_cgroup and struct cgroup */
void zmc_memcg_init(u64 load_ns);
void zmc_memcg_online(struct cgroup_subsys_state *css);
void zmc_memcg_offline(struct cgroup_subsys_state *css);
void zmc_memcg_free(struct cgroup_subsys_state *css);
bool zmc_memcg_zombie(struct cgroup_subsys_state *css, u64 now_ns,
		      struct zmc_zombie *z);
int zmc_memcg_path(struct cgroup_subsys_state *css, char *buf, size_t len,
		   struct zmc_path_cache *pc);
u64 zmc_age_secs(u64 since_ns, u64 now_ns);

/* footprint.c, btf.c: what a zombie holds, from the kernel's sizes */
void zmc_footprint_init(void);
bool zmc_footprint_from_btf(void);
u64 zmc_footprint(struct cgroup_subsys_state *css);
int zmc_btf_struct_sizes(const void *data, size_t len,
			 const char *const *names, u32 *sizes, unsigned int n);
int zmc_btf_read_sizes(const char *const *names, u32 *sizes, unsigned int n);

/* probes.c */
int zmc_probes_register(void);
void zmc_probes_unregister(void);
unsigned long zmc_probes_missed(void);

/* procfs.c */
int zmc_procfs_init(void);
void zmc_procfs_exit(void);
/* The listing's threshold until the older_than_secs parameter says otherwise. */
#define ZMC_OLDER_THAN_DEFAULT	30

u64 zmc_older_than_secs(void);
void zmc_set_older_than_secs(u64 secs);
int zmc_parse_secs(const char *buf, size_t len, u64 *secs);

/* holders.c */
int zmc_holders_init(unsigned int scan_ms);
void zmc_holders_exit(void);

/* reclaim.c */
int zmc_reclaim_init(unsigned int ms);
void zmc_reclaim_exit(void);

/* debugfs.c */
void zmc_debugfs_init(void);
void zmc_debugfs_exit(void);

#endif /* _ZOMBIEMEMCG_H */
