// SPDX-License-Identifier: GPL-2.0
/*
 * v1_test: the listing on a cgroup v1 memory hierarchy, the only kind
 * that allows a cgroup to be renamed.  Run as root in a throw-away VM
 * booted with the memory controller left to v1 (vm/check.sh's
 * zmc.cgroup=v1 boot, where the kernel has CONFIG_MEMCG_V1); it loads the
 * module if it is not loaded and sets older_than_secs to 0.
 *
 * - A cgroup made in the hierarchy, charged with tmpfs pages by a child
 *   that leaves, then removed: listed as on v2 (its path within the
 *   hierarchy, its creator, CHARGED).
 * - A cgroup renamed within its parent (rename(2)), then charged and
 *   removed: listed with its new path, since PATH is built when the
 *   listing is read.
 *
 * Usage: v1_test [path/to/zombiememcg.ko]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"


#define V1_ROOT		"/tmp/zmc-v1-memory"
#define V1_DIR		V1_ROOT "/zmc-v1"
#define TMP_MNT		"/tmp/zmc-v1-tmp"
#define PIN_BYTES	(1 << 20)
#define CREATOR_COMM	"zmc-v1-maker"
#define POLL_SECS	30

static bool loaded_here, v1_mounted, tmp_mounted;
static char no_run[200];
static unsigned long long ids[2];

static int test_setup(void)
{
	if (mount_memory_v1(V1_ROOT, no_run, sizeof(no_run))) {
		snprintf(diag, sizeof(diag), "%s", no_run);
		return KSFT_SKIP;
	}
	v1_mounted = true;
	if (module_listing_all(&loaded_here))
		return KSFT_FAIL;
	if ((mkdir(V1_DIR, 0755) && errno != EEXIST) ||
	    (mkdir(TMP_MNT, 0755) && errno != EEXIST) ||
	    mount("tmpfs", TMP_MNT, "tmpfs", 0, "size=16m")) {
		fail_msg("%s, %s: %s", V1_DIR, TMP_MNT, strerror(errno));
		return KSFT_FAIL;
	}
	tmp_mounted = true;
	return KSFT_PASS;
}

/*
 * A child named CREATOR_COMM makes @cg (or, @old given, renames @old to
 * it), enters it, writes @file, leaves and exits: its tmpfs pages hold the
 * memcg.  Then @cg is removed.  Its cgroup id, or 0 with diag set.
 */
static unsigned long long make_zombie(const char *cg, const char *old, const char *file)
{
	char procs[PATH_MAX];
	struct stat st;
	int status;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	pid = fork();
	if (!pid) {
		prctl(PR_SET_NAME, CREATOR_COMM);
		if (old ? (mkdir(old, 0755) || rename(old, cg)) : mkdir(cg, 0755))
			_exit(1);
		if (write_line(procs, "0") || write_bytes(file, PIN_BYTES) ||
		    write_line(V1_ROOT "/cgroup.procs", "0"))
			_exit(2);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fail_msg("the child making %s failed (%s)", cg,
			 pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1 ?
			 (old ? "mkdir or rename" : "mkdir") : "enter, write or leave");
		return 0;
	}
	if (stat(cg, &st) || rmdir(cg)) {
		fail_msg("stat or rmdir %s: %s", cg, strerror(errno));
		return 0;
	}
	return st.st_ino;
}

/* The row of zombie @id, polled for: offline runs in a kworker. */
static int wait_row(unsigned long long id, struct row *r)
{
	double end = now_secs() + POLL_SECS;
	int found;

	while ((found = find_id(id, r)) == 0 && now_secs() < end)
		sleep_ms(100);
	if (!found)
		fail_msg("zombie %llu not listed in %d s", id, POLL_SECS);
	return found > 0 ? 0 : -1;
}

static int check_row(const struct row *r, const char *path)
{
	ksft_print_msg("v1: %llu %ld %s %llu %s\n", r->id, r->pid, r->comm, r->charged,
		       r->path);
	if (strcmp(r->path, path) || strcmp(r->comm, CREATOR_COMM) || r->pid <= 0 ||
	    r->charged < PIN_BYTES) {
		fail_msg("row %s by %s (pid %ld), CHARGED %llu; want %s by %s, CHARGED >= %d",
			 r->path, r->comm, r->pid, r->charged, path, CREATOR_COMM, PIN_BYTES);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_plain(void)
{
	struct row r;

	ids[0] = make_zombie(V1_DIR "/plain", NULL, TMP_MNT "/plain");
	if (!ids[0] || wait_row(ids[0], &r))
		return KSFT_FAIL;
	return check_row(&r, "/zmc-v1/plain");
}

static int test_renamed(void)
{
	struct row r;

	ids[1] = make_zombie(V1_DIR "/new", V1_DIR "/old", TMP_MNT "/renamed");
	if (!ids[1] || wait_row(ids[1], &r))
		return KSFT_FAIL;
	return check_row(&r, "/zmc-v1/new");
}

/* Their pages gone, the zombies are freed and leave the listing. */
static int test_freed(void)
{
	double end = now_secs() + POLL_SECS;
	int left, i;

	unlink(TMP_MNT "/plain");
	unlink(TMP_MNT "/renamed");
	do {
		sleep_ms(200);
		for (left = 0, i = 0; i < ARRAY_SIZE(ids); i++)
			left += ids[i] && find_id(ids[i], NULL) != 0;
	} while (left && now_secs() < end);
	if (left) {
		fail_msg("%d zombies still listed %d s after their files went", left, POLL_SECS);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static const struct zmc_test tests[] = {
	{ "v1: memory hierarchy mounted, module loaded", test_setup },
	{ "v1: a removed cgroup held by tmpfs pages listed as on v2", test_plain },
	{ "v1: a cgroup renamed within its parent, then removed, listed with its new path",
	  test_renamed },
	{ "v1: freed once their pages go", test_freed },
};

int main(int argc, char **argv)
{
	int ret;

	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests));
	if (ret >= 0)
		return ret;
	zmc_run_tests(tests, ARRAY_SIZE(tests), no_run);
	unlink(TMP_MNT "/plain");
	unlink(TMP_MNT "/renamed");
	if (tmp_mounted)
		umount(TMP_MNT);
	rmdir(V1_DIR "/old");
	rmdir(V1_DIR "/new");
	rmdir(V1_DIR "/plain");
	rmdir(V1_DIR);
	if (loaded_here) {
		ret = unload_module();
		if (ret)
			ksft_print_msg("v1: unload: %s\n", strerror(-ret));
	}
	/* Zombies may still hold the hierarchy: a lazy unmount. */
	if (v1_mounted)
		umount2(V1_ROOT, MNT_DETACH);
	ksft_finished();
}
