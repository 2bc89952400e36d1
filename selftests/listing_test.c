// SPDX-License-Identifier: GPL-2.0
/*
 * listing_test: /proc/zombiememcg is an exact listing under churn.  Run as
 * root in a throw-away VM (after zombiememcg_test, by run.sh): it loads the
 * module if it is not loaded, sets older_than_secs to 0 and makes and frees
 * thousands of zombie memory cgroups.
 *
 * A set of long-lived zombies (NR_KEEP) is made first.  Then one reader
 * process per read size (512 B, 4 KiB, 64 KiB, 1 MiB) loops: open the file,
 * read() it to EOF in chunks of that size, close, and check the IDs of that
 * one read: no ID twice, every long-lived zombie's ID present.  Meanwhile
 * this process grows the number of zombies past 10,000, so that a table of
 * records resizes several times (an rhashtable grows from 64 to 16384
 * buckets), and shrinks it back to the long-lived set by closing their
 * sockets in batches.
 *
 * Every zombie is a cgroup this process enters, opens a TCP socket in (the
 * socket holds its memcg on every kernel version; page cache would not on
 * 7.x, where LRU pages are reparented at offline), leaves and removes; the
 * socket stays open here until its zombie is to be freed.  No user page of
 * this process may be faulted in while it is inside (see own_pages()).
 *
 * The readers run at the lowest priority, and everything on CPU 0: TCG
 * emulates all vCPUs in one host thread, round robin, so a second busy vCPU
 * would halve the churn's speed and make every cross-CPU wait of the kernel
 * (frees, IPIs) wait for the readers' time slice.  At nice 19 a reader still
 * always stands in the middle of a read, which is what a resize must meet;
 * the churn waits at checkpoints until each reader has finished reads
 * (however long a read takes, as long as the readers progress), so that
 * every read size reads at every table size.
 *
 * Usage: listing_test [path/to/zombiememcg.ko [ZOMBIES]]
 *	ZOMBIES: how many to grow to (default 12000).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC	0x64626720
#endif


#define LIST_CG		CG_ROOT "/zmc-listing"
#define NR_KEEP		50
#define DEFAULT_ZOMBIES	12000
/* What "past several resizes" means: the table grows 64 -> 16384 buckets. */
#define MIN_ZOMBIES	10000
/* Checkpoints while growing, and batches of frees while shrinking. */
#define NR_CHECKPOINTS	12
#define NR_BATCHES	12
/* Reads each reader must make while the table grows, and while it shrinks. */
#define MIN_READS	10
#define READER_NICE	19
/* Stop growing when the guest has less than this available. */
#define MEM_FLOOR_KB	(128 << 10)
/* Bounds, in seconds: TCG emulation is slow, a healthy kernel is not. */
#define SETTLE_SECS	30	/* zombies of earlier tests */
#define STABLE_SECS	3	/* ... that many seconds unchanged: stable */
#define LISTED_SECS	30	/* offline runs in a kworker after rmdir */
/*
 * The growth stops there: a bound against a kernel that hangs, not a speed
 * goal.  Under TCG a zombie takes 8 ms on a quiet host and 20 ms when the
 * host runs five VMs at once (a growth to 10,000 stopped at 5,750 in 120 s).
 */
#define GROW_SECS	300
#define CHECK_SECS	10	/* a batch waits at most this for its frees */
#define SHRINK_SECS	60	/* then the rest is closed at once */
/*
 * A reader that finishes no read in this long is stuck.  Waits for reads
 * have no other bound: on a loaded host one read of the full table under
 * TCG took 30 s, and a checkpoint that gave up on it after a fixed time
 * left the reader short of its MIN_READS.
 */
#define STALL_SECS	120
#define FREE_SECS	60	/* the last frees */
#define STOP_SECS	30	/* readers finishing their last read */

static const size_t read_sizes[] = { 512, 4096, 65536, 1 << 20 };
#define NR_READERS	ARRAY_SIZE(read_sizes)

/* The phase a read started in. */
enum phase { PH_WAIT, PH_WARM, PH_GROW, PH_SHRINK, PH_STOP, NR_PHASES };
static const char *const phase_name[NR_PHASES] = {
	"wait", "warm-up", "growth", "shrink", "stop",
};

/* One reader's counts, in memory shared with this process. */
struct rstat {
	unsigned long reads[NR_PHASES];
	unsigned long dup_reads[NR_PHASES];	/* reads with an ID twice */
	unsigned long miss_reads[NR_PHASES];	/* reads lacking a kept ID */
	unsigned long rows, max_rows;
	unsigned long dup_ids;			/* extra rows, over all reads */
	unsigned long missing;			/* kept IDs absent, over all reads */
	unsigned long bad;			/* reads that failed or did not parse */
	double secs, max_secs;			/* time in reads, longest read */
	/* The first read with a duplicate, and with a miss. */
	unsigned long long dup_id, miss_id;
	unsigned long dup_rows, miss_rows;
	int dup_phase, miss_phase;
	char err[200];
};

