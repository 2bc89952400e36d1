// SPDX-License-Identifier: GPL-2.0
/*
 * paths_test: the listing's PATH is built when it is read, from the live
 * memcg, and the records keep no path: a path's length costs nothing.
 * Run as root in a throw-away VM (by run.sh): it loads the module if it is
 * not loaded and sets older_than_secs to 0.
 *
 * - A zombie 12 levels deep, its names holding spaces, tabs and
 *   backslashes, is listed with its whole path, each of those escaped.
 * - A zombie whose path within the hierarchy is near PATH_MAX (names of
 *   NAME_MAX bytes) is listed whole.
 * - 1000 cgroups of docker-length names: a record is a fixed object of its
 *   own cache (stats record_bytes is records times its object_size in
 *   /sys/kernel/slab, whose slot is larger on a debug kernel's red zones;
 *   from 6.5 the cache is in /proc/slabinfo), and with the hash table's
 *   buckets (stats table_bytes) a record costs at most 96 bytes.  The
 *   bucket array grows by powers of two, its share a record between about
 *   10 and 43 bytes as the table fills, so the record itself is 48 bytes.
 *
 * Usage: paths_test [path/to/zombiememcg.ko]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"


#define P_ROOT		CG_ROOT "/zmc-paths"
#define P_REL		"/zmc-paths"
#define DEEP_LEVELS	12
/* The path within the hierarchy the long one reaches at least. */
#define LONG_PATH	(PATH_MAX - 400)
#define NR_DOCKER	1000
#define RECORD_MAX	96
#define SLAB_DIR	"/sys/kernel/slab/zombiememcg_record"

static bool loaded_here;
static char no_run[160];
static int kernel_major, kernel_minor;
static pid_t pinners[2];
/* The cgroups made, deepest last, to remove at the end. */
static char made[64][PATH_MAX];
static int nr_made;

