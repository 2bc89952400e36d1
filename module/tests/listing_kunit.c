// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zombiememcg's internals: the record table (table.c), the
 * cursor over the css tree (walk.c), what is read of a memcg (memcg.c), the
 * /proc/zombiememcg listing (procfs.c), the stats file and the tunable
 * (debugfs.c).
 *
 * In the style of mm/damon/tests/: the sources under test are compiled into
 * this module (#include below), so the tests see their static functions and
 * data and get a record table of their own.  Nothing here registers a probe,
 * and the listing under test is a proc file of its own: loading this module
 * never touches a loaded zombiememcg.
 *
 * The walk, listing and stats suites read the kernel's real memory
 * controller tree.  The debug tier (vm/debug/guest/run.sh) loads this module
 * with live memcgs and socket-pinned zombies present and nothing else
 * running; on a machine without a zombie, the tests that need one skip.
 * Their records are not in this module's table (it has no probes), so every
 * zombie there lists with its creator unknown, unless a test adds a record.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt	/* as in the sources below */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "../table.c"
#include "../walk.c"
#include "../memcg.c"
#include "../probes.c"
#include "../procfs.c"
#include "../debugfs.c"

#define NS	1000000000ULL

/* The header line of the listing, as procfs.c prints it. */
#define ZMC_HEADER	"MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH"
#define ZMC_HEADER_LINE	ZMC_HEADER "\n"

/* ---- shared helpers ---- */

KUNIT_DEFINE_ACTION_WRAPPER(zmc_kvfree_action, kvfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(zmc_css_put_action, css_put, struct cgroup_subsys_state *);

/* A zeroed buffer of @size bytes, freed with the test. */
static void *zmc_test_kvzalloc(struct kunit *test, size_t size)
{
	void *p = kvzalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zmc_kvfree_action, p), 0);
	return p;
}

static struct zmc_stats zmc_st(void)
{
	struct zmc_stats st;

	zmc_table_stats(&st);
	return st;
}

/* A fresh table with zeroed counters: table.c's statics outlive a test. */
static int zmc_table_test_init(struct kunit *test)
{
	zmc_nr_records = 0;
	zmc_nr_freed = 0;
	zmc_nr_refused = 0;
	atomic_long_set(&zmc_nr_alloc_failures, 0);
	atomic64_set(&zmc_lock_wait_max_ns, 0);
	zmc_memcg_init(ktime_get_boot_fast_ns());
	zmc_set_older_than_secs(0);
	return zmc_table_init(1UL << 21);
}

static void zmc_table_test_exit(struct kunit *test)
{
	zmc_table_destroy();
}

/* The kernel's own counts on the memory controller's root. */
static long zmc_kernel_dying(void)
{
	return READ_ONCE(memory_cgrp_subsys.root->cgrp.nr_dying_subsys[memory_cgrp_id]);
}

static long zmc_kernel_live(void)
{
	long n;

	rcu_read_lock();
	n = READ_ONCE(zmc_root_css()->nr_descendants);
	rcu_read_unlock();
	return n;
}

/* A seq_file over a buffer of @size, for the show functions. */
static struct seq_file *zmc_seq_new(struct kunit *test, size_t size)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->size = size;
	m->buf = kunit_kzalloc(test, size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	return m;
}

static const char *zmc_seq_str(struct seq_file *m)
{
	m->buf[min(m->count, m->size)] = '\0';
	return m->buf;
}

/* ---- the record table ---- */

static void zmc_test_online_lookup(struct kunit *test)
{
	struct zmc_meta meta;
	struct zmc_stats st;

	zmc_table_online(11, 5 * NS, 1001, "creator");
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(11, &meta));
	KUNIT_EXPECT_EQ(test, meta.online_ns, 5 * NS);
	KUNIT_EXPECT_EQ(test, meta.offline_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, meta.tgid, 1001);
	KUNIT_EXPECT_STREQ(test, meta.comm, "creator");
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(12, &meta));
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(0, &meta));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 1UL);
	KUNIT_EXPECT_EQ(test, st.freed, 0UL);
	KUNIT_EXPECT_EQ(test, st.refused, 0UL);
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 0UL);
	KUNIT_EXPECT_EQ(test, st.record_bytes,
			(unsigned long)kmem_cache_size(zmc_record_cache));
}

/* A lookup fills in a copy: changing it changes nothing in the table. */
static void zmc_test_lookup_copies(struct kunit *test)
{
	struct zmc_meta meta, again;

	zmc_table_online(13, NS, 7, "0123456789abcdefXYZ");	/* > TASK_COMM_LEN */
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(13, &meta));
	KUNIT_EXPECT_STREQ(test, meta.comm, "0123456789abcde");
	meta.comm[0] = 'X';
	meta.tgid = 99;
	meta.offline_ns = 123;
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(13, &again));
	KUNIT_EXPECT_STREQ(test, again.comm, "0123456789abcde");
	KUNIT_EXPECT_EQ(test, again.tgid, 7);
	KUNIT_EXPECT_EQ(test, again.offline_ns, 0ULL);

	/* A miss leaves the caller's copy alone. */
	memset(&meta, 0x5a, sizeof(meta));
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(14, &meta));
	KUNIT_EXPECT_EQ(test, meta.tgid, (pid_t)0x5a5a5a5a);
	KUNIT_EXPECT_EQ(test, meta.online_ns, 0x5a5a5a5a5a5a5a5aULL);
}

static void zmc_test_online_offline_free(struct kunit *test)
{
	struct zmc_meta meta;
	struct zmc_stats st;

	zmc_table_online(11, 5 * NS, 1001, "creator");
	zmc_table_offline(11, 7 * NS);
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(11, &meta));
	KUNIT_EXPECT_EQ(test, meta.online_ns, 5 * NS);
	KUNIT_EXPECT_EQ(test, meta.offline_ns, 7 * NS);
	KUNIT_EXPECT_EQ(test, meta.tgid, 1001);	/* the creator is kept */
	KUNIT_EXPECT_STREQ(test, meta.comm, "creator");
	KUNIT_EXPECT_EQ(test, zmc_st().records, 1UL);	/* no second record */

	zmc_table_free(11);
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(11, &meta));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, 1UL);
	KUNIT_EXPECT_EQ(test, st.record_bytes, 0UL);
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 0UL);
}

/* Online before the load (or lost): the offline makes a creatorless record. */
static void zmc_test_offline_without_online(struct kunit *test)
{
	struct zmc_meta meta;

	zmc_table_offline(22, 9 * NS);
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(22, &meta));
	KUNIT_EXPECT_EQ(test, meta.online_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, meta.offline_ns, 9 * NS);
	KUNIT_EXPECT_EQ(test, meta.tgid, 0);
	KUNIT_EXPECT_STREQ(test, meta.comm, "");
	KUNIT_EXPECT_EQ(test, zmc_st().records, 1UL);
	zmc_table_free(22);
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(22, &meta));
	KUNIT_EXPECT_EQ(test, zmc_st().records, 0UL);
	KUNIT_EXPECT_EQ(test, zmc_st().freed, 1UL);
}

/* Frees of memcgs the table does not know change nothing. */
static void zmc_test_free_without_record(struct kunit *test)
{
	struct zmc_meta meta;
	struct zmc_stats st;

	zmc_table_online(1, NS, 1, "one");
	zmc_table_free(33);
	zmc_table_free(33);
	zmc_table_free(2);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 1UL);
	KUNIT_EXPECT_EQ(test, st.freed, 0UL);
	KUNIT_EXPECT_TRUE(test, zmc_table_lookup(1, &meta));
	zmc_table_free(1);
	zmc_table_free(1);	/* freed once only */
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, 1UL);
}

/* max_records: refusals are counted, and the room comes back at free. */
static void zmc_test_max_records(struct kunit *test)
{
	unsigned long size = kmem_cache_size(zmc_record_cache);
	struct zmc_meta meta;
	struct zmc_stats st;
	u64 id;

	zmc_max_records = 3;
	for (id = 100; id < 105; id++)
		zmc_table_online(id, NS, id, "full");
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 3UL);
	KUNIT_EXPECT_EQ(test, st.refused, 2UL);
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 0UL);
	KUNIT_EXPECT_EQ(test, st.record_bytes, 3 * size);
	for (id = 100; id < 103; id++)
		KUNIT_EXPECT_TRUE(test, zmc_table_lookup(id, &meta));
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(103, &meta));
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(104, &meta));

	/* A refused memcg's offline is refused too, and counted. */
	zmc_table_offline(103, 2 * NS);
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(103, &meta));
	KUNIT_EXPECT_EQ(test, zmc_st().refused, 3UL);

	/* A free makes room: the next offline gets a creatorless record. */
	zmc_table_free(100);
	zmc_table_offline(104, 4 * NS);
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(104, &meta));
	KUNIT_EXPECT_EQ(test, meta.tgid, 0);
	KUNIT_EXPECT_EQ(test, meta.offline_ns, 4 * NS);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 3UL);
	KUNIT_EXPECT_EQ(test, st.refused, 3UL);
	KUNIT_EXPECT_EQ(test, st.freed, 1UL);
}

/* The size of the table's bucket array, once its deferred resizes ran. */
static unsigned int zmc_table_size(void)
{
	struct bucket_table *tbl;
	unsigned int size;
	int i;

	for (i = 0; i < 100; i++) {
		flush_work(&zmc_table.run_work);
		if (!work_pending(&zmc_table.run_work))
			break;
	}
	rcu_read_lock();
	tbl = rht_dereference_rcu(zmc_table.tbl, &zmc_table);
	size = tbl->size;
	rcu_read_unlock();
	return size;
}

