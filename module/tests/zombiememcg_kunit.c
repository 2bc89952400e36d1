// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of zombiememcg's internal logic, without probes or memcgs:
 * the record table (table.c), age and threshold arithmetic, the
 * /proc/zombiememcg rows (procfs.c) and the tunable's parser.
 *
 * In the style of mm/damon/tests/: the sources under test are compiled into
 * this module (#include below), so the tests see their static functions and
 * data, and get a record table of their own: loading this module never
 * touches a loaded zombiememcg.  memcg.c, which reads real memcgs, is
 * replaced by the stubs below.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt	/* as in the sources below */

#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "../table.c"
#include "../procfs.c"

/* ---- stubs for memcg.c ---- */

static u64 zmc_test_charged = 4096, zmc_test_swap = 8192;
static unsigned int zmc_test_samples;

void zmc_memcg_sample(const void *key, void *arg)
{
	struct zmc_sample *s = arg;

	s->charged = zmc_test_charged;
	s->swap = zmc_test_swap;
	zmc_test_samples++;
}

u64 zmc_memcg_footprint(void)
{
	return 123456;
}

/* ---- helpers ---- */

#define NS	1000000000ULL

/* Fake memcg pointers: never dereferenced by the table. */
#define KEY(n)	((const void *)(0xffff888000000000UL + 4096UL * (n)))

static struct zmc_event zmc_ev(unsigned long n, u64 cgid, u64 now_ns)
{
	return (struct zmc_event){
		.key = KEY(n),
		.cgid = cgid,
		.now_ns = now_ns,
		.tgid = 1000 + n,
		.comm = "creator",
		.path = "/test.slice/unit",
	};
}

static struct zmc_record *zmc_lookup(const void *key)
{
	return rhashtable_lookup_fast(&zmc_table, &key, zmc_params);
}

static struct zmc_stats zmc_st(void)
{
	struct zmc_stats st;

	zmc_table_stats(&st);
	return st;
}

static int zmc_table_test_init(struct kunit *test)
{
	atomic_long_set(&zmc_nr_online, 0);
	atomic_long_set(&zmc_nr_zombies, 0);
	atomic_long_set(&zmc_nr_predating, 0);
	atomic_long_set(&zmc_nr_freed, 0);
	atomic_long_set(&zmc_nr_alloc_failures, 0);
	atomic_long_set(&zmc_nr_stale, 0);
	atomic_long_set(&zmc_nr_untracked, 0);
	zmc_test_samples = 0;
	return zmc_table_init(1UL << 21);
}

static void zmc_table_test_exit(struct kunit *test)
{
	zmc_table_destroy();
}

/* ---- the record table ---- */

static void zmc_test_online_insert_lookup(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(1, 11, 5 * NS);
	struct zmc_record *rec;
	struct zmc_stats st;

	zmc_table_online(&ev);
	rec = zmc_lookup(KEY(1));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_PTR_EQ(test, rec->key, KEY(1));
	KUNIT_EXPECT_EQ(test, rec->cgid, 11ULL);
	KUNIT_EXPECT_EQ(test, rec->tgid, 1001);
	KUNIT_EXPECT_STREQ(test, rec->comm, "creator");
	KUNIT_EXPECT_STREQ(test, rec->path, "/test.slice/unit");
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_ONLINE);
	KUNIT_EXPECT_EQ(test, rec->online_ns, 5 * NS);
	KUNIT_EXPECT_EQ(test, rec->offline_ns, 0ULL);
	KUNIT_EXPECT_NULL(test, zmc_lookup(KEY(2)));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 1UL);
	KUNIT_EXPECT_EQ(test, st.online, 1UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
}

static void zmc_test_online_offline_free(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(1, 11, 5 * NS);
	struct zmc_record *rec;
	struct zmc_stats st;

	zmc_table_online(&ev);
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(1), 11, 7 * NS, 0), 0);
	rec = zmc_lookup(KEY(1));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_OFFLINE);
	KUNIT_EXPECT_EQ(test, rec->offline_ns, 7 * NS);
	KUNIT_EXPECT_EQ(test, rec->tgid, 1001);	/* the creator is kept */
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.online, 0UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 1UL);

	zmc_table_free(KEY(1));
	KUNIT_EXPECT_NULL(test, zmc_lookup(KEY(1)));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, 1UL);
	KUNIT_EXPECT_EQ(test, st.stale, 0UL);
}

