// SPDX-License-Identifier: GPL-2.0
/*
 * The record table: one record per memory cgroup, keyed by its
 * struct mem_cgroup pointer.
 *
 * Records are created at online (or at offline for memcgs created before
 * the module was loaded), marked at offline and removed at free.  The probes
 * write, the readers walk under RCU.  Lookups and inserts are lock free; the
 * one spinlock makes "is this memcg still alive?" and "read its counters"
 * atomic against the free probe, and a replacement atomic against readers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/overflow.h>
#include <linux/sched/clock.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "zombiememcg.h"

static const struct rhashtable_params zmc_params = {
	.key_len = sizeof(void *),
	.key_offset = offsetof(struct zmc_record, key),
	.head_offset = offsetof(struct zmc_record, node),
	.automatic_shrinking = true,
};

static struct rhashtable zmc_table;

/* Serialises a record's death against readers sampling its memcg. */
static DEFINE_SPINLOCK(zmc_lock);

static unsigned long zmc_max_records;

static atomic_long_t zmc_nr_online;
static atomic_long_t zmc_nr_zombies;
static atomic_long_t zmc_nr_predating;
static atomic_long_t zmc_nr_freed;
static atomic_long_t zmc_nr_alloc_failures;
static atomic_long_t zmc_nr_stale;
static atomic_long_t zmc_nr_untracked;
/* Slab bytes of the records hashed now (kmalloc's rounded-up sizes). */
static atomic_long_t zmc_record_bytes;
/* Longest wait of the free probe for zmc_lock, in ns (readers hold it). */
static atomic64_t zmc_lock_wait_max_ns;

/*
 * A soft bound: concurrent inserts may overshoot max_records by a few.
 * @count: whether a refusal counts as an untracked memcg.  It does where a
 * memcg is first seen (online, or the load-time walk), not at offline, so
 * that each memcg is counted once.
 */
static bool zmc_table_has_room(bool count)
{
	if (atomic_read(&zmc_table.nelems) < zmc_max_records)
		return true;
	if (count)
		atomic_long_inc(&zmc_nr_untracked);
	return false;
}

/* Take zmc_lock in a probe, keeping the longest wait for the stats. */
static void zmc_lock_timed(void)
	__acquires(&zmc_lock)
{
	u64 start = local_clock(), wait, max;

	spin_lock(&zmc_lock);
	wait = local_clock() - start;
	max = atomic64_read(&zmc_lock_wait_max_ns);
	while (wait > max && !atomic64_try_cmpxchg(&zmc_lock_wait_max_ns,
						   &max, wait))
		;
}

static size_t zmc_record_size(const struct zmc_record *rec)
{
	return kmalloc_size_roundup(struct_size(rec, path,
						strlen(rec->path) + 1));
}

/* Probes allocate with @gfp = GFP_NOWAIT: they run with preemption off. */
static struct zmc_record *zmc_record_alloc(const struct zmc_event *ev,
					   gfp_t gfp)
{
	size_t len = strlen(ev->path);
	struct zmc_record *rec;

	rec = kmalloc(struct_size(rec, path, len + 1), gfp | __GFP_NOWARN);
	if (!rec) {
		zmc_table_alloc_failed();
		return NULL;
	}

	rec->key = ev->key;
	rec->cgid = ev->cgid;
	rec->online_ns = 0;
	rec->offline_ns = 0;
	rec->tgid = ev->tgid;
	rec->state = ZMC_ONLINE;
	rec->flags = ev->flags;
	if (ev->comm)
		strscpy_pad(rec->comm, ev->comm, sizeof(rec->comm));
	else
		memset(rec->comm, 0, sizeof(rec->comm));
	memcpy(rec->path, ev->path, len + 1);
	return rec;
}

/* Take @rec's contribution out of the counters; caller holds zmc_lock. */
static void zmc_record_retire(struct zmc_record *rec)
{
	lockdep_assert_held(&zmc_lock);

	atomic_long_sub(zmc_record_size(rec), &zmc_record_bytes);
	switch (rec->state) {
	case ZMC_ONLINE:
		atomic_long_dec(&zmc_nr_online);
		break;
	case ZMC_OFFLINE:
		atomic_long_dec(&zmc_nr_zombies);
		if (rec->flags & ZMC_F_PREDATES)
			atomic_long_dec(&zmc_nr_predating);
		break;
	}
	/* Ordered by zmc_lock against zmc_record_sample(). */
	WRITE_ONCE(rec->state, ZMC_DEAD);
}

static void zmc_record_account(const struct zmc_record *rec)
{
	atomic_long_add(zmc_record_size(rec), &zmc_record_bytes);
	if (rec->state == ZMC_ONLINE) {
		atomic_long_inc(&zmc_nr_online);
		return;
	}
	atomic_long_inc(&zmc_nr_zombies);
	if (rec->flags & ZMC_F_PREDATES)
		atomic_long_inc(&zmc_nr_predating);
}