struct shared {
	int phase;
	int nkeep;
	unsigned long long keep[NR_KEEP];	/* sorted */
	struct rstat r[NR_READERS];
};

static struct shared *sh;
static pid_t readers[NR_READERS];

static int phase_get(void)
{
	return __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
}

static void phase_set(int ph)
{
	__atomic_store_n(&sh->phase, ph, __ATOMIC_RELEASE);
}

/* ---- one read of the listing ---- */

struct listing {
	char *buf;
	size_t cap, len;
	unsigned long long *ids;
	size_t idcap, n;
};

/* Read PROC_FILE to EOF in read()s of @chunk bytes; 0 or -errno. */
static int read_listing(struct listing *l, size_t chunk)
{
	int fd = open(PROC_FILE, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	l->len = 0;
	for (;;) {
		if (l->cap - l->len < chunk + 1) {
			size_t cap = l->cap ? l->cap * 2 : 4 << 20;
			char *b;

			while (cap - l->len < chunk + 1)
				cap *= 2;
			b = realloc(l->buf, cap);
			if (!b) {
				err = -ENOMEM;
				break;
			}
			l->buf = b;
			l->cap = cap;
		}
		n = read(fd, l->buf + l->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : 0;
			break;
		}
		l->len += n;
	}
	close(fd);
	if (l->buf)
		l->buf[l->len] = '\0';
	return err;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The index of the column named ID in the header line @p .. @nl; -1 if none. */
static int id_column(const char *p, const char *nl)
{
	int col = 0;

	if (strncmp(p, "MEMCG ", 6))
		return -1;
	while (p < nl) {
		const char *sp = memchr(p, ' ', nl - p);
		size_t len = (sp ? sp : nl) - p;

		if (len == 2 && !memcmp(p, "ID", 2))
			return col;
		if (!sp)
			break;
		p = sp + 1;
		col++;
	}
	return -1;
}

/*
 * The ID column of every row of @l, sorted, in @l->ids.  The header must
 * start with MEMCG and have an ID column (found by name, as ZMC_HEADER may
 * grow); every line must end in a newline and have a decimal ID there.
 * 0, or -1 with @why set.
 */
static int parse_ids(struct listing *l, char *why, size_t size)
{
	char *p = l->buf, *nl, *s, *end;
	unsigned long long id;
	int col;

	l->n = 0;
	nl = p ? strchr(p, '\n') : NULL;
	col = nl ? id_column(p, nl) : -1;
	if (col < 0) {
		snprintf(why, size, "bad header '%.80s'", p ? p : "");
		return -1;
	}
	for (p = nl + 1; *p; p = nl + 1) {
		int i;

		nl = strchr(p, '\n');
		if (!nl) {
			snprintf(why, size, "last line has no newline: '%.80s'", p);
			return -1;
		}
		for (s = p, i = 0; i < col && s; i++) {
			s = memchr(s, ' ', nl - s);
			if (s)
				s++;
		}
		errno = 0;
		id = s ? strtoull(s, &end, 10) : 0;
		if (!s || end == s || (*end != ' ' && *end != '\n') || errno ||
		    !id) {
			snprintf(why, size, "row without an ID: '%.*s'",
				 (int)(nl - p > 120 ? 120 : nl - p), p);
			return -1;
		}
		if (l->n == l->idcap) {
			size_t cap = l->idcap ? l->idcap * 2 : 16384;
			unsigned long long *v = realloc(l->ids, cap * sizeof(*v));

			if (!v) {
				snprintf(why, size, "out of memory");
				return -1;
			}
			l->ids = v;
			l->idcap = cap;
		}
		l->ids[l->n++] = id;
	}
	qsort(l->ids, l->n, sizeof(*l->ids), cmp_ull);
	return 0;
}

/* Rows of the sorted @l->ids that repeat an earlier one; the first in @id. */
static unsigned long count_dups(const struct listing *l, unsigned long long *id)
{
	unsigned long dups = 0;
	size_t i;

	for (i = 1; i < l->n; i++) {
		if (l->ids[i] == l->ids[i - 1]) {
			if (!dups)
				*id = l->ids[i];
			dups++;
		}
	}
	return dups;
}

/* Kept IDs absent from @l; the first in @id. */
static unsigned long count_missing(const struct listing *l,
				   unsigned long long *id)
{
	unsigned long missing = 0;
	int i;

	for (i = 0; i < sh->nkeep; i++) {
		if (!bsearch(&sh->keep[i], l->ids, l->n, sizeof(*l->ids),
			     cmp_ull)) {
			if (!missing)
				*id = sh->keep[i];
			missing++;
		}
	}
	return missing;
}

/* ---- the readers ---- */

/* This process and the readers it forks on CPU 0 (see the top). */
static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Reads a reader has finished, in any phase, failed or not. */
static unsigned long reads_done(const struct rstat *st)
{
	unsigned long n = st->bad;
	int ph;

	for (ph = 0; ph < NR_PHASES; ph++)
		n += st->reads[ph];
	return n;
}

static void reader_main(int i)
{
	struct rstat *st = &sh->r[i];
	size_t chunk = read_sizes[i];
	struct listing l = { 0 };
	char name[16], why[160];
	int ph, ret;

	snprintf(name, sizeof(name), "zmc-read-%zu", chunk);
	prctl(PR_SET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	errno = 0;
	if (nice(READER_NICE) < 0 && errno)
		snprintf(st->err, sizeof(st->err), "nice: %s", strerror(errno));
	while (phase_get() == PH_WAIT)
		sleep_ms(10);
	while ((ph = phase_get()) != PH_STOP) {
		unsigned long long id = 0;
		unsigned long dups, missing;
		double t0 = now_secs(), secs;

		ret = read_listing(&l, chunk);
		if (ret)
			snprintf(why, sizeof(why), "read %s: %s", PROC_FILE,
				 strerror(-ret));
		else
			ret = parse_ids(&l, why, sizeof(why));
		secs = now_secs() - t0;
		if (ret) {
			if (!st->bad++)
				snprintf(st->err, sizeof(st->err), "%s", why);
			sleep_ms(20);
			continue;
		}
		st->reads[ph]++;
		st->rows += l.n;
		if (l.n > st->max_rows)
			st->max_rows = l.n;
		st->secs += secs;
		if (secs > st->max_secs)
			st->max_secs = secs;
		dups = count_dups(&l, &id);
		if (dups) {
			if (!st->dup_ids) {
				st->dup_id = id;
				st->dup_rows = l.n;
				st->dup_phase = ph;
			}
			st->dup_reads[ph]++;
			st->dup_ids += dups;
		}
		missing = count_missing(&l, &id);
		if (missing) {
			if (!st->missing) {
				st->miss_id = id;
				st->miss_rows = l.n;
				st->miss_phase = ph;
			}
			st->miss_reads[ph]++;
			st->missing += missing;
		}
	}
	_exit(0);
}

/* Write to @depth bytes of stack, so that the stack mapping covers them. */
static __attribute__((noinline)) void grow_stack(size_t depth)
{
	volatile char pad[64 << 10];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
	if (depth > sizeof(pad))
		grow_stack(depth - sizeof(pad));
}

/*
 * Make every user page of this process its own, now, in the root cgroup.
 * A page first faulted in while the process is inside a cgroup, or copied
 * there on a write to a page still shared with the readers forked before,
 * is charged to that cgroup and pins its zombie for as long as the page
 * lives: the kernel's count of dying memcgs then never comes back (seen on
 * 6.1: keep-0 held by 8 KiB, 7 runs in 75).  mlockall() faults in every
 * mapping, writable private ones with a write, which breaks copy-on-write;
 * MCL_FUTURE does the same for mappings made later, when they are made.
 */
static int own_pages(void)
{
	grow_stack(256 << 10);
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		fail_msg("mlockall: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int start_readers(void)
{
	int i;

	for (i = 0; i < NR_READERS; i++) {
		readers[i] = fork();
		if (readers[i] < 0) {
			fail_msg("fork: %s", strerror(errno));
			return -1;
		}
		if (!readers[i])
			reader_main(i);
	}
	return own_pages();
}

/* Each finishes the read it is in; one that takes too long is killed. */
static void stop_readers(void)
{
	double end = now_secs() + STOP_SECS;
	int i;

	phase_set(PH_STOP);
	for (i = 0; i < NR_READERS; i++) {
		if (readers[i] <= 0)
			continue;
		while (!waitpid(readers[i], NULL, WNOHANG) && now_secs() < end)
			sleep_ms(20);
		if (now_secs() >= end && !kill(readers[i], SIGKILL)) {
			ksft_print_msg("listing: the %zu-byte reader did not stop in %d s: killed\n",
				       read_sizes[i], STOP_SECS);
			waitpid(readers[i], NULL, 0);
		}
		readers[i] = 0;
	}
}

static unsigned long reads_in(int ph)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < NR_READERS; i++)
		n += sh->r[i].reads[ph];
	return n;
}

/*
 * Wait until reader @i has finished reads up to @want (by @done, its count
 * of reads of some kind), as long as it finishes one every STALL_SECS.
 */
static void wait_reader(int i, unsigned long want,
			unsigned long (*done)(const struct rstat *st))
{
	unsigned long last = done(&sh->r[i]);
	double progress = now_secs();

	while (done(&sh->r[i]) < want && now_secs() - progress < STALL_SECS) {
		sleep_ms(20);
		if (done(&sh->r[i]) != last) {
			last = done(&sh->r[i]);
			progress = now_secs();
		}
	}
}

/* Wait until every reader has finished @n more reads; the time waited. */
static double wait_reads(unsigned long n)
{
	unsigned long want[NR_READERS];
	double t0 = now_secs();
	int i;

	for (i = 0; i < NR_READERS; i++)
		want[i] = reads_done(&sh->r[i]) + n;
	for (i = 0; i < NR_READERS; i++)
		wait_reader(i, want[i], reads_done);
	return now_secs() - t0;
}

static unsigned long grow_reads(const struct rstat *st)
{
	return st->reads[PH_GROW];
}

/*
 * Growth stopped early (GROW_SECS, memory) has had fewer checkpoints: read
 * the grown table until every reader has MIN_READS of it.
 */
static double wait_grow_reads(void)
{
	double t0 = now_secs();
	int i;

	for (i = 0; i < NR_READERS; i++)
		wait_reader(i, MIN_READS, grow_reads);
	return now_secs() - t0;
}

/* ---- zombies ---- */

/* Time spent in each step of make_zombie(), for the diagnostics. */
enum { ST_MKDIR, ST_ENTER, ST_SOCKET, ST_HOME, ST_RMDIR, NR_STEPS };

static const char *const step_name[NR_STEPS] = {
	"mkdir", "enter", "socket", "leave", "rmdir",
};

static double step_secs[NR_STEPS];

static double step(int st, double t0)
{
	double t = now_secs();

	step_secs[st] += t - t0;
	return t;
}

static int root_procs = -1;	/* CG_ROOT/cgroup.procs, to go home */
static int list_dir = -1;	/* LIST_CG */

static int go_home(void)
{
	return pwrite(root_procs, "0", 1, 0) == 1 ? 0 : -1;
}

/*
 * Create LIST_CG/@name, enter it, open a TCP socket there, go home, remove
 * the cgroup; its ID in @id if not NULL.  The socket, which keeps the
 * zombie, or -1 with diag set.  Nothing here may fault in a user page
 * while inside the cgroup: charged to it, it would pin it too for our
 * lifetime (before 7.x).  own_pages() made sure that none is left to fault.
 */
static int make_zombie(const char *name, unsigned long long *id)
{
	char procs[64];
	struct stat st;
	int fd, s, err;
	double t = now_secs();

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", name);
	if (mkdirat(list_dir, name, 0755)) {
		fail_msg("mkdir %s/%s: %s", LIST_CG, name, strerror(errno));
		return -1;
	}
	t = step(ST_MKDIR, t);
	fd = openat(list_dir, procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		fail_msg("enter %s/%s: %s", LIST_CG, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	t = step(ST_ENTER, t);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	err = errno;
	t = step(ST_SOCKET, t);
	if (go_home()) {
		fail_msg("back to %s: %s", CG_ROOT, strerror(errno));
		return -1;
	}
	t = step(ST_HOME, t);
	if (s < 0) {
		fail_msg("socket in %s/%s: %s", LIST_CG, name, strerror(err));
		return -1;
	}
	if (id) {
		if (fstatat(list_dir, name, &st, 0)) {
			fail_msg("stat %s/%s: %s", LIST_CG, name, strerror(errno));
			close(s);
			return -1;
		}
		*id = st.st_ino;
	}
	if (unlinkat(list_dir, name, AT_REMOVEDIR)) {
		fail_msg("rmdir %s/%s: %s", LIST_CG, name, strerror(errno));
		close(s);
		return -1;
	}
	step(ST_RMDIR, t);
	return s;
}

/* MemAvailable, in kB; -1 if unknown. */
static long mem_available_kb(void)
{
	char buf[4096], *p;

	if (read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "MemAvailable:");
	return p ? strtol(p + strlen("MemAvailable:"), NULL, 10) : -1;
}

/* Poll until the kernel counts at most @want dying memcgs; the last count. */
static long wait_dying_at_most(long want, double secs)
{
	double end = now_secs() + secs;
	long dying;

	for (;;) {
		dying = nr_dying();
		if (dying < 0 || dying <= want || now_secs() >= end)
			return dying;
		sleep_ms(100);
	}
}

static long wait_dying_at_least(long want, double secs)
{
	double end = now_secs() + secs;
	long dying;

	for (;;) {
		dying = nr_dying();
		if (dying < 0 || dying >= want || now_secs() >= end)
			return dying;
		sleep_ms(100);
	}
}

/* ---- the test ---- */

static bool loaded_here;
static long dying_start = -1;
static int keep_fds[NR_KEEP];
static int *fds;		/* sockets of the churn */
static int target = DEFAULT_ZOMBIES;

static int setup_env(void)
{
	struct statfs sfs;
	struct rlimit rl;

	pin_cpu0();
	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL)) {
		fail_msg("mount cgroup2: %s", strerror(errno));
		return -1;
	}
	if ((statfs("/sys/kernel/debug", &sfs) || sfs.f_type != DEBUGFS_MAGIC) &&
	    mount("none", "/sys/kernel/debug", "debugfs", 0, NULL)) {
		fail_msg("mount debugfs: %s", strerror(errno));
		return -1;
	}
	if (enable_memory(CG_ROOT) ||
	    (mkdir(LIST_CG, 0755) && errno != EEXIST) || enable_memory(LIST_CG)) {
		fail_msg("%s with +memory: %s", LIST_CG, strerror(errno));
		return -1;
	}
	root_procs = open(CG_ROOT "/cgroup.procs", O_WRONLY | O_CLOEXEC);
	list_dir = open(LIST_CG, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_procs < 0 || list_dir < 0) {
		fail_msg("open %s: %s", CG_ROOT, strerror(errno));
		return -1;
	}
	rl.rlim_cur = target + NR_KEEP + 256;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		fail_msg("RLIMIT_NOFILE %d: %s", target + NR_KEEP + 256,
			 strerror(errno));
		return -1;
	}
	fds = calloc(target, sizeof(*fds));
	if (!fds) {
		fail_msg("out of memory");
		return -1;
	}
	memset(fds, 0xff, target * sizeof(*fds));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		sh = NULL;
		fail_msg("mmap: %s", strerror(errno));
		return -1;
	}
	memset(sh, 0, sizeof(*sh));
	return 0;
}

static int load(void)
{
	return module_listing_all(&loaded_here);
}

/* Until earlier tests' zombies are gone, or their count stable. */
static void settle(void)
{
	double end = now_secs() + SETTLE_SECS, since = now_secs();
	long dying = nr_dying(), last = dying;

	while (dying > 0 && now_secs() < end &&
	       now_secs() - since < STABLE_SECS) {
		sleep_ms(200);
		dying = nr_dying();
		if (dying != last) {
			last = dying;
			since = now_secs();
		}
	}
	dying_start = dying;
}

static int make_keep(void)
{
	struct listing l = { 0 };
	char name[32], why[160];
	unsigned long long id = 0;
	unsigned long missing;
	double end;
	int i;

	for (i = 0; i < NR_KEEP; i++)
		keep_fds[i] = -1;
	for (i = 0; i < NR_KEEP; i++) {
		snprintf(name, sizeof(name), "keep-%d", i);
		keep_fds[i] = make_zombie(name, &sh->keep[i]);
		if (keep_fds[i] < 0)
			return -1;
	}
	qsort(sh->keep, NR_KEEP, sizeof(sh->keep[0]), cmp_ull);
	sh->nkeep = NR_KEEP;
	/* Listed once offline, which a kworker does after the rmdir. */
	end = now_secs() + LISTED_SECS;
	do {
		if (read_listing(&l, 1 << 20) || parse_ids(&l, why, sizeof(why))) {
			fail_msg("reading %s: %s", PROC_FILE, why);
			return -1;
		}
		missing = count_missing(&l, &id);
		if (!missing)
			break;
		sleep_ms(100);
	} while (now_secs() < end);
	free(l.buf);
	free(l.ids);
	if (missing) {
		fail_msg("%lu of %d long-lived zombies not listed after %d s (ID %llu)",
			 missing, NR_KEEP, LISTED_SECS, id);
		return -1;
	}
	return 0;
}

static int test_setup(void)
{
	double t0 = now_secs(), t1;
	int i;

	if (setup_env() || load())
		return KSFT_FAIL;
	settle();
	t1 = now_secs();
	ksft_print_msg("listing: phase settle: %.1f s, dying memcgs at start %ld, module %s\n",
		       t1 - t0, dying_start,
		       loaded_here ? "loaded here" : "already loaded");
	if (dying_start < 0) {
		fail_msg("no count of dying memcgs in %s/cgroup.stat", CG_ROOT);
		return KSFT_FAIL;
	}
	if (start_readers() || make_keep())
		return KSFT_FAIL;
	/* Readers up: each has read once. */
	phase_set(PH_WARM);
	for (i = 0; i < NR_READERS; i++)
		while (!sh->r[i].reads[PH_WARM] && !sh->r[i].bad &&
		       now_secs() - t1 < LISTED_SECS)
			sleep_ms(20);
	ksft_print_msg("listing: phase keep: %d long-lived zombies listed, readers up, %.1f s\n",
		       NR_KEEP, now_secs() - t1);
	return KSFT_PASS;
}

/* Bound a wait of at most @secs by the deadline @end. */
static double until(double end, double secs)
{
	double left = end - now_secs();

	return left < 0 ? 0 : left < secs ? left : secs;
}

/*
 * Make up to @target zombies, readers reading; at checkpoints wait until
 * each reader has finished a read.  The count made; @ok cleared on an error.
 */
static int grow(int *ok)
{
	int step = (target + NR_CHECKPOINTS - 1) / NR_CHECKPOINTS;
	long mem0 = mem_available_kb(), mem, mem_min = mem0;
	double t0 = now_secs(), t1, waited = 0;
	long long records;
	char name[32];
	long dying;
	int n;

	for (n = 0; n < target; n++) {
		if (n % 250 == 0) {
			mem = mem_available_kb();
			if (mem >= 0 && mem < mem_min)
				mem_min = mem;
			if (mem >= 0 && mem < MEM_FLOOR_KB) {
				ksft_print_msg("listing: growth stopped at %d zombies: MemAvailable %ld kB\n",
					       n, mem);
				break;
			}
			if (now_secs() - t0 > GROW_SECS) {
				ksft_print_msg("listing: growth stopped at %d zombies after %d s\n",
					       n, GROW_SECS);
				break;
			}
		}
		if (n && n % step == 0) {
			waited += wait_reads(1);
			if (n % (3 * step) == 0)
				ksft_print_msg("listing:   %d zombies, %.1f s, MemAvailable %ld MiB, reads %lu\n",
					       n, now_secs() - t0, mem_min >> 10,
					       reads_in(PH_GROW));
		}
		snprintf(name, sizeof(name), "z%d", n);
		fds[n] = make_zombie(name, NULL);
		if (fds[n] < 0) {
			*ok = 0;
			break;
		}
	}
	waited += wait_grow_reads();
	/* Offline is asynchronous: wait for the last ones to be counted. */
	dying = wait_dying_at_least(dying_start + NR_KEEP + n, LISTED_SECS);
	records = stat_value("records");
	mem = mem_available_kb();
	if (mem >= 0 && mem < mem_min)
		mem_min = mem;
	t1 = now_secs();
	ksft_print_msg("listing: phase growth: %d zombies in %.1f s (%.2f ms each, %.1f s of it waiting for reads), dying memcgs %ld, records %lld, reads %lu\n",
		       n, t1 - t0, n ? (t1 - t0 - waited) * 1000 / n : 0.0,
		       waited, dying, records, reads_in(PH_GROW));
	ksft_print_msg("listing: growth steps, ms each: %s %.2f, %s %.2f, %s %.2f, %s %.2f, %s %.2f\n",
		       step_name[0], n ? step_secs[0] * 1000 / n : 0.0,
		       step_name[1], n ? step_secs[1] * 1000 / n : 0.0,
		       step_name[2], n ? step_secs[2] * 1000 / n : 0.0,
		       step_name[3], n ? step_secs[3] * 1000 / n : 0.0,
		       step_name[4], n ? step_secs[4] * 1000 / n : 0.0);
	ksft_print_msg("listing: memory: MemAvailable %ld MiB before, %ld MiB at the peak: %ld KiB per zombie\n",
		       mem0 >> 10, mem_min >> 10, n ? (mem0 - mem_min) / n : 0);
	return n;
}

/*
 * Close the sockets of the @grown zombies in NR_BATCHES batches; after
 * each, wait for the frees (until SHRINK_SECS are spent) and for a read of
 * each reader (however long it takes, while they progress): so every
 * reader starts at least NR_BATCHES - 1 reads as the table shrinks (one
 * may have started before), MIN_READS or more.  Then wait for the last
 * frees.  The dying count.
 */
static long shrink(int grown)
{
	int batch = (grown + NR_BATCHES - 1) / NR_BATCHES, i = grown, k;
	double t0 = now_secs(), end = t0 + SHRINK_SECS, t;
	double wait_free = 0, wait_read = 0;
	long dying;

	while (i > 0) {
		for (k = 0; k < batch && i > 0; k++) {
			close(fds[--i]);
			fds[i] = -1;
		}
		t = now_secs();
		wait_dying_at_most(dying_start + NR_KEEP + i, until(end, CHECK_SECS));
		if (now_secs() - t > wait_free)
			wait_free = now_secs() - t;
		t = wait_reads(1);
		if (t > wait_read)
			wait_read = t;
	}
	dying = wait_dying_at_most(dying_start + NR_KEEP, FREE_SECS);
	ksft_print_msg("listing: phase shrink: %d zombies freed in %.1f s (batches of %d, longest waits %.1f s for frees, %.1f s for reads), dying memcgs %ld, records %lld, reads %lu\n",
		       grown, now_secs() - t0, batch, wait_free, wait_read,
		       dying, stat_value("records"), reads_in(PH_SHRINK));
	return dying;
}

/* Grow to @target zombies, then free them in batches, readers reading. */
static int test_churn(void)
{
	int grown, ok = 1;
	long dying;

	if (!sh || phase_get() != PH_WARM) {
		fail_msg("not run: the set-up failed");
		return KSFT_FAIL;
	}
	phase_set(PH_GROW);
	grown = grow(&ok);
	/* Shrink whatever was made, even after a failure (diag kept). */
	phase_set(PH_SHRINK);
	dying = shrink(grown);
	if (!ok)
		return KSFT_FAIL;	/* diag from make_zombie() */
	if (grown < (target < MIN_ZOMBIES ? target : MIN_ZOMBIES)) {
		fail_msg("grew to %d zombies only, wanted %d", grown,
			 target < MIN_ZOMBIES ? target : MIN_ZOMBIES);
		return KSFT_FAIL;
	}
	if (dying < 0 || dying > dying_start + NR_KEEP) {
		fail_msg("%ld dying memcgs %d s after the shrink, wanted %ld",
			 dying, FREE_SECS, dying_start + NR_KEEP);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static void report_readers(void)
{
	int i;

	for (i = 0; i < NR_READERS; i++) {
		struct rstat *st = &sh->r[i];
		unsigned long reads = 0, dup_reads = 0, miss_reads = 0;
		int ph;

		for (ph = 0; ph < NR_PHASES; ph++) {
			reads += st->reads[ph];
			dup_reads += st->dup_reads[ph];
			miss_reads += st->miss_reads[ph];
		}
		ksft_print_msg("listing: %7zu-byte reads: %lu (warm-up %lu, growth %lu, shrink %lu), rows %lu, most %lu, longest %.2f s, mean %.3f s\n",
			       read_sizes[i], reads, st->reads[PH_WARM],
			       st->reads[PH_GROW], st->reads[PH_SHRINK], st->rows,
			       st->max_rows, st->max_secs,
			       reads ? st->secs / reads : 0.0);
		ksft_print_msg("listing: %7zu-byte reads: with an ID twice %lu (growth %lu, shrink %lu), extra rows %lu; lacking a long-lived zombie %lu, IDs missed %lu; failed %lu\n",
			       read_sizes[i], dup_reads, st->dup_reads[PH_GROW],
			       st->dup_reads[PH_SHRINK], st->dup_ids, miss_reads,
			       st->missing, st->bad);
		if (st->dup_ids)
			ksft_print_msg("listing: %7zu-byte reads: first duplicate: ID %llu, in a read of %lu rows during %s\n",
				       read_sizes[i], st->dup_id, st->dup_rows,
				       phase_name[st->dup_phase]);
		if (st->missing)
			ksft_print_msg("listing: %7zu-byte reads: first miss: ID %llu, in a read of %lu rows during %s\n",
				       read_sizes[i], st->miss_id, st->miss_rows,
				       phase_name[st->miss_phase]);
		if (st->err[0])
			ksft_print_msg("listing: %7zu-byte reads: first error: %s\n",
				       read_sizes[i], st->err);
	}
}

static int test_no_dups(void)
{
	unsigned long dup_reads = 0, reads = 0, bad = 0;
	int i, ph;

	if (!sh) {
		fail_msg("not run: the set-up failed");
		return KSFT_FAIL;
	}
	for (i = 0; i < NR_READERS; i++) {
		for (ph = 0; ph < NR_PHASES; ph++) {
			dup_reads += sh->r[i].dup_reads[ph];
			reads += sh->r[i].reads[ph];
		}
		bad += sh->r[i].bad;
	}
	if (dup_reads || bad) {
		fail_msg("%lu of %lu reads listed an ID twice, %lu failed or did not parse",
			 dup_reads, reads + bad, bad);
		return KSFT_FAIL;
	}
	return reads ? KSFT_PASS : KSFT_FAIL;
}

static int test_all_kept(void)
{
	unsigned long miss_reads = 0, reads = 0;
	int i, ph;

	if (!sh || !sh->nkeep) {
		fail_msg("not run: the set-up failed");
		return KSFT_FAIL;
	}
	for (i = 0; i < NR_READERS; i++) {
		for (ph = 0; ph < NR_PHASES; ph++) {
			miss_reads += sh->r[i].miss_reads[ph];
			reads += sh->r[i].reads[ph];
		}
	}
	if (miss_reads || !reads) {
		fail_msg("%lu of %lu reads lacked a long-lived zombie", miss_reads,
			 reads);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static int test_enough_reads(void)
{
	int i;

	if (!sh) {
		fail_msg("not run: the set-up failed");
		return KSFT_FAIL;
	}
	for (i = 0; i < NR_READERS; i++) {
		if (sh->r[i].reads[PH_GROW] < MIN_READS ||
		    sh->r[i].reads[PH_SHRINK] < MIN_READS) {
			fail_msg("%zu-byte reader: %lu reads during growth, %lu during shrink, wanted %d each",
				 read_sizes[i], sh->r[i].reads[PH_GROW],
				 sh->r[i].reads[PH_SHRINK], MIN_READS);
			return KSFT_FAIL;
		}
	}
	return KSFT_PASS;
}

/* What is still listed, to tell who holds what is left. */
static void list_left(void)
{
	struct rows rs;
	size_t i;

	if (read_rows(&rs, ZMC_HEADER)) {
		ksft_print_msg("listing: left: %s\n", diag);
		return;
	}
	ksft_print_msg("listing: left: %zu rows\n", rs.n);
	for (i = 0; i < rs.n && i < 10; i++)
		ksft_print_msg("listing: left: id %llu pid %ld comm %s age %llu charged %llu swap %llu flags %s path %s\n",
			       rs.v[i].id, rs.v[i].pid, rs.v[i].comm, rs.v[i].age,
			       rs.v[i].charged, rs.v[i].swap, rs.v[i].flags,
			       rs.v[i].path);
	free_rows(&rs);
}

static int test_dying_back(void)
{
	double t0 = now_secs();
	long dying;
	int i;

	for (i = 0; i < NR_KEEP; i++) {
		if (keep_fds[i] >= 0)
			close(keep_fds[i]);
		keep_fds[i] = -1;
	}
	if (dying_start < 0) {
		fail_msg("not run: no count of dying memcgs at the start");
		return KSFT_FAIL;
	}
	/* At most: zombies of earlier tests may have been freed meanwhile. */
	dying = wait_dying_at_most(dying_start, FREE_SECS);
	ksft_print_msg("listing: phase release: dying memcgs %ld after %.1f s (%ld at the start)\n",
		       dying, now_secs() - t0, dying_start);
	if (dying < 0 || dying > dying_start) {
		list_left();
		fail_msg("%ld dying memcgs %d s after the release, %ld at the start",
			 dying, FREE_SECS, dying_start);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static const struct zmc_test tests[] = {
	{ "listing: module loaded, older_than_secs 0, long-lived zombies listed", test_setup },
	{ "listing: zombies grown past 10,000 and shrunk back while readers read", test_churn },
	{ "listing: no read listed an ID twice", test_no_dups },
	{ "listing: every read listed every long-lived zombie", test_all_kept },
	{ "listing: every read size read during both growth and shrink", test_enough_reads },
	{ "listing: the kernel's count of dying memcgs is back to its start", test_dying_back },
};

int main(int argc, char **argv)
{
	double t0 = now_secs(), t;
	char rel[128] = "";
	int i, ret;

	ret = zmc_selftest_begin(argc, argv, ARRAY_SIZE(tests));
	if (ret >= 0)
		return ret;
	if (argc > 2 && argv[2][0])
		target = atoi(argv[2]);
	if (target < 1)
		target = DEFAULT_ZOMBIES;
	read_file("/proc/sys/kernel/osrelease", rel, sizeof(rel));
	rel[strcspn(rel, "\n")] = '\0';
	ksft_print_msg("listing: kernel %s, %ld CPUs, %d zombies to grow to, reads of %zu, %zu, %zu, %zu bytes\n",
		       rel, sysconf(_SC_NPROCESSORS_ONLN), target, read_sizes[0],
		       read_sizes[1], read_sizes[2], read_sizes[3]);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (i == 2) {	/* the churn is over: collect the readers */
			t = now_secs();
			if (sh) {
				stop_readers();
				report_readers();
			}
			ksft_print_msg("listing: phase stop readers: %.1f s\n",
				       now_secs() - t);
		}
		zmc_run_test(&tests[i]);
	}
	if (loaded_here) {
		ret = unload_module();
		if (ret)
			ksft_print_msg("listing: unload: %s\n", strerror(-ret));
	}
	if (list_dir >= 0)
		rmdir(LIST_CG);
	ksft_print_msg("listing: total %.1f s\n", now_secs() - t0);
	ksft_finished();
}