/*
 * Thousands of ids: the table grows and shrinks back; the counters and
 * every lookup stay exact through it.
 */
static void zmc_test_many(struct kunit *test)
{
	const u64 n = 5000, extra = 1000;
	unsigned int size0, size_big, size_end;
	unsigned long wrong = 0;
	struct zmc_meta meta;
	struct zmc_stats st;
	u64 id;

	size0 = zmc_table_size();
	for (id = 1; id <= n; id++)
		zmc_table_online(id, id * NS, id, "many");
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, (unsigned long)n);
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 0UL);
	size_big = zmc_table_size();
	KUNIT_EXPECT_GT_MSG(test, size_big, size0, "the table did not grow");

	/* Offline every other one; offline-only records for new ids. */
	for (id = 2; id <= n; id += 2)
		zmc_table_offline(id, n + id);
	for (id = n + 1; id <= n + extra; id++)
		zmc_table_offline(id, 3 * n + id);
	KUNIT_EXPECT_EQ(test, zmc_st().records, (unsigned long)(n + extra));

	/* Free the odd ones. */
	for (id = 1; id <= n; id += 2)
		zmc_table_free(id);
	for (id = 1; id <= n + extra; id++) {
		bool want = id > n || !(id & 1);
		bool got = zmc_table_lookup(id, &meta);

		if (got != want) {
			wrong++;
			continue;
		}
		if (!got)
			continue;
		if (id <= n && (meta.tgid != id || meta.online_ns != id * NS ||
				meta.offline_ns != n + id || strcmp(meta.comm, "many")))
			wrong++;
		if (id > n && (meta.tgid || meta.online_ns ||
			       meta.offline_ns != 3 * n + id || meta.comm[0]))
			wrong++;
	}
	KUNIT_EXPECT_EQ_MSG(test, wrong, 0UL, "lookups that disagree with the model");
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, (unsigned long)(n / 2 + extra));
	KUNIT_EXPECT_EQ(test, st.freed, (unsigned long)(n / 2));

	for (id = 1; id <= n + extra; id++)
		zmc_table_free(id);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, (unsigned long)(n + extra));
	KUNIT_EXPECT_EQ(test, st.record_bytes, 0UL);
	KUNIT_EXPECT_EQ(test, st.refused, 0UL);
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 0UL);
	size_end = zmc_table_size();
	KUNIT_EXPECT_LT_MSG(test, size_end, size_big, "the table did not shrink");
	kunit_info(test, "bucket table: %u, %u with %llu records, %u when empty\n",
		   size0, size_big, n, size_end);
}

/*
 * Make the next slab allocation of this task fail, through the kernel's
 * failslab (fail-nth, as /proc/self/fail-nth does); true if it did fail.
 */
static bool zmc_fail_next_alloc(void (*fn)(u64, u64), u64 cgid, u64 now_ns)
{
#ifdef CONFIG_FAILSLAB
	bool failed;

	WRITE_ONCE(current->fail_nth, 1);
	fn(cgid, now_ns);
	failed = !READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, 0);
	return failed;
#else
	return false;
#endif
}

static void zmc_online_as_lost(u64 cgid, u64 now_ns)
{
	zmc_table_online(cgid, now_ns, 4141, "lost");
}

/*
 * A failed allocation is counted, and loses what the event would have
 * recorded: a lost online leaves the memcg's offline to make a creatorless
 * record; a lost offline after it leaves no record at all.
 */
static void zmc_test_alloc_failures(struct kunit *test)
{
	struct zmc_meta meta;
	struct zmc_stats st;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	KUNIT_ASSERT_TRUE_MSG(test, zmc_fail_next_alloc(zmc_online_as_lost, 41, NS),
			      "failslab did not fail the record's allocation (its cache or stack filter set?)");
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(41, &meta));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 1UL);
	KUNIT_EXPECT_EQ(test, st.records, 0UL);

	zmc_table_offline(41, 2 * NS);
	KUNIT_ASSERT_TRUE(test, zmc_table_lookup(41, &meta));
	KUNIT_EXPECT_EQ(test, meta.tgid, 0);
	KUNIT_EXPECT_STREQ(test, meta.comm, "");
	KUNIT_EXPECT_EQ(test, meta.offline_ns, 2 * NS);
	KUNIT_EXPECT_EQ(test, zmc_st().alloc_failures, 1UL);

	KUNIT_ASSERT_TRUE(test, zmc_fail_next_alloc(zmc_online_as_lost, 42, NS));
	KUNIT_ASSERT_TRUE(test, zmc_fail_next_alloc(zmc_table_offline, 42, 3 * NS));
	KUNIT_EXPECT_FALSE(test, zmc_table_lookup(42, &meta));
	zmc_table_free(42);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.alloc_failures, 3UL);
	KUNIT_EXPECT_EQ(test, st.records, 1UL);
	KUNIT_EXPECT_EQ(test, st.freed, 0UL);
	KUNIT_EXPECT_EQ(test, st.refused, 0UL);

	/* The table works normally afterwards. */
	zmc_table_online(43, NS, 43, "after");
	KUNIT_EXPECT_TRUE(test, zmc_table_lookup(43, &meta));
	KUNIT_EXPECT_EQ(test, zmc_st().records, 2UL);
}

/*
 * Records are small and fixed: the whole point of keeping only metadata.
 * 96 bytes a record, the buckets' share included: right after rhashtable
 * doubles (past 75 % load) there are 8/3 buckets of 8 bytes per record,
 * and kvmalloc() rounds the array, one header past a power of two, up to
 * twice that: 43 bytes, which leaves 53 for the record.
 */
static void zmc_test_record_size(struct kunit *test)
{
	KUNIT_EXPECT_LE(test, sizeof(struct zmc_record), (size_t)48);
	KUNIT_EXPECT_EQ(test, (size_t)kmem_cache_size(zmc_record_cache),
			sizeof(struct zmc_record));
	zmc_table_online(1, NS, 1, "a");
	zmc_table_online(2, NS, 2, "b");
	KUNIT_EXPECT_EQ(test, zmc_st().record_bytes, 2 * sizeof(struct zmc_record));
	kunit_info(test, "struct zmc_record: %zu bytes\n", sizeof(struct zmc_record));
}

struct zmc_contender {
	struct completion started;
	struct completion done;
	atomic_t go;
};

static int zmc_contender_fn(void *arg)
{
	struct zmc_contender *c = arg;

	complete(&c->started);
	while (!atomic_read(&c->go))
		cpu_relax();
	zmc_table_online(77, NS, 77, "contender");
	complete(&c->done);
	return 0;
}

/* A probe that waits for the lock has its wait in lock_wait_max_ns. */
static void zmc_test_lock_wait(struct kunit *test)
{
	struct zmc_contender *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int here, there;
	struct task_struct *t;
	struct zmc_meta meta;
	u64 waited;

	KUNIT_ASSERT_NOT_NULL(test, c);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs");
	here = cpumask_first(cpu_online_mask);
	there = cpumask_next(here, cpu_online_mask);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(here)), 0);
	init_completion(&c->started);
	init_completion(&c->done);
	t = kthread_create(zmc_contender_fn, c, "zmc-contender");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, there);
	wake_up_process(t);
	wait_for_completion(&c->started);

	spin_lock(&zmc_lock);
	atomic_set(&c->go, 1);
	mdelay(50);
	spin_unlock(&zmc_lock);
	wait_for_completion(&c->done);
	set_cpus_allowed_ptr(current, cpu_possible_mask);

	waited = zmc_st().lock_wait_max_ns;
	KUNIT_EXPECT_TRUE(test, zmc_table_lookup(77, &meta));
	KUNIT_EXPECT_GE_MSG(test, waited, 10 * NSEC_PER_MSEC,
			    "the contender waited 50 ms for the lock");
	KUNIT_EXPECT_LT(test, waited, 60 * NS);
}

static struct kunit_case zmc_table_cases[] = {
	KUNIT_CASE(zmc_test_online_lookup),
	KUNIT_CASE(zmc_test_lookup_copies),
	KUNIT_CASE(zmc_test_online_offline_free),
	KUNIT_CASE(zmc_test_offline_without_online),
	KUNIT_CASE(zmc_test_free_without_record),
	KUNIT_CASE(zmc_test_max_records),
	KUNIT_CASE(zmc_test_many),
	KUNIT_CASE(zmc_test_alloc_failures),
	KUNIT_CASE(zmc_test_record_size),
	KUNIT_CASE(zmc_test_lock_wait),
	{}
};

static struct kunit_suite zmc_table_suite = {
	.name = "zombiememcg_table",
	.init = zmc_table_test_init,
	.exit = zmc_table_test_exit,
	.test_cases = zmc_table_cases,
};

/* ---- ages, and what is read of a memcg ---- */

static void zmc_test_age_boundaries(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 10 * NS - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 10 * NS), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 11 * NS - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 11 * NS), 1ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 11 * NS + NS / 2), 1ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(10 * NS, 70 * NS), 60ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(0, NS - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(0, NS), 1ULL);
}

static void zmc_test_age_extremes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zmc_age_secs(0, U64_MAX), U64_MAX / NS);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(U64_MAX, U64_MAX), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(U64_MAX, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(U64_MAX - NS, U64_MAX), 1ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(U64_MAX - NS + 1, U64_MAX), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_age_secs(1, U64_MAX), (U64_MAX - 1) / NS);
}

