// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim_test: /proc/zombiememcg_reclaim drops a zombie's own page cache,
 * and nothing else.  Run as root in a throw-away VM (by run.sh), whose
 * virtio drive /dev/vda (vm/boot.sh's scratch disk) holds its disk file
 * system (ext2).
 *
 * Two files are made and written back from the root cgroup, so that their
 * blocks and metadata are charged there; their data is then dropped
 * (POSIX_FADV_DONTNEED).  A child in a cgroup reads the first half of one
 * (4 MiB) and overwrites the other (4 MiB, synced); a live cgroup reads the
 * second half of the first.  The cgroup is removed: before 7.x its page
 * cache keeps it a zombie, and one request frees it, with both files' data
 * intact and the live half still cached (mincore()).  A file written inside
 * a cgroup and not synced is written back, then dropped, intact, and the
 * zombie goes once the kernel frees its cgroup writeback (at the next memcg
 * offline).  A zombie held by a tmpfs file and a socket keeps them (and is not freed); from 7.x,
 * which reparents page cache at offline, its request says nothing to do.
 * Bad requests (garbage, too long, an unknown ID, a non-root writer) are
 * refused and change nothing; zombiememcgstat --free shows and frees.
 *
 * Usage: reclaim_test [path/to/zombiememcg.ko [path/to/zombiememcgstat]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"

#define RECLAIM_FILE	"/proc/zombiememcg_reclaim"
#define R_ROOT		CG_ROOT "/zmc-reclaim"
#define DISK_DEV	"/dev/vda"
#define DISK_MNT	"/tmp/zmc-reclaim-disk"
#define READ_FILE	DISK_MNT "/read"
#define WRITE_FILE	DISK_MNT "/written"
#define DIRTY_FILE	DISK_MNT "/dirty"
#define TOOL_FILE	DISK_MNT "/tool"
#define TMP_MNT		"/tmp/zmc-reclaim-tmp"
#define TMP_FILE	TMP_MNT "/data"
#define DEFAULT_TOOL	"/bin/zombiememcgstat"
#define MIB		(1 << 20)
#define HALF		(4 * MIB)
#define DIRTY_BYTES	MIB
#define POLL_SECS	20

static bool loaded_here, disk_mounted, tmp_mounted;
static char no_run[160], no_disk[160];
static const char *tool_path = DEFAULT_TOOL;
static long dying_at_start;

/* The module's outcome, as "name value" lines. */
struct outcome {
	char text[4096];
};

static int read_outcome(struct outcome *o)
{
	if (read_file(RECLAIM_FILE, o->text, sizeof(o->text)) < 0) {
		fail_msg("read %s: %s", RECLAIM_FILE, strerror(errno));
		return -1;
	}
	return 0;
}

/* The outcome's non-zero values, on one line. */
static void print_outcome(const struct outcome *o)
{
	char line[1024] = "";
	const char *p, *sp;
	size_t len = 0;

	for (p = o->text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		sp = strchr(p, ' ');
		if (!sp || !strncmp(sp, " 0\n", 3))
			continue;
		len += snprintf(line + len, sizeof(line) - len, " %.*s", (int)strcspn(p, "\n"), p);
		if (len >= sizeof(line))
			break;
	}
	ksft_print_msg("reclaim: outcome:%s\n", line);
}

/* The value of @name in @o, -1 if absent. */
static long long outcome_num(const struct outcome *o, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = o->text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return atoll(p + n + 1);
	return -1;
}

static bool outcome_is(const struct outcome *o, const char *name, const char *val)
{
	char line[128];

	snprintf(line, sizeof(line), "\n%s %s\n", name, val);
	return strstr(o->text, line) != NULL;
}

/* Write @req to the reclaim file in one write(): 0 or -errno. */
static int request(const char *req, size_t len)
{
	int fd = open(RECLAIM_FILE, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, req, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

static int request_id(unsigned long long id)
{
	char req[32];

	return request(req, snprintf(req, sizeof(req), "%llu\n", id));
}

/* Request the reclaim of @id and read its outcome into @o: 0, or -1 with diag. */
static int run_request(unsigned long long id, struct outcome *o)
{
	int ret = request_id(id);

	if (ret) {
		fail_msg("request %llu: %s", id, strerror(-ret));
		return -1;
	}
	if (read_outcome(o))
		return -1;
	print_outcome(o);
	return 0;
}

/* Read @len bytes at @off of @path (into the page cache). */
static int read_range(const char *path, off_t off, size_t len)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	size_t done;

	if (fd < 0)
		return -1;
	for (done = 0; done < len; done += sizeof(buf))
		if (pread(fd, buf, sizeof(buf), off + done) != sizeof(buf))
			break;
	close(fd);
	return done < len ? -1 : 0;
}

/* Pages of @path's [@off, @off + @len) in the page cache (mincore()). */
static long cached_pages(const char *path, off_t off, size_t len)
{
	long page = sysconf(_SC_PAGESIZE), n = 0, i;
	unsigned char vec[(HALF * 2) / 4096];
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0 || len / page > sizeof(vec))
		return -1;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	close(fd);
	if (p == MAP_FAILED || mincore(p, len, vec)) {
		if (p != MAP_FAILED)
			munmap(p, len);
		return -1;
	}
	for (i = 0; i < (long)(len / page); i++)
		n += vec[i] & 1;
	munmap(p, len);
	return n;
}

/* Pages the kernel's own reclaim took so far (kswapd and direct). */
static long long pgsteal(void)
{
	char buf[16384], *p;
	long long n = 0;

	if (read_file("/proc/vmstat", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; (p = strstr(p, "pgsteal_")); p++) {
		char *sp = strchr(p, ' ');

		if (sp && (!strncmp(p, "pgsteal_kswapd ", 15) || !strncmp(p, "pgsteal_direct ", 15)))
			n += atoll(sp + 1);
	}
	return n;
}

/* Run @fn in a child inside cgroup @cg; it moves out and exits.  0 if it did well. */
static int in_cgroup(const char *cg, int (*fn)(void))
{
	char procs[PATH_MAX];
	int status;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int ret;

		if (write_line(procs, "0"))
			_exit(2);
		ret = fn();
		if (write_line(CG_ROOT "/cgroup.procs", "0"))
			_exit(3);
		_exit(ret ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

/* Wait until the listing has no row @id and no memcg more than at the start is dying. */
static bool wait_freed(unsigned long long id, double secs)
{
	double end = now_secs() + secs;
	struct row r;

	do {
		drain_charge_caches(R_ROOT);
		if (find_id(id, &r) == 0 && nr_dying() <= dying_at_start)
			return true;
		sleep_ms(200);
	} while (now_secs() < end);
	return false;
}

/* Why @id is still there, as far as the listing and the holders scan tell. */
static void print_left(unsigned long long id)
{
	char cmd[160];
	int ret;

	ksft_print_msg("reclaim: zombie %llu: listed %s, %ld dying memcgs (%ld at the start); its holders:\n",
		       id, find_id(id, &(struct row){ 0 }) > 0 ? "yes" : "no", nr_dying(),
		       dying_at_start);
	snprintf(cmd, sizeof(cmd), "grep '^%llu ' /proc/zombiememcg_holders | sed 's/^/# reclaim:   /'",
		 id);
	ret = system(cmd);
	(void)ret;
}

static bool listed(unsigned long long id)
{
	struct row r;

	return find_id(id, &r) > 0;
}

/* A zombie cgroup R_ROOT/@name whose child ran @fn; its id, 0 on failure. */
static unsigned long long make_zombie(const char *name, int (*fn)(void))
{
	char cg[PATH_MAX];
	unsigned long long id;

	snprintf(cg, sizeof(cg), R_ROOT "/%s", name);
	if (mkdir(cg, 0755) && errno != EEXIST) {
		fail_msg("mkdir %s: %s", cg, strerror(errno));
		return 0;
	}
	id = cgroup_id_of(cg);
	if (in_cgroup(cg, fn)) {
		fail_msg("the child in %s failed", cg);
		rmdir(cg);
		return 0;
	}
	if (rmdir(cg)) {
		fail_msg("rmdir %s: %s", cg, strerror(errno));
		return 0;
	}
	return id;
}

static int test_setup(void)
{
	if (v2_memory(no_run, sizeof(no_run)))
		return KSFT_SKIP;
	if (module_listing_all(&loaded_here))
		return KSFT_FAIL;
	if (check_root_file(RECLAIM_FILE, 0600))
		return KSFT_FAIL;
	if ((mkdir(R_ROOT, 0755) && errno != EEXIST) || enable_memory(R_ROOT)) {
		fail_msg("%s: %s", R_ROOT, strerror(errno));
		return KSFT_FAIL;
	}
	if (access(DISK_DEV, F_OK)) {
		snprintf(no_disk, sizeof(no_disk), "no %s (vm/boot.sh's virtio drive, with virtio_blk)",
			 DISK_DEV);
	} else if (system("mke2fs -q " DISK_DEV " >/dev/null 2>&1")) {
		snprintf(no_disk, sizeof(no_disk), "mke2fs %s failed", DISK_DEV);
	} else if ((mkdir(DISK_MNT, 0755) && errno != EEXIST) ||
		   (mount(DISK_DEV, DISK_MNT, "ext2", 0, NULL) &&
		    mount(DISK_DEV, DISK_MNT, "ext4", 0, NULL))) {
		snprintf(no_disk, sizeof(no_disk), "mount %s: %s", DISK_DEV, strerror(errno));
	} else {
		disk_mounted = true;
	}
	/* The files' blocks and metadata charged to the root cgroup, their data dropped. */
	if (disk_mounted &&
	    (write_pattern(READ_FILE, 0, 2 * HALF, 1, true) ||
	     write_pattern(WRITE_FILE, 0, HALF, 0, true) ||
	     write_pattern(DIRTY_FILE, 0, DIRTY_BYTES, 0, true) ||
	     write_pattern(TOOL_FILE, 0, MIB, 3, true) ||
	     drop_cache(READ_FILE) || drop_cache(WRITE_FILE) || drop_cache(DIRTY_FILE) ||
	     drop_cache(TOOL_FILE))) {
		fail_msg("cannot make the files on %s: %s", DISK_MNT, strerror(errno));
		return KSFT_FAIL;
	}
	dying_at_start = nr_dying();
	return KSFT_PASS;
}

static int test_bad_input(void)
{
	static const char *const bad[] = { "garbage\n", "12x\n", "-1\n", "0\n", "all all\n", "\n" };
	char huge[4096];
	struct outcome before, after;
	size_t i;
	int ret;

	if (read_outcome(&before))
		return KSFT_FAIL;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = request(bad[i], strlen(bad[i]));
		if (ret != -EINVAL) {
			fail_msg("request '%.*s': %s, want EINVAL", (int)strlen(bad[i]) - 1, bad[i],
				 ret ? strerror(-ret) : "accepted");
			return KSFT_FAIL;
		}
	}
	memset(huge, '1', sizeof(huge));
	ret = request(huge, sizeof(huge));
	if (ret != -EINVAL) {
		fail_msg("a 4096-byte request: %s, want EINVAL", ret ? strerror(-ret) : "accepted");
		return KSFT_FAIL;
	}
	/* The root cgroup's id: a cgroup, but no zombie; and one that never was. */
	ret = request_id(cgroup_id_of(R_ROOT));
	if (ret != -ENOENT) {
		fail_msg("a live cgroup's id: %s, want ENOENT", ret ? strerror(-ret) : "accepted");
		return KSFT_FAIL;
	}
	ret = request_id(1ULL << 60);
	if (ret != -ENOENT) {
		fail_msg("an unknown id: %s, want ENOENT", ret ? strerror(-ret) : "accepted");
		return KSFT_FAIL;
	}
	if (read_outcome(&after))
		return KSFT_FAIL;
	if (strcmp(before.text, after.text)) {
		fail_msg("the outcome changed after refused requests");
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_non_root(void)
{
	return nobody_refused(RECLAIM_FILE, O_WRONLY);
}

static int reader_writer(void)
{
	return read_range(READ_FILE, 0, HALF) || write_pattern(WRITE_FILE, 0, HALF, 2, true);
}

static int live_reader(void)
{
	return read_range(READ_FILE, HALF, HALF);
}

static const char *reparented_why(void)
{
	int major = 0, minor = 0;

	kernel_version(&major, &minor);
	return major >= 7 ? "this kernel reparents page cache at offline: page cache holds no zombie (the held test checks that a request says nothing to do)" : NULL;
}

/* Whether the page cache tests cannot run here; diag says why. */
static bool page_cache_skip(void)
{
	const char *why = reparented_why();

	if (why)
		fail_msg("%s", why);
	else if (!disk_mounted)
		fail_msg("%s", no_disk);
	return why || !disk_mounted;
}

static int test_page_cache(void)
{
	unsigned long long id;
	long live, gone, live_before;
	long long steal;
	char live_cg[] = R_ROOT "/live";
	struct outcome o;

	if (page_cache_skip())
		return KSFT_SKIP;
	/* The live half: read by a cgroup that stays. */
	if ((mkdir(live_cg, 0755) && errno != EEXIST) || in_cgroup(live_cg, live_reader)) {
		fail_msg("the live reader failed");
		return KSFT_FAIL;
	}
	id = make_zombie("pages", reader_writer);
	if (!id)
		return KSFT_FAIL;
	sleep_ms(500);
	if (!listed(id)) {
		fail_msg("the zombie %llu is not listed after its removal: nothing to test", id);
		return KSFT_FAIL;
	}
	live_before = cached_pages(READ_FILE, HALF, HALF);
	steal = pgsteal();
	if (run_request(id, &o))
		return KSFT_FAIL;
	if (!outcome_is(&o, "result", "complete") || outcome_num(&o, "zombies") != 1 ||
	    outcome_num(&o, "dropped_bytes") < 2 * HALF) {
		fail_msg("want result complete, 1 zombie, at least %d bytes dropped", 2 * HALF);
		return KSFT_FAIL;
	}
	if (!wait_freed(id, POLL_SECS)) {
		print_left(id);
		fail_msg("zombie %llu still there %d s after the request (dying %ld, %ld at the start)",
			 id, POLL_SECS, nr_dying(), dying_at_start);
		return KSFT_FAIL;
	}
	gone = cached_pages(READ_FILE, 0, HALF);
	live = cached_pages(READ_FILE, HALF, HALF);
	steal = pgsteal() - steal;
	ksft_print_msg("reclaim: %s: the live half: %ld of %d pages cached before the request, %ld after; the kernel's reclaim took %lld pages meanwhile\n",
		       READ_FILE, live_before, HALF / 4096, live, steal);
	/* Pages the live half lost are the kernel's reclaim's, never the request's. */
	if (gone != 0 || live_before <= 0 || live > live_before || live_before - live > steal) {
		fail_msg("%s: %ld pages of the zombie's half cached (want 0), %ld of the live half (want %ld, as before the request, less what the kernel's reclaim took: %lld)",
			 READ_FILE, gone, live, live_before, steal);
		return KSFT_FAIL;
	}
	if (!check_pattern(READ_FILE, 0, 2 * HALF, 1) || !check_pattern(WRITE_FILE, 0, HALF, 2)) {
		fail_msg("the files' contents changed");
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int dirty_writer(void)
{
	return write_pattern(DIRTY_FILE, 0, DIRTY_BYTES, 5, false);
}

static int test_dirty(void)
{
	char expire[32] = "", interval[32] = "";
	unsigned long long id;
	struct outcome o;
	int ret = KSFT_FAIL;

	if (page_cache_skip())
		return KSFT_SKIP;
	/* No periodic writeback meanwhile: the pages stay dirty until the request. */
	read_file("/proc/sys/vm/dirty_writeback_centisecs", interval, sizeof(interval));
	read_file("/proc/sys/vm/dirty_expire_centisecs", expire, sizeof(expire));
	write_line("/proc/sys/vm/dirty_writeback_centisecs", "0");
	write_line("/proc/sys/vm/dirty_expire_centisecs", "360000");
	id = make_zombie("dirty", dirty_writer);
	if (!id)
		goto restore;
	if (run_request(id, &o))
		goto restore;
	/* Written back by the request (the flusher may have taken some first). */
	if (outcome_num(&o, "written_back_folios") <= 0 ||
	    outcome_num(&o, "dropped_bytes") < DIRTY_BYTES ||
	    outcome_num(&o, "skipped_write_error_folios") != 0) {
		fail_msg("want folios written back, at least %d bytes dropped, no write error",
			 DIRTY_BYTES);
		goto restore;
	}
	/*
	 * Dirty at its removal, the zombie is held by its cgroup writeback
	 * too (the inode's bdi_writeback, which holds the memcg): the kernel
	 * moves clean inodes off a dead memcg's writeback when a memcg goes
	 * offline (cleanup_offline_cgwbs_workfn), so one does.
	 */
	if (mkdir(R_ROOT "/kick", 0755) || rmdir(R_ROOT "/kick")) {
		fail_msg("mkdir/rmdir %s/kick: %s", R_ROOT, strerror(errno));
		goto restore;
	}
	if (!wait_freed(id, POLL_SECS)) {
		print_left(id);
		fail_msg("the dirty zombie %llu is still listed %d s after the request and a memcg offline",
			 id, POLL_SECS);
		goto restore;
	}
	ksft_print_msg("reclaim: the dirty zombie %llu is freed\n", id);
	if (cached_pages(DIRTY_FILE, 0, DIRTY_BYTES) != 0 ||
	    !check_pattern(DIRTY_FILE, 0, DIRTY_BYTES, 5)) {
		fail_msg("%s: still cached, or its contents are not what was written", DIRTY_FILE);
		goto restore;
	}
	ret = KSFT_PASS;
restore:
	if (interval[0])
		write_line("/proc/sys/vm/dirty_writeback_centisecs", interval);
	if (expire[0])
		write_line("/proc/sys/vm/dirty_expire_centisecs", expire);
	return ret;
}

static int held_fd = -1;

static int tmpfs_writer(void)
{
	return write_pattern(TMP_FILE, 0, MIB, 4, false);
}

static int test_held(void)
{
	char cg[] = R_ROOT "/held", procs[sizeof(cg) + 16];
	unsigned long long id;
	bool reparented = reparented_why() != NULL;
	struct outcome o;

	if (mount("tmpfs", TMP_MNT, "tmpfs", 0, "size=8m") && errno != EBUSY &&
	    (mkdir(TMP_MNT, 0755) || mount("tmpfs", TMP_MNT, "tmpfs", 0, "size=8m"))) {
		fail_msg("mount tmpfs on %s: %s", TMP_MNT, strerror(errno));
		return KSFT_FAIL;
	}
	tmp_mounted = true;
	if (mkdir(cg, 0755) && errno != EEXIST) {
		fail_msg("mkdir %s: %s", cg, strerror(errno));
		return KSFT_FAIL;
	}
	id = cgroup_id_of(cg);
	if (in_cgroup(cg, tmpfs_writer)) {
		fail_msg("the child in %s failed", cg);
		return KSFT_FAIL;
	}
	/* A socket made inside the cgroup, kept open outside it. */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	if (write_line(procs, "0")) {
		fail_msg("enter %s: %s", cg, strerror(errno));
		return KSFT_FAIL;
	}
	held_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (write_line(CG_ROOT "/cgroup.procs", "0") || held_fd < 0 || rmdir(cg)) {
		fail_msg("socket in %s, leave, rmdir: %s", cg, strerror(errno));
		return KSFT_FAIL;
	}
	sleep_ms(300);
	if (run_request(id, &o))
		return KSFT_FAIL;
	if (outcome_num(&o, "dropped_folios") != 0) {
		fail_msg("dropped folios of a zombie held by tmpfs and a socket");
		return KSFT_FAIL;
	}
	if (reparented ? !outcome_is(&o, "result", "nothing_to_do_reparented") :
	    !outcome_is(&o, "result", "complete") || outcome_num(&o, "skipped_shmem_bytes") < MIB) {
		fail_msg(reparented ? "want result nothing_to_do_reparented" :
			 "want result complete and at least 1 MiB skipped as shmem");
		return KSFT_FAIL;
	}
	sleep_ms(300);
	if (!listed(id) || !check_pattern(TMP_FILE, 0, MIB, 4)) {
		fail_msg("the zombie is not listed any more, or the tmpfs file changed");
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int tool_reader(void)
{
	return read_range(TOOL_FILE, 0, MIB);
}

/* Run the tool with @args; its output in @out. */
static int run_tool(const char *args, char *out, size_t size)
{
	char cmd[PATH_MAX + 64];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", tool_path, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static int test_tool(void)
{
	static char out[16384];
	unsigned long long id;
	char args[64];
	int st;

	if (page_cache_skip())
		return KSFT_SKIP;
	id = make_zombie("tool", tool_reader);
	if (!id)
		return KSFT_FAIL;
	sleep_ms(300);
	snprintf(args, sizeof(args), "--free %llu", id);
	st = run_tool(args, out, sizeof(out));
	if (st || !strstr(out, "would drop 1.0M of page cache") || !strstr(out, "--yes") ||
	    !listed(id)) {
		ksft_print_msg("reclaim: %s %s:\n%s", tool_path, args, out);
		fail_msg("--free without --yes: status %d, no plan of 1.0M, or the zombie went", st);
		return KSFT_FAIL;
	}
	snprintf(args, sizeof(args), "--free %llu --yes", id);
	st = run_tool(args, out, sizeof(out));
	ksft_print_msg("reclaim: %s %s:\n%s", tool_path, args, out);
	snprintf(args, sizeof(args), "id %llu: freed\n", id);
	if (st || !strstr(out, "reclaim: complete") || !strstr(out, args)) {
		fail_msg("--free --yes: status %d, not complete or not freed", st);
		return KSFT_FAIL;
	}
	if (!check_pattern(TOOL_FILE, 0, MIB, 3)) {
		fail_msg("%s changed", TOOL_FILE);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static const struct zmc_test tests[] = {
	{ "reclaim: module loaded, the file is root-only (0600), the disk files made", test_setup },
	{ "reclaim: bad requests (garbage, too long, a live or unknown id) refused, nothing done",
	  test_bad_input },
	{ "reclaim: a non-root writer is refused", test_non_root },
	{ "reclaim: a page-cache zombie freed by one request, the files intact, the live half still cached",
	  test_page_cache },
	{ "reclaim: a dirty file of a zombie written back, then dropped, intact; the zombie freed after the next memcg offline", test_dirty },
	{ "reclaim: a zombie held by tmpfs and a socket: nothing dropped, says why, data intact",
	  test_held },
	{ "reclaim: zombiememcgstat --free shows the plan, --yes frees the zombie", test_tool },
};

int main(int argc, char **argv)
{
	int ret;

	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests));
	if (ret >= 0)
		return ret;
	if (argc > 2)
		tool_path = argv[2];
	zmc_run_tests(tests, ARRAY_SIZE(tests), no_run);
	if (held_fd >= 0)
		close(held_fd);
	unlink(TMP_FILE);
	if (tmp_mounted)
		umount(TMP_MNT);
	if (disk_mounted)
		umount(DISK_MNT);
	rmdir(R_ROOT "/live");
	rmdir(R_ROOT);
	if (loaded_here) {
		ret = unload_module();
		if (ret)
			ksft_print_msg("reclaim: unload: %s\n", strerror(-ret));
	}
	ksft_finished();
}
