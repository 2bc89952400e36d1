// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of FOOTPRINT's sizes: the BTF reader (btf.c) on blobs made
 * here, good and malformed, and on the running kernel's own BTF; the sums
 * of footprint.c on the kernel's real zombies.  The sources under test are
 * compiled in (#include below), as listing_kunit.c does with the others.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt	/* as in the sources below */

#include <kunit/test.h>
#include <linux/btf.h>
#include <linux/cgroup.h>
#include <linux/memcontrol.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "../btf.c"
#include "../footprint.c"

/*
 * A small BTF blob: an int, a pointer, struct "alpha" (2 members, 24
 * bytes), an enum, struct "beta" (8 bytes), a union named "gamma"; then
 * the strings.
 */
struct zmc_test_blob {
	struct btf_header hdr;
	struct btf_type t_int;
	u32 int_enc;
	struct btf_type t_ptr;
	struct btf_type t_alpha;
	struct btf_member alpha_m[2];
	struct btf_type t_enum;
	struct btf_enum enum_v[1];
	struct btf_type t_beta;
	struct btf_type t_gamma;
	char strs[32];
} __packed;

/* String offsets in zmc_test_blob.strs. */
#define ZS_INT		1	/* "int" */
#define ZS_ALPHA	5	/* "alpha" */
#define ZS_X		11	/* "x" */
#define ZS_BETA		13	/* "beta" */
#define ZS_GAMMA	18	/* "gamma" */

static const char zmc_test_strs[32] = "\0int\0alpha\0x\0beta\0gamma";

static void zmc_test_blob_init(struct zmc_test_blob *b)
{
	memset(b, 0, sizeof(*b));
	b->hdr.magic = BTF_MAGIC;
	b->hdr.version = BTF_VERSION;
	b->hdr.hdr_len = sizeof(b->hdr);
	b->hdr.type_off = 0;
	b->hdr.type_len = offsetof(struct zmc_test_blob, strs) - sizeof(b->hdr);
	b->hdr.str_off = b->hdr.type_len;
	b->hdr.str_len = sizeof(b->strs);
	b->t_int.name_off = ZS_INT;
	b->t_int.info = BTF_KIND_INT << 24;
	b->t_int.size = 4;
	b->t_ptr.info = BTF_KIND_PTR << 24;
	b->t_ptr.type = 1;
	b->t_alpha.name_off = ZS_ALPHA;
	b->t_alpha.info = BTF_KIND_STRUCT << 24 | 2;
	b->t_alpha.size = 24;
	b->alpha_m[0].name_off = ZS_X;
	b->alpha_m[0].type = 1;
	b->alpha_m[1].type = 2;
	b->alpha_m[1].offset = 64;
	b->t_enum.info = BTF_KIND_ENUM << 24 | 1;
	b->t_enum.size = 4;
	b->t_beta.name_off = ZS_BETA;
	b->t_beta.info = BTF_KIND_STRUCT << 24;
	b->t_beta.size = 8;
	b->t_gamma.name_off = ZS_GAMMA;
	b->t_gamma.info = BTF_KIND_UNION << 24;
	b->t_gamma.size = 16;
	memcpy(b->strs, zmc_test_strs, sizeof(b->strs));
}

static const char *const zmc_test_names[] = { "beta", "alpha", "gamma", "delta" };

static void zmc_test_btf_finds_structs(struct kunit *test)
{
	struct zmc_test_blob b;
	u32 sizes[4] = { };

	zmc_test_blob_init(&b);
	KUNIT_EXPECT_EQ(test, zmc_btf_struct_sizes(&b, sizeof(b), zmc_test_names, sizes, 4), 2);
	KUNIT_EXPECT_EQ(test, sizes[0], 8U);
	KUNIT_EXPECT_EQ(test, sizes[1], 24U);
	/* A union is not a struct; an absent name stays 0. */
	KUNIT_EXPECT_EQ(test, sizes[2], 0U);
	KUNIT_EXPECT_EQ(test, sizes[3], 0U);
}

/* Each corruption is refused, and no size is set. */
static void zmc_test_btf_refuses_malformed(struct kunit *test)
{
	struct zmc_test_blob b;
	u32 sizes[4];
	int i;

	for (i = 0; i < 9; i++) {
		size_t len = sizeof(b);

		zmc_test_blob_init(&b);
		switch (i) {
		case 0:
			b.hdr.magic = swab16(BTF_MAGIC);	/* other endianness */
			break;
		case 1:
			b.hdr.version = 2;
			break;
		case 2:
			len = ZMC_BTF_HDR_MIN - 1;		/* cut in the header */
			break;
		case 3:
			b.hdr.type_len += 4;			/* past the strings */
			b.hdr.str_off += 4;
			break;
		case 4:
			b.strs[sizeof(b.strs) - 1] = 'z';	/* unterminated */
			break;
		case 5:
			b.t_alpha.info = BTF_KIND_STRUCT << 24 | 200;	/* members past the end */
			break;
		case 6:
			b.t_enum.info = 31 << 24;		/* a kind unknown here */
			break;
		case 7:
			b.t_beta.name_off = 4000;		/* name past the strings */
			break;
		case 8:
			b.hdr.hdr_len = sizeof(b) + 1;		/* header past the blob */
			break;
		}
		memset(sizes, 0, sizeof(sizes));
		KUNIT_EXPECT_EQ_MSG(test, zmc_btf_struct_sizes(&b, len, zmc_test_names, sizes, 4),
				    -EINVAL, "corruption %d", i);
	}
}

/* The running kernel's BTF knows its public structs at their real size. */
static void zmc_test_btf_running_kernel(struct kunit *test)
{
	static const char *const names[] = { "mem_cgroup", "cgroup", "memcg_vmstats_percpu" };
	u32 sizes[3];
	int ret;

	ret = zmc_btf_read_sizes(names, sizes, 3);
	if (ret == -ENOENT)
		kunit_skip(test, "no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF is not set)");
	KUNIT_ASSERT_EQ(test, ret, 3);
	KUNIT_EXPECT_EQ(test, sizes[0], (u32)sizeof(struct mem_cgroup));
	KUNIT_EXPECT_EQ(test, sizes[1], (u32)sizeof(struct cgroup));
	KUNIT_EXPECT_GT(test, sizes[2], 0U);
	KUNIT_EXPECT_TRUE(test, zmc_footprint_from_btf());
}

static void zmc_test_percpu_total(struct kunit *test)
{
	u64 one = zmc_fp_percpu(1), total = zmc_fp_percpu_total(400);
	u64 cpus = num_possible_cpus();

	KUNIT_EXPECT_EQ(test, one, (u64)PCPU_MIN_ALLOC_SIZE);
	KUNIT_EXPECT_EQ(test, zmc_fp_percpu(1088), 1088ULL);
	/* Every possible CPU, plus an obj_cgroup pointer per 4-byte unit. */
	if (zmc_memcg_kmem())
		KUNIT_EXPECT_EQ(test, total, 400 * cpus + 100 * sizeof(void *));
	else
		KUNIT_EXPECT_EQ(test, total, 400 * cpus);
}

/*
 * A kmalloc()ed object counts its bucket; the memcg's own objects, measured
 * on the root memcg, at least their structs and at most their buckets.
 */
static void zmc_test_slab_sizes(struct kunit *test)
{
	size_t memcg = struct_size_t(struct mem_cgroup, nodeinfo, nr_node_ids);
	size_t pn = sizeof(struct mem_cgroup_per_node);
	u64 slab = zmc_fp_memcg_slab(1);

	KUNIT_EXPECT_EQ(test, zmc_fp_kmalloc(2049), 4096ULL);
	KUNIT_EXPECT_EQ(test, zmc_fp_kmalloc(64), 64ULL);
	KUNIT_EXPECT_GE(test, slab, (u64)(memcg + pn));
	KUNIT_EXPECT_LE(test, slab, (u64)SZ_64K);
	/* A second node adds one struct mem_cgroup_per_node at least. */
	KUNIT_EXPECT_GE(test, zmc_fp_memcg_slab(2) - slab, (u64)pn);
}

/*
 * The kernel's zombies: each FOOTPRINT is what all hold alike, plus at
 * least its struct cgroup, its shrinker info and, if it has any, its
 * pressure data.
 */
static void zmc_test_zombie_footprints(struct kunit *test)
{
	u64 base = zmc_fp.slab + zmc_fp_percpu_total(zmc_fp.percpu);
	struct cgroup_subsys_state *css;
	size_t zombies = 0, bad = 0;
	struct zmc_cursor cur;

	KUNIT_EXPECT_GE(test, zmc_fp.slab, (u64)sizeof(struct mem_cgroup));
	KUNIT_EXPECT_GT(test, zmc_fp.percpu, 0ULL);
	zmc_cursor_init(&cur);
	rcu_read_lock();
	for (css = zmc_cursor_first(&cur); css; css = zmc_cursor_next(&cur)) {
		unsigned int flags = READ_ONCE(css->flags);
		u64 fp, least = base + sizeof(struct cgroup);

		if (!(flags & CSS_DYING) || (flags & CSS_RELEASED))
			continue;
		zombies++;
#ifdef CONFIG_PSI
		if (css->cgroup->psi)
			least += zmc_fp.psi_slab;
#endif
		fp = zmc_footprint(css);
		if (fp < least || fp > least + SZ_1M)
			bad++;
	}
	rcu_read_unlock();
	zmc_cursor_exit(&cur);
	KUNIT_EXPECT_EQ(test, bad, (size_t)0);
	if (!zombies)
		kunit_skip(test, "no zombie memcg on this machine");
}

static int zmc_footprint_suite_init(struct kunit_suite *suite)
{
	zmc_footprint_init();
	return 0;
}

static struct kunit_case zmc_footprint_cases[] = {
	KUNIT_CASE(zmc_test_btf_finds_structs),
	KUNIT_CASE(zmc_test_btf_refuses_malformed),
	KUNIT_CASE(zmc_test_btf_running_kernel),
	KUNIT_CASE(zmc_test_percpu_total),
	KUNIT_CASE(zmc_test_slab_sizes),
	KUNIT_CASE(zmc_test_zombie_footprints),
	{}
};

static struct kunit_suite zmc_footprint_suite = {
	.name = "zombiememcg_footprint",
	.suite_init = zmc_footprint_suite_init,
	.test_cases = zmc_footprint_cases,
};

kunit_test_suites(&zmc_footprint_suite);
