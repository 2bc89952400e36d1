// SPDX-License-Identifier: GPL-2.0
/*
 * zmcbench: the measuring half of `make bench`, run inside the bench VM
 * (static; driven by bench/guest/run.sh).  Every figure it prints is a
 * "key=value" list on one line, parsed by the host.
 *
 *   zmcbench cycles N plain|charged PARENT
 *	N cycles of mkdir PARENT/cI + rmdir; "charged" also moves this process
 *	into the cgroup, writes one page to a tmpfs file there (charged to the
 *	memcg), moves back, and deletes the file after the rmdir, so every memcg
 *	goes online -> offline -> free with a charge.  The clock stops when
 *	PARENT's nr_dying_descendants is back to 0: the asynchronous offline
 *	and free work (and the probes on it) is inside the measurement.
 *	busy_ns: the time all CPUs spent running tasks meanwhile (schedstat's
 *	rq_cpu_time), i.e. the CPU cost without the idle waits (RCU grace
 *	periods, timers) that the elapsed time also holds.
 *   zmcbench lat N PARENT
 *	N plain cycles, each timed alone: max and percentiles of mkdir+rmdir.
 *   zmcbench zombies N PARENT PREFIX
 *	N cgroups PARENT/PREFIXi, each entered, pinned by a TCP socket opened
 *	in it (it holds a reference to its memcg until closed), left and
 *	removed: N zombies while this process lives.  Prints "ready ..." and
 *	sleeps until killed.  RLIMIT_NOFILE is raised to N + 64.  PARENT "-"
 *	makes the control: N sockets in the current cgroup, no cgroup.
 *   zmcbench read FILE REPS
 *	reads FILE whole REPS times (1 MiB reads): min/median time and rows.
 *   zmcbench readloop FILE STOPFILE
 *	reads FILE whole until STOPFILE exists; prints the passes made.
 *   zmcbench holders FILE REPS
 *	one warm-up, then REPS timed open+read+close of FILE (the module's
 *	/proc/zombiememcg_holders, which scans once per open): min/median/max
 *	and every time (ns=a,b,...), and the counts of the footer (its last
 *	line) of the last read: zombies, page frames, open files, processes.
 *   zmcbench fds N
 *	holds N open files (/dev/null and N-1 dup()s of it; RLIMIT_NOFILE
 *	raised to N + 64); prints "ready n=N" and sleeps until killed.
 *   zmcbench time CMD [ARG...]
 *	runs CMD with stdout to /dev/null, prints its wall time, its exit
 *	status and busy_ns (schedstat's rq_cpu_time meanwhile, as for cycles).
 *   zmcbench dying PARENT TIMEOUT_S
 *	waits until PARENT has no dying descendants.
 *   zmcbench stage mkdir|rmdir|release N PARENT
 *	the charged cycle cut in three, for attributing per-probe costs:
 *	mkdir+charge N cgroups (online), rmdir them (offline), delete their
 *	pages and wait for them to be freed (free).
 *   zmcbench memstat
 *	kernel memory now: /proc/meminfo's Slab, SUnreclaim, Percpu, ... (kB)
 *	and the bytes in use of every kmalloc-* cache and of zombiememcg_record
 *	(/proc/slabinfo).
 *
 * After the charged cycles, the per-CPU LRU batches, which still hold the
 * last pages written (and through them their memcgs), are pushed out by
 * writing a few pages on every CPU, so the final wait does not depend on
 * when the kernel would drain them by itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Time the CPUs spent running tasks (not idle), summed over CPUs: the
 * rq_cpu_time field of /proc/schedstat, in ns.  0 if unavailable.
 */
static uint64_t busy_ns(void)
{
	char line[512];
	unsigned long long v[7];
	uint64_t sum = 0;
	FILE *f = fopen("/proc/schedstat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line, "%*s %llu %llu %llu %llu %llu %llu %llu", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) == 7)
			sum += v[6];
	}
	fclose(f);
	return sum;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "zmcbench: %s %s: %s\n", what, arg ? arg : "",
		strerror(errno));
	exit(1);
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	size_t len = strlen(s);

	if (fd < 0)
		die("open", path);
	if (write(fd, s, len) != (ssize_t)len)
		die("write", path);
	close(fd);
}

/* Move this process into cgroup directory @cg. */
static void enter(const char *cg)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/cgroup.procs", cg);
	write_str(p, "0");
}

