// SPDX-License-Identifier: GPL-2.0
/*
 * swap_test: the SWAP column is the zombie's own swap charge, and swap
 * entries alone hold a zombie until they are freed.  Run as root in a
 * throw-away VM with a swap device (run.sh swaps on a brd RAM disk when the
 * initramfs has the kernel's brd.ko; without swap every test skips).
 *
 * A process writes SWAP_BYTES into a tmpfs file inside a cgroup and exits;
 * memory.reclaim pushes those pages out to swap; the cgroup is removed.
 * Nothing touches the file afterwards, so the zombie's swap charge stays
 * what memory.swap.current said just before the rmdir, and the row must
 * say exactly that.  Deleting the file frees the swap entries and the
 * pages still in memory, which were all that held the memcg: the zombie
 * must then be freed.
 *
 * With --v1 the same runs on a cgroup v1 memory hierarchy, which the test
 * mounts (in a boot where cgroup v2 never enabled the memory controller:
 * vm/check.sh boots one with zmc.cgroup=v1 where the kernel has v1).
 * There a memcg counts memory+swap in memsw, which shares its place with
 * the v2 swap counter: the swap is memsw less memory, read from
 * memory.memsw.usage_in_bytes and memory.usage_in_bytes; memory.force_empty
 * does memory.reclaim's job.
 *
 * Usage: swap_test [--v1] [path/to/zombiememcg.ko]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"


#define V1_ROOT		"/tmp/zmc-v1-memory"
#define SWAP_MNT	"/tmp/zmc-swap"
#define SWAP_FILE	SWAP_MNT "/data"
#define SWAP_BYTES	(4 << 20)
/* What memory.reclaim must have swapped out for the test to mean much. */
#define SWAPPED_MIN	(SWAP_BYTES / 2)
#define RECLAIM_TRIES	20
#define POLL_SECS	30	/* offline runs in a kworker; frees after RCU */

static bool v1, loaded_here, mounted, v1_mounted;
static const char *cg_root = CG_ROOT;	/* the memory hierarchy's root */
static char swap_cg[PATH_MAX];		/* cg_root/zmc-swap */
static char no_swap[160];		/* why the tests cannot run */
static unsigned long long cg_id;	/* the zombie's cgroup id */
static long long swap_at_rmdir = -1;	/* its swap charge then */
static long long mem_at_rmdir = -1;	/* and its memory charge */
static long long swap_left = -1;	/* its SWAP once the file is deleted */
static int kernel_major, kernel_minor;
static char swap_dev[64];		/* the swap device test_swap_on found */

/* The first swap device of /proc/swaps in @dev; 0 or -1. */
static int swap_device(char *dev, size_t size)
{
	char buf[4096], *line;

	if (read_file("/proc/swaps", buf, sizeof(buf)) <= 0)
		return -1;
	line = strchr(buf, '\n');
	if (!line || line[1] != '/')
		return -1;
	line++;
	line[strcspn(line, " \t\n")] = '\0';
	snprintf(dev, size, "%s", line);
	return 0;
}

/* The memory hierarchy's file @name of swap_cg, as a number; -1 if none. */
static long long cg_value(const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", swap_cg, name);
	return read_number(path);
}

/* Bytes of swap charged to swap_cg: v2's counter, or v1's memsw - memory. */
static long long cg_swap(void)
{
	long long memsw, mem;

	if (!v1)
		return cg_value("memory.swap.current");
	memsw = cg_value("memory.memsw.usage_in_bytes");
	mem = cg_value("memory.usage_in_bytes");
	return memsw < 0 || mem < 0 ? -1 : memsw - mem;
}

static long long cg_memory(void)
{
	return cg_value(v1 ? "memory.usage_in_bytes" : "memory.current");
}

/* Push swap_cg's pages out: 0, or -errno of the last write. */
static int cg_reclaim(void)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", swap_cg,
		 v1 ? "memory.force_empty" : "memory.reclaim");
	return write_line(path, v1 ? "0" : "8M");
}

/* The v1 memory hierarchy, mounted here; else why not in no_swap. */
static void mount_v1(void)
{
	v1_mounted = !mount_memory_v1(V1_ROOT, no_swap, sizeof(no_swap));
}

