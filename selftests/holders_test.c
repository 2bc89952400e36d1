// SPDX-License-Identifier: GPL-2.0
/*
 * holders_test: /proc/zombiememcg_holders names what keeps each zombie
 * alive.  Run as root in a throw-away VM (by run.sh): it loads the module
 * if it is not loaded and sets older_than_secs to 0.
 *
 * A child process named HOLDER_COMM makes a cgroup, opens a TCP, a UDP and
 * a unix socket in it, and moves out; the cgroup is removed: the holders
 * must name each socket with the child's PID, COMM and descriptor.  A
 * second child writes 1 MiB to a tmpfs file and 1 MiB to a file on a disk
 * file system (ext2 on a brd RAM disk, /dev/ram1, when run.sh loaded brd)
 * and touches 4 MiB of anonymous memory inside another cgroup, then moves
 * out: before 7.x, whose kernels reparent user pages at offline, a file
 * line must name each file (device, inode, path) with its bytes, an anon
 * line the child with its 4 MiB, and zombiememcgstat --why the files' full
 * paths; on every kernel the page kinds and "other" add up to CHARGED.  A
 * live cgroup never appears; a non-root reader is refused; once the
 * children exit and the files are gone, the zombies are freed and their
 * lines go.
 *
 * Usage: holders_test [path/to/zombiememcg.ko [path/to/zombiememcgstat]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"


#define HOLDERS_FILE	"/proc/zombiememcg_holders"
#define HOLDERS_HEADER	"ID KIND BYTES PID COMM DETAIL"
#define H_ROOT		CG_ROOT "/zmc-holders"
#define SOCK_CG		H_ROOT "/sockets"
#define PAGE_CG		H_ROOT "/pages"
#define LIVE_CG		H_ROOT "/live"
#define TMP_MNT		"/tmp/zmc-holders"
#define TMP_FILE	TMP_MNT "/data"
#define DISK_DEV	"/dev/ram1"
#define DISK_MNT	"/tmp/zmc-holders-disk"
#define DISK_FILE	DISK_MNT "/data"
#define DEFAULT_TOOL	"/bin/zombiememcgstat"
#define HOLDER_COMM	"zmc-holder"
#define FILE_BYTES	(1 << 20)
#define ANON_BYTES	(4 << 20)
#define ANON_SLACK	(64 << 10)
#define POLL_SECS	30

static bool loaded_here, mounted, disk_mounted;
static char no_run[160], no_disk[160];
static const char *tool_path = DEFAULT_TOOL;
static int kernel_major, kernel_minor;
static pid_t sock_child, page_child, live_child;
static int sock_fds[3];			/* tcp, udp, unix in sock_child */
static int listen_fd = -1, peer_fd = -1;	/* of the orphan's connection */
static struct sockaddr_in listen_addr;
static unsigned long long sock_id, page_id, live_id;
static long dying_at_start = -1;

static bool pages_reparented(void)
{
	return kernel_major >= 7;
}

/* One line of the holders file. */
struct holder {
	unsigned long long id, bytes;
	long pid;
	char kind[16], comm[64], detail[256];
};

/* The holders file, parsed into @h (up to @max lines); their count or -1. */
static int read_holders(struct holder *h, int max)
{
	static char buf[1 << 20];
	char *line, *save, *f[6];
	ssize_t len;
	int n = 0;

	len = read_file(HOLDERS_FILE, buf, sizeof(buf));
	if (len < 0) {
		fail_msg("read %s: %s", HOLDERS_FILE, strerror((int)-len));
		return -1;
	}
	line = strtok_r(buf, "\n", &save);
	if (!line || strcmp(line, HOLDERS_HEADER)) {
		fail_msg("header '%s', want '%s'", line ? line : "", HOLDERS_HEADER);
		return -1;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (line[0] == '#')
			continue;
		if (split_fields(line, f, 6) != 6 || n == max) {
			fail_msg("malformed or too many holder lines at '%s'", line);
			return -1;
		}
		h[n].id = strtoull(f[0], NULL, 10);
		snprintf(h[n].kind, sizeof(h[n].kind), "%s", f[1]);
		h[n].bytes = strtoull(f[2], NULL, 10);
		h[n].pid = strtol(f[3], NULL, 10);
		if (!unescape(f[4], h[n].comm, sizeof(h[n].comm)) ||
		    !unescape(f[5], h[n].detail, sizeof(h[n].detail))) {
			fail_msg("bad escape in '%s %s'", f[4], f[5]);
			return -1;
		}
		n++;
	}
	return n;
}