/* Online, then freed without an offline event (a missed probe). */
static void zmc_test_free_without_offline(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(1, 11, 5 * NS);
	struct zmc_stats st;

	zmc_table_online(&ev);
	zmc_table_free(KEY(1));
	st = zmc_st();
	KUNIT_EXPECT_NULL(test, zmc_lookup(KEY(1)));
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.online, 0UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, 1UL);
}

/* A memcg the module never saw: free and offline find nothing. */
static void zmc_test_events_without_record(struct kunit *test)
{
	struct zmc_stats st;

	zmc_table_free(KEY(3));
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(3), 33, NS, 0), -ENOENT);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, 0UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
}

/* Offline without online (created before load): recorded at offline. */
static void zmc_test_offline_without_online(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(2, 22, 9 * NS);
	struct zmc_record *rec;
	struct zmc_stats st;

	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(2), 22, 9 * NS, 0), -ENOENT);
	ev.tgid = 0;
	ev.comm = NULL;
	zmc_table_insert_offline(&ev);
	rec = zmc_lookup(KEY(2));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_OFFLINE);
	KUNIT_EXPECT_EQ(test, rec->offline_ns, 9 * NS);
	KUNIT_EXPECT_EQ(test, rec->online_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, rec->tgid, 0);
	KUNIT_EXPECT_EQ(test, rec->comm[0], '\0');
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.zombies, 1UL);
	KUNIT_EXPECT_EQ(test, st.online, 0UL);
	zmc_table_free(KEY(2));
	KUNIT_EXPECT_EQ(test, zmc_st().zombies, 0UL);
}

/* A second offline of the same memcg changes nothing. */
static void zmc_test_offline_twice(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(1, 11, NS);
	struct zmc_record *rec;

	zmc_table_online(&ev);
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(1), 11, 2 * NS, 0), 0);
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(1), 11, 3 * NS, 0), -ENOENT);
	rec = zmc_lookup(KEY(1));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->offline_ns, 2 * NS);
	KUNIT_EXPECT_EQ(test, zmc_st().zombies, 1UL);
}

/*
 * Pointer reuse: the memcg at KEY(1) was freed unseen and a new memcg got
 * the same address.  Its online replaces the stale record.
 */
static void zmc_test_pointer_reuse_online(struct kunit *test)
{
	struct zmc_event old = zmc_ev(1, 11, NS), new = zmc_ev(1, 12, 2 * NS);
	struct zmc_record *rec;
	struct zmc_stats st;

	zmc_table_online(&old);
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(1), 11, NS, 0), 0);
	new.comm = "newcomer";
	zmc_table_online(&new);
	rec = zmc_lookup(KEY(1));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->cgid, 12ULL);
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_ONLINE);
	KUNIT_EXPECT_STREQ(test, rec->comm, "newcomer");
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 1UL);
	KUNIT_EXPECT_EQ(test, st.stale, 1UL);
	KUNIT_EXPECT_EQ(test, st.online, 1UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
}

/* Pointer reuse seen first at offline: the cgroup id tells them apart. */
static void zmc_test_pointer_reuse_offline(struct kunit *test)
{
	struct zmc_event old = zmc_ev(1, 11, NS), new = zmc_ev(1, 12, 4 * NS);
	struct zmc_record *rec;

	zmc_table_online(&old);
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(1), 12, 4 * NS, 0), -ENOENT);
	new.tgid = 0;
	new.comm = NULL;
	zmc_table_insert_offline(&new);
	rec = zmc_lookup(KEY(1));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->cgid, 12ULL);
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_OFFLINE);
	KUNIT_EXPECT_EQ(test, rec->tgid, 0);	/* not the old creator's */
	KUNIT_EXPECT_EQ(test, zmc_st().stale, 1UL);
	KUNIT_EXPECT_EQ(test, zmc_st().online, 0UL);
	KUNIT_EXPECT_EQ(test, zmc_st().zombies, 1UL);
}