/*
 * Hash @rec.  A record already hashed under the same key is replaced: either
 * the load-time walk recorded this memcg just before its online callback
 * (same cgroup id: the new record knows the creator), or the old one is
 * stale, its memcg freed without us seeing it (a missed probe) and the
 * pointer reused, so the new memcg must not inherit its data.
 */
static void zmc_table_insert(struct zmc_record *rec)
{
	struct zmc_record *old;
	bool stale;

	rcu_read_lock();
	old = rhashtable_lookup_get_insert_fast(&zmc_table, &rec->node,
						zmc_params);
	if (!old) {
		zmc_record_account(rec);
		goto unlock;
	}
	if (IS_ERR(old)) {
		zmc_table_alloc_failed();
		kfree(rec);
		goto unlock;
	}

	zmc_lock_timed();
	if (rhashtable_replace_fast(&zmc_table, &old->node, &rec->node,
				    zmc_params)) {
		spin_unlock(&zmc_lock);
		zmc_table_alloc_failed();
		kfree(rec);
		goto unlock;
	}
	stale = old->cgid != rec->cgid;
	zmc_record_retire(old);
	zmc_record_account(rec);
	spin_unlock(&zmc_lock);
	if (stale)
		atomic_long_inc(&zmc_nr_stale);
	kfree_rcu(old, rcu);
unlock:
	rcu_read_unlock();
}

/**
 * zmc_table_online() - record a memcg coming online
 * @ev: what the online probe saw, with the creator.
 */
void zmc_table_online(const struct zmc_event *ev)
{
	struct zmc_record *rec;

	if (!zmc_table_has_room(true))
		return;
	rec = zmc_record_alloc(ev, GFP_NOWAIT);
	if (!rec)
		return;
	rec->online_ns = ev->now_ns;
	zmc_table_insert(rec);
}

/**
 * zmc_table_offline() - mark a tracked memcg offline
 * @key: the memcg pointer.
 * @cgid: its cgroup id, to tell it from a stale record at the same pointer.
 * @now_ns: boot-time clock now.
 * @flags: ZMC_F_* flags to add to the record.
 *
 * Return: 0, or -ENOENT when the memcg has no (valid) online record, in
 * which case the offline probe gathers what it can and calls
 * zmc_table_insert_offline().
 */