/* Children report through a pipe, then wait to be killed. */
static pid_t spawn(void (*fn)(int wfd), int *rfd)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(fds[0]);
		/* the orphan's peer must go with the test's own close */
		if (peer_fd >= 0)
			close(peer_fd);
		if (listen_fd >= 0)
			close(listen_fd);
		prctl(PR_SET_NAME, HOLDER_COMM);
		fn(fds[1]);
		_exit(1);
	}
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

static void enter(const char *cg)
{
	char procs[PATH_MAX];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	if (write_line(procs, "0"))
		_exit(1);
}

/*
 * A TCP connection to the test's listener, its buffers filled (the peer
 * never reads), then closed: an orphan, its FIN behind the data, that no
 * process holds and that lives until the peer reads or resets it.
 */
static void make_orphan(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), small = 4096;
	char buf[4096] = { 0 };

	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) ||
	    connect(c, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) ||
	    fcntl(c, F_SETFL, O_NONBLOCK))
		_exit(1);
	while (write(c, buf, sizeof(buf)) > 0)
		;
	if (errno != EAGAIN)
		_exit(1);
	close(c);
}

static void sock_holder(int wfd)
{
	int fds[3], pair[2];

	enter(SOCK_CG);
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	fds[1] = socket(AF_INET, SOCK_DGRAM, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair))
		_exit(1);
	fds[2] = pair[0];
	if (fds[0] < 0 || fds[1] < 0)
		_exit(1);
	make_orphan();
	enter(CG_ROOT);
	if (write(wfd, fds, sizeof(fds)) != sizeof(fds))
		_exit(1);
	pause();
	_exit(0);
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