/* The load-time walk: found records never replace a probe's. */
static void zmc_test_insert_found(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(4, 44, 6 * NS);
	struct zmc_record *rec;
	struct zmc_stats st;

	ev.tgid = 0;
	ev.comm = NULL;
	ev.flags = ZMC_F_PREDATES;
	KUNIT_EXPECT_EQ(test, zmc_table_insert_found(&ev, true), 0);
	KUNIT_EXPECT_EQ(test, zmc_table_insert_found(&ev, true), -EEXIST);
	rec = zmc_lookup(KEY(4));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_OFFLINE);
	KUNIT_EXPECT_EQ(test, rec->offline_ns, 6 * NS);
	KUNIT_EXPECT_TRUE(test, rec->flags & ZMC_F_PREDATES);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 1UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 1UL);
	KUNIT_EXPECT_EQ(test, st.predating, 1UL);
	zmc_table_free(KEY(4));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
	KUNIT_EXPECT_EQ(test, st.predating, 0UL);
}

/* The walk's settling marks an online record offline as predating. */
static void zmc_test_offline_flags(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(8, 88, NS);
	struct zmc_record *rec;

	zmc_table_online(&ev);
	KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(8), 88, 2 * NS, ZMC_F_PREDATES), 0);
	rec = zmc_lookup(KEY(8));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_TRUE(test, rec->flags & ZMC_F_PREDATES);
	KUNIT_EXPECT_EQ(test, zmc_st().predating, 1UL);
	KUNIT_EXPECT_EQ(test, zmc_st().zombies, 1UL);
	zmc_table_free(KEY(8));
	KUNIT_EXPECT_EQ(test, zmc_st().predating, 0UL);
	KUNIT_EXPECT_EQ(test, zmc_st().zombies, 0UL);
}

/* The walk found it online, then its online probe fired: same memcg. */
static void zmc_test_found_then_online(struct kunit *test)
{
	struct zmc_event found = zmc_ev(5, 55, NS), ev = zmc_ev(5, 55, NS);
	struct zmc_record *rec;

	found.tgid = 0;
	found.comm = NULL;
	KUNIT_EXPECT_EQ(test, zmc_table_insert_found(&found, false), 0);
	KUNIT_EXPECT_EQ(test, zmc_st().online, 1UL);
	zmc_table_online(&ev);
	rec = zmc_lookup(KEY(5));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, rec->tgid, 1005);	/* the probe knows more */
	KUNIT_EXPECT_EQ(test, zmc_st().stale, 0UL);
	KUNIT_EXPECT_EQ(test, zmc_st().online, 1UL);
	KUNIT_EXPECT_EQ(test, zmc_st().records, 1UL);
}

static void zmc_test_max_records(struct kunit *test)
{
	struct zmc_event ev;
	struct zmc_stats st;
	unsigned long i;

	zmc_max_records = 3;
	for (i = 0; i < 5; i++) {
		ev = zmc_ev(i, 100 + i, NS);
		zmc_table_online(&ev);
	}
	/* At offline a refusal is not counted again. */
	ev = zmc_ev(9, 109, NS);
	zmc_table_insert_offline(&ev);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 3UL);
	KUNIT_EXPECT_EQ(test, st.untracked, 2UL);
	KUNIT_EXPECT_EQ(test, zmc_table_insert_found(&ev, true), -ENOSPC);
	KUNIT_EXPECT_EQ(test, zmc_st().untracked, 3UL);
	zmc_table_free(KEY(0));
	zmc_table_insert_offline(&ev);
	KUNIT_EXPECT_NOT_NULL(test, zmc_lookup(KEY(9)));
}

