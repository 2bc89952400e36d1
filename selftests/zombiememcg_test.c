// SPDX-License-Identifier: GPL-2.0
/*
 * zombiememcg selftests.  Run as root in a throw-away VM (never on a host
 * you care about): they load and unload the module, mount cgroup2, debugfs
 * and a tmpfs, and make real zombie memory cgroups.
 *
 * A zombie is made by a "holder" child process with a known comm: it creates
 * a cgroup, enters it, opens a TCP socket there (the socket pins the memcg on
 * every kernel) and optionally writes a tmpfs file (page cache pins it before
 * 7.x), goes back to the root cgroup and waits.  The test then removes the
 * cgroup.  Killing the holder and deleting its file lets the kernel free it.
 *
 * Usage: zombiememcg_test [path/to/zombiememcg.ko [path/to/zombiememcgstat]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC	0x64626720
#endif

#define TEST_CG		CG_ROOT "/zmc"
#define FILES_DIR	"/tmp/zmc-files"
#define CREATOR_COMM	"zmc-creator"
#define CACHE_BYTES	(1 << 20)
/* Bound of every wait: TCG emulation is slow, a healthy kernel is not. */
#define POLL_SECS	60


struct holder {
	const char *comm;
	pid_t pid;
	char cg[PATH_MAX];
	char file[PATH_MAX];
	unsigned long long id;
	bool removed;
};

/*
 * Every holder whose cgroup was removed and whose pins are held: the
 * zombies the listing must show, by ID, whatever else it shows.
 */
static struct holder *held[64];

static void hold(struct holder *h)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(held); i++) {
		if (!held[i]) {
			held[i] = h;
			return;
		}
	}
}

static void unhold(struct holder *h)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i] == h)
			held[i] = NULL;
}

static int kernel_major;


/* ---- /proc/zombiememcg ---- */

/* Path of a cgroup directory as the module shows it (from the root). */
static const char *cg_rel(const char *cg)
{
	return cg + strlen(CG_ROOT);
}

static bool row_at(const struct row *r, const void *cg)
{
	return !strcmp(r->path, cg_rel(cg));
}

/* The rows of cgroup directory @cg: their count, or -1 if unreadable. */
static int find_row(const char *cg, struct row *out)
{
	return find_rows(row_at, cg, out);
}

/* Poll until @cg is listed (@want 1) or not (@want 0); false on timeout. */
static bool wait_row(const char *cg, int want, struct row *out)
{
	double end = now_secs() + POLL_SECS;
	int found;

	do {
		found = find_row(cg, out);
		if (found < 0)
			return false;
		if (found == want)
			return true;
		sleep_ms(100);
	} while (now_secs() < end);
	fail_msg("%s: listed %d time(s), wanted %d, after %d s",
		 cg_rel(cg), found, want, POLL_SECS);
	return false;
}

/* ---- cgroups and holders ---- */