static long dying(const char *parent)
{
	char p[PATH_MAX], line[256];
	long n = -1;
	FILE *f;

	snprintf(p, sizeof(p), "%s/cgroup.stat", parent);
	f = fopen(p, "r");
	if (!f)
		die("open", p);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nr_dying_descendants %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Wait for no dying descendants under @parent; the ns it took, or 0 on
 * timeout. */
static uint64_t wait_dying(const char *parent, double timeout_s, long *left)
{
	uint64_t t0 = now_ns(), lim = t0 + (uint64_t)(timeout_s * 1e9);
	struct timespec ms = { 0, 1000000 };

	for (;;) {
		*left = dying(parent);
		if (*left == 0)
			return now_ns() - t0 + 1;
		if (now_ns() > lim)
			return 0;
		nanosleep(&ms, NULL);
	}
}

/* Push the per-CPU LRU add batches out: write and delete pages on each CPU. */
static void flush_lru_batches(void)
{
	static char buf[64 * 4096];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), c;
	const char *f = "/tmp/zmcbench.flush";
	cpu_set_t all, one;

	if (sched_getaffinity(0, sizeof(all), &all))
		return;
	memset(buf, 'f', sizeof(buf));
	for (c = 0; c < cpus; c++) {
		int fd;

		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;
		fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			if (write(fd, buf, sizeof(buf)) < 0)
				perror("zmcbench: flush");
			close(fd);
		}
		unlink(f);
	}
	sched_setaffinity(0, sizeof(all), &all);
}

static int cmd_cycles(long n, const char *kind, const char *parent)
{
	static char page[4096];
	bool charged = !strcmp(kind, "charged");
	char cg[PATH_MAX], file[] = "/tmp/zmcbench.page";
	uint64_t t0, t1, waited, b0, b1;
	long i, left;

	if (!charged && strcmp(kind, "plain")) {
		fprintf(stderr, "zmcbench: kind is plain or charged\n");
		return 2;
	}
	memset(page, 'z', sizeof(page));
	b0 = busy_ns();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		snprintf(cg, sizeof(cg), "%s/c%ld", parent, i);
		if (mkdir(cg, 0755))
			die("mkdir", cg);
		if (charged) {
			int fd;

			enter(cg);
			fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
				die("write", file);
			close(fd);
			enter(CG_ROOT);
		}
		if (rmdir(cg))
			die("rmdir", cg);
		if (charged && unlink(file))
			die("unlink", file);
	}
	if (charged)
		flush_lru_batches();
	t1 = now_ns();
	waited = wait_dying(parent, 120, &left);
	b1 = busy_ns();
	if (!waited) {
		printf("error=dying_timeout left=%ld\n", left);
		return 1;
	}
	printf("n=%ld kind=%s loop_ns=%llu total_ns=%llu busy_ns=%llu\n", n,
	       kind, (unsigned long long)(t1 - t0),
	       (unsigned long long)(t1 - t0 + waited),
	       (unsigned long long)(b1 - b0));
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_lat(long n, const char *parent)
{
	uint64_t *lat = calloc(n, sizeof(*lat));
	char cg[PATH_MAX];
	long i, left;

	if (!lat || n < 1)
		return 1;
	for (i = 0; i < n; i++) {
		uint64_t t = now_ns();

		snprintf(cg, sizeof(cg), "%s/l%ld", parent, i);
		if (mkdir(cg, 0755))
			die("mkdir", cg);
		if (rmdir(cg))
			die("rmdir", cg);
		lat[i] = now_ns() - t;
	}
	wait_dying(parent, 120, &left);
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("n=%ld p50_ns=%llu p99_ns=%llu max_ns=%llu\n", n,
	       (unsigned long long)lat[n / 2],
	       (unsigned long long)lat[(n * 99) / 100],
	       (unsigned long long)lat[n - 1]);
	free(lat);
	return 0;
}

static int cmd_zombies(long n, const char *parent, const char *prefix)
{
	struct rlimit rl = { n + 64, n + 64 };
	bool ctl = !strcmp(parent, "-");
	char cg[PATH_MAX];
	uint64_t t0 = now_ns();
	long i;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit", "RLIMIT_NOFILE");
	for (i = 0; i < n; i++) {
		if (ctl) {	/* the control: the sockets alone */
			if (socket(AF_INET, SOCK_STREAM, 0) < 0)
				die("socket", "");
			continue;
		}
		snprintf(cg, sizeof(cg), "%s/%s%ld", parent, prefix, i);
		if (mkdir(cg, 0755))
			die("mkdir", cg);
		enter(cg);
		if (socket(AF_INET, SOCK_STREAM, 0) < 0)
			die("socket", cg);
		enter(CG_ROOT);
		if (rmdir(cg))
			die("rmdir", cg);
	}
	printf("ready n=%ld make_ns=%llu\n", n,
	       (unsigned long long)(now_ns() - t0));
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

/* Read @path whole; its size and line count. */
static int read_all(const char *path, char *buf, size_t size, long *bytes,
		    long *lines)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	*bytes = *lines = 0;
	while ((r = read(fd, buf, size)) > 0) {
		char *p = buf, *end = buf + r;

		*bytes += r;
		while ((p = memchr(p, '\n', end - p))) {
			(*lines)++;
			p++;
		}
	}
	close(fd);
	return r < 0 ? -1 : 0;
}