/* Enough records to make the table grow; counters stay exact. */
static void zmc_test_many(struct kunit *test)
{
	const unsigned long n = 2000;
	struct zmc_event ev;
	struct zmc_stats st;
	unsigned long i, found = 0;

	for (i = 0; i < n; i++) {
		ev = zmc_ev(i, 1000 + i, i);
		zmc_table_online(&ev);
	}
	for (i = 0; i < n; i += 2)
		KUNIT_EXPECT_EQ(test, zmc_table_offline(KEY(i), 1000 + i, n + i, 0), 0);
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, n);
	KUNIT_EXPECT_EQ(test, st.online, n / 2);
	KUNIT_EXPECT_EQ(test, st.zombies, n / 2);
	for (i = 0; i < n; i++)
		found += !!zmc_lookup(KEY(i));
	KUNIT_EXPECT_EQ(test, found, n);
	for (i = 0; i < n; i++)
		zmc_table_free(KEY(i));
	st = zmc_st();
	KUNIT_EXPECT_EQ(test, st.records, 0UL);
	KUNIT_EXPECT_EQ(test, st.online, 0UL);
	KUNIT_EXPECT_EQ(test, st.zombies, 0UL);
	KUNIT_EXPECT_EQ(test, st.freed, n);
}

static void zmc_test_alloc_failed(struct kunit *test)
{
	zmc_table_alloc_failed();
	zmc_table_alloc_failed();
	KUNIT_EXPECT_EQ(test, zmc_st().alloc_failures, 2UL);
}

/* A path longer than anything seen at a probe still fits exactly. */
static void zmc_test_long_path(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(6, 66, NS);
	struct zmc_record *rec;
	char *path;

	path = kunit_kzalloc(test, PATH_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, path);
	memset(path, 'p', PATH_MAX - 1);
	path[0] = '/';
	ev.path = path;
	ev.comm = "0123456789abcdefXYZ";	/* longer than TASK_COMM_LEN */
	zmc_table_online(&ev);
	rec = zmc_lookup(KEY(6));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, strlen(rec->path), (size_t)PATH_MAX - 1);
	KUNIT_EXPECT_STREQ(test, rec->comm, "0123456789abcde");
}

/* A reader holding a record under RCU across its free: never sampled. */
static void zmc_test_sample_after_free(struct kunit *test)
{
	struct zmc_event ev = zmc_ev(7, 77, NS);
	struct zmc_sample s = {};
	struct zmc_record *rec;

	zmc_table_online(&ev);
	rcu_read_lock();
	rec = zmc_lookup(KEY(7));
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_TRUE(test, zmc_record_sample(rec, zmc_memcg_sample, &s));
	KUNIT_EXPECT_EQ(test, s.charged, zmc_test_charged);
	zmc_table_free(KEY(7));
	KUNIT_EXPECT_FALSE(test, zmc_record_sample(rec, zmc_memcg_sample, &s));
	KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_DEAD);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, zmc_test_samples, 1U);
}

static struct kunit_case zmc_table_cases[] = {
	KUNIT_CASE(zmc_test_online_insert_lookup),
	KUNIT_CASE(zmc_test_online_offline_free),
	KUNIT_CASE(zmc_test_free_without_offline),
	KUNIT_CASE(zmc_test_events_without_record),
	KUNIT_CASE(zmc_test_offline_without_online),
	KUNIT_CASE(zmc_test_offline_twice),
	KUNIT_CASE(zmc_test_pointer_reuse_online),
	KUNIT_CASE(zmc_test_pointer_reuse_offline),
	KUNIT_CASE(zmc_test_insert_found),
	KUNIT_CASE(zmc_test_offline_flags),
	KUNIT_CASE(zmc_test_found_then_online),
	KUNIT_CASE(zmc_test_max_records),
	KUNIT_CASE(zmc_test_many),
	KUNIT_CASE(zmc_test_alloc_failed),
	KUNIT_CASE(zmc_test_long_path),
	KUNIT_CASE(zmc_test_sample_after_free),
	{}
};

static struct kunit_suite zmc_table_suite = {
	.name = "zombiememcg_table",
	.init = zmc_table_test_init,
	.exit = zmc_table_test_exit,
	.test_cases = zmc_table_cases,
};

/* ---- age and threshold ---- */

