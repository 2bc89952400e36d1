// SPDX-License-Identifier: GPL-2.0
/*
 * The record table: what the kernel does not keep about a memory cgroup
 * (its creator, its online and offline times), keyed by cgroup id.
 *
 * Records are made at online (or at offline for a memcg whose online was
 * not seen), completed at offline and removed at free.  Only the probes
 * write, under zmc_lock, which also guards the counters: a record is
 * counted in the same critical section that publishes or removes it.
 * Readers copy a record under zmc_lock too: a hash lookup and 48 bytes, so
 * a probe waits for a reader no longer than for another probe, and a
 * removed record is freed at once, without an rcu_head in every record.
 *
 * The table never decides what is listed: a record whose memcg was freed
 * unseen (a missed free probe) is never shown, because readers only look
 * up the ids of memcgs they find on the kernel's own css tree.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rhashtable.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "compat.h"
#include "zombiememcg.h"

static const struct rhashtable_params zmc_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct zmc_record, cgid),
	.head_offset = offsetof(struct zmc_record, node),
	.automatic_shrinking = true,
};

static struct rhashtable zmc_table;
static struct kmem_cache *zmc_record_cache;

/* Serialises the probes' updates and the counters below. */
static DEFINE_SPINLOCK(zmc_lock);

static unsigned long zmc_max_records;

/* Guarded by zmc_lock (read locklessly only by zmc_table_stats()). */
static unsigned long zmc_nr_records;
static unsigned long zmc_nr_freed;
static unsigned long zmc_nr_refused;
/* Not under zmc_lock: failures happen before the lock is taken. */
static atomic_long_t zmc_nr_alloc_failures;
/* Longest wait of a probe for zmc_lock, in ns. */
static atomic64_t zmc_lock_wait_max_ns;

/*
 * Take zmc_lock, keeping the longest wait for the stats.  Uncontended (the
 * rule: a probe at a time), it costs no clock reads.
 */
static void zmc_lock_timed(void)
	__acquires(&zmc_lock)
{
	u64 start, wait, max;

	if (spin_trylock(&zmc_lock))
		return;
	start = local_clock();
	spin_lock(&zmc_lock);
	wait = local_clock() - start;
	max = atomic64_read(&zmc_lock_wait_max_ns);
	while (wait > max && !atomic64_try_cmpxchg(&zmc_lock_wait_max_ns,
						   &max, wait))
		;
}

/*
 * Hash a new record for @cgid, unless it has one already.  The probes run
 * with preemption disabled: the allocation must not sleep.
 */
static void zmc_table_insert(u64 cgid, u64 online_ns, u64 offline_ns,
			     pid_t tgid, const char *comm)
{
	struct zmc_record *rec;
	int ret;

	rec = kmem_cache_alloc(zmc_record_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!rec) {
		atomic_long_inc(&zmc_nr_alloc_failures);
		return;
	}
	rec->cgid = cgid;
	rec->offline_ns = offline_ns;
	rec->online_secs = div_u64(online_ns, NSEC_PER_SEC);
	rec->tgid = tgid;
	if (comm)
		strscpy_pad(rec->comm, comm, sizeof(rec->comm));
	else
		memset(rec->comm, 0, sizeof(rec->comm));

	zmc_lock_timed();
	if (zmc_nr_records >= zmc_max_records) {
		zmc_nr_refused++;
		ret = -ENOSPC;
	} else {
		ret = rhashtable_lookup_insert_fast(&zmc_table, &rec->node,
						    zmc_params);
		if (!ret)
			zmc_nr_records++;
	}
	spin_unlock(&zmc_lock);

	if (ret) {
		/* -EEXIST cannot happen: one online per id, seen once. */
		if (ret != -ENOSPC)
			atomic_long_inc(&zmc_nr_alloc_failures);
		kmem_cache_free(zmc_record_cache, rec);
	}
}

/**
 * zmc_table_online() - record a memcg coming online
 * @cgid: its cgroup id.
 * @now_ns: boot-time clock now.
 * @tgid: the creator's tgid.
 * @comm: the creator's command name.
 */
void zmc_table_online(u64 cgid, u64 now_ns, pid_t tgid, const char *comm)
{
	zmc_table_insert(cgid, now_ns, 0, tgid, comm);
}

/**
 * zmc_table_offline() - note that a memcg went offline
 * @cgid: its cgroup id.
 * @now_ns: boot-time clock now.
 *
 * A memcg without a record (online before the module was loaded, or its
 * record lost) gets one now, its creator unknown.
 */
void zmc_table_offline(u64 cgid, u64 now_ns)
{
	struct zmc_record *rec;

	zmc_lock_timed();
	rec = rhashtable_lookup_fast(&zmc_table, &cgid, zmc_params);
	if (rec)
		rec->offline_ns = now_ns;
	spin_unlock(&zmc_lock);
	if (!rec)
		zmc_table_insert(cgid, 0, now_ns, 0, NULL);
}