/*
 * A memcg of our own making, never on the kernel's tree: what
 * zmc_memcg_zombie() reads of one (flags, id, counters, its per-node info
 * for FOOTPRINT) is all set here.
 */
static struct cgroup_subsys_state *zmc_fake_css(struct kunit *test, u64 id,
						unsigned int flags)
{
	struct mem_cgroup *memcg = kunit_kzalloc(test, struct_size(memcg, nodeinfo, nr_node_ids),
						 GFP_KERNEL);
	struct cgroup *cgrp = kunit_kzalloc(test, sizeof(*cgrp), GFP_KERNEL);
	struct kernfs_node *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);
	int nid;

	KUNIT_ASSERT_NOT_NULL(test, memcg);
	KUNIT_ASSERT_NOT_NULL(test, cgrp);
	KUNIT_ASSERT_NOT_NULL(test, kn);
	for_each_node(nid) {
		memcg->nodeinfo[nid] = kunit_kzalloc(test, sizeof(*memcg->nodeinfo[nid]),
						     GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, memcg->nodeinfo[nid]);
	}
	kn->id = id;
	cgrp->kn = kn;
	memcg->css.cgroup = cgrp;
	memcg->css.flags = flags;
	return &memcg->css;
}

/* zmc_memcg_zombie() on a fake css, under RCU as it must be called. */
static bool zmc_fake_zombie(struct cgroup_subsys_state *css, u64 now_ns,
			    struct zmc_zombie *z)
{
	bool ret;

	rcu_read_lock();
	ret = zmc_memcg_zombie(css, now_ns, z);
	rcu_read_unlock();
	return ret;
}

/* Live, or released: not a zombie. */
static void zmc_test_zombie_states(struct kunit *test)
{
	struct zmc_zombie z;

	memset(&z, 0x5a, sizeof(z));
	KUNIT_EXPECT_FALSE(test, zmc_fake_zombie(zmc_fake_css(test, 5, CSS_ONLINE),
						 100 * NS, &z));
	KUNIT_EXPECT_FALSE(test, zmc_fake_zombie(zmc_fake_css(test, 5, 0), 100 * NS, &z));
	KUNIT_EXPECT_FALSE(test, zmc_fake_zombie(zmc_fake_css(test, 5, CSS_DYING |
							       CSS_RELEASED),
						 100 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.cgid, 0x5a5a5a5a5a5a5a5aULL);	/* untouched */
	KUNIT_EXPECT_TRUE(test, zmc_fake_zombie(zmc_fake_css(test, 5, CSS_DYING),
						100 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.cgid, 5ULL);
}

/* Removed, offline still to come (CSS_ONLINE): age 0, not flagged. */
static void zmc_test_zombie_offline_pending(struct kunit *test)
{
	struct cgroup_subsys_state *css = zmc_fake_css(test, 6, CSS_DYING | CSS_ONLINE);
	struct zmc_zombie z;

	zmc_table_online(6, 10 * NS, 66, "maker");
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 500 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 0ULL);
	KUNIT_EXPECT_EQ(test, z.flags, 0U);
	KUNIT_EXPECT_EQ(test, z.tgid, 66);
	KUNIT_EXPECT_STREQ(test, z.comm, "maker");
	KUNIT_EXPECT_PTR_EQ(test, z.memcg, (const void *)mem_cgroup_from_css(css));
}

/* Offline seen: age from it, creator from the record. */
static void zmc_test_zombie_offline_seen(struct kunit *test)
{
	struct cgroup_subsys_state *css = zmc_fake_css(test, 7, CSS_DYING);
	struct zmc_zombie z;

	zmc_table_online(7, 2 * NS, 77, "maker");
	zmc_table_offline(7, 10 * NS);
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 75 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 65ULL);
	KUNIT_EXPECT_EQ(test, z.flags, 0U);
	KUNIT_EXPECT_EQ(test, z.tgid, 77);
	KUNIT_EXPECT_STREQ(test, z.comm, "maker");
	/* A clock behind the offline: age 0. */
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 5 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 0ULL);

	/* Offline seen without online: creator unknown, age still known. */
	css = zmc_fake_css(test, 8, CSS_DYING);
	zmc_table_offline(8, 30 * NS);
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 75 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 45ULL);
	KUNIT_EXPECT_EQ(test, z.flags, 0U);
	KUNIT_EXPECT_EQ(test, z.tgid, 0);
	KUNIT_EXPECT_STREQ(test, z.comm, "");
}

/*
 * Offline unseen (FLAGS p): age from the load, or from the online seen
 * after it; the creator if the online was seen.
 */
static void zmc_test_zombie_unseen(struct kunit *test)
{
	struct cgroup_subsys_state *css = zmc_fake_css(test, 9, CSS_DYING);
	struct zmc_zombie z;

	zmc_load_ns = 20 * NS;
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 75 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 55ULL);
	KUNIT_EXPECT_EQ(test, z.flags, (unsigned int)ZMC_F_UNSEEN);
	KUNIT_EXPECT_EQ(test, z.tgid, 0);
	KUNIT_EXPECT_STREQ(test, z.comm, "");
	KUNIT_EXPECT_EQ(test, z.cgid, 9ULL);

	/* Online seen after the load, offline missed. */
	zmc_table_online(9, 30 * NS, 99, "maker");
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 75 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 45ULL);
	KUNIT_EXPECT_EQ(test, z.flags, (unsigned int)ZMC_F_UNSEEN);
	KUNIT_EXPECT_EQ(test, z.tgid, 99);

	/* A record older than the load (not possible, but bounded by it). */
	css = zmc_fake_css(test, 10, CSS_DYING);
	zmc_table_online(10, 5 * NS, 10, "old");
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, 75 * NS, &z));
	KUNIT_EXPECT_EQ(test, z.age_secs, 55ULL);
}

/* CHARGED and SWAP come from the memcg's page counters. */
static void zmc_test_zombie_counters(struct kunit *test)
{
	struct cgroup_subsys_state *css = zmc_fake_css(test, 11, CSS_DYING);
	struct mem_cgroup *memcg = mem_cgroup_from_css(css);
	struct zmc_zombie z;

	/* swap (cgroup v2) and memsw (v1, memory + swap) share their place. */
	atomic_long_set(&memcg->memory.usage, 3);
	if (cgroup_subsys_on_dfl(memory_cgrp_subsys)) {
		atomic_long_set(&memcg->swap.usage, 2);
		KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, NS, &z));
		KUNIT_EXPECT_EQ(test, z.swap, 2ULL << PAGE_SHIFT);
	} else {
		atomic_long_set(&memcg->memsw.usage, 7);
		KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, NS, &z));
		KUNIT_EXPECT_EQ(test, z.swap, 4ULL << PAGE_SHIFT);
	}
	KUNIT_EXPECT_EQ(test, z.charged, 3ULL << PAGE_SHIFT);
	atomic_long_set(&memcg->memory.usage, 0);
	atomic_long_set(&memcg->swap.usage, 0);
	KUNIT_ASSERT_TRUE(test, zmc_fake_zombie(css, NS, &z));
	KUNIT_EXPECT_EQ(test, z.charged, 0ULL);
	KUNIT_EXPECT_EQ(test, z.swap, 0ULL);
}

static struct kunit_case zmc_age_cases[] = {
	KUNIT_CASE(zmc_test_age_boundaries),
	KUNIT_CASE(zmc_test_age_extremes),
	KUNIT_CASE(zmc_test_zombie_states),
	KUNIT_CASE(zmc_test_zombie_offline_pending),
	KUNIT_CASE(zmc_test_zombie_offline_seen),
	KUNIT_CASE(zmc_test_zombie_unseen),
	KUNIT_CASE(zmc_test_zombie_counters),
	{}
};

static struct kunit_suite zmc_age_suite = {
	.name = "zombiememcg_age",
	.init = zmc_table_test_init,
	.exit = zmc_table_test_exit,
	.test_cases = zmc_age_cases,
};

/* ---- the tunable: parser, and the debugfs file's read and write ---- */

struct zmc_parse_case {
	const char *in;
	size_t len;	/* 0: strlen(in) */
	int ret;
	u64 val;
};

#define OK(s, v)	{ s, 0, 0, v }
#define BAD(s)		{ s, 0, -EINVAL, 0 }

static const struct zmc_parse_case zmc_parse_cases[] = {
	OK("0", 0),
	OK("0\n", 0),
	OK("30", 30),
	OK("30\n", 30),
	OK("+7", 7),
	OK("007", 7),
	OK("18446744073709551615", U64_MAX),
	OK("18446744073709551615\n", U64_MAX),
	OK("0000000000000000000009", 9),	/* 22 bytes */
	OK("0000000000000000000009\n", 9),	/* 23 bytes, the most */
	BAD("00000000000000000000009\n"),	/* 24 bytes */
	BAD("18446744073709551616"),	/* 2^64 */
	BAD("99999999999999999999"),
	BAD("-1"),
	BAD("-0"),
	BAD(""),
	BAD("\n"),
	BAD("+"),
	BAD("++1"),
	BAD(" 1"),
	BAD("1 "),
	BAD("1\n\n"),
	BAD("\n1"),
	BAD("1\r"),
	BAD("0x10"),
	BAD("1e3"),
	BAD("1.5"),
	BAD("abc"),
	BAD("\xff"),
	/* Not NUL-terminated: only @len bytes count. */
	{ "12345", 2, 0, 12 },
	/* kstrtoull() stops at a NUL: what follows it is ignored. */
	{ "5\0junk", 6, 0, 5 },
	{ "\0005", 2, -EINVAL, 0 },
};