static int cmd_read(const char *path, long reps)
{
	size_t size = 1 << 20;
	char *buf = malloc(size);
	uint64_t *t = calloc(reps, sizeof(*t));
	long i, bytes = 0, lines = 0;

	if (!buf || !t || reps < 1)
		return 1;
	for (i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		if (read_all(path, buf, size, &bytes, &lines))
			die("read", path);
		t[i] = now_ns() - t0;
	}
	qsort(t, reps, sizeof(*t), cmp_u64);
	printf("reps=%ld rows=%ld bytes=%ld min_ns=%llu med_ns=%llu max_ns=%llu\n",
	       reps, lines > 0 ? lines - 1 : 0, bytes,
	       (unsigned long long)t[0], (unsigned long long)t[reps / 2],
	       (unsigned long long)t[reps - 1]);
	return 0;
}

static int cmd_readloop(const char *path, const char *stop)
{
	size_t size = 1 << 20;
	char *buf = malloc(size);
	long passes = 0, bytes, lines = 0;
	uint64_t t0 = now_ns();

	if (!buf)
		return 1;
	while (access(stop, F_OK)) {
		if (read_all(path, buf, size, &bytes, &lines))
			die("read", path);
		passes++;
	}
	printf("passes=%ld rows=%ld ns=%llu\n", passes,
	       lines > 0 ? lines - 1 : 0,
	       (unsigned long long)(now_ns() - t0));
	return 0;
}

/*
 * open+read+close of @path, 1 MiB reads; its last line (up to
 * sizeof(tail) - 1 bytes of it) in @tail.
 */
static int read_last_line(const char *path, char *buf, size_t size,
			  char *tail, size_t tsize)
{
	int fd = open(path, O_RDONLY);
	size_t tl = 0;
	ssize_t r;
	char *p;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, size)) > 0) {
		size_t keep = (size_t)r < tsize - 1 ? (size_t)r : tsize - 1;

		if (tl + keep > tsize - 1) {	/* drop the oldest bytes */
			size_t drop = tl + keep - (tsize - 1);

			memmove(tail, tail + drop, tl - drop);
			tl -= drop;
		}
		memcpy(tail + tl, buf + r - keep, keep);
		tl += keep;
	}
	close(fd);
	if (r < 0)
		return -1;
	while (tl && tail[tl - 1] == '\n')
		tl--;
	tail[tl] = '\0';
	p = strrchr(tail, '\n');
	if (p)
		memmove(tail, p + 1, strlen(p + 1) + 1);
	return 0;
}

static int cmd_holders(const char *path, long reps)
{
	size_t size = 1 << 20;
	char *buf = malloc(size), tail[1024];
	const char *pages;
	uint64_t *t = calloc(reps, sizeof(*t)), *s = calloc(reps, sizeof(*s));
	unsigned long zombies, pfns, files, procs;
	unsigned int ms;
	long i;

	if (!buf || !t || !s || reps < 1)
		return 1;
	for (i = -1; i < reps; i++) {	/* i = -1: the warm-up */
		uint64_t t0 = now_ns();

		if (read_last_line(path, buf, size, tail, sizeof(tail)))
			die("read", path);
		if (i < 0)
			continue;
		t[i] = now_ns() - t0;
		s[i] = t[i];
	}
	if (sscanf(tail, "# %lu zombies scanned in %u ms: %lu page frames, %lu open files of %lu processes",
		   &zombies, &ms, &pfns, &files, &procs) != 5) {
		printf("error=no_footer\n");
		fprintf(stderr, "zmcbench: %s: last line: %s\n", path, tail);
		return 1;
	}
	pages = strstr(tail, "pages not scanned") ? "no" : "yes";
	qsort(s, reps, sizeof(*s), cmp_u64);
	printf("reps=%ld min_ns=%llu med_ns=%llu max_ns=%llu ns=", reps,
	       (unsigned long long)s[0], (unsigned long long)s[reps / 2],
	       (unsigned long long)s[reps - 1]);
	for (i = 0; i < reps; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)t[i]);
	printf(" zombies=%lu scan_ms=%u pfns=%lu files=%lu procs=%lu pages=%s\n",
	       zombies, ms, pfns, files, procs, pages);
	free(buf);
	free(t);
	free(s);
	return 0;
}