static struct zmc_record *zmc_rec(struct kunit *test, u8 state, u64 off_ns)
{
	struct zmc_record *rec;

	rec = kunit_kzalloc(test, struct_size(rec, path, 8), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	rec->state = state;
	rec->offline_ns = off_ns;
	strscpy(rec->path, "/a", 8);
	return rec;
}

static void zmc_test_age_boundaries(struct kunit *test)
{
	struct zmc_record *rec = zmc_rec(test, ZMC_OFFLINE, 10 * NS);

	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 10 * NS - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 10 * NS), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 11 * NS - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 11 * NS), 1ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 11 * NS + NS / 2), 1ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 70 * NS), 60ULL);
}

static void zmc_test_age_extremes(struct kunit *test)
{
	struct zmc_record *rec = zmc_rec(test, ZMC_OFFLINE, 0);

	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, U64_MAX),
			U64_MAX / NS);
	rec->offline_ns = U64_MAX;
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, U64_MAX), 0ULL);
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, 0), 0ULL);
	rec->offline_ns = U64_MAX - NS;
	KUNIT_EXPECT_EQ(test, zmc_record_age_secs(rec, U64_MAX), 1ULL);
}

static void zmc_test_is_zombie_threshold(struct kunit *test)
{
	struct zmc_record *rec = zmc_rec(test, ZMC_OFFLINE, 100 * NS);
	u64 now = 105 * NS;	/* age 5 */

	KUNIT_EXPECT_TRUE(test, zmc_record_is_zombie(rec, now, 0));
	KUNIT_EXPECT_TRUE(test, zmc_record_is_zombie(rec, now, 4));
	KUNIT_EXPECT_TRUE(test, zmc_record_is_zombie(rec, now, 5));
	KUNIT_EXPECT_FALSE(test, zmc_record_is_zombie(rec, now, 6));
	KUNIT_EXPECT_FALSE(test, zmc_record_is_zombie(rec, now - 1, 5));
	KUNIT_EXPECT_FALSE(test, zmc_record_is_zombie(rec, now, U64_MAX));
	/* A clock behind the offline time: age 0, listed at threshold 0. */
	KUNIT_EXPECT_TRUE(test, zmc_record_is_zombie(rec, 0, 0));
	KUNIT_EXPECT_FALSE(test, zmc_record_is_zombie(rec, 0, 1));
}

static void zmc_test_is_zombie_state(struct kunit *test)
{
	struct zmc_record *rec = zmc_rec(test, ZMC_ONLINE, 0);

	KUNIT_EXPECT_FALSE(test, zmc_record_is_zombie(rec, 100 * NS, 0));
	rec->state = ZMC_DEAD;
	rec->offline_ns = NS;
	KUNIT_EXPECT_FALSE(test, zmc_record_is_zombie(rec, 100 * NS, 0));
	rec->state = ZMC_OFFLINE;
	KUNIT_EXPECT_TRUE(test, zmc_record_is_zombie(rec, 100 * NS, 0));
}

static struct kunit_case zmc_age_cases[] = {
	KUNIT_CASE(zmc_test_age_boundaries),
	KUNIT_CASE(zmc_test_age_extremes),
	KUNIT_CASE(zmc_test_is_zombie_threshold),
	KUNIT_CASE(zmc_test_is_zombie_state),
	{}
};

static struct kunit_suite zmc_age_suite = {
	.name = "zombiememcg_age",
	.test_cases = zmc_age_cases,
};

/* ---- the tunable's parser ---- */

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
 * bits, 21 to 23 overflow, 24 and more are refused outright.
 */
static void zmc_test_parse_lengths(struct kunit *test)
{
	char *buf = kunit_kmalloc(test, 4104, GFP_KERNEL);
	size_t len;
	u64 v;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, '1', 4104);
	for (len = 0; len <= 4104; len++) {
		int ret = zmc_parse_secs(buf, len, &v);

		if (len >= 1 && len <= 20)
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "len %zu", len);
		else
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "len %zu", len);
	}
}