static void zmc_test_parse_secs(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zmc_parse_cases); i++) {
		const struct zmc_parse_case *c = &zmc_parse_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		u64 v = 0xdead;
		int ret = zmc_parse_secs(c->in, len, &v);

		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "input #%zu \"%*pE\"",
				    i, (int)len, c->in);
		KUNIT_EXPECT_EQ_MSG(test, v, c->ret ? 0xdeadULL : c->val,
				    "input #%zu \"%*pE\" (untouched on error)",
				    i, (int)len, c->in);
	}
}

/*
 * Every length from 0 to 4096 + 8 of "111...": 1 to 20 digits fit in 64
 * bits (and read back as such), 21 to 23 overflow, 24 and more are refused
 * outright.
 */
static void zmc_test_parse_lengths(struct kunit *test)
{
	char *buf = kunit_kmalloc(test, 4104, GFP_KERNEL);
	u64 want = 0, v;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, '1', 4104);
	for (len = 0; len <= 4104; len++) {
		int ret;

		v = 0;
		ret = zmc_parse_secs(buf, len, &v);
		if (len >= 1 && len <= 20) {
			want = want * 10 + 1;
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "len %zu", len);
			KUNIT_EXPECT_EQ_MSG(test, v, want, "len %zu", len);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "len %zu", len);
			KUNIT_EXPECT_EQ_MSG(test, v, 0ULL, "len %zu", len);
		}
	}
}

static void zmc_test_threshold_get_set(struct kunit *test)
{
	static const u64 vals[] = { U64_MAX, 0, 30, 1ULL << 40, 1 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		zmc_set_older_than_secs(vals[i]);
		KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), vals[i]);
	}
}

/* Write @s through the debugfs file's write(), from user memory at @ubuf. */
static ssize_t zmc_write_user(struct kunit *test, char __user *ubuf,
			      const char *s, size_t len, loff_t pos)
{
	KUNIT_ASSERT_EQ(test, copy_to_user(ubuf, s, len), 0UL);
	return zmc_older_than_write(NULL, ubuf, len, &pos);
}

/*
 * The debugfs file as user space sees it: accepted writes set the
 * threshold, refused ones (EINVAL, EFAULT) leave it alone; reads give the
 * value and a newline, then EOF.
 */
static void zmc_test_threshold_file(struct kunit *test)
{
	unsigned long addr;
	char __user *ubuf;
	char out[32] = "";
	loff_t pos = 0;

	addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr) || !addr, "no user memory: %lx", addr);
	ubuf = (char __user *)addr;

	zmc_set_older_than_secs(30);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "45\n", 3, 0), (ssize_t)3);
	KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), 45ULL);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "4x", 2, 0), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "7", 1, 1), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "7", 0, 0), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "000000000000000000000007", 24, 0),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "18446744073709551616", 20, 0),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, zmc_older_than_write(NULL, (const char __user *)8, 2, &pos),
			(ssize_t)-EFAULT);
	KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), 45ULL);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "18446744073709551615", 20, 0),
			(ssize_t)20);
	KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), U64_MAX);
	KUNIT_EXPECT_EQ(test, zmc_write_user(test, ubuf, "0", 1, 0), (ssize_t)1);
	KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), 0ULL);

	zmc_set_older_than_secs(1234);
	pos = 0;
	KUNIT_EXPECT_EQ(test, zmc_older_than_read(NULL, ubuf, 64, &pos), (ssize_t)5);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)5);
	KUNIT_ASSERT_EQ(test, copy_from_user(out, ubuf, 5), 0UL);
	KUNIT_EXPECT_STREQ(test, out, "1234\n");
	KUNIT_EXPECT_EQ(test, zmc_older_than_read(NULL, ubuf, 64, &pos), (ssize_t)0);
}

static struct kunit_case zmc_parse_test_cases[] = {
	KUNIT_CASE(zmc_test_parse_secs),
	KUNIT_CASE(zmc_test_parse_lengths),
	KUNIT_CASE(zmc_test_threshold_get_set),
	KUNIT_CASE(zmc_test_threshold_file),
	{}
};

static struct kunit_suite zmc_parse_suite = {
	.name = "zombiememcg_parse",
	.test_cases = zmc_parse_test_cases,
};

/* ---- the cursor, over the kernel's css tree ---- */