static int mkcg(const char *cg)
{
	if (mkdir(cg, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int stat_ino(const char *path, unsigned long long *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

static void holder_child(struct holder *h, unsigned int pins, int wfd)
{
	char ok = 'R';
	int err;

	prctl(PR_SET_NAME, h->comm ? h->comm : CREATOR_COMM);
	err = cg_pin(h->cg, CG_ROOT, pins, h->file, CACHE_BYTES);
	if (err)
		_exit(-err & 0x7f);	/* the errno, for the parent's message */
	if (write(wfd, &ok, 1) != 1)
		_exit(EIO);
	for (;;)
		pause();
}

/*
 * Fork a holder that creates @cg and pins it with @pins; remove @cg if
 * @remove.  Returns 0 with @h filled in, or -1 with diag set.
 */
static int make_pinned(struct holder *h, const char *cg, unsigned int pins,
		       bool remove)
{
	const char *comm = h->comm;
	static int seq;
	int pfd[2], status;
	char c;

	memset(h, 0, sizeof(*h));
	h->comm = comm;
	snprintf(h->cg, sizeof(h->cg), "%s", cg);
	snprintf(h->file, sizeof(h->file), FILES_DIR "/cache-%d", ++seq);
	if (pipe(pfd)) {
		fail_msg("pipe: %s", strerror(errno));
		return -1;
	}
	h->pid = fork();
	if (h->pid < 0) {
		fail_msg("fork: %s", strerror(errno));
		return -1;
	}
	if (!h->pid) {
		close(pfd[0]);
		holder_child(h, pins, pfd[1]);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		waitpid(h->pid, &status, 0);
		fail_msg("holder for %s failed: %s", cg_rel(cg),
			 WIFEXITED(status) ? strerror(WEXITSTATUS(status)) :
					     "killed");
		h->pid = 0;
		return -1;
	}
	close(pfd[0]);
	if (stat_ino(cg, &h->id) || (remove && rmdir(cg))) {
		fail_msg("stat/rmdir %s: %s", cg_rel(cg), strerror(errno));
		return -1;
	}
	h->removed = remove;
	hold(h);
	return 0;
}

static int make_zombie(struct holder *h, const char *cg, unsigned int pins)
{
	return make_pinned(h, cg, pins, true);
}

/* Let the kernel free a holder's zombie: close its socket, drop its file. */
static void release(struct holder *h)
{
	unhold(h);
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		h->pid = 0;
	}
	unlink(h->file);
}

/* ---- the tests ---- */

static bool wait_oracle(long min_rows);
static bool wait_quiescent(void);

static struct holder zombie, odd;
static struct holder pinned[8];
static struct holder pre[4], pre_alive;
static long dying_at_load = -1;

/* Before the module is loaded: zombies, and a pinned cgroup still alive. */
static int test_make_predating(void)
{
	char cg[PATH_MAX];
	int i;

	if (mkcg(TEST_CG "/pre.slice") || enable_memory(TEST_CG "/pre.slice")) {
		fail_msg("cannot create %s/pre.slice", TEST_CG);
		return KSFT_FAIL;
	}
	for (i = 0; i < ARRAY_SIZE(pre); i++) {
		snprintf(cg, sizeof(cg), TEST_CG "/pre.slice/pre-%d.scope", i);
		if (make_zombie(&pre[i], cg, PIN_SOCKET))
			return KSFT_FAIL;
	}
	if (make_pinned(&pre_alive, TEST_CG "/pre.slice/alive.scope",
			PIN_SOCKET, false))
		return KSFT_FAIL;
	return KSFT_PASS;
}

static int check_unknown_creator(struct holder *h,
					      const char *flags)
{
	struct row r;

	if (!wait_row(h->cg, 1, &r))
		return KSFT_FAIL;
	if (strcmp(r.flags, flags) || r.pid || strcmp(r.comm, "-") ||
	    r.id != h->id) {
		fail_msg("%s: FLAGS %s PID %ld COMM %s ID %llu; want %s 0 - %llu",
			 cg_rel(h->cg), r.flags, r.pid, r.comm, r.id, flags,
			 h->id);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_predating_listed(void)
{
	int i;

	if (set_threshold("0"))
		return KSFT_FAIL;
	for (i = 0; i < ARRAY_SIZE(pre); i++)
		if (check_unknown_creator(&pre[i], "p") != KSFT_PASS)
			return KSFT_FAIL;
	return KSFT_PASS;
}

static int test_oracle_at_load(void)
{
	/* Every zombie the kernel had when the module came is listed. */
	return wait_oracle(dying_at_load > ARRAY_SIZE(pre) ? dying_at_load :
			   ARRAY_SIZE(pre)) ? KSFT_PASS : KSFT_FAIL;
}

static int test_removed_after_load(void)
{
	if (rmdir(pre_alive.cg)) {
		fail_msg("rmdir %s: %s", cg_rel(pre_alive.cg), strerror(errno));
		return KSFT_FAIL;
	}
	pre_alive.removed = true;
	return check_unknown_creator(&pre_alive, "-");
}

static int test_load(void)
{
	int ret;

	dying_at_load = nr_dying();
	ret = load_module();
	if (ret) {
		fail_msg("load %s: %s", module_path, strerror(-ret));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_interfaces(void)
{
	struct stat st;
	char buf[64];

	if (stat(PROC_FILE, &st)) {
		fail_msg("%s: %s", PROC_FILE, strerror(errno));
		return KSFT_FAIL;
	}
	if ((st.st_mode & 07777) != 0400 || st.st_uid != 0) {
		fail_msg("%s mode %o uid %u", PROC_FILE, st.st_mode & 07777,
			 st.st_uid);
		return KSFT_FAIL;
	}
	if (count_rows(ZMC_HEADER) < 0)
		return KSFT_FAIL;
	if (read_file(STATS_FILE, buf, sizeof(buf)) <= 0 ||
	    strncmp(buf, "memcgs ", 7)) {
		fail_msg("%s unreadable or not 'name value' lines", STATS_FILE);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_default_threshold(void)
{
	long long v = read_number(THRESH_FILE);

	if (v != 30) {
		fail_msg("older_than_secs is %lld", v);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static const struct {
	const char *input;
	size_t len;
	const char *what;
} bad_inputs[] = {
	{ "abc", 3, "abc" },
	{ "-1", 2, "-1" },
	{ "99999999999999999999", 20, "99999999999999999999" },
	{ "", 0, "empty" },
	{ "1 2", 3, "'1 2'" },
	{ "12abc\n", 6, "trailing junk" },
	{ "\n", 1, "a lone newline" },
	{ "0x10", 4, "hex" },
};

/*
 * One TAP line per bad input and file (debugfs, then the module parameter):
 * rejected with EINVAL, value unchanged.  sysfs answers a write of no bytes
 * with 0 before the module sees it: for the parameter that is a refusal too.
 */
static void test_bad_writes(const char *file, const char *what)
{
	char name[160];
	int i;

	for (i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
		int ret, fd;
		long long before, after;
		bool refused;
		ssize_t n;

		snprintf(name, sizeof(name),
			 "older_than_secs (%s) rejects %s with EINVAL, value kept",
			 what, bad_inputs[i].what);
		set_threshold("42");
		before = read_number(file);
		fd = open(file, O_WRONLY);
		n = fd < 0 ? -1 : write(fd, bad_inputs[i].input,
					bad_inputs[i].len);
		ret = n < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		after = read_number(file);
		refused = (n < 0 && ret == EINVAL) ||
			  (!bad_inputs[i].len && !n && strcmp(file, THRESH_FILE));
		if (before != 42 || !refused || after != 42) {
			ksft_print_msg("before %lld, write %zd (%s), after %lld\n",
				       before, n, strerror(ret), after);
			ksft_test_result_fail("%s\n", name);
		} else {
			ksft_test_result_pass("%s\n", name);
		}
	}
}

/* The parameter sets the listing's threshold; debugfs reads it back. */
static int test_param_threshold(void)
{
	if (write_line(PARAM_THRESH_FILE, "45\n") || read_number(THRESH_FILE) != 45 ||
	    read_number(PARAM_THRESH_FILE) != 45 || set_threshold("7") ||
	    read_number(PARAM_THRESH_FILE) != 7) {
		fail_msg("parameter %lld, debugfs %lld", read_number(PARAM_THRESH_FILE),
			 read_number(THRESH_FILE));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_good_writes(void)
{
	if (set_threshold("3600\n") || read_number(THRESH_FILE) != 3600 ||
	    set_threshold("0") || read_number(THRESH_FILE) != 0) {
		fail_msg("valid values not accepted");
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int check_zombie_row(struct holder *h)
{
	struct row r;

	if (!wait_row(h->cg, 1, &r))
		return KSFT_FAIL;
	if (r.id != h->id || r.pid != h->pid || strcmp(r.comm, CREATOR_COMM)) {
		fail_msg("row id %llu pid %ld comm %s; want %llu %d %s", r.id,
			 r.pid, r.comm, h->id, h->pid, CREATOR_COMM);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_zombie_appears(void)
{
	if (set_threshold("0"))
		return KSFT_FAIL;
	if (mkcg(TEST_CG "/app.slice") || enable_memory(TEST_CG "/app.slice")) {
		fail_msg("cannot create %s/app.slice", TEST_CG);
		return KSFT_FAIL;
	}
	if (make_zombie(&zombie, TEST_CG "/app.slice/zmc-web.scope",
			PIN_SOCKET | PIN_CACHE))
		return KSFT_FAIL;
	return check_zombie_row(&zombie);
}

static int test_age_grows(void)
{
	struct row r1 = { 0 }, r2;
	double end;

	if (!zombie.pid || find_row(zombie.cg, &r1) != 1) {
		fail_msg("no zombie from the earlier test");
		return KSFT_FAIL;
	}
	end = now_secs() + POLL_SECS;
	do {
		sleep_ms(250);
		if (find_row(zombie.cg, &r2) != 1)
			return KSFT_FAIL;
		if (r2.age > r1.age)
			return KSFT_PASS;
	} while (now_secs() < end);
	fail_msg("AGE stayed at %llu", r1.age);
	return KSFT_FAIL;
}

static int test_charged(void)
{
	struct row r;

	if (find_row(zombie.cg, &r) != 1) {
		fail_msg("zombie not listed");
		return KSFT_FAIL;
	}
	/*
	 * The holder's 1 MiB of tmpfs pages stay charged to the zombie, with
	 * the little it charged while inside (stack, socket): allow 256 KiB.
	 */
	if (r.charged < CACHE_BYTES || r.charged > CACHE_BYTES + (256 << 10)) {
		fail_msg("CHARGED %llu not within [%d, %d]", r.charged,
			 CACHE_BYTES, CACHE_BYTES + (256 << 10));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/*
 * Once the tmpfs file is deleted, the zombie (still pinned by its socket)
 * is uncharged of its pages before 7.x; from 7.x the pages were reparented
 * at offline, so they are uncharged from the parent and the zombie's
 * counter stays frozen at its value at offline.
 */
static int test_charged_after_delete(void)
{
	struct row r;
	double end = now_secs() + POLL_SECS;

	if (!zombie.pid || unlink(zombie.file)) {
		fail_msg("no zombie with a file: %s", strerror(errno));
		return KSFT_FAIL;
	}
	do {
		if (find_row(zombie.cg, &r) != 1) {
			fail_msg("zombie not listed");
			return KSFT_FAIL;
		}
		if (kernel_major < 7 && r.charged < (256 << 10))
			return KSFT_PASS;
		if (kernel_major >= 7) {
			sleep_ms(1000);
			if (find_row(zombie.cg, &r) != 1)
				return KSFT_FAIL;
			if (r.charged >= CACHE_BYTES)
				return KSFT_PASS;
			break;
		}
		sleep_ms(200);
	} while (now_secs() < end);
	fail_msg("CHARGED %llu after the file was deleted: want %s", r.charged,
		 kernel_major < 7 ? "< 256 KiB" : ">= 1 MiB (frozen at offline)");
	return KSFT_FAIL;
}

static int test_swap(void)
{
	struct row r;

	if (find_row(zombie.cg, &r) != 1) {
		fail_msg("zombie not listed");
		return KSFT_FAIL;
	}
	/* Nothing of it was swapped out (swap_test swaps one out). */
	if (r.swap) {
		fail_msg("SWAP %llu with nothing swapped out", r.swap);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* nr_cpu_ids: the count of possible CPUs. */
static long possible_cpus(void)
{
	char buf[256], *p = buf;
	long n = 0, a, b;

	if (read_file("/sys/devices/system/cpu/possible", buf, sizeof(buf)) <= 0)
		return -1;
	while (*p && *p != '\n') {
		a = strtol(p, &p, 10);
		b = *p == '-' ? strtol(p + 1, &p, 10) : a;
		n += b - a + 1;
		if (*p == ',')
			p++;
	}
	return n;
}

/* zmc.footprint_ref=BYTES@CPUS on the command line, from another boot. */
static bool footprint_ref(unsigned long long *bytes, long *cpus)
{
	char buf[4096], *p;

	if (read_file("/proc/cmdline", buf, sizeof(buf)) <= 0)
		return false;
	p = strstr(buf, "zmc.footprint_ref=");
	return p && sscanf(p, "zmc.footprint_ref=%llu@%ld", bytes, cpus) == 2;
}

static int test_footprint(void)
{
	struct row r;

	if (find_row(zombie.cg, &r) != 1) {
		fail_msg("zombie not listed");
		return KSFT_FAIL;
	}
	if (!r.footprint) {
		fail_msg("FOOTPRINT is 0");
		return KSFT_FAIL;
	}
	/* The reference for a boot with another CPU count (vm/check.sh). */
	ksft_print_msg("zmc-footprint cpus=%ld bytes=%llu\n", possible_cpus(),
		       r.footprint);
	return KSFT_PASS;
}

static int test_footprint_scales(void)
{
	unsigned long long ref_bytes;
	long ref_cpus, cpus = possible_cpus();
	struct row r;

	if (!footprint_ref(&ref_bytes, &ref_cpus)) {
		snprintf(diag, sizeof(diag),
			 "no reference FOOTPRINT from a boot with another CPU count (make check boots 1 and 4 CPUs)");
		return KSFT_SKIP;
	}
	if (cpus == ref_cpus) {
		snprintf(diag, sizeof(diag), "the reference has the same CPU count");
		return KSFT_SKIP;
	}
	if (find_row(zombie.cg, &r) != 1) {
		fail_msg("zombie not listed");
		return KSFT_FAIL;
	}
	if (r.footprint == ref_bytes || (r.footprint > ref_bytes) != (cpus > ref_cpus)) {
		fail_msg("FOOTPRINT %llu with %ld CPUs, %llu with %ld", r.footprint,
			 cpus, ref_bytes, ref_cpus);
		return KSFT_FAIL;
	}
	ksft_print_msg("FOOTPRINT %llu with %ld CPUs, %llu with %ld\n",
		       r.footprint, cpus, ref_bytes, ref_cpus);
	return KSFT_PASS;
}

static int test_threshold_hides(void)
{
	if (set_threshold("3600"))
		return KSFT_FAIL;
	if (find_row(zombie.cg, NULL) != 0) {
		fail_msg("listed with threshold 3600");
		return KSFT_FAIL;
	}
	if (set_threshold("0") || !wait_row(zombie.cg, 1, NULL))
		return KSFT_FAIL;
	return KSFT_PASS;
}

static int test_live_not_listed(void)
{
	const char *live = TEST_CG "/app.slice/live.scope";
	struct rows rs;
	size_t i;

	if (mkcg(live)) {
		fail_msg("mkdir %s", live);
		return KSFT_FAIL;
	}
	if (read_rows(&rs, ZMC_HEADER))
		return KSFT_FAIL;
	for (i = 0; i < rs.n; i++) {
		if (!strcmp(rs.v[i].path, cg_rel(live)) ||
		    !strcmp(rs.v[i].path, cg_rel(TEST_CG)) ||
		    !strcmp(rs.v[i].path, cg_rel(TEST_CG "/app.slice")) ||
		    !strcmp(rs.v[i].path, "/")) {
			fail_msg("live cgroup %s listed", rs.v[i].path);
			free_rows(&rs);
			return KSFT_FAIL;
		}
	}
	free_rows(&rs);
	rmdir(live);
	return KSFT_PASS;
}

/*
 * The kernel refuses newlines in cgroup names, so PATH is tested with space,
 * tab and backslash, and COMM (which may hold anything) with all four.
 */
static int test_escaping(void)
{
	const char *want_path = "/zmc/odd\\040name\\011tab\\134slash";
	const char *want_comm = "a\\040b\\011c\\012d\\134e";
	struct row r;

	if (!mkdir(TEST_CG "/new\nline", 0755)) {
		rmdir(TEST_CG "/new\nline");
		fail_msg("the kernel accepted a newline in a cgroup name: extend this test");
		return KSFT_FAIL;
	}
	odd.comm = "a b\tc\nd\\e";
	if (make_zombie(&odd, TEST_CG "/odd name\ttab\\slash", PIN_SOCKET))
		return KSFT_FAIL;
	if (!wait_row(odd.cg, 1, &r))
		return KSFT_FAIL;
	if (strcmp(r.raw_path, want_path)) {
		fail_msg("PATH '%s', want '%s'", r.raw_path, want_path);
		return KSFT_FAIL;
	}
	if (strcmp(r.raw_comm, want_comm) || strcmp(r.comm, odd.comm)) {
		fail_msg("COMM '%s', want '%s'", r.raw_comm, want_comm);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_non_root(void)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		fd = open(PROC_FILE, O_RDONLY);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fail_msg("fork/wait failed");
		return KSFT_FAIL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fail_msg("uid 65534 could open %s (or setuid failed: %d)",
			 PROC_FILE, WEXITSTATUS(status));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_freed(void)
{
	if (!zombie.pid) {
		fail_msg("no zombie from the earlier test");
		return KSFT_FAIL;
	}
	release(&zombie);
	return wait_row(zombie.cg, 0, NULL) ? KSFT_PASS : KSFT_FAIL;
}

/* Show a file as diagnostics. */
static void dump_file(const char *path)
{
	char buf[4096], *line, *save;

	if (read_file(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ksft_print_msg("%s: %s\n", path, line);
}

/*
 * Poll until the listing (threshold 0) has as many rows as the kernel has
 * dying memcgs, at least @min_rows, each memcg once.  False (diag) if not.
 */
static bool wait_oracle(long min_rows)
{
	long rows = -1, dying = -1, dups = 0, missing = 0;
	unsigned long long missing_id = 0;
	double end = now_secs() + POLL_SECS;

	if (set_threshold("0"))
		return false;
	do {
		struct rows rs;
		size_t i, j;

		dying = nr_dying();
		if (read_rows(&rs, ZMC_HEADER) || dying < 0)
			return false;
		rows = rs.n;
		for (i = 0, dups = 0; i < rs.n; i++)
			for (j = i + 1; j < rs.n; j++)
				dups += rs.v[i].id == rs.v[j].id;
		/* Counts alone let a missing row and a stale one cancel out. */
		for (i = 0, missing = 0; i < ARRAY_SIZE(held); i++) {
			if (!held[i] || !held[i]->removed)
				continue;
			for (j = 0; j < rs.n; j++)
				if (rs.v[j].id == held[i]->id)
					break;
			if (j == rs.n) {
				missing++;
				missing_id = held[i]->id;
			}
		}
		free_rows(&rs);
		if (rows == dying && rows >= min_rows && !dups && !missing)
			return true;
		sleep_ms(200);
	} while (now_secs() < end);
	fail_msg("rows %ld (%ld listed twice), kernel's dying memcgs %ld, want >= %ld; %ld pinned zombies not listed (e.g. ID %llu)",
		 rows, dups, dying, min_rows, missing, missing_id);
	dump_file(STATS_FILE);
	dump_file(CG_ROOT "/cgroup.stat");
	return false;
}

/*
 * Poll until the only zombies are the ones this program pins: the kernel's
 * count of dying memcgs equals the number of held, removed holders (the
 * unpinned zombies of earlier tests have been freed; on 7.x that can take
 * a while), and the listing agrees (wait_oracle()).  Tests that compare
 * two readings start here, so that nothing changes between them.
 */
static bool wait_quiescent(void)
{
	double end = now_secs() + 2 * POLL_SECS;
	long dying, want;
	int i;

	for (i = 0, want = 0; i < ARRAY_SIZE(held); i++)
		want += held[i] && held[i]->removed && held[i]->pid > 0;
	do {
		dying = nr_dying();
		if (dying == want)
			return wait_oracle(want);
		sleep_ms(200);
	} while (now_secs() < end);
	fail_msg("kernel's dying memcgs %ld, want %ld (the pinned ones): earlier zombies not freed",
		 dying, want);
	return false;
}

/* Poll until the kernel has no dying memcg left. */
static bool wait_no_dying(void)
{
	double end = now_secs() + POLL_SECS;
	long dying;

	do {
		dying = nr_dying();
		if (!dying)
			return true;
		sleep_ms(200);
	} while (now_secs() < end);
	fail_msg("kernel still has %ld dying memcgs", dying);
	return false;
}

/*
 * One read of the stats file agrees with the kernel: its zombies are the
 * kernel's count of dying memcgs (read before and after, unchanged), and
 * every record belongs to a memcg that still exists.
 */
static bool stats_agree(void)
{
	long long zombies = -1, records = -1, memcgs = -1;
	double end = now_secs() + POLL_SECS;
	long before, after;
	struct stats st;

	/* A record goes at css_free, an RCU grace period after the release. */
	do {
		before = nr_dying();
		if (stats_read(&st)) {
			fail_msg("%s unreadable", STATS_FILE);
			return false;
		}
		after = nr_dying();
		zombies = stats_get(&st, "zombies");
		records = stats_get(&st, "records");
		memcgs = stats_get(&st, "memcgs");
		if (before == after && zombies == before && records >= 0 &&
		    records <= memcgs + zombies)
			return true;
		sleep_ms(200);
	} while (now_secs() < end);
	fail_msg("stats: zombies %lld records %lld memcgs %lld; kernel's dying memcgs %ld, then %ld",
		 zombies, records, memcgs, before, after);
	dump_file(STATS_FILE);
	return false;
}

/*
 * Make a few dozen cgroups, some pinned, remove them all, and compare the
 * listing (threshold 0) with the kernel's count of dying memcgs until both
 * settle.
 */
static int test_oracle(void)
{
	char cg[PATH_MAX];
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(cg, sizeof(cg), TEST_CG "/app.slice/pinned-%d.scope", i);
		if (make_zombie(&pinned[i], cg, PIN_SOCKET))
			return KSFT_FAIL;
	}
	for (i = 0; i < 24; i++) {
		snprintf(cg, sizeof(cg), TEST_CG "/app.slice/plain-%d.scope", i);
		if (mkcg(cg) || rmdir(cg)) {
			fail_msg("mkdir/rmdir %s: %s", cg, strerror(errno));
			return KSFT_FAIL;
		}
	}
	return wait_oracle(8) ? KSFT_PASS : KSFT_FAIL;
}

/* ---- stats ---- */

/*
 * The stats file's totals agree with the listing at threshold 0.  Both are
 * walks of the kernel's memcgs at different times, so first wait until
 * nothing changes: the kernel's count of dying memcgs equals the listing's
 * rows (the zombies of earlier tests whose pins are gone have been freed).
 * Then one listing and one read of the stats file, and the kernel's count
 * once more, which must not have moved.
 */
static int test_stats_totals(void)
{
	unsigned long long charged = 0, footprint = 0;
	size_t i, flagged = 0, by_creator = 0, unknown = 0;
	long long zombies, records, rb;
	long before, after;
	struct stats st;
	char big[64];
	struct rows rs;

	if (!wait_quiescent())
		return KSFT_FAIL;
	before = nr_dying();
	if (read_rows(&rs, ZMC_HEADER))
		return KSFT_FAIL;
	if (stats_read(&st)) {
		fail_msg("%s unreadable", STATS_FILE);
		free_rows(&rs);
		return KSFT_FAIL;
	}
	after = nr_dying();
	for (i = 0; i < rs.n; i++) {
		charged += rs.v[i].charged;
		footprint += rs.v[i].footprint;
		flagged += !strcmp(rs.v[i].flags, "p");
		by_creator += !strcmp(rs.v[i].comm, CREATOR_COMM);
		unknown += !strcmp(rs.v[i].comm, "-");
	}
	if (stat_string("biggest_creator", big, sizeof(big)))
		big[0] = '\0';
	zombies = stats_get(&st, "zombies");
	ksft_print_msg("stats: zombies %lld predating %lld untracked %lld charged %lld footprint %lld biggest %s (%lld); kernel %ld, then %ld\n",
		       zombies, stats_get(&st, "predating_zombies"),
		       stats_get(&st, "untracked"),
		       stats_get(&st, "charged_bytes"),
		       stats_get(&st, "footprint_bytes"), big,
		       stats_get(&st, "biggest_creator_zombies"), before, after);
	if (before != after || before != (long)rs.n ||
	    zombies != (long long)rs.n ||
	    stats_get(&st, "predating_zombies") != (long long)flagged ||
	    stats_get(&st, "untracked") != (long long)unknown ||
	    stats_get(&st, "charged_bytes") != (long long)charged ||
	    stats_get(&st, "footprint_bytes") != (long long)footprint ||
	    strcmp(big, CREATOR_COMM) ||
	    stats_get(&st, "biggest_creator_zombies") != (long long)by_creator) {
		fail_msg("listing: %zu rows, %zu flagged p, %zu creator unknown, %llu charged, %llu footprint, %zu by %s",
			 rs.n, flagged, unknown, charged, footprint, by_creator,
			 CREATOR_COMM);
		free_rows(&rs);
		return KSFT_FAIL;
	}
	free_rows(&rs);
	/* The module's own accounting: fixed-size records (48 bytes on x86_64). */
	records = stats_get(&st, "records");
	rb = stats_get(&st, "record_bytes");
	if (records <= 0 || rb != records * 48 ||
	    stats_get(&st, "alloc_failures") != 0) {
		fail_msg("records %lld, record_bytes %lld, alloc_failures %lld",
			 records, rb, stats_get(&st, "alloc_failures"));
		return KSFT_FAIL;
	}
	/* No record outlives its memcg. */
	return stats_agree() ? KSFT_PASS : KSFT_FAIL;
}

/* ---- zombiememcgstat against the live listing ---- */

#define DEFAULT_TOOL	"/bin/zombiememcgstat"

static const char *tool_path = DEFAULT_TOOL;

struct lines {
	char **v;
	size_t n;
};

static void free_lines(struct lines *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}

/* Run the tool with @args; its stdout lines in @out.  0, or -1 (diag). */
static int run_tool(const char *args, struct lines *out)
{
	char cmd[512], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int status;

	out->v = NULL;
	out->n = 0;
	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", tool_path, args);
	f = popen(cmd, "r");
	if (!f) {
		fail_msg("popen %s: %s", cmd, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		char **v = realloc(out->v, (out->n + 1) * sizeof(*v));

		if (!v)
			break;
		out->v = v;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		out->v[out->n++] = strdup(line);
	}
	free(line);
	status = pclose(f);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fail_msg("'%s' failed (status %d)", cmd, status);
		free_lines(out);
		return -1;
	}
	return 0;
}

/* Table rows of the tool's output: the lines that start with the pointer. */
static size_t tool_rows(const struct lines *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += !strncmp(l->v[i], "0x", 2);
	return n;
}

/* Run the tool with @args and check it prints @want table rows. */
static int tool_expect_rows(const char *args, size_t want)
{
	struct lines l;
	size_t got;

	if (run_tool(args, &l))
		return KSFT_FAIL;
	got = tool_rows(&l);
	free_lines(&l);
	if (got != want) {
		fail_msg("zombiememcgstat %s: %zu rows, want %zu", args, got,
			 want);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_tool_table(void)
{
	struct rows rs;
	struct lines l;
	size_t i, j, matched = 0;

	if (!wait_quiescent())
		return KSFT_FAIL;
	if (read_rows(&rs, ZMC_HEADER))
		return KSFT_FAIL;
	if (rs.n < 2 || run_tool("-o 0 --path 1 1", &l)) {
		if (rs.n < 2)
			fail_msg("expected zombies from the oracle test");
		free_rows(&rs);
		return KSFT_FAIL;
	}
	/* Each /proc row once in the tool's table: same PID and PATH. */
	for (i = 0; i < rs.n; i++) {
		for (j = 0; j < l.n; j++) {
			char memcg[64], comm[64], age[64], path[PATH_MAX];
			long pid;

			/* AGE is "N+" for zombies older than the module. */
			if (sscanf(l.v[j], "0x%63s %63s %ld %63s %4095s", memcg,
				   comm, &pid, age, path) == 5 &&
			    !strcmp(memcg, rs.v[i].memcg) && pid == rs.v[i].pid &&
			    !strcmp(path, rs.v[i].raw_path)) {
				matched++;
				break;
			}
		}
	}
	if (matched != rs.n || tool_rows(&l) != rs.n) {
		fail_msg("tool rows %zu, matched %zu of %zu /proc rows",
			 tool_rows(&l), matched, rs.n);
		matched = 0;
	}
	free_lines(&l);
	free_rows(&rs);
	return matched ? KSFT_PASS : KSFT_FAIL;
}

/* JSON string escaping of the tool (for the characters our paths use). */
static void json_escape(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 7 < size; in++) {
		switch (*in) {
		case '"':
		case '\\':
			out[o++] = '\\';
			out[o++] = *in;
			break;
		case '\n':
			out[o++] = '\\';
			out[o++] = 'n';
			break;
		case '\t':
			out[o++] = '\\';
			out[o++] = 't';
			break;
		default:
			if ((unsigned char)*in < 0x20)
				o += snprintf(out + o, size - o, "\\u%04x", *in);
			else
				out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static int test_tool_json(void)
{
	char want[3][PATH_MAX * 2 + 32], esc[PATH_MAX * 2];
	struct rows rs;
	struct lines l;
	size_t i, j, nrows, objects = 0, matched = 0;

	if (!wait_quiescent())
		return KSFT_FAIL;
	if (read_rows(&rs, ZMC_HEADER))
		return KSFT_FAIL;
	if (run_tool("-o 0 --json 1 1", &l)) {
		free_rows(&rs);
		return KSFT_FAIL;
	}
	for (j = 0; j < l.n; j++)
		objects += !!strstr(l.v[j], "\"memcg\": ");
	for (i = 0; i < rs.n; i++) {
		json_escape(rs.v[i].path, esc, sizeof(esc));
		snprintf(want[0], sizeof(want[0]), "\"memcg\": \"%s\"",
			 rs.v[i].memcg);
		snprintf(want[1], sizeof(want[1]), "\"id\": %llu, \"pid\": %ld,",
			 rs.v[i].id, rs.v[i].pid);
		snprintf(want[2], sizeof(want[2]), "\"path\": \"%s\"", esc);
		for (j = 0; j < l.n; j++) {
			if (strstr(l.v[j], want[0]) && strstr(l.v[j], want[1]) &&
			    strstr(l.v[j], want[2])) {
				matched++;
				break;
			}
		}
		if (j == l.n)
			ksft_print_msg("no JSON object with %s %s %s\n",
				       want[0], want[1], want[2]);
	}
	nrows = rs.n;
	free_lines(&l);
	free_rows(&rs);
	if (!nrows || objects != nrows || matched != nrows) {
		fail_msg("%zu JSON objects, %zu matched, %zu /proc rows",
			 objects, matched, nrows);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_tool_filters(void)
{
	char args[128];
	struct rows rs;
	size_t i, by_pid = 0, by_comm = 0;
	int res = KSFT_FAIL;

	if (!wait_quiescent())
		return KSFT_FAIL;
	if (read_rows(&rs, ZMC_HEADER))
		return KSFT_FAIL;
	for (i = 0; i < rs.n; i++) {
		by_pid += rs.v[i].pid == pinned[0].pid;
		by_comm += !strcmp(rs.v[i].comm, CREATOR_COMM);
	}
	if (!by_pid || !by_comm || by_comm == rs.n) {
		fail_msg("fixture: %zu rows, %zu by pid, %zu by comm", rs.n,
			 by_pid, by_comm);
		goto out;
	}
	snprintf(args, sizeof(args), "-o 0 -p %d 1 1", pinned[0].pid);
	if (tool_expect_rows(args, by_pid))
		goto out;
	if (tool_expect_rows("-o 0 -p 999999 1 1", 0) ||
	    tool_expect_rows("-o 0 -c " CREATOR_COMM " 1 1", by_comm) ||
	    tool_expect_rows("-o 0 -c no-such-comm 1 1", 0) ||
	    tool_expect_rows("-o 3600 1 1", 0) ||
	    tool_expect_rows("-o 0 1 1", rs.n))
		goto out;
	res = KSFT_PASS;
out:
	free_rows(&rs);
	return res;
}

/* ---- probes disarmed: metadata lost, never a row or memory safety ---- */

#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"

static int kprobes_arm(bool on)
{
	int fd = open(KPROBES_ENABLED, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, on ? "1\n" : "0\n", 2);
	close(fd);
	return n == 2 ? 0 : -EIO;
}

/*
 * With every kprobe of the kernel disarmed, zombies are freed (their free
 * probe never fires, so their records stay) and a cgroup is made and
 * removed (its online and offline unseen).  Re-armed, the listing has no
 * row for a freed memcg, agrees with the kernel's count, and shows the
 * unseen cgroup with its creator unknown and FLAGS p.
 */
static int test_probes_disarmed(void)
{
	int res = KSFT_FAIL;
	struct holder gone[6] = { }, unseen = { };
	unsigned long long ids[ARRAY_SIZE(gone)];
	char cg[PATH_MAX];
	struct rows rs;
	struct row r;
	double end;
	size_t j;
	int i, ret;
	char probe[16];

	/* kprobes/enabled disarms kprobes only: the fprobes keep firing. */
	if (read_file("/sys/module/" MODULE_NAME "/parameters/probe", probe,
		      sizeof(probe)) > 0 && !strncmp(probe, "fprobe", 6)) {
		snprintf(diag, sizeof(diag),
			 "loaded with probe=fprobe: %s does not disarm fprobes", KPROBES_ENABLED);
		return KSFT_SKIP;
	}
	for (i = 0; i < ARRAY_SIZE(gone); i++) {
		snprintf(cg, sizeof(cg), TEST_CG "/gone-%d.scope", i);
		if (make_zombie(&gone[i], cg, PIN_SOCKET))
			goto out;
		ids[i] = gone[i].id;
	}
	if (!wait_oracle(ARRAY_SIZE(gone)))
		goto out;
	ret = kprobes_arm(false);
	if (ret) {
		fail_msg("%s: %s", KPROBES_ENABLED, strerror(-ret));
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(gone); i++)
		release(&gone[i]);
	if (make_zombie(&unseen, TEST_CG "/unseen.scope", PIN_SOCKET))
		goto rearm;
	/* The six are freed unseen, the new one is listed: from the kernel. */
	if (!wait_oracle(1))
		goto rearm;
	/*
	 * FLAGS p once its offline callback (a kworker, after rmdir) has run
	 * unseen; re-armed before that, the probe would see it.
	 */
	end = now_secs() + POLL_SECS;
	while (find_row(unseen.cg, &r) == 1 && strcmp(r.flags, "p") &&
	       now_secs() < end)
		sleep_ms(200);
	if (kprobes_arm(true)) {
		fail_msg("cannot re-arm kprobes");
		goto out;
	}
	if (!wait_oracle(1) || read_rows(&rs, ZMC_HEADER))
		goto out;
	for (j = 0; j < rs.n; j++) {
		for (i = 0; i < ARRAY_SIZE(gone); i++) {
			if (rs.v[j].id == ids[i]) {
				fail_msg("freed memcg %llu listed", ids[i]);
				free_rows(&rs);
				goto out;
			}
		}
	}
	free_rows(&rs);
	res = check_unknown_creator(&unseen, "p");
	goto out;
rearm:
	kprobes_arm(true);
out:
	for (i = 0; i < ARRAY_SIZE(gone); i++)
		release(&gone[i]);
	release(&unseen);
	return res;
}

static int test_unload_with_zombies(void)
{
	long rows = count_rows(ZMC_HEADER);
	int ret;

	if (rows < 1) {
		fail_msg("expected tracked zombies before unload, have %ld", rows);
		return KSFT_FAIL;
	}
	ret = unload_module();
	if (ret) {
		fail_msg("unload: %s", strerror(-ret));
		return KSFT_FAIL;
	}
	if (!access(PROC_FILE, F_OK) || !access(DEBUG_DIR, F_OK)) {
		fail_msg("interfaces left behind after unload");
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* The walk at load finds the zombies that died before it. */
static int test_reload(void)
{
	int ret = load_module();

	if (ret) {
		fail_msg("reload: %s", strerror(-ret));
		return KSFT_FAIL;
	}
	return wait_oracle(8) ? KSFT_PASS : KSFT_FAIL;
}

static void release_all(void)
{
	int i;

	release(&zombie);
	release(&odd);
	release(&pre_alive);
	for (i = 0; i < ARRAY_SIZE(pinned); i++)
		release(&pinned[i]);
	for (i = 0; i < ARRAY_SIZE(pre); i++)
		release(&pre[i]);
}

/*
 * Free every zombie made before the reload: the kernel's count falls back
 * to what it was before the first load, and none of their IDs is listed.
 */
static int test_old_zombies_freed(void)
{
	unsigned long long ids[ARRAY_SIZE(held)];
	size_t j, n = 0;
	int i;
	struct rows rs;

	for (i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i] && held[i]->removed)
			ids[n++] = held[i]->id;
	release_all();
	if (!wait_no_dying())
		return KSFT_FAIL;
	if (read_rows(&rs, ZMC_HEADER))
		return KSFT_FAIL;
	for (j = 0; j < rs.n; j++) {
		for (i = 0; i < (int)n; i++) {
			if (rs.v[j].id == ids[i]) {
				fail_msg("freed zombie %llu still listed", ids[i]);
				free_rows(&rs);
				return KSFT_FAIL;
			}
		}
	}
	free_rows(&rs);
	return n ? KSFT_PASS : (fail_msg("no zombie was made before the reload"), KSFT_FAIL);
}

static int test_final_unload(void)
{
	int ret = unload_module();

	if (ret) {
		fail_msg("unload: %s", strerror(-ret));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_dmesg_clean(void)
{
	static const char * const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection",
		"kmemleak:", "Kernel panic", "UBSAN", "KASAN", "KFENCE",
		"Call Trace",
	};
	static char log[1 << 20];
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	int i;

	if (len <= 0)
		len = sizeof(log) - 1;
	if (len > (int)sizeof(log) - 1)
		len = sizeof(log) - 1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	if (len < 0) {
		fail_msg("klogctl: %s", strerror(errno));
		return KSFT_FAIL;
	}
	log[len] = '\0';
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *p = strstr(log, bad[i]);

		if (p) {
			fail_msg("kernel log has '%s': %.200s", bad[i], p);
			return KSFT_FAIL;
		}
	}
	return KSFT_PASS;
}

/* ---- load during a storm; max_records ---- */

#define STORM_MAX	1500

static volatile sig_atomic_t storm_stop;

static void storm_on_usr1(int sig)
{
	(void)sig;
	storm_stop = 1;
}

/* mkdir/rmdir in a loop, pinning every fourth cgroup, until SIGUSR1. */
static void storm_child(int id, int wfd)
{
	char cg[PATH_MAX], done = 'S';
	int i;

	prctl(PR_SET_NAME, "zmc-storm");
	signal(SIGUSR1, storm_on_usr1);
	for (i = 0; i < STORM_MAX && !storm_stop; i++) {
		snprintf(cg, sizeof(cg), TEST_CG "/storm-%d-%d", id, i);
		if (i % 4 == 0 ? cg_pin(cg, CG_ROOT, PIN_SOCKET, NULL, 0) :
				 mkdir(cg, 0755))
			_exit(1);
		if (rmdir(cg))
			_exit(2);
	}
	if (write(wfd, &done, 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/*
 * Unload, start two processes creating and removing cgroups, load in the
 * middle of it: afterwards every dying memcg is listed once; once their
 * pins are gone no record is left.
 */
static int test_storm(void)
{
	int res = KSFT_FAIL;
	pid_t kids[2] = { 0, 0 };
	int pfd[2], i, ret;
	char c;

	ret = unload_module();
	if (ret || pipe(pfd)) {
		fail_msg("unload: %s", strerror(-ret));
		return KSFT_FAIL;
	}
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (!kids[i]) {
			close(pfd[0]);
			storm_child(i, pfd[1]);
		}
	}
	close(pfd[1]);
	sleep_ms(300);
	ret = load_module();
	sleep_ms(300);
	for (i = 0; i < 2; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGUSR1);
	for (i = 0; i < 2; i++) {
		if (read(pfd[0], &c, 1) != 1) {
			fail_msg("a storm process failed");
			goto out;
		}
	}
	if (ret) {
		fail_msg("load during the storm: %s", strerror(-ret));
		goto out;
	}
	if (!wait_oracle(1))
		goto out;
	/* The counters agree with the kernel, and no record outlives its memcg. */
	if (!stats_agree())
		goto out;
	for (i = 0; i < 2; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
		kids[i] = 0;
	}
	if (wait_oracle(0) && stats_agree())
		res = KSFT_PASS;
out:
	close(pfd[0]);
	for (i = 0; i < 2; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	}
	return res;
}

/*
 * Load with room for 3 records, make 6 zombies: all 6 are listed (what is
 * listed comes from the kernel), 3 with their creator and 3 without, whose
 * records were refused.  Reloaded without the bound, all are listed.
 */
static int test_max_records(void)
{
	int res = KSFT_FAIL;
	struct holder h[6] = { };
	char cg[PATH_MAX];
	int i, known, unknown, ret = 0;
	struct stats st;
	struct row r;
	double end;

	release_all();
	if (!wait_no_dying() || (ret = unload_module())) {
		if (!diag[0])
			fail_msg("unload: %s", strerror(-ret));
		return KSFT_FAIL;
	}
	ret = load_module_params("max_records=3");
	if (ret || set_threshold("0")) {
		fail_msg("load with max_records=3: %s", strerror(-ret));
		return KSFT_FAIL;
	}
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		snprintf(cg, sizeof(cg), TEST_CG "/max-%d.scope", i);
		if (make_zombie(&h[i], cg, PIN_SOCKET))
			goto out;
	}
	/* Offline runs in a kworker after rmdir: poll for all six. */
	end = now_secs() + POLL_SECS;
	do {
		for (i = 0, known = 0, unknown = 0; i < ARRAY_SIZE(h); i++) {
			if (find_row(h[i].cg, &r) != 1)
				continue;
			known += !strcmp(r.comm, CREATOR_COMM) && r.pid == h[i].pid;
			unknown += !strcmp(r.comm, "-") && !r.pid;
		}
		if (known + unknown == ARRAY_SIZE(h))
			break;
		sleep_ms(200);
	} while (now_secs() < end);
	if (stats_read(&st) || known != 3 || unknown != 3 ||
	    stats_get(&st, "records") != 3 || stats_get(&st, "refused") < 3 ||
	    stats_get(&st, "untracked") != 3) {
		fail_msg("max_records=3: %d of 6 listed with their creator, %d without; records %lld refused %lld untracked %lld",
			 known, unknown, stats_get(&st, "records"),
			 stats_get(&st, "refused"), stats_get(&st, "untracked"));
		goto out;
	}
	ret = unload_module();
	if (!ret)
		ret = load_module();
	if (ret || !wait_oracle(ARRAY_SIZE(h))) {
		if (ret)
			fail_msg("reload: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		if (find_row(h[i].cg, NULL) != 1) {
			fail_msg("after reload: %s not listed", cg_rel(h[i].cg));
			goto out;
		}
	}
	res = KSFT_PASS;
out:
	for (i = 0; i < ARRAY_SIZE(h); i++)
		release(&h[i]);
	return res;
}

/*
 * kmemleak, where the kernel has it (Debian's kernels do not: the debug
 * tier's kernel does).  A scan now, then no unreferenced object whose
 * backtrace names the module.
 */
static int test_kmemleak(void)
{
	static char buf[1 << 20];
	int fd = open("/sys/kernel/debug/kmemleak", O_RDWR);
	ssize_t n;

	if (fd < 0) {
		snprintf(diag, sizeof(diag),
			 "no kmemleak in this kernel (CONFIG_DEBUG_KMEMLEAK): the debug tier checks leaks");
		return KSFT_SKIP;
	}
	if (write(fd, "scan", 4) != 4) {
		fail_msg("kmemleak scan: %s", strerror(errno));
		close(fd);
		return KSFT_FAIL;
	}
	close(fd);
	n = read_file("/sys/kernel/debug/kmemleak", buf, sizeof(buf));
	if (n < 0) {
		fail_msg("kmemleak: %s", strerror((int)-n));
		return KSFT_FAIL;
	}
	if (strstr(buf, MODULE_NAME)) {
		fail_msg("kmemleak: %.300s", strstr(buf, MODULE_NAME));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static const struct zmc_test tests_before[] = {
	{ "zombies and a live pinned cgroup made before the module is loaded", test_make_predating },
	{ "module loads", test_load, ZMC_LOADS },
	{ "/proc/zombiememcg (0400 root) and debugfs files exist", test_interfaces },
	{ "older_than_secs defaults to 30", test_default_threshold },
};

static const struct zmc_test tests_after[] = {
	{ "older_than_secs accepts 3600 and 0", test_good_writes },
	{ "older_than_secs parameter (0644) sets the threshold debugfs reads", test_param_threshold },
	{ "zombies older than the module are listed, FLAGS p, creator unknown", test_predating_listed, ZMC_LOADS },
	{ "oracle at load: rows equal the kernel's count of dying memcgs", test_oracle_at_load, ZMC_LOADS },
	{ "a cgroup made before load, removed after: listed, FLAGS -, creator unknown", test_removed_after_load, ZMC_LOADS },
	{ "a removed, pinned cgroup is listed with its PATH, ID, PID, COMM", test_zombie_appears },
	{ "AGE grows", test_age_grows },
	{ "CHARGED counts the zombie's 1 MiB of tmpfs pages, within 256 KiB", test_charged },
	{ "CHARGED after the file is deleted: uncharged before 7.x, frozen from 7.x", test_charged_after_delete },
	{ "SWAP is 0 for a zombie with nothing swapped out", test_swap },
	{ "FOOTPRINT is > 0", test_footprint },
	{ "FOOTPRINT grows with the CPU count", test_footprint_scales },
	{ "threshold 3600 hides the zombie, 0 shows it again", test_threshold_hides },
	{ "live cgroups are never listed", test_live_not_listed },
	{ "spaces, tabs, newlines, backslashes in PATH and COMM are escaped", test_escaping },
	{ "a non-root reader cannot open /proc/zombiememcg", test_non_root },
	{ "a zombie whose pin is released disappears", test_freed },
	{ "oracle: rows equal the kernel's count of dying memcgs", test_oracle },
	{ "stats: totals agree with the listing", test_stats_totals },
	{ "zombiememcgstat lists every row of /proc/zombiememcg", test_tool_table },
	{ "zombiememcgstat --json matches /proc/zombiememcg", test_tool_json },
	{ "zombiememcgstat -p, -c and -o filter", test_tool_filters },
	{ "kprobes disarmed while zombies are freed: no row for a freed memcg", test_probes_disarmed },
	{ "unload with zombies tracked", test_unload_with_zombies, ZMC_LOADS },
	{ "reload: the zombies of before are found again", test_reload, ZMC_LOADS },
	{ "after reload: zombies of before the reload are freed", test_old_zombies_freed, ZMC_LOADS },
	{ "after reload: a removed, pinned cgroup is listed", test_zombie_appears, ZMC_LOADS },
	{ "after reload: a zombie whose pin is released disappears", test_freed, ZMC_LOADS },
	{ "after reload: oracle holds", test_oracle, ZMC_LOADS },
	{ "load during a mkdir/rmdir storm: each dying memcg listed once, none after", test_storm, ZMC_LOADS },
	{ "max_records: zombies past it listed without creator, a reload lists all", test_max_records, ZMC_LOADS },
	{ "final unload", test_final_unload, ZMC_LOADS },
	{ "kernel log has no WARN, BUG, oops, KASAN, KFENCE or kmemleak report", test_dmesg_clean },
	{ "kmemleak: no leaked object of the module", test_kmemleak },
};

static void run(const struct zmc_test *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		zmc_run_test(&t[i]);
}

static int setup(void)
{
	struct statfs sfs;
	int minor;

	kernel_version(&kernel_major, &minor);
	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL))
		return -errno;
	if (statfs("/sys/kernel/debug", &sfs) ||
	    sfs.f_type != DEBUGFS_MAGIC) {
		if (mount("none", "/sys/kernel/debug", "debugfs", 0, NULL))
			return -errno;
	}
	if (mkcg(FILES_DIR) || mount("none", FILES_DIR, "tmpfs", 0, NULL))
		return -errno;
	if (enable_memory(CG_ROOT) || mkcg(TEST_CG) || enable_memory(TEST_CG))
		return -errno ? -errno : -EIO;
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests_before) +
				 2 * ARRAY_SIZE(bad_inputs) + ARRAY_SIZE(tests_after));
	if (ret >= 0)
		return ret;
	if (argc > 2)
		tool_path = argv[2];
	ret = setup();
	if (ret)
		ksft_print_msg("setup failed: %s\n", strerror(-ret));
	ksft_print_msg("kernel %d.x, dying memcgs at start: %ld\n",
		       kernel_major, nr_dying());
	run(tests_before, ARRAY_SIZE(tests_before));
	test_bad_writes(THRESH_FILE, "debugfs");
	test_bad_writes(PARAM_THRESH_FILE, "parameter");
	run(tests_after, ARRAY_SIZE(tests_after));
	release_all();
	ksft_finished();
}