static void zmc_test_threshold_get_set(struct kunit *test)
{
	u64 old = zmc_older_than_secs();

	zmc_set_older_than_secs(U64_MAX);
	KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), U64_MAX);
	zmc_set_older_than_secs(0);
	KUNIT_EXPECT_EQ(test, zmc_older_than_secs(), 0ULL);
	zmc_set_older_than_secs(old);
}

static struct kunit_case zmc_parse_test_cases[] = {
	KUNIT_CASE(zmc_test_parse_secs),
	KUNIT_CASE(zmc_test_parse_lengths),
	KUNIT_CASE(zmc_test_threshold_get_set),
	{}
};

static struct kunit_suite zmc_parse_suite = {
	.name = "zombiememcg_parse",
	.test_cases = zmc_parse_test_cases,
};

/* ---- /proc/zombiememcg rows ---- */

struct zmc_seq {
	struct seq_file m;
	struct zmc_proc_iter it;
};

static struct zmc_seq *zmc_seq_new(struct kunit *test, u64 now_ns,
				   u64 min_age)
{
	struct zmc_seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->m.size = 2 * PATH_MAX;
	s->m.buf = kunit_kzalloc(test, s->m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->m.buf);
	s->m.private = &s->it;
	s->it.now_ns = now_ns;
	s->it.min_age = min_age;
	return s;
}

/* The row after its MEMCG column (a hashed pointer). */
static const char *zmc_row_tail(struct kunit *test, struct zmc_seq *s)
{
	char *sp;

	s->m.buf[s->m.count] = '\0';
	sp = strchr(s->m.buf, ' ');
	KUNIT_ASSERT_NOT_NULL(test, sp);
	return sp + 1;
}

static void zmc_test_proc_header(struct kunit *test)
{
	struct zmc_seq *s = zmc_seq_new(test, 0, 0);

	KUNIT_EXPECT_EQ(test, zmc_proc_show(&s->m, SEQ_START_TOKEN), 0);
	s->m.buf[s->m.count] = '\0';
	KUNIT_EXPECT_STREQ(test, s->m.buf,
			   "MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH\n");
}