/* Swap on, and swap accounted to memory cgroups; else why not. */
static int test_swap_on(void)
{
	if (swap_device(swap_dev, sizeof(swap_dev))) {
		snprintf(no_swap, sizeof(no_swap),
			 "no swap device (run.sh swaps on a brd RAM disk when the initramfs has brd.ko)");
	} else if (v1) {
		mount_v1();
	} else if (access(CG_ROOT "/cgroup.subtree_control", F_OK)) {
		snprintf(no_swap, sizeof(no_swap), "no cgroup v2 at %s", CG_ROOT);
	} else if (enable_memory(CG_ROOT)) {
		snprintf(no_swap, sizeof(no_swap), "no memory controller at %s", CG_ROOT);
	}
	if (no_swap[0]) {
		snprintf(diag, sizeof(diag), "%s", no_swap);
		return KSFT_SKIP;
	}
	if (module_listing_all(&loaded_here))
		return KSFT_FAIL;
	ksft_print_msg("swap: on %s, cgroup %s, memory hierarchy at %s\n", swap_dev,
		       v1 ? "v1" : "v2", cg_root);
	return KSFT_PASS;
}

/* The cgroup's tmpfs pages, pushed out to swap by reclaim. */
static int test_swapped_out(void)
{
	long long swapped = -1, cur;
	int i, ret, status;
	struct stat st;
	pid_t child;

	if (mkdir(SWAP_MNT, 0700) && errno != EEXIST) {
		fail_msg("mkdir %s: %s", SWAP_MNT, strerror(errno));
		return KSFT_FAIL;
	}
	if (mount("tmpfs", SWAP_MNT, "tmpfs", 0, "size=16m")) {
		fail_msg("mount tmpfs on %s: %s", SWAP_MNT, strerror(errno));
		return KSFT_FAIL;
	}
	mounted = true;
	/*
	 * A child writes, and exits: the anonymous memory it charged there
	 * (its stack, the write buffer) goes with it, so that nothing but the
	 * file's pages and swap entries holds the memcg.
	 */
	child = fork();
	if (!child)
		_exit(-cg_pin(swap_cg, cg_root, PIN_CACHE, SWAP_FILE, SWAP_BYTES));
	if (child < 0 || waitpid(child, &status, 0) != child)
		ret = -errno;
	else
		ret = WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
	if (ret) {
		fail_msg("cgroup %s writing %d bytes of tmpfs: %s", swap_cg,
			 SWAP_BYTES, strerror(-ret));
		return KSFT_FAIL;
	}
	if (stat(swap_cg, &st)) {
		fail_msg("stat %s: %s", swap_cg, strerror(errno));
		return KSFT_FAIL;
	}
	cg_id = st.st_ino;
	if (cg_swap() < 0) {
		fail_msg("no swap counter in %s: swap not accounted to memcgs (swapaccount=0?)",
			 swap_cg);
		return KSFT_FAIL;
	}
	/* Reclaim gives up early now and then (-EAGAIN): ask again. */
	for (i = 0; i < RECLAIM_TRIES; i++) {
		ret = cg_reclaim();
		swapped = cg_swap();
		if (swapped >= SWAPPED_MIN)
			break;
		sleep_ms(100);
	}
	cur = cg_memory();
	ksft_print_msg("swap: after %d reclaims, swap %lld, memory %lld%s\n",
		       i + (i < RECLAIM_TRIES), swapped, cur,
		       v1 ? " (v1: memsw less memory, and memory)" : "");
	if (swapped < SWAPPED_MIN) {
		fail_msg("swap %lld after %d reclaims (last: %s): want >= %d",
			 swapped, RECLAIM_TRIES, strerror(-ret), SWAPPED_MIN);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* Removed, the cgroup is a zombie whose SWAP is what it had swapped. */
static int test_swap_listed(void)
{
	double end = now_secs() + POLL_SECS;
	struct row r;
	int found;

	if (!cg_id) {
		fail_msg("no cgroup from the earlier test");
		return KSFT_FAIL;
	}
	swap_at_rmdir = cg_swap();
	mem_at_rmdir = cg_memory();
	if (rmdir(swap_cg)) {
		fail_msg("rmdir %s: %s", swap_cg, strerror(errno));
		return KSFT_FAIL;
	}
	/* Listed from the rmdir on: the css is marked dying there. */
	do {
		found = find_id(cg_id, &r);
		if (found < 0)
			return KSFT_FAIL;
		if (found)
			break;
		sleep_ms(200);
	} while (now_secs() < end);
	if (!found) {
		fail_msg("zombie %llu not listed", cg_id);
		return KSFT_FAIL;
	}
	ksft_print_msg("swap: zombie %llu: SWAP %llu, CHARGED %llu; at rmdir swap %lld, memory %lld\n",
		       cg_id, r.swap, r.charged, swap_at_rmdir, mem_at_rmdir);
	if (r.swap != (unsigned long long)swap_at_rmdir) {
		fail_msg("SWAP %llu, swap at rmdir %lld (memory %lld)",
			 r.swap, swap_at_rmdir, mem_at_rmdir);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/*
 * Before 6.15 a freed swap entry waits in a per-CPU cache of free slots
 * (mm/swap_slots.c, up to SWAP_SLOTS_CACHE_SIZE = 64 entries per CPU) and
 * is uncharged only when that cache is returned; 6.15 removed the cache.
 */
#define SLOTS_CACHE_PAGES	64
static bool slots_cache(void)
{
	return kernel_major < 6 || (kernel_major == 6 && kernel_minor < 15);
}

/* Once the file is deleted, its swap is uncharged (but for that cache). */
static int test_swap_uncharged(void)
{
	double end = now_secs() + POLL_SECS;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long cached = SLOTS_CACHE_PAGES * 4096ULL * cpus;
	struct row r = { 0 };
	int found;

	if (swap_at_rmdir < 0) {
		fail_msg("no zombie from the earlier test");
		return KSFT_FAIL;
	}
	if (unlink(SWAP_FILE)) {
		fail_msg("unlink %s: %s", SWAP_FILE, strerror(errno));
		return KSFT_FAIL;
	}
	do {
		found = find_id(cg_id, &r);
		if (found < 0)
			return KSFT_FAIL;
		if (!found || r.swap == 0 || (slots_cache() && r.swap <= cached))
			break;
		sleep_ms(200);
	} while (now_secs() < end);
	swap_left = found ? (long long)r.swap : 0;
	ksft_print_msg("swap: file deleted: %s, SWAP %llu, CHARGED %llu\n",
		       found ? "zombie listed" : "zombie freed", r.swap, r.charged);
	if (found && r.swap && !(slots_cache() && r.swap <= cached)) {
		fail_msg("SWAP %llu after the file was deleted: want 0%s", r.swap,
			 slots_cache() ? " or what the per-CPU slot caches hold" : "");
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/*
 * The swap entries and pages were all that held the memcg: it is freed,
 * from 6.15 at once, before once the slot caches are returned (swapoff
 * drains them; the device is then swapped on again).
 */
static int test_freed_with_swap(void)
{
	double end = now_secs() + POLL_SECS;
	int found;

	if (swap_left < 0) {
		fail_msg("no zombie from the earlier test");
		return KSFT_FAIL;
	}
	if (swap_left && slots_cache()) {
		if (swapoff(swap_dev) || swapon(swap_dev, 0)) {
			fail_msg("swapoff/swapon %s: %s", swap_dev, strerror(errno));
			return KSFT_FAIL;
		}
		ksft_print_msg("swap: %s off and on again: the slot caches returned\n", swap_dev);
	}
	do {
		found = find_id(cg_id, NULL);
		if (found <= 0)
			break;
		sleep_ms(200);
	} while (now_secs() < end);
	if (found > 0)
		fail_msg("zombie %llu still listed %d s after its swap was freed",
			 cg_id, POLL_SECS);
	return found ? KSFT_FAIL : KSFT_PASS;
}

static const struct zmc_test tests[] = {
	{ "swap: a swap device is on, the module loaded", test_swap_on },
	{ "swap: reclaim (memory.reclaim; v1: memory.force_empty) swaps out the cgroup's tmpfs pages", test_swapped_out },
	{ "swap: the zombie's SWAP is its swap charge at rmdir", test_swap_listed },
	{ "swap: the file deleted, its swap is uncharged (but for the per-CPU slot caches before 6.15)", test_swap_uncharged },
	{ "swap: the zombie is freed once its swap entries are (slot caches returned)", test_freed_with_swap },
};

int main(int argc, char **argv)
{
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--v1")) {
		v1 = true;
		cg_root = V1_ROOT;
		argc--;
		argv++;
	}
	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests));
	if (ret >= 0)
		return ret;
	snprintf(swap_cg, sizeof(swap_cg), "%s/zmc-swap", cg_root);
	kernel_version(&kernel_major, &kernel_minor);
	zmc_run_tests(tests, ARRAY_SIZE(tests), no_swap);
	rmdir(swap_cg);
	unlink(SWAP_FILE);
	if (mounted)
		umount(SWAP_MNT);
	/* The hierarchy lives on while it has a cgroup, dying ones too. */
	if (v1_mounted && umount(V1_ROOT))
		ksft_print_msg("swap: umount %s: %s\n", V1_ROOT, strerror(errno));
	if (loaded_here) {
		ret = unload_module();
		if (ret)
			ksft_print_msg("swap: unload: %s\n", strerror(-ret));
	}
	ksft_finished();
}