static int cmd_fds(long n)
{
	struct rlimit rl = { n + 64, n + 64 };
	long i;
	int fd;

	if (n < 1)
		return 2;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit", "RLIMIT_NOFILE");
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		die("open", "/dev/null");
	for (i = 1; i < n; i++)
		if (dup(fd) < 0)
			die("dup", "/dev/null");
	printf("ready n=%ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int cmd_time(char **argv)
{
	uint64_t b0 = busy_ns(), t0 = now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork", NULL);
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid", NULL);
	printf("ns=%llu status=%d busy_ns=%llu\n",
	       (unsigned long long)(now_ns() - t0),
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       (unsigned long long)(busy_ns() - b0));
	return 0;
}

static int cmd_stage(const char *what, long n, const char *parent)
{
	static char page[4096];
	char cg[PATH_MAX], file[64];
	long i, left;

	memset(page, 's', sizeof(page));
	mkdir("/tmp/zmcbench.stage", 0700);
	for (i = 0; i < n; i++) {
		snprintf(cg, sizeof(cg), "%s/s%ld", parent, i);
		snprintf(file, sizeof(file), "/tmp/zmcbench.stage/%ld", i);
		if (!strcmp(what, "mkdir")) {
			int fd;

			if (mkdir(cg, 0755))
				die("mkdir", cg);
			enter(cg);
			fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
				die("write", file);
			close(fd);
			enter(CG_ROOT);
		} else if (!strcmp(what, "rmdir")) {
			if (rmdir(cg))
				die("rmdir", cg);
		} else if (!strcmp(what, "release")) {
			if (unlink(file))
				die("unlink", file);
		} else {
			fprintf(stderr, "zmcbench: stage mkdir|rmdir|release\n");
			return 2;
		}
	}
	if (!strcmp(what, "release")) {
		flush_lru_batches();
		if (!wait_dying(parent, 120, &left)) {
			printf("error=dying_timeout left=%ld\n", left);
			return 1;
		}
	}
	printf("stage=%s n=%ld\n", what, n);
	return 0;
}

static int cmd_memstat(void)
{
	static const char *const keys[] = { "MemFree", "Slab", "SReclaimable",
		"SUnreclaim", "Percpu", "VmallocUsed", "KernelStack", "Shmem" };
	char line[512], name[128];
	unsigned long long v, active, objsize;
	FILE *f = fopen("/proc/meminfo", "r");
	size_t k;

	if (!f)
		die("open", "/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t l = strlen(keys[k]);

			if (!strncmp(line, keys[k], l) && line[l] == ':' &&
			    sscanf(line + l + 1, "%llu", &v) == 1)
				printf("%s_kB=%llu ", keys[k], v);
		}
	}
	fclose(f);
	f = fopen("/proc/slabinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if ((strncmp(line, "kmalloc-", 8) &&
			     strncmp(line, "zombiememcg_record ", 19)) ||
			    sscanf(line, "%127s %llu %*u %llu", name, &active,
				   &objsize) != 3)
				continue;
			printf("%s=%llu ", name, active * objsize);
		}
		fclose(f);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && !strcmp(argv[1], "cycles"))
		return cmd_cycles(atol(argv[2]), argv[3], argv[4]);
	if (argc >= 4 && !strcmp(argv[1], "lat"))
		return cmd_lat(atol(argv[2]), argv[3]);
	if (argc >= 5 && !strcmp(argv[1], "zombies"))
		return cmd_zombies(atol(argv[2]), argv[3], argv[4]);
	if (argc >= 4 && !strcmp(argv[1], "read"))
		return cmd_read(argv[2], atol(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "readloop"))
		return cmd_readloop(argv[2], argv[3]);
	if (argc >= 5 && !strcmp(argv[1], "stage"))
		return cmd_stage(argv[2], atol(argv[3]), argv[4]);
	if (argc >= 4 && !strcmp(argv[1], "holders"))
		return cmd_holders(argv[2], atol(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "fds"))
		return cmd_fds(atol(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "memstat"))
		return cmd_memstat();
	if (argc >= 3 && !strcmp(argv[1], "time"))
		return cmd_time(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "dying")) {
		long left;

		if (!wait_dying(argv[2], atof(argv[3]), &left)) {
			printf("error=dying_timeout left=%ld\n", left);
			return 1;
		}
		printf("dying=0\n");
		return 0;
	}
	fprintf(stderr,
		"usage: zmcbench cycles N plain|charged PARENT | lat N PARENT |\n"
		"       zombies N PARENT PREFIX | read FILE REPS |\n"
		"       readloop FILE STOPFILE | time CMD... | dying PARENT SECS |\n"
		"       stage mkdir|rmdir|release N PARENT | memstat |\n"
		"       holders FILE REPS | fds N\n");
	return 2;
}