static void zmc_test_proc_row(struct kunit *test)
{
	struct zmc_seq *s = zmc_seq_new(test, 75 * NS, 0);
	struct zmc_record *rec;

	rec = kunit_kzalloc(test, struct_size(rec, path, 16), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	rec->key = KEY(1);
	rec->cgid = 4242;
	rec->tgid = 77;
	rec->state = ZMC_OFFLINE;
	rec->offline_ns = 10 * NS;
	strscpy(rec->comm, "kworker/0:1", sizeof(rec->comm));
	strscpy(rec->path, "/a.slice/b", 16);
	KUNIT_EXPECT_EQ(test, zmc_proc_show(&s->m, rec), 0);
	KUNIT_EXPECT_STREQ(test, zmc_row_tail(test, s),
			   "4242 77 kworker/0:1 65 4096 8192 123456 - /a.slice/b\n");
}

/* Spaces, tabs, newlines and backslashes escaped as octal; empty COMM. */
static void zmc_test_proc_escaping(struct kunit *test)
{
	struct zmc_seq *s = zmc_seq_new(test, NS, 0);
	static const char path[] = "/x y/t\tz\nq\\r";
	struct zmc_record *rec;

	rec = kunit_kzalloc(test, struct_size(rec, path, sizeof(path)),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	rec->cgid = 1;
	rec->state = ZMC_OFFLINE;
	rec->offline_ns = NS;
	rec->flags = ZMC_F_PREDATES;
	memcpy(rec->path, path, sizeof(path));
	KUNIT_EXPECT_EQ(test, zmc_proc_show(&s->m, rec), 0);
	KUNIT_EXPECT_STREQ(test, zmc_row_tail(test, s),
			   "1 0 - 0 4096 8192 123456 p /x\\040y/t\\011z\\012q\\134r\n");

	s = zmc_seq_new(test, NS, 0);
	strscpy(rec->comm, "a b\\c", sizeof(rec->comm));
	KUNIT_EXPECT_EQ(test, zmc_proc_show(&s->m, rec), 0);
	KUNIT_EXPECT_STREQ(test, zmc_row_tail(test, s),
			   "1 0 a\\040b\\134c 0 4096 8192 123456 p /x\\040y/t\\011z\\012q\\134r\n");
}

/* Freed between the walk and the show: skipped, nothing printed. */
static void zmc_test_proc_dead_skipped(struct kunit *test)
{
	struct zmc_seq *s = zmc_seq_new(test, NS, 0);
	struct zmc_record *rec = zmc_rec(test, ZMC_DEAD, NS);

	KUNIT_EXPECT_EQ(test, zmc_proc_show(&s->m, rec), SEQ_SKIP);
	KUNIT_EXPECT_EQ(test, s->m.count, (size_t)0);
	KUNIT_EXPECT_EQ(test, zmc_test_samples, 0U);
}

/*
 * The seq_file walk over a real table: exactly the zombies at least
 * older_than_secs old, each once, then the end.  ->start() reads the real
 * clock and the tunable: records offline at time 0 are at least 1 s old
 * (the module is loaded well after boot), those offline "in the future"
 * are 0 s old.
 */
static void zmc_test_proc_walk(struct kunit *test)
{
	const unsigned long n = 300;
	struct zmc_seq *s;
	struct zmc_event ev;
	unsigned long i, rows = 0, want = 0;
	loff_t pos = 0;
	void *v;

	KUNIT_ASSERT_GE(test, ktime_get_boot_fast_ns(), 2 * NS);
	for (i = 0; i < n; i++) {
		ev = zmc_ev(i, 1 + i, 0);
		zmc_table_online(&ev);
		if (i % 3 == 1) {
			zmc_table_offline(KEY(i), 1 + i, 0, 0);
			want++;
		} else if (i % 3 == 2) {
			zmc_table_offline(KEY(i), 1 + i, U64_MAX / 2, 0);
		}
	}
	zmc_set_older_than_secs(1);
	s = zmc_seq_new(test, 0, 0);
	zmc_table_walk_enter(&s->it.walk);
	v = zmc_proc_start(&s->m, &pos);
	KUNIT_EXPECT_PTR_EQ(test, v, SEQ_START_TOKEN);
	while (v && !IS_ERR(v)) {
		if (v != SEQ_START_TOKEN) {
			struct zmc_record *rec = v;

			KUNIT_EXPECT_EQ(test, rec->state, (u8)ZMC_OFFLINE);
			KUNIT_EXPECT_EQ(test, rec->offline_ns, 0ULL);
			KUNIT_EXPECT_EQ(test, (rec->cgid - 1) % 3, 1ULL);
			rows++;
		}
		v = zmc_proc_next(&s->m, v, &pos);
	}
	zmc_proc_stop(&s->m, NULL);
	rhashtable_walk_exit(&s->it.walk);
	KUNIT_EXPECT_EQ(test, rows, want);
	KUNIT_EXPECT_EQ(test, s->it.min_age, 1ULL);
}

static int zmc_proc_test_init(struct kunit *test)
{
	int ret = zmc_table_test_init(test);

	zmc_set_older_than_secs(100);
	return ret;
}

static struct kunit_case zmc_proc_cases[] = {
	KUNIT_CASE(zmc_test_proc_header),
	KUNIT_CASE(zmc_test_proc_row),
	KUNIT_CASE(zmc_test_proc_escaping),
	KUNIT_CASE(zmc_test_proc_dead_skipped),
	KUNIT_CASE(zmc_test_proc_walk),
	{}
};

static struct kunit_suite zmc_proc_suite = {
	.name = "zombiememcg_proc",
	.init = zmc_proc_test_init,
	.exit = zmc_table_test_exit,
	.test_cases = zmc_proc_cases,
};

kunit_test_suites(&zmc_table_suite, &zmc_age_suite, &zmc_parse_suite,
		  &zmc_proc_suite);

MODULE_DESCRIPTION("KUnit tests of zombiememcg's record table, ages, rows and parser");
MODULE_LICENSE("GPL");