/**
 * zmc_table_free() - forget a memcg that the kernel is freeing
 * @cgid: its cgroup id.
 */
void zmc_table_free(u64 cgid)
{
	struct zmc_record *rec;

	zmc_lock_timed();
	rec = rhashtable_lookup_fast(&zmc_table, &cgid, zmc_params);
	if (rec && rhashtable_remove_fast(&zmc_table, &rec->node, zmc_params))
		rec = NULL;
	if (rec) {
		zmc_nr_records--;
		zmc_nr_freed++;
	}
	spin_unlock(&zmc_lock);
	/* No reader can hold it: they copy records under zmc_lock. */
	if (rec)
		kmem_cache_free(zmc_record_cache, rec);
}

/**
 * zmc_table_lookup() - copy the record of a memcg
 * @cgid: its cgroup id.
 * @meta: filled in if there is a record.
 *
 * The copy is taken under zmc_lock, the lock the probes update and free
 * records under: it is one consistent state of the record.
 *
 * Return: true if the memcg has a record.
 */
bool zmc_table_lookup(u64 cgid, struct zmc_meta *meta)
{
	struct zmc_record *rec;

	spin_lock(&zmc_lock);
	rec = rhashtable_lookup_fast(&zmc_table, &cgid, zmc_params);
	if (rec) {
		meta->online_ns = (u64)rec->online_secs * NSEC_PER_SEC;
		meta->offline_ns = rec->offline_ns;
		meta->tgid = rec->tgid;
		memcpy(meta->comm, rec->comm, sizeof(meta->comm));
		meta->comm[sizeof(meta->comm) - 1] = '\0';
	}
	spin_unlock(&zmc_lock);
	return rec;
}

/*
 * Bytes of the hash table's bucket array as bucket_table_alloc() got them
 * (kvmalloc()): a kmalloc bucket, whole pages of a power-of-two order past
 * the largest bucket, or vmalloc()ed pages.
 */
static unsigned long zmc_table_bucket_bytes(void)
{
	const struct bucket_table *tbl;
	unsigned long bytes;

	rcu_read_lock();
	tbl = rht_dereference_rcu(zmc_table.tbl, &zmc_table);
	bytes = struct_size(tbl, buckets, tbl->size);
	if (is_vmalloc_addr(tbl))
		bytes = PAGE_ALIGN(bytes);
	else if (bytes > KMALLOC_MAX_CACHE_SIZE)
		bytes = PAGE_SIZE << get_order(bytes);
	else
		bytes = kmalloc_size_roundup(bytes);
	rcu_read_unlock();
	return bytes;
}

/**
 * zmc_table_stats() - read the counters
 * @st: filled in, as one consistent snapshot of the table.
 */
void zmc_table_stats(struct zmc_stats *st)
{
	spin_lock(&zmc_lock);
	st->records = zmc_nr_records;
	st->freed = zmc_nr_freed;
	st->refused = zmc_nr_refused;
	spin_unlock(&zmc_lock);
	st->record_bytes = st->records * kmem_cache_size(zmc_record_cache);
	st->table_bytes = zmc_table_bucket_bytes();
	st->alloc_failures = atomic_long_read(&zmc_nr_alloc_failures);
	st->lock_wait_max_ns = atomic64_read(&zmc_lock_wait_max_ns);
}

/**
 * zmc_table_init() - set up an empty table
 * @max_records: how many records it may hold.
 *
 * Return: 0 or -errno.
 */
int zmc_table_init(unsigned long max_records)
{
	int ret;

	zmc_max_records = max_records;
	/* A cache of its own, in /proc/slabinfo, where the kernel allows it. */
	zmc_record_cache = kmem_cache_create("zombiememcg_record",
					     sizeof(struct zmc_record),
					     __alignof__(struct zmc_record),
					     ZMC_SLAB_NO_MERGE, NULL);
	if (!zmc_record_cache)
		return -ENOMEM;
	ret = rhashtable_init(&zmc_table, &zmc_params);
	if (ret)
		goto destroy_cache;
	return 0;

destroy_cache:
	kmem_cache_destroy(zmc_record_cache);
	return ret;
}

static void zmc_record_destroy(void *ptr, void *arg)
{
	kmem_cache_free(zmc_record_cache, ptr);
}

/**
 * zmc_table_destroy() - free every record
 *
 * The probes must be unregistered and the readers gone.
 */
void zmc_table_destroy(void)
{
	rhashtable_free_and_destroy(&zmc_table, zmc_record_destroy, NULL);
	kmem_cache_destroy(zmc_record_cache);
}