static int test_setup(void)
{
	if (v2_memory(no_run, sizeof(no_run)))
		return KSFT_SKIP;
	if (module_listing_all(&loaded_here))
		return KSFT_FAIL;
	if ((mkdir(P_ROOT, 0755) && errno != EEXIST) || enable_memory(P_ROOT)) {
		fail_msg("%s: %s", P_ROOT, strerror(errno));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* mkdir @rel under the cgroup root, memory enabled for its children. */
static int make_level(const char *rel, bool parent)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s%s", CG_ROOT, rel) >= (int)sizeof(dir) ||
	    nr_made == ARRAY_SIZE(made)) {
		fail_msg("path too long or too many cgroups at %.60s...", rel);
		return -1;
	}
	if (mkdir(dir, 0755)) {
		fail_msg("mkdir %.80s...: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(made[nr_made++], sizeof(made[0]), "%s", dir);
	if (parent && enable_memory(dir)) {
		fail_msg("+memory in %.80s...: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The deepest of @rel (made already), pinned by a socket of a child that
 * stays, then removed: its row, by cgroup id.  0, or -1 with diag set.
 */
static int pin_and_remove(const char *rel, pid_t *pinner, struct row *r)
{
	char dir[PATH_MAX], procs[PATH_MAX + 16];
	double end;
	struct stat st;
	int pfd[2], found;
	char c;

	snprintf(dir, sizeof(dir), "%s%s", CG_ROOT, rel);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (stat(dir, &st) || pipe(pfd)) {
		fail_msg("stat %.80s...: %s", dir, strerror(errno));
		return -1;
	}
	*pinner = fork();
	if (!*pinner) {
		if (write_line(procs, "0") || socket(AF_INET, SOCK_STREAM, 0) < 0 ||
		    write_line(CG_ROOT "/cgroup.procs", "0") || write(pfd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (*pinner < 0 || read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		fail_msg("the pinning child failed");
		return -1;
	}
	close(pfd[0]);
	if (rmdir(dir)) {
		fail_msg("rmdir %.80s...: %s", dir, strerror(errno));
		return -1;
	}
	nr_made--;
	for (end = now_secs() + 30; (found = find_id(st.st_ino, r)) == 0 && now_secs() < end;)
		sleep_ms(100);
	if (found <= 0) {
		fail_msg("zombie %llu (%.60s...) not listed", (unsigned long long)st.st_ino, rel);
		return -1;
	}
	return 0;
}

/* What seq_escape() with " \t\n\\" makes of @s. */
static void escape_path(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 5 < size; s++) {
		if (strchr(" \t\n\\", *s))
			n += snprintf(out + n, size - n, "\\%03o", (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
}

static int test_deep(void)
{
	static const char *const odd[] = { " ", "\t", "\\", "x" };
	char rel[PATH_MAX], esc[PATH_MAX * 2];
	size_t len = snprintf(rel, sizeof(rel), "%s/deep", P_REL);
	struct row r;
	int i;

	if (make_level(rel, true))
		return KSFT_FAIL;
	for (i = 1; i <= DEEP_LEVELS - 1; i++) {
		len += snprintf(rel + len, sizeof(rel) - len, "/l%d%sn", i, odd[i % 4]);
		if (make_level(rel, i < DEEP_LEVELS - 1))
			return KSFT_FAIL;
	}
	if (pin_and_remove(rel, &pinners[0], &r))
		return KSFT_FAIL;
	escape_path(rel, esc, sizeof(esc));
	ksft_print_msg("paths: listed %s\n", r.raw_path);
	if (strcmp(r.path, rel) || strcmp(r.raw_path, esc)) {
		fail_msg("PATH '%.300s', want '%.300s' (unescaped '%.200s', want '%.200s')",
			 r.raw_path, esc, r.path, rel);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_long(void)
{
	char rel[PATH_MAX], name[NAME_MAX + 1];
	size_t len = snprintf(rel, sizeof(rel), "%s/long", P_REL);
	struct row r;
	int level = 0;

	if (make_level(rel, true))
		return KSFT_FAIL;
	while (len < LONG_PATH) {
		size_t n = LONG_PATH - len + 40 > NAME_MAX ? NAME_MAX : LONG_PATH - len + 40;

		memset(name, 'a' + level++ % 26, n);
		name[n] = '\0';
		len += snprintf(rel + len, sizeof(rel) - len, "/%s", name);
		if (make_level(rel, len < LONG_PATH))
			return KSFT_FAIL;
	}
	if (pin_and_remove(rel, &pinners[1], &r))
		return KSFT_FAIL;
	ksft_print_msg("paths: a path of %zu bytes, %d levels below %s, listed with %zu\n",
		       len, level + 1, P_REL, strlen(r.path));
	if (strcmp(r.path, rel)) {
		fail_msg("PATH of %zu bytes differs from the %zu of the cgroup", strlen(r.path),
			 len);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* /sys/kernel/slab/zombiememcg_record/@name as a number, or -1. */
static long long slab_attr(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SLAB_DIR "/%s", name);
	return read_number(path);
}

static bool in_slabinfo(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "zombiememcg_record ", 19);
	if (f)
		fclose(f);
	return found;
}

static int test_record_bytes(void)
{
	char rel[256], dir[512];
	long long records, rb, tb, obj, slot;
	int ret = KSFT_PASS;
	struct stats st;
	double per;
	int i, base = nr_made;

	if (make_level(P_REL "/system.slice", true))
		return KSFT_FAIL;
	for (i = 0; i < NR_DOCKER; i++) {
		snprintf(rel, sizeof(rel),
			 P_REL "/system.slice/docker-%08x%056x.scope", i * 2654435761u, i);
		snprintf(dir, sizeof(dir), "%s%s", CG_ROOT, rel);
		if (mkdir(dir, 0755)) {
			fail_msg("mkdir %s: %s", dir, strerror(errno));
			ret = KSFT_FAIL;
			break;
		}
	}
	if (stats_read(&st)) {
		fail_msg("read stats");
		ret = KSFT_FAIL;
	}
	records = stats_get(&st, "records");
	rb = stats_get(&st, "record_bytes");
	tb = stats_get(&st, "table_bytes");
	obj = slab_attr("object_size");
	slot = slab_attr("slab_size");
	per = records > 0 ? (double)(rb + tb) / records : 0;
	ksft_print_msg("paths: %lld records (%d with paths of %zu bytes): record_bytes %lld + table_bytes %lld = %.1f bytes a record with the buckets; object %lld, slab slot %lld; %s /proc/slabinfo\n",
		       records, i, strlen(rel), rb, tb, per, obj, slot,
		       in_slabinfo() ? "in" : "not in");
	if (ret == KSFT_PASS && (records < NR_DOCKER || rb < 0 || tb <= 0)) {
		fail_msg("records %lld, record_bytes %lld, table_bytes %lld after %d mkdirs",
			 records, rb, tb, NR_DOCKER);
		ret = KSFT_FAIL;
	} else if (ret == KSFT_PASS && rb + tb > records * RECORD_MAX) {
		fail_msg("record_bytes %lld + table_bytes %lld: %.1f bytes a record, want at most %d",
			 rb, tb, per, RECORD_MAX);
		ret = KSFT_FAIL;
	} else if (ret == KSFT_PASS && obj >= 0 && rb != records * obj) {
		fail_msg("record_bytes %lld is not %lld records of a %lld-byte object", rb, records,
			 obj);
		ret = KSFT_FAIL;
	} else if (ret == KSFT_PASS &&
		   (kernel_major > 6 || (kernel_major == 6 && kernel_minor >= 5)) && !in_slabinfo()) {
		fail_msg("kernel %d.%d has SLAB_NO_MERGE, yet no zombiememcg_record in /proc/slabinfo",
			 kernel_major, kernel_minor);
		ret = KSFT_FAIL;
	}
	for (i--; i >= 0; i--) {
		snprintf(dir, sizeof(dir),
			 CG_ROOT P_REL "/system.slice/docker-%08x%056x.scope", i * 2654435761u, i);
		rmdir(dir);
	}
	rmdir(made[--nr_made]);
	nr_made = base;
	return ret;
}

static const struct zmc_test tests[] = {
	{ "paths: module loaded, listing every zombie", test_setup },
	{ "paths: a zombie 12 levels deep, names with spaces, tabs, backslashes: listed whole, escaped",
	  test_deep },
	{ "paths: a zombie whose path is near PATH_MAX: listed whole", test_long },
	{ "paths: fixed records, their own cache, at most 96 bytes with the buckets, docker-length paths",
	  test_record_bytes },
};

int main(int argc, char **argv)
{
	int ret, i;

	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests));
	if (ret >= 0)
		return ret;
	kernel_version(&kernel_major, &kernel_minor);
	zmc_run_tests(tests, ARRAY_SIZE(tests), no_run);
	for (i = 0; i < ARRAY_SIZE(pinners); i++) {
		if (pinners[i] > 0) {
			kill(pinners[i], SIGKILL);
			waitpid(pinners[i], NULL, 0);
		}
	}
	/* The pinned zombies go with their pinners; their parents after them. */
	for (i = nr_made - 1; i >= 0; i--) {
		double end = now_secs() + 30;

		while (rmdir(made[i]) && errno == EBUSY && now_secs() < end)
			sleep_ms(100);
	}
	rmdir(P_ROOT);
	if (loaded_here) {
		ret = unload_module();
		if (ret)
			ksft_print_msg("paths: unload: %s\n", strerror(-ret));
	}
	ksft_finished();
}