/* Pointers of every css of one walk, at most @max, in walk order. */
static size_t zmc_walk_all(struct cgroup_subsys_state **v, size_t max, bool park)
{
	struct cgroup_subsys_state *css;
	struct zmc_cursor cur;
	size_t n = 0;

	zmc_cursor_init(&cur);
	rcu_read_lock();
	for (css = zmc_cursor_first(&cur); css; css = zmc_cursor_next(&cur)) {
		if (n < max)
			v[n] = css;
		n++;
		if (park) {
			zmc_cursor_park(&cur);
			if (!cur.pinned || zmc_cursor_pos(&cur) != css)
				break;	/* caught by the caller's comparison */
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	return n;
}

static int zmc_ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

#define ZMC_WALK_MAX	8192

/*
 * One walk visits every memcg below the root once: as many as the kernel
 * counts live and dying ones, no css twice.
 */
static void zmc_test_walk_counts(struct kunit *test)
{
	struct cgroup_subsys_state **v;
	long live = zmc_kernel_live(), dying = zmc_kernel_dying();
	size_t n, i, dups = 0;

	v = kunit_kcalloc(test, ZMC_WALK_MAX, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	n = zmc_walk_all(v, ZMC_WALK_MAX, false);
	KUNIT_ASSERT_LE(test, n, (size_t)ZMC_WALK_MAX);
	KUNIT_EXPECT_EQ_MSG(test, (long)n, live + dying, "%ld live + %ld dying", live, dying);
	sort(v, n, sizeof(*v), zmc_ptr_cmp, NULL);
	for (i = 1; i < n; i++)
		dups += v[i] == v[i - 1];
	KUNIT_EXPECT_EQ(test, dups, (size_t)0);
	kunit_info(test, "%zu memcgs below the root: %ld live, %ld dying\n", n, live, dying);
}

/* A walk parked (and RCU left) at every css sees exactly the same. */
static void zmc_test_walk_parked(struct kunit *test)
{
	struct cgroup_subsys_state **a, **b;
	size_t na, nb;

	a = kunit_kcalloc(test, ZMC_WALK_MAX, sizeof(*a), GFP_KERNEL);
	b = kunit_kcalloc(test, ZMC_WALK_MAX, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	na = zmc_walk_all(a, ZMC_WALK_MAX, false);
	nb = zmc_walk_all(b, ZMC_WALK_MAX, true);
	KUNIT_ASSERT_LE(test, na, (size_t)ZMC_WALK_MAX);
	KUNIT_EXPECT_EQ(test, na, nb);
	KUNIT_EXPECT_EQ(test, memcmp(a, b, min(na, nb) * sizeof(*a)), 0);
	if (!na)
		kunit_skip(test, "no memcg below the root");
}

/*
 * The cursor's states, and its pin.  What is seen under RCU is noted and
 * checked after it (a failed expectation allocates, and may sleep).
 */
static void zmc_test_cursor_states(struct kunit *test)
{
	struct cgroup_subsys_state *first, *again, *css, *pos_first, *pos_parked;
	bool pinned_before, pinned_parked, pinned_twice, pinned_moved, pinned_end;
	struct cgroup_subsys_state *pos_end, *next_end;
	u8 state_first, state_end;
	struct zmc_cursor cur;
	unsigned long n = 0;

	zmc_cursor_init(&cur);
	KUNIT_EXPECT_NULL(test, zmc_cursor_pos(&cur));
	KUNIT_EXPECT_FALSE(test, cur.pinned);
	zmc_cursor_park(&cur);		/* nothing to pin before the first */
	pinned_before = cur.pinned;

	rcu_read_lock();
	first = zmc_cursor_next(&cur);	/* before the first: to the first */
	pos_first = zmc_cursor_pos(&cur);
	state_first = cur.state;
	zmc_cursor_park(&cur);
	pinned_parked = cur.pinned;
	pos_parked = zmc_cursor_pos(&cur);
	zmc_cursor_park(&cur);		/* parking twice pins once */
	pinned_twice = cur.pinned;
	rcu_read_unlock();

	KUNIT_EXPECT_FALSE(test, pinned_before);
	if (!first) {
		zmc_cursor_exit(&cur);
		kunit_skip(test, "no memcg below the root");
	}
	KUNIT_EXPECT_PTR_EQ(test, pos_first, first);
	KUNIT_EXPECT_EQ(test, state_first, (u8)ZMC_CURSOR_AT);
	KUNIT_EXPECT_TRUE(test, pinned_parked);
	KUNIT_EXPECT_PTR_EQ(test, pos_parked, first);
	KUNIT_EXPECT_TRUE(test, pinned_twice);

	rcu_read_lock();
	css = zmc_cursor_next(&cur);	/* moving on drops the pin */
	pinned_moved = cur.pinned;
	while (css) {
		n++;
		css = zmc_cursor_next(&cur);
	}
	state_end = cur.state;
	pos_end = zmc_cursor_pos(&cur);
	next_end = zmc_cursor_next(&cur);	/* stays at the end */
	zmc_cursor_park(&cur);
	pinned_end = cur.pinned;
	/* zmc_cursor_first() starts over from any state. */
	again = zmc_cursor_first(&cur);
	zmc_cursor_park(&cur);
	rcu_read_unlock();

	KUNIT_EXPECT_FALSE(test, pinned_moved);
	KUNIT_EXPECT_EQ(test, state_end, (u8)ZMC_CURSOR_END);
	KUNIT_EXPECT_NULL(test, pos_end);
	KUNIT_EXPECT_NULL(test, next_end);
	KUNIT_EXPECT_FALSE(test, pinned_end);
	KUNIT_EXPECT_PTR_EQ(test, again, first);
	KUNIT_EXPECT_TRUE(test, cur.pinned);
	zmc_cursor_exit(&cur);
	KUNIT_EXPECT_FALSE(test, cur.pinned);
	KUNIT_EXPECT_EQ(test, cur.state, (u8)ZMC_CURSOR_BEFORE);
	KUNIT_EXPECT_EQ(test, (long)n + 1, zmc_kernel_live() + zmc_kernel_dying());
}

/*
 * zmc_memcg_path() against the kernel's own cgroup_path(), for every memcg
 * of a walk: with the parent's path kept from one call to the next (as the
 * listing does), and without.
 */
static void zmc_test_walk_paths(struct kunit *test)
{
	char *got = zmc_test_kvzalloc(test, PATH_MAX);
	char *fresh = zmc_test_kvzalloc(test, PATH_MAX);
	char *want = zmc_test_kvzalloc(test, PATH_MAX);
	struct cgroup_subsys_state *css;
	size_t n = 0, bad = 0, bad_fresh = 0;
	struct zmc_path_cache pc;
	struct zmc_cursor cur;

	zmc_path_cache_reset(&pc);
	zmc_cursor_init(&cur);
	rcu_read_lock();
	for (css = zmc_cursor_first(&cur); css; css = zmc_cursor_next(&cur)) {
		int ret = cgroup_path(css->cgroup, want, PATH_MAX);

		n++;
		if (ret < 0 || zmc_memcg_path(css, got, PATH_MAX, &pc) || strcmp(got, want))
			bad++;
		if (zmc_memcg_path(css, fresh, PATH_MAX, NULL) || strcmp(fresh, want))
			bad_fresh++;
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	KUNIT_EXPECT_EQ_MSG(test, bad, (size_t)0, "paths (parent kept) unlike cgroup_path()");
	KUNIT_EXPECT_EQ_MSG(test, bad_fresh, (size_t)0, "paths unlike cgroup_path()");
	if (!n)
		kunit_skip(test, "no memcg below the root");
}

/*
 * A path that does not fit: "?", and the parent's path forgotten, so that
 * the next call into the same buffer is right again.  Both ways: the
 * parent's path looked up (a miss) and kept from the call before (a hit).
 */
static void zmc_test_walk_path_too_long(struct kunit *test)
{
	char *want = zmc_test_kvzalloc(test, PATH_MAX);
	int short_ret = 0, miss_ret = -1, hit_ret = 0, again_ret = -1;
	char short_buf[8] = "", got[64] = "", hit_got[64] = "";
	struct cgroup_subsys_state *css;
	struct zmc_path_cache pc;
	struct zmc_cursor cur;
	size_t len = 0;

	zmc_cursor_init(&cur);
	rcu_read_lock();
	/* A memcg two levels down, with a path of 9 to 60 bytes. */
	for (css = zmc_cursor_first(&cur); css; css = zmc_cursor_next(&cur)) {
		if (css->parent && css->parent != cur.root &&
		    cgroup_path(css->cgroup, want, PATH_MAX) > 8 && strlen(want) < 60)
			break;
	}
	if (css) {
		len = strlen(want);
		zmc_path_cache_reset(&pc);
		short_ret = zmc_memcg_path(css, short_buf, sizeof(short_buf), &pc);
		zmc_path_cache_reset(&pc);
		miss_ret = zmc_memcg_path(css, got, len + 1, &pc);	/* just enough */
		hit_ret = zmc_memcg_path(css, got, len, &pc);		/* a byte short */
		strscpy(hit_got, got, sizeof(hit_got));
		again_ret = zmc_memcg_path(css, got, len + 1, &pc);
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	if (!len)
		kunit_skip(test, "no memcg two levels below the root");
	KUNIT_EXPECT_EQ(test, short_ret, -ENAMETOOLONG);
	KUNIT_EXPECT_STREQ(test, short_buf, "?");
	KUNIT_EXPECT_EQ(test, miss_ret, 0);
	KUNIT_EXPECT_EQ(test, hit_ret, -ENAMETOOLONG);
	KUNIT_EXPECT_STREQ(test, hit_got, "?");
	KUNIT_EXPECT_EQ(test, again_ret, 0);
	KUNIT_EXPECT_STREQ(test, got, want);
}

static struct kunit_case zmc_walk_cases[] = {
	KUNIT_CASE(zmc_test_walk_counts),
	KUNIT_CASE(zmc_test_walk_parked),
	KUNIT_CASE(zmc_test_cursor_states),
	KUNIT_CASE(zmc_test_walk_paths),
	KUNIT_CASE(zmc_test_walk_path_too_long),
	{}
};

static struct kunit_suite zmc_walk_suite = {
	.name = "zombiememcg_walk",
	.test_cases = zmc_walk_cases,
};

/* ---- /proc/zombiememcg: rows, and the listing through a real file ---- */

#define ZMC_TEST_PROC		"zombiememcg_kunit"
#define ZMC_LISTING_MAX		SZ_1M

static struct proc_dir_entry *zmc_test_pde;

static void zmc_test_close(void *file)
{
	filp_close(file, NULL);
	flush_delayed_fput();	/* ->release() now, not from a kworker later */
}

static struct file *zmc_test_open(struct kunit *test)
{
	struct file *file = filp_open("/proc/" ZMC_TEST_PROC, O_RDONLY, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open /proc/%s: %ld", ZMC_TEST_PROC,
			       PTR_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zmc_test_close, file), 0);
	return file;
}

static struct zmc_proc_iter *zmc_test_iter(struct file *file)
{
	return ((struct seq_file *)file->private_data)->private;
}

#define ZMC_UBUF_SIZE	SZ_128K

/*
 * read() of the proc file, as user space does it: into user memory of the
 * test's own (kunit_vm_mmap()), then copied here.  kernel_read() does not
 * take a file whose proc_ops have .proc_read rather than .proc_read_iter.
 */
static ssize_t zmc_test_kread(struct kunit *test, struct file *file, char *buf,
			      size_t count, loff_t *pos)
{
	char __user *ubuf = test->priv;
	ssize_t n;

	if (!ubuf) {
		unsigned long addr = kunit_vm_mmap(test, NULL, 0, ZMC_UBUF_SIZE,
						   PROT_READ | PROT_WRITE,
						   MAP_ANONYMOUS | MAP_PRIVATE, 0);

		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr) || !addr,
				       "no user memory: %lx", addr);
		ubuf = (char __user *)addr;
		test->priv = ubuf;
	}
	n = file->f_op->read(file, ubuf, min_t(size_t, count, ZMC_UBUF_SIZE), pos);
	if (n > 0 && copy_from_user(buf, ubuf, n))
		return -EFAULT;
	return n;
}

/* Read @file from its position to EOF in reads of @chunk; the length. */
static size_t zmc_test_read_all(struct kunit *test, struct file *file, char *buf,
				size_t chunk, loff_t *pos)
{
	size_t len = 0;
	ssize_t n;

	do {
		KUNIT_ASSERT_LT_MSG(test, len + chunk, (size_t)ZMC_LISTING_MAX,
				    "listing too long");
		n = zmc_test_kread(test, file, buf + len, chunk, pos);
		KUNIT_ASSERT_GE_MSG(test, n, (ssize_t)0, "read of %zu at %zu", chunk, len);
		len += n;
	} while (n);
	buf[len] = '\0';
	return len;
}

/* The whole listing in one read of a fresh file. */
static size_t zmc_test_listing(struct kunit *test, char *buf)
{
	struct file *file = zmc_test_open(test);
	loff_t pos = 0;
	size_t len = zmc_test_read_all(test, file, buf, ZMC_UBUF_SIZE, &pos);

	kunit_release_action(test, zmc_test_close, file);
	return len;
}

static char *zmc_test_buf(struct kunit *test)
{
	return zmc_test_kvzalloc(test, ZMC_LISTING_MAX + 1);
}

static size_t zmc_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The ID column of the @nth row (1-based) of @listing, 0 if none. */
static u64 zmc_row_id(const char *listing, size_t nth)
{
	const char *p = listing;
	char id[24];
	size_t i;
	u64 v;

	for (i = 0; i < nth && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return 0;
	p = strchr(p, ' ');
	if (!p)
		return 0;
	p++;
	for (i = 0; i < sizeof(id) - 1 && p[i] && p[i] != ' '; i++)
		id[i] = p[i];
	id[i] = '\0';
	return kstrtoull(id, 10, &v) ? 0 : v;
}

static int zmc_proc_test_init(struct kunit *test)
{
	int ret = zmc_table_test_init(test);

	if (ret)
		return ret;
	/* Zombies without a record: age 0 from a load "in the future". */
	zmc_memcg_init(U64_MAX);
	zmc_test_pde = proc_create(ZMC_TEST_PROC, 0400, NULL, &zmc_proc_ops);
	if (!zmc_test_pde) {
		zmc_table_destroy();
		return -ENOMEM;
	}
	return 0;
}

static void zmc_proc_test_exit(struct kunit *test)
{
	proc_remove(zmc_test_pde);
	zmc_table_destroy();
}

/* The row after its MEMCG column (a hashed pointer). */
static const char *zmc_row_tail(struct kunit *test, struct seq_file *m)
{
	const char *sp = strchr(zmc_seq_str(m), ' ');

	KUNIT_ASSERT_NOT_NULL(test, sp);
	return sp + 1;
}

static void zmc_test_proc_header(struct kunit *test)
{
	struct seq_file *m = zmc_seq_new(test, 256);

	KUNIT_EXPECT_EQ(test, zmc_proc_show(m, SEQ_START_TOKEN), 0);
	KUNIT_EXPECT_STREQ(test, zmc_seq_str(m),
			   "MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH\n");
}

static void zmc_test_proc_row(struct kunit *test)
{
	struct seq_file *m = zmc_seq_new(test, 512);
	struct zmc_zombie z = {
		.memcg = (const void *)0xffff888012345000UL,
		.cgid = 4242,
		.age_secs = 65,
		.charged = 4096,
		.swap = 8192,
		.footprint = 24576,
		.tgid = 77,
		.comm = "kworker/0:1",
	};
	char *want = "4242 77 kworker/0:1 65 4096 8192 24576 - /a.slice/b\n";

	zmc_proc_show_row(m, &z, "/a.slice/b");
	KUNIT_EXPECT_STREQ(test, zmc_row_tail(test, m), want);
	KUNIT_EXPECT_EQ(test, (size_t)zmc_count_lines(zmc_seq_str(m)), (size_t)1);
}

/* Spaces, tabs, newlines and backslashes escaped as octal; empty COMM. */
static void zmc_test_proc_escaping(struct kunit *test)
{
	struct seq_file *m = zmc_seq_new(test, 512);
	struct zmc_zombie z = {
		.cgid = 1,
		.footprint = 7,
		.flags = ZMC_F_UNSEEN,
	};
	char *want;

	zmc_proc_show_row(m, &z, "/x y/t\tz\nq\\r");
	want = "1 0 - 0 0 0 7 p /x\\040y/t\\011z\\012q\\134r\n";
	KUNIT_EXPECT_STREQ(test, zmc_row_tail(test, m), want);

	m = zmc_seq_new(test, 512);
	strscpy(z.comm, "a b\\c\td", sizeof(z.comm));
	z.tgid = 9;
	zmc_proc_show_row(m, &z, "/");
	KUNIT_EXPECT_STREQ(test, zmc_row_tail(test, m),
			   "1 9 a\\040b\\134c\\011d 0 0 0 7 p /\n");
}

/* A row that does not fit overflows the seq_file (which then retries). */
static void zmc_test_proc_row_overflow(struct kunit *test)
{
	struct seq_file *m = zmc_seq_new(test, 32);
	struct zmc_zombie z = { .cgid = 1, .comm = "c" };

	zmc_proc_show_row(m, &z, "/a/very/long/path/that/does/not/fit");
	KUNIT_EXPECT_TRUE(test, seq_has_overflowed(m));
}

/* Nothing is old enough: the header alone, however it is read. */
static void zmc_test_proc_nothing_listed(struct kunit *test)
{
	static const size_t chunks[] = { 1, 5, 56, 57, 4096 };
	char *buf = zmc_test_buf(test);
	struct zmc_proc_iter *it;
	struct file *file;
	loff_t pos;
	size_t i;

	zmc_set_older_than_secs(U64_MAX);
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		file = zmc_test_open(test);
		pos = 0;
		zmc_test_read_all(test, file, buf, chunks[i], &pos);
		KUNIT_EXPECT_STREQ_MSG(test, buf, ZMC_HEADER_LINE, "reads of %zu", chunks[i]);
		it = zmc_test_iter(file);
		KUNIT_EXPECT_FALSE(test, it->cur.pinned);
		KUNIT_EXPECT_EQ(test, it->cur.state, (u8)ZMC_CURSOR_END);
		kunit_release_action(test, zmc_test_close, file);
	}
}

/* At threshold 0: one row per zombie the kernel counts, each well-formed. */
#define ZMC_TEST_PATH	128

/*
 * The zombies of a walk, in its order: their ids and (the first
 * ZMC_TEST_PATH - 1 bytes of) their paths from the kernel's cgroup_path().
 */
static size_t zmc_test_zombies(u64 *ids, u64 *fps, char (*paths)[ZMC_TEST_PATH],
			       size_t max)
{
	struct cgroup_subsys_state *css;
	struct zmc_cursor cur;
	struct zmc_zombie z;
	size_t n = 0;

	zmc_cursor_init(&cur);
	rcu_read_lock();
	for (css = zmc_cursor_first(&cur); css && n < max; css = zmc_cursor_next(&cur)) {
		if (!zmc_memcg_zombie(css, 0, &z))
			continue;
		ids[n] = z.cgid;
		fps[n] = z.footprint;
		if (cgroup_path(css->cgroup, paths[n], ZMC_TEST_PATH) >= ZMC_TEST_PATH)
			paths[n][0] = '\0';	/* too long to compare */
		n++;
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	return n;
}

/*
 * At threshold 0: one row per zombie the kernel counts, each well-formed,
 * in the walk's order, with the kernel's own ID and path.
 */
static void zmc_test_proc_rows_match_kernel(struct kunit *test)
{
	char *buf = zmc_test_buf(test), *line, *p;
	long dying = zmc_kernel_dying();
	size_t rows = 0, bad = 0, unlike = 0, nz;
	u64 *ids, *fps;
	char (*paths)[ZMC_TEST_PATH];

	ids = zmc_test_kvzalloc(test, (dying + 16) * sizeof(*ids));
	fps = zmc_test_kvzalloc(test, (dying + 16) * sizeof(*fps));
	paths = zmc_test_kvzalloc(test, (dying + 16) * ZMC_TEST_PATH);
	nz = zmc_test_zombies(ids, fps, paths, dying + 16);
	zmc_test_listing(test, buf);
	p = buf;
	line = strsep(&p, "\n");
	KUNIT_ASSERT_STREQ(test, line, ZMC_HEADER);
	while ((line = strsep(&p, "\n")) && *line) {
		char *f[11], *s = line;
		unsigned long long v;
		int n = 0;

		while (n < 11 && (f[n] = strsep(&s, " ")))
			n++;
		rows++;
		if (n != 10 || kstrtoull(f[1], 10, &v) || !v || strcmp(f[2], "0") ||
		    strcmp(f[3], "-") || strcmp(f[4], "0") || kstrtoull(f[5], 10, &v) ||
		    kstrtoull(f[6], 10, &v) || kstrtoull(f[7], 10, &v) || !v ||
		    strcmp(f[8], "p") || f[9][0] != '/') {
			if (!bad++)
				kunit_err(test, "bad row %zu (%d fields)\n", rows, n);
			continue;
		}
		/* Escaped paths (none here) are left out of the comparison. */
		if (rows > nz || kstrtoull(f[1], 10, &v) || v != ids[rows - 1] ||
		    kstrtoull(f[7], 10, &v) || v != fps[rows - 1] ||
		    (paths[rows - 1][0] && !strpbrk(paths[rows - 1], " \t\n\\") &&
		     strcmp(f[9], paths[rows - 1]))) {
			if (!unlike++)
				kunit_err(test, "row %zu: %s %s, the walk's zombie: %llu %s\n",
					  rows, f[1], f[9], rows > nz ? 0 : ids[rows - 1],
					  rows > nz ? "-" : paths[rows - 1]);
		}
	}
	KUNIT_EXPECT_EQ(test, bad, (size_t)0);
	KUNIT_EXPECT_EQ_MSG(test, unlike, (size_t)0, "rows unlike the walk's zombies");
	KUNIT_EXPECT_EQ(test, (long)rows, dying);
	KUNIT_EXPECT_EQ(test, nz, (size_t)dying);
	if (!dying)
		kunit_skip(test, "no zombie memcg on this machine");
}

/*
 * Read in pieces of any size, the listing is the same as in one read: the
 * walk resumes where the last read stopped, at the parked css.
 */
static void zmc_test_proc_chunked_reads(struct kunit *test)
{
	static const size_t chunks[] = { 1, 3, 64, 100, 511, 4095, 4096, 4097, 65536 };
	char *full = zmc_test_buf(test), *buf = zmc_test_buf(test);
	size_t len, i;

	len = zmc_test_listing(test, full);
	if (zmc_count_lines(full) < 2)
		kunit_skip(test, "no zombie memcg on this machine");
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		struct file *file = zmc_test_open(test);
		loff_t pos = 0;

		KUNIT_EXPECT_EQ_MSG(test, zmc_test_read_all(test, file, buf, chunks[i], &pos),
				    len, "reads of %zu", chunks[i]);
		KUNIT_EXPECT_STREQ_MSG(test, buf, full, "reads of %zu", chunks[i]);
		KUNIT_EXPECT_FALSE(test, zmc_test_iter(file)->cur.pinned);
		/* Back to the start on the same file: the same again. */
		pos = 0;
		KUNIT_EXPECT_EQ(test, zmc_test_read_all(test, file, buf, 777, &pos), len);
		KUNIT_EXPECT_STREQ(test, buf, full);
		kunit_release_action(test, zmc_test_close, file);
	}
}

/* Reads at any offset (pread, after lseek): the listing from there. */
static void zmc_test_proc_offsets(struct kunit *test)
{
	char *full = zmc_test_buf(test), *buf = zmc_test_buf(test);
	size_t len = zmc_test_listing(test, full);
	size_t hdr = strlen(ZMC_HEADER_LINE);
	loff_t offs[] = { 0, 1, hdr - 1, hdr, hdr + 1, len / 2, len / 3, len - 1, len,
			  len + 10, 1, hdr };
	struct file *file;
	size_t i;

	if (zmc_count_lines(full) < 2)
		kunit_skip(test, "no zombie memcg on this machine");
	file = zmc_test_open(test);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		loff_t pos = offs[i];
		ssize_t n = zmc_test_kread(test, file, buf, 200, &pos);
		size_t want = offs[i] >= len ? 0 : min_t(size_t, 200, len - offs[i]);

		KUNIT_EXPECT_EQ_MSG(test, n, (ssize_t)want, "at %lld", offs[i]);
		if (n > 0)
			KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, full + offs[i], n), 0,
					    "at %lld", offs[i]);
	}
	KUNIT_EXPECT_EQ(test, vfs_llseek(file, hdr + 3, SEEK_SET), (loff_t)(hdr + 3));
	KUNIT_EXPECT_EQ(test, zmc_test_read_all(test, file, buf, 50, &file->f_pos),
			len - hdr - 3);
	KUNIT_EXPECT_STREQ(test, buf, full + hdr + 3);
}