int zmc_table_offline(const void *key, u64 cgid, u64 now_ns,
		      unsigned int flags)
{
	struct zmc_record *rec;
	int ret = -ENOENT;

	rcu_read_lock();
	rec = rhashtable_lookup(&zmc_table, &key, zmc_params);
	if (rec && rec->cgid == cgid && rec->state == ZMC_ONLINE) {
		WRITE_ONCE(rec->offline_ns, now_ns);
		WRITE_ONCE(rec->flags, rec->flags | flags);
		/* Pairs with zmc_record_is_zombie(): it sees the above. */
		smp_store_release(&rec->state, ZMC_OFFLINE);
		atomic_long_dec(&zmc_nr_online);
		atomic_long_inc(&zmc_nr_zombies);
		if (flags & ZMC_F_PREDATES)
			atomic_long_inc(&zmc_nr_predating);
		ret = 0;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * zmc_table_insert_offline() - record a memcg first seen at offline
 * @ev: what the offline probe saw; the creator is unknown.
 */
void zmc_table_insert_offline(const struct zmc_event *ev)
{
	struct zmc_record *rec;

	if (!zmc_table_has_room(false))
		return;
	rec = zmc_record_alloc(ev, GFP_NOWAIT);
	if (!rec)
		return;
	rec->offline_ns = ev->now_ns;
	rec->state = ZMC_OFFLINE;
	zmc_table_insert(rec);
}

/**
 * zmc_table_insert_found() - record a memcg found by the load-time walk
 * @ev: what the walk saw; the creator is unknown.
 * @offline: the memcg was already offline: a zombie that predates the load,
 *	whose age is counted from @ev->now_ns.
 *
 * Never replaces a record: one already there comes from a probe that saw
 * more than the walk did.  The caller holds a reference on the memcg, so it
 * cannot be freed (and its record removed) before this returns.
 *
 * Return: 0, -EEXIST if the memcg already has a record, -ENOSPC or -ENOMEM.
 */
int zmc_table_insert_found(const struct zmc_event *ev, bool offline)
{
	struct zmc_record *rec, *old;
	int ret = 0;

	if (!zmc_table_has_room(true))
		return -ENOSPC;
	rec = zmc_record_alloc(ev, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	if (offline) {
		rec->offline_ns = ev->now_ns;
		rec->state = ZMC_OFFLINE;
	} else {
		rec->online_ns = ev->now_ns;
	}

	rcu_read_lock();
	old = rhashtable_lookup_get_insert_fast(&zmc_table, &rec->node,
						zmc_params);
	if (!old) {
		zmc_record_account(rec);
	} else {
		if (IS_ERR(old)) {
			zmc_table_alloc_failed();
			ret = PTR_ERR(old);
		} else {
			ret = -EEXIST;
		}
		kfree(rec);
	}
	rcu_read_unlock();
	return ret;
}

/**
 * zmc_table_free() - forget a memcg that the kernel is freeing
 * @key: the memcg pointer.
 *
 * Called before the memcg's memory is released, so once this returns no
 * reader can be sampling it.
 */
void zmc_table_free(const void *key)
{
	struct zmc_record *rec;

	rcu_read_lock();
	rec = rhashtable_lookup(&zmc_table, &key, zmc_params);
	if (!rec)
		goto unlock;

	zmc_lock_timed();
	if (rhashtable_remove_fast(&zmc_table, &rec->node, zmc_params)) {
		/* Replaced under us: the new record is not ours to drop. */
		spin_unlock(&zmc_lock);
		goto unlock;
	}
	zmc_record_retire(rec);
	spin_unlock(&zmc_lock);
	atomic_long_inc(&zmc_nr_freed);
	kfree_rcu(rec, rcu);
unlock:
	rcu_read_unlock();
}

/**
 * zmc_table_alloc_failed() - count an event lost to an allocation failure
 */
void zmc_table_alloc_failed(void)
{
	atomic_long_inc(&zmc_nr_alloc_failures);
}

/**
 * zmc_record_sample() - call @fn on a record's memcg if it is still alive
 * @rec: a record obtained under RCU (from a table walk).
 * @fn: called with the memcg pointer; must not sleep and must be quick.
 * @arg: passed to @fn.
 *
 * Return: true if @fn was called, false if the memcg is gone.
 */
bool zmc_record_sample(struct zmc_record *rec,
		       void (*fn)(const void *key, void *arg), void *arg)
{
	bool alive;

	spin_lock(&zmc_lock);
	alive = READ_ONCE(rec->state) != ZMC_DEAD;
	if (alive)
		fn(rec->key, arg);
	spin_unlock(&zmc_lock);
	return alive;
}

/**
 * zmc_record_age_secs() - whole seconds since a record's memcg went offline
 * @rec: the record; must be in state %ZMC_OFFLINE.
 * @now_ns: boot-time clock now.
 *
 * Return: the age, 0 if the clock reads earlier than the offline time.
 */
u64 zmc_record_age_secs(const struct zmc_record *rec, u64 now_ns)
{
	u64 offline_ns = READ_ONCE(rec->offline_ns);

	if (now_ns <= offline_ns)
		return 0;
	return div_u64(now_ns - offline_ns, NSEC_PER_SEC);
}

/**
 * zmc_record_is_zombie() - should a record be listed?
 * @rec: the record.
 * @now_ns: boot-time clock now.
 * @min_age_secs: the listing threshold.
 *
 * Return: true if the memcg is offline, not freed, and has been offline for
 * at least @min_age_secs whole seconds.
 */
bool zmc_record_is_zombie(const struct zmc_record *rec, u64 now_ns,
			  u64 min_age_secs)
{
	/* Pairs with the release in zmc_table_offline(): see offline_ns. */
	if (smp_load_acquire(&rec->state) != ZMC_OFFLINE)
		return false;
	return zmc_record_age_secs(rec, now_ns) >= min_age_secs;
}

/**
 * zmc_table_walk_enter() - start a table walk (see rhashtable_walk_enter())
 * @iter: the walker.
 */
void zmc_table_walk_enter(struct rhashtable_iter *iter)
{
	rhashtable_walk_enter(&zmc_table, iter);
}

/**
 * zmc_table_stats() - read the counters
 * @st: filled in.
 */
void zmc_table_stats(struct zmc_stats *st)
{
	st->records = atomic_read(&zmc_table.nelems);
	st->online = atomic_long_read(&zmc_nr_online);
	st->zombies = atomic_long_read(&zmc_nr_zombies);
	st->freed = atomic_long_read(&zmc_nr_freed);
	st->alloc_failures = atomic_long_read(&zmc_nr_alloc_failures);
	st->stale = atomic_long_read(&zmc_nr_stale);
	st->predating = atomic_long_read(&zmc_nr_predating);
	st->untracked = atomic_long_read(&zmc_nr_untracked);
	st->record_bytes = atomic_long_read(&zmc_record_bytes);
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
	zmc_max_records = max_records;
	return rhashtable_init(&zmc_table, &zmc_params);
}

static void zmc_record_destroy(void *ptr, void *arg)
{
	atomic_long_sub(zmc_record_size(ptr), &zmc_record_bytes);
	kfree(ptr);
}

/**
 * zmc_table_destroy() - free every record
 *
 * The probes must be unregistered and the readers gone.
 */
void zmc_table_destroy(void)
{
	rhashtable_free_and_destroy(&zmc_table, zmc_record_destroy, NULL);
	/* Wait for the records still queued by kfree_rcu(). */
	rcu_barrier();
}