static void page_holder(int wfd)
{
	char *p;
	size_t i;

	enter(PAGE_CG);
	if (write_bytes(TMP_FILE, FILE_BYTES))
		_exit(1);
	/* written back before the scans, so that no folio is busy then */
	if (disk_mounted && (write_bytes(DISK_FILE, FILE_BYTES) || sync_file(DISK_FILE)))
		_exit(1);
	p = mmap(NULL, ANON_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (i = 0; i < ANON_BYTES; i += 4096)
		p[i] = 1;
	enter(CG_ROOT);
	if (write(wfd, "r", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

/* ext2 on the second brd RAM disk, if there is one and busybox's mke2fs. */
static void mount_disk(void)
{
	if (access(DISK_DEV, F_OK)) {
		snprintf(no_disk, sizeof(no_disk), "no %s (run.sh makes it when the initramfs has brd.ko)",
			 DISK_DEV);
		return;
	}
	if (system("mke2fs -q " DISK_DEV " >/dev/null 2>&1")) {
		snprintf(no_disk, sizeof(no_disk), "mke2fs %s failed", DISK_DEV);
		return;
	}
	if ((mkdir(DISK_MNT, 0755) && errno != EEXIST) ||
	    (mount(DISK_DEV, DISK_MNT, "ext2", 0, NULL) &&
	     mount(DISK_DEV, DISK_MNT, "ext4", 0, NULL))) {
		snprintf(no_disk, sizeof(no_disk), "mount %s: %s", DISK_DEV, strerror(errno));
		return;
	}
	disk_mounted = true;
}

static void live_holder(int wfd)
{
	enter(LIVE_CG);
	if (socket(AF_INET, SOCK_STREAM, 0) < 0)
		_exit(1);
	if (write(wfd, "r", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

static int test_setup(void)
{
	if (v2_memory(no_run, sizeof(no_run)))
		return KSFT_SKIP;
	if (module_listing_all(&loaded_here))
		return KSFT_FAIL;
	if (check_root_file(HOLDERS_FILE, 0400))
		return KSFT_FAIL;
	if ((mkdir(H_ROOT, 0755) && errno != EEXIST) || enable_memory(H_ROOT) ||
	    (mkdir(TMP_MNT, 0755) && errno != EEXIST)) {
		fail_msg("%s: %s", H_ROOT, strerror(errno));
		return KSFT_FAIL;
	}
	if (mount("tmpfs", TMP_MNT, "tmpfs", 0, NULL)) {
		fail_msg("mount tmpfs %s: %s", TMP_MNT, strerror(errno));
		return KSFT_FAIL;
	}
	mounted = true;
	mount_disk();
	if (!disk_mounted)
		ksft_print_msg("holders: no disk file: %s\n", no_disk);
	return KSFT_PASS;
}

static int test_non_root(void)
{
	return nobody_refused(HOLDERS_FILE, O_RDONLY);
}

/* A listener on the loopback, whose peers never read (tiny buffers). */
static int make_listener(void)
{
	socklen_t len = sizeof(listen_addr);
	int small = 4096;

	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0 ||
	    setsockopt(listen_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    bind(listen_fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) ||
	    listen(listen_fd, 4) ||
	    getsockname(listen_fd, (struct sockaddr *)&listen_addr, &len)) {
		fail_msg("loopback listener: %s (is lo up?)", strerror(errno));
		return -1;
	}
	return 0;
}

/* Make the three cgroups and their holders; remove two of them. */
static int test_make(void)
{
	int rfd, i;
	char c;

	dying_at_start = nr_dying();
	if (make_listener())
		return KSFT_FAIL;
	for (i = 0; i < 3; i++) {
		const char *cg = i == 0 ? SOCK_CG : i == 1 ? PAGE_CG : LIVE_CG;

		if (mkdir(cg, 0755)) {
			fail_msg("mkdir %s: %s", cg, strerror(errno));
			return KSFT_FAIL;
		}
	}
	sock_id = cgroup_id_of(SOCK_CG);
	page_id = cgroup_id_of(PAGE_CG);
	live_id = cgroup_id_of(LIVE_CG);
	sock_child = spawn(sock_holder, &rfd);
	if (sock_child < 0 || read(rfd, sock_fds, sizeof(sock_fds)) != sizeof(sock_fds)) {
		fail_msg("the socket holder failed");
		return KSFT_FAIL;
	}
	close(rfd);
	peer_fd = accept(listen_fd, NULL, NULL);
	if (peer_fd < 0) {
		fail_msg("accept: %s", strerror(errno));
		return KSFT_FAIL;
	}
	page_child = spawn(page_holder, &rfd);
	if (page_child < 0 || read(rfd, &c, 1) != 1) {
		fail_msg("the page holder failed");
		return KSFT_FAIL;
	}
	close(rfd);
	live_child = spawn(live_holder, &rfd);
	if (live_child < 0 || read(rfd, &c, 1) != 1) {
		fail_msg("the live cgroup's holder failed");
		return KSFT_FAIL;
	}
	close(rfd);
	if (rmdir(SOCK_CG) || rmdir(PAGE_CG)) {
		fail_msg("rmdir: %s", strerror(errno));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static struct holder hs[4096];

static int test_sockets(void)
{
	static const char *const kinds[3] = { "tcp", "udp", "unix-stream" };
	char want[3][32];
	bool seen[3] = { };
	double end = now_secs() + POLL_SECS;
	int n, i, k, found;

	for (k = 0; k < 3; k++)
		snprintf(want[k], sizeof(want[k]), "fd %d %s ", sock_fds[k], kinds[k]);
	do {
		n = read_holders(hs, ARRAY_SIZE(hs));
		if (n < 0)
			return KSFT_FAIL;
		found = 0;
		for (i = 0; i < n; i++)
			found += hs[i].id == sock_id && !strcmp(hs[i].kind, "socket");
		if (found >= 3)
			break;
		sleep_ms(200);
	} while (now_secs() < end);
	for (i = 0; i < n; i++) {
		if (hs[i].id != sock_id || strcmp(hs[i].kind, "socket"))
			continue;
		ksft_print_msg("holders: %llu %s %ld %s %s\n", hs[i].id, hs[i].kind,
			       hs[i].pid, hs[i].comm, hs[i].detail);
		for (k = 0; k < 3; k++) {
			if (hs[i].pid == sock_child && !strcmp(hs[i].comm, HOLDER_COMM) &&
			    !strncmp(hs[i].detail, want[k], strlen(want[k])))
				seen[k] = true;
		}
	}
	for (k = 0; k < 3; k++) {
		if (!seen[k]) {
			fail_msg("no socket line '%s...' with pid %d comm %s for zombie %llu",
				 want[k], sock_child, HOLDER_COMM, sock_id);
			return KSFT_FAIL;
		}
	}
	return KSFT_PASS;
}

/* The orphaned connection: one line, PID 0, no process holds it. */
static int test_orphan(void)
{
	double end = now_secs() + POLL_SECS;
	int n, i;

	do {
		n = read_holders(hs, ARRAY_SIZE(hs));
		if (n < 0)
			return KSFT_FAIL;
		for (i = 0; i < n; i++) {
			if (hs[i].id != sock_id || strcmp(hs[i].kind, "socket") || hs[i].pid ||
			    strncmp(hs[i].detail, "orphan tcp 127.0.0.1:", 21))
				continue;
			ksft_print_msg("holders: %llu %s %ld %s %s\n", hs[i].id, hs[i].kind,
				       hs[i].pid, hs[i].comm, hs[i].detail);
			return KSFT_PASS;
		}
		sleep_ms(200);
	} while (now_secs() < end);
	fail_msg("no 'orphan tcp 127.0.0.1:...' line with PID 0 for zombie %llu", sock_id);
	return KSFT_FAIL;
}

static int test_live_absent(void)
{
	int n = read_holders(hs, ARRAY_SIZE(hs)), i;

	if (n < 0)
		return KSFT_FAIL;
	for (i = 0; i < n; i++) {
		if (hs[i].id == live_id) {
			fail_msg("live cgroup %llu listed: %s %s", live_id, hs[i].kind, hs[i].detail);
			return KSFT_FAIL;
		}
	}
	return KSFT_PASS;
}

/* The file line of @h naming @path (by its device and inode), if it is one. */
static bool names_file(const struct holder *h, const char *path, bool shmem)
{
	unsigned int maj, mnr;
	unsigned long long ino;
	struct stat st;
	char *p;
	int n = 0;

	if (strcmp(h->kind, "file") || stat(path, &st) ||
	    sscanf(h->detail, "dev=%u:%u ino=%llu fs=%*s%n", &maj, &mnr, &ino, &n) != 3 ||
	    !n || maj != major(st.st_dev) || mnr != minor(st.st_dev) || ino != st.st_ino)
		return false;
	p = strstr(h->detail + n, " path=");
	return p && !strcmp(p + 6, strrchr(path, '/')) &&
	       !!strstr(h->detail, " shmem ") == shmem;
}

static int check_file(const struct holder *h, int n, const char *path,
				   bool shmem)
{
	int i;

	for (i = 0; i < n; i++) {
		if (h[i].id != page_id || !names_file(&h[i], path, shmem))
			continue;
		ksft_print_msg("holders: %llu %s %llu %s\n", h[i].id, h[i].kind, h[i].bytes,
			       h[i].detail);
		if (h[i].bytes < FILE_BYTES || h[i].bytes > FILE_BYTES + 4096) {
			fail_msg("%s: file line of %llu bytes, wrote %d", path, h[i].bytes,
				 FILE_BYTES);
			return KSFT_FAIL;
		}
		return KSFT_PASS;
	}
	fail_msg("no file line of zombie %llu names %s (by device, inode and path)", page_id,
		 path);
	return KSFT_FAIL;
}

/* The page kinds of the page zombie, and their sum with "other". */
static int test_pages(void)
{
	unsigned long long file = 0, anon = 0, other = 0, child_anon = 0, sum;
	struct row r;
	int n, i, found;
	double end;

	found = find_id(page_id, &r);
	/* 7.x: its pages went to the parent; it goes once offline is done */
	for (end = now_secs() + POLL_SECS; found > 0 && pages_reparented() && now_secs() < end;) {
		sleep_ms(200);
		found = find_id(page_id, &r);
	}
	if (found < 0)
		return KSFT_FAIL;
	if (!found && pages_reparented()) {
		/* Nothing but its pages held it, and they went to the parent. */
		ksft_print_msg("holders: kernel %d.%d freed the page zombie once offline was done (pages reparented)\n",
			       kernel_major, kernel_minor);
		return KSFT_PASS;
	}
	if (!found) {
		fail_msg("the page zombie is not listed");
		return KSFT_FAIL;
	}
	/*
	 * The scan reads CHARGED when it runs, the listing when it is read:
	 * compared only when the listing said the same before and after the
	 * scan (a CPU's charge cache, a late uncharge can move it meanwhile).
	 */
	for (end = now_secs() + POLL_SECS;; sleep_ms(200)) {
		struct row after;

		n = read_holders(hs, ARRAY_SIZE(hs));
		if (n < 0)
			return KSFT_FAIL;
		found = find_id(page_id, &after);
		if (found <= 0) {
			if (!found)
				fail_msg("the page zombie went during the scan");
			return KSFT_FAIL;
		}
		if (after.charged == r.charged || now_secs() > end)
			break;
		r = after;
	}
	for (i = 0; i < n; i++) {
		if (hs[i].id != page_id)
			continue;
		if (!strcmp(hs[i].kind, "file"))
			file += hs[i].bytes;
		else if (!strcmp(hs[i].kind, "anon"))
			anon += hs[i].bytes;
		else if (!strcmp(hs[i].kind, "other"))
			other += hs[i].bytes;
		if (!strcmp(hs[i].kind, "anon") && hs[i].pid == page_child &&
		    !strcmp(hs[i].comm, HOLDER_COMM))
			child_anon += hs[i].bytes;
	}
	sum = file + anon + other;
	ksft_print_msg("holders: zombie %llu: file %llu anon %llu (%llu of pid %d) other %llu; CHARGED %llu\n",
		       page_id, file, anon, child_anon, page_child, other, r.charged);
	if (sum != r.charged && !(sum == 0 && r.charged == 0)) {
		fail_msg("file %llu + anon %llu + other %llu = %llu, CHARGED %llu",
			 file, anon, other, sum, r.charged);
		return KSFT_FAIL;
	}
	if (pages_reparented()) {
		if (file || anon) {
			fail_msg("kernel %d.%d reparents user pages, yet file %llu anon %llu",
				 kernel_major, kernel_minor, file, anon);
			return KSFT_FAIL;
		}
		return KSFT_PASS;
	}
	if (check_file(hs, n, TMP_FILE, true) ||
	    (disk_mounted && check_file(hs, n, DISK_FILE, false)))
		return KSFT_FAIL;
	if (child_anon + ANON_SLACK < ANON_BYTES || child_anon > ANON_BYTES + ANON_SLACK) {
		fail_msg("anon of pid %d %s: %llu bytes, it touched %d", page_child, HOLDER_COMM,
			 child_anon, ANON_BYTES);
		return KSFT_FAIL;
	}
	if (!disk_mounted) {
		snprintf(diag, sizeof(diag), "the disk file part: %s", no_disk);
		return KSFT_SKIP;
	}
	return KSFT_PASS;
}

/* zombiememcgstat --why names the files by their full paths. */
static int test_tool_paths(void)
{
	static char out[1 << 16];
	char cmd[PATH_MAX + 64], want[2][PATH_MAX];
	size_t len;
	FILE *fp;
	int k;

	if (pages_reparented()) {
		snprintf(diag, sizeof(diag), "kernel %d.%d reparents page cache at offline: no file to name",
			 kernel_major, kernel_minor);
		return KSFT_SKIP;
	}
	if (access(tool_path, X_OK)) {
		snprintf(diag, sizeof(diag), "no %s", tool_path);
		return KSFT_SKIP;
	}
	snprintf(cmd, sizeof(cmd), "%s --why -o 0 1 1 2>&1", tool_path);
	fp = popen(cmd, "r");
	if (!fp)
		return KSFT_FAIL;
	len = fread(out, 1, sizeof(out) - 1, fp);
	out[len] = '\0';
	if (pclose(fp)) {
		fail_msg("%s failed: %.300s", cmd, out);
		return KSFT_FAIL;
	}
	snprintf(want[0], sizeof(want[0]), "of page cache of %s (tmpfs, shmem)", TMP_FILE);
	snprintf(want[1], sizeof(want[1]), "of page cache of %s (", DISK_FILE);
	for (k = 0; k < (disk_mounted ? 2 : 1); k++) {
		if (!strstr(out, want[k])) {
			fail_msg("no '%.200s' in --why:\n%.400s", want[k], out);
			return KSFT_FAIL;
		}
		ksft_print_msg("holders: --why: ...%s...\n", want[k]);
	}
	if (!disk_mounted) {
		snprintf(diag, sizeof(diag), "the disk file: %s", no_disk);
		return KSFT_SKIP;
	}
	return KSFT_PASS;
}

/* Unread data: the close resets the orphan's connection, which frees it. */
static void close_peer(void)
{
	if (peer_fd >= 0)
		close(peer_fd);
	if (listen_fd >= 0)
		close(listen_fd);
	peer_fd = listen_fd = -1;
}

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

/*
 * With a reader keeping the file open (its scan done): the scan pins the
 * zombies while it runs, never after, so they are freed all the same.
 */
static int test_freed(void)
{
	double end = now_secs() + POLL_SECS;
	int n, i, left, keep;
	long dying;

	keep = open(HOLDERS_FILE, O_RDONLY);
	if (keep < 0) {
		fail_msg("open %s: %s", HOLDERS_FILE, strerror(errno));
		return KSFT_FAIL;
	}
	stop(&sock_child);
	stop(&page_child);
	close_peer();
	unlink(TMP_FILE);
	unlink(DISK_FILE);
	/* the disk's own cache (its metadata, charged to the writer) goes with its last close */
	if (disk_mounted && !umount(DISK_MNT))
		disk_mounted = false;
	do {
		sleep_ms(200);
		drain_charge_caches(H_ROOT);
		n = read_holders(hs, ARRAY_SIZE(hs));
		if (n < 0)
			break;
		left = 0;
		for (i = 0; i < n; i++)
			left += hs[i].id == sock_id || hs[i].id == page_id;
		dying = nr_dying();
	} while ((left || dying > dying_at_start) && now_secs() < end);
	close(keep);
	if (n < 0)
		return KSFT_FAIL;
	for (i = 0; left && i < n; i++)
		if (hs[i].id == sock_id || hs[i].id == page_id)
			ksft_print_msg("holders: left: %llu %s %llu %ld %s %s\n", hs[i].id, hs[i].kind,
				       hs[i].bytes, hs[i].pid, hs[i].comm, hs[i].detail);
	if (left || dying > dying_at_start) {
		fail_msg("%d s after the holders went, with the file open: %d holder lines left, %ld dying memcgs (%ld before)",
			 POLL_SECS, left, dying, dying_at_start);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static const struct zmc_test tests[] = {
	{ "holders: module loaded, the file is root-only (0400)", test_setup },
	{ "holders: a non-root reader is refused", test_non_root },
	{ "holders: zombies made, held by sockets and by pages", test_make },
	{ "holders: each socket of the zombie named with its PID, COMM and fd", test_sockets },
	{ "holders: a socket its process closed (an orphaned connection) named with PID 0",
	  test_orphan },
	{ "holders: a live cgroup never appears", test_live_absent },
	{ "holders: each file named with its bytes, anon with its process (before 7.x), the kinds add up to CHARGED",
	  test_pages },
	{ "holders: zombiememcgstat --why names the files by their full paths", test_tool_paths },
	{ "holders: once the holders go, the zombies are freed, a reader's open file notwithstanding", test_freed },
};

int main(int argc, char **argv)
{
	int ret;

	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests));
	if (ret >= 0)
		return ret;
	kernel_version(&kernel_major, &kernel_minor);
	if (argc > 2)
		tool_path = argv[2];
	zmc_run_tests(tests, ARRAY_SIZE(tests), no_run);
	stop(&sock_child);
	stop(&page_child);
	stop(&live_child);
	close_peer();
	unlink(TMP_FILE);
	unlink(DISK_FILE);
	if (disk_mounted)
		umount(DISK_MNT);
	rmdir(SOCK_CG);
	rmdir(PAGE_CG);
	rmdir(LIVE_CG);
	rmdir(H_ROOT);
	if (mounted)
		umount(TMP_MNT);
	if (loaded_here) {
		ret = unload_module();
		if (ret)
			ksft_print_msg("holders: unload: %s\n", strerror(-ret));
	}
	ksft_finished();
}