static long zmc_css_refs(struct cgroup_subsys_state *css)
{
	return atomic_long_read(&css->refcnt.data->count);
}

/*
 * A read that stops mid-listing leaves the walk parked on the next row's
 * css, pinned by one reference; reading on moves past it, and closing the
 * file drops the pin.
 */
static void zmc_test_proc_parked(struct kunit *test)
{
	char *full = zmc_test_buf(test), *buf = zmc_test_buf(test);
	size_t hdr = strlen(ZMC_HEADER_LINE), len, got;
	struct cgroup_subsys_state *css;
	struct zmc_proc_iter *it;
	struct file *file;
	long refs, i;
	loff_t pos = 0;

	len = zmc_test_listing(test, full);
	if (zmc_count_lines(full) < 3)
		kunit_skip(test, "fewer than 2 zombie memcgs on this machine");

	/* The header and a bit of the first row: parked on the second. */
	file = zmc_test_open(test);
	got = zmc_test_kread(test, file, buf, hdr + 10, &pos);
	KUNIT_ASSERT_EQ(test, got, hdr + 10);
	it = zmc_test_iter(file);
	KUNIT_ASSERT_EQ(test, it->cur.state, (u8)ZMC_CURSOR_AT);
	KUNIT_ASSERT_TRUE(test, it->cur.pinned);
	css = it->cur.pos;
	KUNIT_EXPECT_EQ(test, cgroup_id(css->cgroup), zmc_row_id(full, 2));

	/* Its references, once its refcount is atomic (killed, settled). */
	css_get(css);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zmc_css_put_action, css), 0);
	for (i = 0; i < 200; i++) {
		unsigned long p = READ_ONCE(css->refcnt.percpu_count_ptr);

		if ((p & __PERCPU_REF_ATOMIC) && !READ_ONCE(css->refcnt.data->confirm_switch))
			break;
		msleep(20);
	}
	KUNIT_EXPECT_LT_MSG(test, i, 200L, "the zombie's refcount is not atomic");
	refs = zmc_css_refs(css);

	/* Reading on: the rest of the listing, then the end, unpinned. */
	got += zmc_test_read_all(test, file, buf + got, 50, &pos);
	KUNIT_EXPECT_EQ(test, got, len);
	KUNIT_EXPECT_STREQ(test, buf, full);
	KUNIT_EXPECT_FALSE(test, it->cur.pinned);
	KUNIT_EXPECT_EQ(test, zmc_css_refs(css), refs - 1);
	kunit_release_action(test, zmc_test_close, file);

	/* Parked again, then closed: the pin goes with the file. */
	file = zmc_test_open(test);
	pos = 0;
	KUNIT_ASSERT_EQ(test, zmc_test_kread(test, file, buf, hdr + 10, &pos),
			(ssize_t)(hdr + 10));
	KUNIT_EXPECT_PTR_EQ(test, zmc_test_iter(file)->cur.pos, css);
	KUNIT_EXPECT_TRUE(test, zmc_test_iter(file)->cur.pinned);
	KUNIT_EXPECT_EQ(test, zmc_css_refs(css), refs);
	kunit_release_action(test, zmc_test_close, file);
	KUNIT_EXPECT_EQ(test, zmc_css_refs(css), refs - 1);
	kunit_release_action(test, zmc_css_put_action, css);
}

/* older_than_secs is read at each read: rows come and go with it. */
static void zmc_test_proc_threshold(struct kunit *test)
{
	char *buf = zmc_test_buf(test);
	long dying = zmc_kernel_dying();
	u64 up = div_u64(ktime_get_boot_fast_ns(), NS);

	if (!dying)
		kunit_skip(test, "no zombie memcg on this machine");
	/* Unseen offlines count from the load: at boot, for this test. */
	zmc_memcg_init(0);
	zmc_set_older_than_secs(1);
	zmc_test_listing(test, buf);
	KUNIT_EXPECT_EQ(test, (long)zmc_count_lines(buf) - 1, dying);
	zmc_set_older_than_secs(up + 3600);
	zmc_test_listing(test, buf);
	KUNIT_EXPECT_STREQ(test, buf, ZMC_HEADER_LINE);
	zmc_set_older_than_secs(0);
	zmc_memcg_init(U64_MAX);
	zmc_test_listing(test, buf);
	KUNIT_EXPECT_EQ(test, (long)zmc_count_lines(buf) - 1, dying);
}

static struct kunit_case zmc_proc_cases[] = {
	KUNIT_CASE(zmc_test_proc_header),
	KUNIT_CASE(zmc_test_proc_row),
	KUNIT_CASE(zmc_test_proc_escaping),
	KUNIT_CASE(zmc_test_proc_row_overflow),
	KUNIT_CASE(zmc_test_proc_nothing_listed),
	KUNIT_CASE(zmc_test_proc_rows_match_kernel),
	KUNIT_CASE(zmc_test_proc_chunked_reads),
	KUNIT_CASE(zmc_test_proc_offsets),
	KUNIT_CASE(zmc_test_proc_parked),
	KUNIT_CASE(zmc_test_proc_threshold),
	{}
};

static struct kunit_suite zmc_proc_suite = {
	.name = "zombiememcg_proc",
	.init = zmc_proc_test_init,
	.exit = zmc_proc_test_exit,
	.test_cases = zmc_proc_cases,
};

/* ---- the stats file ---- */

static void zmc_totals_names(struct kunit *test, struct zmc_totals *t,
			     const char *const *names, size_t n)
{
	size_t i;

	KUNIT_ASSERT_EQ(test, zmc_totals_reserve(t), 0);
	for (i = 0; i < n; i++)
		strscpy_pad(t->comms[t->ncomms++], names[i], TASK_COMM_LEN);
}

static void zmc_test_biggest_creator(struct kunit *test)
{
	static const char *const names[] = { "b", "a", "b", "c", "b", "a" };
	static const char *const tie[] = { "y", "x", "x", "y" };
	struct zmc_totals t = { };
	const char *comm = "unset";

	KUNIT_EXPECT_EQ(test, zmc_biggest_creator(&t, &comm), (size_t)0);
	KUNIT_EXPECT_NULL(test, comm);

	zmc_totals_names(test, &t, names, ARRAY_SIZE(names));
	KUNIT_EXPECT_EQ(test, zmc_biggest_creator(&t, &comm), (size_t)3);
	KUNIT_ASSERT_NOT_NULL(test, comm);
	KUNIT_EXPECT_STREQ(test, comm, "b");

	/* A tie goes to the first name in byte order. */
	t.ncomms = 0;
	zmc_totals_names(test, &t, tie, ARRAY_SIZE(tie));
	KUNIT_EXPECT_EQ(test, zmc_biggest_creator(&t, &comm), (size_t)2);
	KUNIT_ASSERT_NOT_NULL(test, comm);
	KUNIT_EXPECT_STREQ(test, comm, "x");

	t.ncomms = 0;
	zmc_totals_names(test, &t, names, 1);
	KUNIT_EXPECT_EQ(test, zmc_biggest_creator(&t, &comm), (size_t)1);
	KUNIT_EXPECT_STREQ(test, comm, "b");
	kvfree(t.comms);
}

/* Room for a batch more is made by doubling; what was there is kept. */
static void zmc_test_totals_reserve(struct kunit *test)
{
	struct zmc_totals t = { };
	size_t i, cap, bad = 0;

	KUNIT_ASSERT_EQ(test, zmc_totals_reserve(&t), 0);
	KUNIT_EXPECT_EQ(test, t.cap, (size_t)(4 * ZMC_TOTALS_BATCH));
	KUNIT_EXPECT_EQ(test, t.ncomms, (size_t)0);
	for (i = 0; i < 10 * ZMC_TOTALS_BATCH; i++) {
		if (t.cap - t.ncomms < ZMC_TOTALS_BATCH) {
			cap = t.cap;
			KUNIT_ASSERT_EQ(test, zmc_totals_reserve(&t), 0);
			KUNIT_EXPECT_EQ(test, t.cap, 2 * cap);
		}
		scnprintf(t.comms[t.ncomms++], TASK_COMM_LEN, "c%zu", i);
	}
	/* Enough room: nothing moves. */
	cap = t.cap;
	if (t.cap - t.ncomms >= ZMC_TOTALS_BATCH) {
		char (*comms)[TASK_COMM_LEN] = t.comms;

		KUNIT_EXPECT_EQ(test, zmc_totals_reserve(&t), 0);
		KUNIT_EXPECT_PTR_EQ(test, (void *)t.comms, (void *)comms);
		KUNIT_EXPECT_EQ(test, t.cap, cap);
	}
	for (i = 0; i < t.ncomms; i++) {
		char want[TASK_COMM_LEN];

		scnprintf(want, sizeof(want), "c%zu", i);
		bad += !!strcmp(t.comms[i], want);
	}
	KUNIT_EXPECT_EQ(test, bad, (size_t)0);
	KUNIT_EXPECT_GE(test, t.cap, t.ncomms + ZMC_TOTALS_BATCH - 1);
	kvfree(t.comms);
}

static void zmc_test_totals_add(struct kunit *test)
{
	struct zmc_zombie a = { .charged = 4096, .swap = 1, .comm = "maker" };
	struct zmc_zombie b = { .charged = 8192, .swap = 2, .flags = ZMC_F_UNSEEN };
	struct zmc_totals t = { };

	KUNIT_ASSERT_EQ(test, zmc_totals_reserve(&t), 0);
	zmc_totals_add(&t, &a);
	zmc_totals_add(&t, &b);
	zmc_totals_add(&t, &a);
	KUNIT_EXPECT_EQ(test, t.zombies, 3UL);
	KUNIT_EXPECT_EQ(test, t.unseen, 1UL);
	KUNIT_EXPECT_EQ(test, t.unrecorded, 1UL);
	KUNIT_EXPECT_EQ(test, t.charged, 16384ULL);
	KUNIT_EXPECT_EQ(test, t.swap, 4ULL);
	KUNIT_EXPECT_EQ(test, t.ncomms, (size_t)2);
	KUNIT_EXPECT_STREQ(test, t.comms[1], "maker");
	KUNIT_EXPECT_EQ(test, t.memcgs, 0UL);
	kvfree(t.comms);
}

static const char *const zmc_stat_names[] = {
	"memcgs", "zombies", "predating_zombies", "untracked", "charged_bytes",
	"swap_bytes", "footprint_bytes", "biggest_creator", "biggest_creator_zombies",
	"records", "record_bytes", "table_bytes", "freed", "refused", "alloc_failures",
	"probe_misses", "lock_wait_max_ns", "footprint_btf",
};

#define ZMC_NR_STATS	ARRAY_SIZE(zmc_stat_names)

/* The stats file's lines, in order: their values (biggest_creator's in @comm). */
static void zmc_test_stats(struct kunit *test, u64 *v, char *comm, size_t size)
{
	struct seq_file *m = zmc_seq_new(test, 4096);
	char *p, *line;
	size_t i = 0;

	KUNIT_ASSERT_EQ(test, zmc_stats_show(m, NULL), 0);
	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(m));
	p = (char *)zmc_seq_str(m);
	while ((line = strsep(&p, "\n")) && *line) {
		char *val = strchr(line, ' ');

		KUNIT_ASSERT_LT_MSG(test, i, ZMC_NR_STATS, "extra line '%s'", line);
		KUNIT_ASSERT_NOT_NULL_MSG(test, val, "line '%s'", line);
		*val++ = '\0';
		KUNIT_ASSERT_STREQ(test, line, zmc_stat_names[i]);
		if (!strcmp(line, "biggest_creator"))
			strscpy(comm, val, size);
		else
			KUNIT_ASSERT_EQ_MSG(test, kstrtou64(val, 10, &v[i]), 0,
					    "%s '%s'", line, val);
		i++;
	}
	KUNIT_ASSERT_EQ(test, i, ZMC_NR_STATS);
}

enum {
	ZS_MEMCGS, ZS_ZOMBIES, ZS_PREDATING, ZS_UNTRACKED, ZS_CHARGED, ZS_SWAP,
	ZS_FOOTPRINT, ZS_BIGGEST, ZS_BIGGEST_N, ZS_RECORDS, ZS_RECORD_BYTES, ZS_TABLE_BYTES,
	ZS_FREED, ZS_REFUSED, ZS_ALLOC_FAILURES, ZS_PROBE_MISSES, ZS_LOCK_WAIT, ZS_FOOTPRINT_BTF,
};

/* The sum of the FOOTPRINTs of the zombies of one walk. */
static u64 zmc_test_footprints(void)
{
	struct cgroup_subsys_state *css;
	struct zmc_cursor cur;
	struct zmc_zombie z;
	u64 sum = 0;

	zmc_cursor_init(&cur);
	rcu_read_lock();
	for (css = zmc_cursor_first(&cur); css; css = zmc_cursor_next(&cur))
		if (zmc_memcg_zombie(css, 0, &z))
			sum += z.footprint;
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	return sum;
}

/*
 * The stats file over the kernel's tree: its counts are the kernel's, and
 * records added for some of the zombies show as their creators.
 */
static void zmc_test_stats_file(struct kunit *test)
{
	u64 v[ZMC_NR_STATS], ids[5];
	long dying, live;
	char comm[64];
	size_t n = 0;

	dying = zmc_kernel_dying();
	live = zmc_kernel_live();
	zmc_test_stats(test, v, comm, sizeof(comm));
	KUNIT_EXPECT_EQ(test, (long)v[ZS_ZOMBIES], dying);
	KUNIT_EXPECT_EQ(test, (long)v[ZS_MEMCGS], live);
	KUNIT_EXPECT_EQ(test, v[ZS_UNTRACKED], v[ZS_ZOMBIES]);
	KUNIT_EXPECT_EQ(test, v[ZS_PREDATING], v[ZS_ZOMBIES]);
	KUNIT_EXPECT_EQ(test, v[ZS_FOOTPRINT], zmc_test_footprints());
	KUNIT_EXPECT_EQ(test, v[ZS_FOOTPRINT_BTF], (u64)zmc_footprint_from_btf());
	KUNIT_EXPECT_STREQ(test, comm, "-");
	KUNIT_EXPECT_EQ(test, v[ZS_BIGGEST_N], 0ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_RECORDS], 0ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_RECORD_BYTES], 0ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_PROBE_MISSES], 0ULL);
	if (dying < 5)
		kunit_skip(test, "fewer than 5 zombie memcgs on this machine");

	/* Records for 5 of them: 3 by "zk a", 2 by "zk-b", 1 offline seen. */
	{
		struct cgroup_subsys_state *css;
		struct zmc_cursor cur;
		struct zmc_zombie z;

		zmc_cursor_init(&cur);
		rcu_read_lock();
		for (css = zmc_cursor_first(&cur); css && n < 5; css = zmc_cursor_next(&cur))
			if (zmc_memcg_zombie(css, 0, &z))
				ids[n++] = z.cgid;
		rcu_read_unlock();
		zmc_cursor_exit(&cur);
	}
	KUNIT_ASSERT_EQ(test, n, (size_t)5);
	zmc_table_online(ids[0], 1, 100, "zk a");
	zmc_table_online(ids[1], 1, 100, "zk-b");
	zmc_table_online(ids[2], 1, 100, "zk a");
	zmc_table_online(ids[3], 1, 100, "zk-b");
	zmc_table_online(ids[4], 1, 100, "zk a");
	zmc_table_offline(ids[4], 2);
	zmc_table_online(1ULL << 62, 1, 1, "not a zombie");	/* never listed */
	zmc_test_stats(test, v, comm, sizeof(comm));
	KUNIT_EXPECT_EQ(test, (long)v[ZS_ZOMBIES], dying);
	KUNIT_EXPECT_EQ(test, v[ZS_UNTRACKED], v[ZS_ZOMBIES] - 5);
	KUNIT_EXPECT_EQ(test, v[ZS_PREDATING], v[ZS_ZOMBIES] - 1);
	KUNIT_EXPECT_STREQ(test, comm, "zk\\040a");
	KUNIT_EXPECT_EQ(test, v[ZS_BIGGEST_N], 3ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_RECORDS], 6ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_RECORD_BYTES], 6ULL * kmem_cache_size(zmc_record_cache));
	/* a table has buckets, one pointer each, however few records */
	KUNIT_EXPECT_GE(test, v[ZS_TABLE_BYTES], 6ULL * sizeof(void *));
	KUNIT_EXPECT_EQ(test, v[ZS_FREED], 0ULL);
	zmc_table_free(ids[0]);
	zmc_table_free(ids[2]);
	zmc_test_stats(test, v, comm, sizeof(comm));
	KUNIT_EXPECT_STREQ(test, comm, "zk-b");
	KUNIT_EXPECT_EQ(test, v[ZS_BIGGEST_N], 2ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_FREED], 2ULL);
	KUNIT_EXPECT_EQ(test, v[ZS_UNTRACKED], v[ZS_ZOMBIES] - 3);
}

static struct kunit_case zmc_stats_cases[] = {
	KUNIT_CASE(zmc_test_biggest_creator),
	KUNIT_CASE(zmc_test_totals_reserve),
	KUNIT_CASE(zmc_test_totals_add),
	KUNIT_CASE(zmc_test_stats_file),
	{}
};

static struct kunit_suite zmc_stats_suite = {
	.name = "zombiememcg_stats",
	.init = zmc_table_test_init,
	.exit = zmc_table_test_exit,
	.test_cases = zmc_stats_cases,
};

kunit_test_suites(&zmc_table_suite, &zmc_age_suite, &zmc_parse_suite,
		  &zmc_walk_suite, &zmc_proc_suite, &zmc_stats_suite);

MODULE_DESCRIPTION("KUnit tests of zombiememcg's table, walk, memcg reads, listing and stats");
MODULE_LICENSE("GPL");
