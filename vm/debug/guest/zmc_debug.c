// SPDX-License-Identifier: GPL-2.0
/*
 * zmc_debug: the debug tier's guest-side checks, run by /debug/run.sh in the
 * debug kernel's VM (KASAN, lockdep, kmemleak, failslab).  Never on a host.
 *
 *   zmc_debug fuzz      [WRITES]                  older_than_secs fuzzing
 *   zmc_debug stress    [WORKERS CGROUPS RELOADS SECS]
 *                                                 churn, readers (holders
 *                                                 scans too), exiting holder
 *                                                 processes, reloads
 *   zmc_debug fault     [CGROUPS PERCENT]         failslab on the module
 *                                                 (listing, stats, holders)
 *   zmc_debug lifecycle                           kprobes disarmed, a reader
 *                                                 parked across rmmod, insmod
 *                                                 with each allocation failing,
 *                                                 rmmod during holders scans
 *
 * Each prints its TAP plan first (from its list of tests), then one result
 * line per test of the list, in its order ("ok N name", "not ok N name"),
 * and "#" diagnostics; a command that cannot go on reports the tests it
 * did not run as failures, so the count always matches the plan.  The
 * module is loaded from $ZMC_MODULE (default
 * /lib/zombiememcg/zombiememcg.ko) when needed and left loaded.
 *
 * What the module promises, and so what is checked here: every memcg the
 * kernel counts as dying is listed, once, whatever events the module
 * missed (a lost record only loses the creator and the age's origin);
 * nothing freed is ever listed; a reader never crashes or lists garbage,
 * and fails only while the module is being unloaded.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"
#include "zmc_util.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define KPROBES_ON	"/sys/kernel/debug/kprobes/enabled"
#define TOOL		"/bin/zombiememcgstat"

#define msg(...) ksft_print_msg(__VA_ARGS__)
#define N_ELEMS(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* The stats file's lines, in the module's order. */
static const char *const stat_names[] = {
	"memcgs", "zombies", "predating_zombies", "untracked", "charged_bytes",
	"swap_bytes", "footprint_bytes", "biggest_creator",
	"biggest_creator_zombies", "records", "record_bytes", "table_bytes", "freed",
	"refused", "alloc_failures", "probe_misses", "lock_wait_max_ns", "footprint_btf",
};

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int rnd_below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static bool module_loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

static int ensure_loaded(void)
{
	int ret;

	if (module_loaded())
		return 0;
	ret = load_module();
	return ret == -EEXIST ? 0 : ret;
}

/* Unload, retrying while a reader holds a reference; 0 or -errno. */
static int unload_retry(double secs)
{
	double end = now_secs() + secs;
	int ret;

	for (;;) {
		ret = unload_module();
		if (ret != -EAGAIN && ret != -EBUSY)
			return ret;
		if (now_secs() > end)
			return ret;
		sleep_ms(5);
	}
}

static void kmsg(const char *s)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			msg("cannot write to /dev/kmsg: %s\n", strerror(errno));
		close(fd);
	}
}

/*
 * The kernel warns, with a stack dump, when some allocations fail (vmalloc,
 * kmem_cache_create()): under fault injection that is expected.  The host
 * excuses those dumps between these two marks, nothing else.
 */
static void expect_alloc_reports(bool on)
{
	kmsg(on ? "zmc-debug: expected allocation failure reports begin\n" :
		  "zmc-debug: expected allocation failure reports end\n");
}

/* ------------------------------------------------------------ TAP plan */

static const char *const *plan_names;
static int plan_total, plan_done;

/* Print the plan: the tests of @names, which run in this order. */
static void plan(const char *const *names, int n)
{
	plan_names = names;
	plan_total = n;
	plan_done = 0;
	ksft_set_plan(n);
}

/* The result of test @idx of the plan, which must be the next one. */
static void result(bool ok, int idx)
{
	const char *name = idx >= 0 && idx < plan_total ? plan_names[idx] : "?";

	if (idx != plan_done) {
		msg("test %d (%s) reported as number %d: the plan's order is broken\n",
		    idx + 1, name, plan_done + 1);
		ok = false;
		name = plan_done < plan_total ? plan_names[plan_done] : name;
	}
	plan_done++;
	ksft_test_result(ok, "%s\n", name);
	if (!ok && diag[0])
		msg("%s\n", diag);
	diag[0] = '\0';
}

/* Test @idx of the plan, the next one, cannot run here: a skip, saying why. */
static void result_skip(int idx, const char *why)
{
	if (idx != plan_done) {
		result(false, idx);
		return;
	}
	plan_done++;
	ksft_test_result_skip("%s: %s\n", plan_names[idx], why);
	diag[0] = '\0';
}

/* The tests of the plan that cannot run: failures, so that the count holds. */
static int abandon(const char *why)
{
	if (plan_done < plan_total)
		msg("%s; %d test(s) of the plan not run\n", why,
		    plan_total - plan_done);
	while (plan_done < plan_total)
		ksft_test_result_fail("%s\n", plan_names[plan_done++]);
	return 1;
}

static int finished(void)
{
	abandon("ended early");
	return ksft_get_fail_cnt() ? 1 : 0;
}

/* ------------------------------------------------------------ listing */

/*
 * Wait until the listing (threshold 0) has as many rows as the kernel has
 * dying memcgs, and both equal @want if @want >= 0.  Reports both counts.
 */
static bool wait_agree(long want, double secs, long *rows_out, long *dying_out)
{
	double end = now_secs() + secs;
	long rows, dying;

	for (;;) {
		rows = count_rows(NULL);
		dying = nr_dying();
		if (rows >= 0 && rows == dying && (want < 0 || rows == want))
			break;
		if (now_secs() > end)
			break;
		sleep_ms(200);
	}
	*rows_out = rows;
	*dying_out = dying;
	return rows >= 0 && rows == dying && (want < 0 || rows == want);
}

static bool wait_dying(long want, double secs)
{
	double end = now_secs() + secs;

	while (nr_dying() != want) {
		if (now_secs() > end)
			return false;
		sleep_ms(200);
	}
	return true;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Rows of @rs whose ID appears more than once. */
static size_t duplicate_ids(const struct rows *rs)
{
	unsigned long long *ids;
	size_t i, dups = 0;

	if (rs->n < 2)
		return 0;
	ids = malloc(rs->n * sizeof(*ids));
	if (!ids)
		return 0;
	for (i = 0; i < rs->n; i++)
		ids[i] = rs->v[i].id;
	qsort(ids, rs->n, sizeof(*ids), cmp_ull);
	for (i = 1; i < rs->n; i++)
		dups += ids[i] == ids[i - 1];
	free(ids);
	return dups;
}

/* Rows without creator (COMM "-"), and rows flagged p. */
static void count_kinds(const struct rows *rs, long *anon, long *unseen)
{
	size_t i;

	*anon = *unseen = 0;
	for (i = 0; i < rs->n; i++) {
		*anon += !strcmp(rs->v[i].comm, "-");
		*unseen += strchr(rs->v[i].flags, 'p') != NULL;
	}
}

/*
 * The stats file in @st has every line, in order, each with a value (a
 * number, or biggest_creator's name); 0, or -1 with diag set.
 */
static int stats_check(const struct stats *st)
{
	const char *p = st->buf;
	int i;

	for (i = 0; i < N_ELEMS(stat_names); i++) {
		size_t len = strlen(stat_names[i]);
		const char *v = p + len + 1, *nl = strchr(p, '\n');

		if (!nl || strncmp(p, stat_names[i], len) || p[len] != ' ' ||
		    v >= nl) {
			fail_msg("stats line %d is not '%s VALUE': '%.*s'", i + 1,
				 stat_names[i], nl ? (int)(nl - p) : 40, p);
			return -1;
		}
		if (strcmp(stat_names[i], "biggest_creator")) {
			for (; v < nl; v++) {
				if (!isdigit((unsigned char)*v)) {
					fail_msg("stats %s: not a number", stat_names[i]);
					return -1;
				}
			}
		}
		p = nl + 1;
	}
	if (*p) {
		fail_msg("stats: an extra line '%.40s'", p);
		return -1;
	}
	return 0;
}

/* Holders of zombies: @n cgroups under @dir, each pinned by a socket. */
struct batch {
	pid_t pid;
	int n;
	unsigned long long ids[256];
	char comm[16];
};

static int make_batch(struct batch *b, const char *dir, int n, int unpinned,
		      const char *comm)
{
	int pfd[2], i;
	char c, cg[PATH_MAX];

	if (n > 256)
		n = 256;
	b->n = n;
	b->pid = 0;
	snprintf(b->comm, sizeof(b->comm), "%s", comm);
	if ((mkdir(dir, 0755) && errno != EEXIST) || enable_memory(dir))
		return -errno;
	if (pipe(pfd))
		return -errno;
	b->pid = fork();
	if (!b->pid) {
		close(pfd[0]);
		prctl(PR_SET_NAME, comm);
		for (i = 0; i < n + unpinned; i++) {
			snprintf(cg, sizeof(cg), "%s/%s-%d", dir,
				 i < n ? "z" : "u", i);
			if (i < n ? cg_pin(cg, CG_ROOT, PIN_SOCKET, NULL, 0) :
				    (mkdir(cg, 0755) ? -errno : 0))
				_exit(1);
		}
		c = 'R';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		return -EIO;
	}
	close(pfd[0]);
	for (i = 0; i < n + unpinned; i++) {
		struct stat st;

		snprintf(cg, sizeof(cg), "%s/%s-%d", dir, i < n ? "z" : "u", i);
		if (stat(cg, &st))
			return -errno;
		if (i < n)
			b->ids[i] = st.st_ino;
		if (rmdir(cg))
			return -errno;
	}
	return 0;
}

static void release_batch(struct batch *b)
{
	if (b->pid > 0) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
	}
	b->pid = 0;
}

static bool in_batch(const struct batch *b, unsigned long long id)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->ids[i] == id)
			return true;
	return false;
}

/*
 * Every id of @b listed exactly once in @rs; with its creator's pid and
 * comm if @creator, else with the creator unknown and FLAGS p.
 */
static bool batch_in_rows(const struct batch *b, const struct rows *rs,
			  bool creator)
{
	int i;
	size_t j;

	for (i = 0; i < b->n; i++) {
		int seen = 0;

		for (j = 0; j < rs->n; j++) {
			const struct row *r = &rs->v[j];

			if (r->id != b->ids[i])
				continue;
			seen++;
			if (creator ? r->pid != b->pid || strcmp(r->comm, b->comm) :
				      r->pid || strcmp(r->comm, "-") ||
				      !strchr(r->flags, 'p')) {
				fail_msg("id %llu listed with PID %ld COMM %s FLAGS %s, want %s",
					 b->ids[i], r->pid, r->comm, r->flags,
					 creator ? b->comm : "0 - p");
				return false;
			}
		}
		if (seen != 1) {
			fail_msg("id %llu (%s) listed %d times", b->ids[i], b->comm, seen);
			return false;
		}
	}
	return true;
}

/*
 * batch_in_rows() on a fresh read, retried for up to 10 s: a zombie's
 * offline callback runs in a kworker some time after its rmdir, and until
 * then it has no FLAGS p.
 */
static bool batch_listed(const struct batch *b, bool creator)
{
	double end = now_secs() + 10;
	struct rows rs;
	bool ok;
	int ret;

	for (;;) {
		ret = read_rows(&rs, NULL);
		if (ret) {
			if (ret != -EBADMSG)
				fail_msg("read %s: %s", PROC_FILE, strerror(-ret));
			return false;
		}
		ok = batch_in_rows(b, &rs, creator);
		free_rows(&rs);
		if (ok || now_secs() > end)
			return ok;
		sleep_ms(250);
	}
}

/* ------------------------------------------------------------ holders */

/*
 * /proc/zombiememcg_holders: each open() runs one scan (the zombies past
 * older_than_secs pinned, every file table, every page frame before 7.x),
 * whose output the reads then return.  A read of it, from open to EOF, is
 * well-formed: the header, lines of six fields (ID KIND BYTES PID COMM
 * DETAIL, COMM and DETAIL escaped), "# " lines, and last the footer
 * "# N zombies scanned in M ms...".
 */
#define HOLDERS_FILE	"/proc/zombiememcg_holders"
#define HOLDERS_HEADER	"ID KIND BYTES PID COMM DETAIL"
#define HOLDERS_FOOTER	" zombies scanned in "
#define HOLDERS_SIZE	(4 << 20)

/* The kinds counted apart; any other well-formed kind counts as "new". */
static const char *const holder_kinds[] = { "socket", "file", "anon", "swap", "other" };
#define HK_N		N_ELEMS(holder_kinds)

struct hread {
	long zombies;			/* scanned, from the footer */
	long ms;			/* the scan's duration, from the footer */
	long lines;			/* holder lines */
	long ids;			/* distinct IDs among them */
	bool stopped;			/* holders_scan_ms stopped the page walk */
	long kinds[N_ELEMS(holder_kinds) + 1];
};

/*
 * Check one read of the holders file: @len bytes of @buf (modified).  0 with
 * @h filled, or -EBADMSG with diag set.
 */
static int holders_parse(char *buf, size_t len, struct hread *h)
{
	unsigned long long *ids = NULL;
	char *p = buf, *end = buf + len, *nl, *footer = NULL, *q;
	size_t nids = 0, cap = 0, i;
	long lineno = 0;
	int ret = -EBADMSG;

	memset(h, 0, sizeof(*h));
	if (!len || buf[len - 1] != '\n' || memchr(buf, '\0', len)) {
		fail_msg("holders: %zu bytes%s", len, !len ? "" :
			 buf[len - 1] != '\n' ? ", the last line cut" : " with a NUL byte");
		return -EBADMSG;
	}
	for (; p < end; p = nl + 1) {
		char copy[2048], comm[256], detail[1024], *f[7];
		unsigned long long id, v;
		int nf, k;

		nl = memchr(p, '\n', end - p);
		*nl = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(p, HOLDERS_HEADER)) {
				fail_msg("holders: header '%.80s', want '%s'", p, HOLDERS_HEADER);
				goto out;
			}
			continue;
		}
		if (nl + 1 == end) {
			footer = p;
			break;
		}
		if (p[0] == '#') {
			if (p[1] != ' ') {
				fail_msg("holders: line %ld: '%.80s'", lineno, p);
				goto out;
			}
			h->stopped |= !strncmp(p, "# scan stopped", 14);
			continue;
		}
		if ((size_t)(nl - p) >= sizeof(copy)) {
			fail_msg("holders: line %ld: %zu bytes", lineno, (size_t)(nl - p));
			goto out;
		}
		memcpy(copy, p, nl - p + 1);
		nf = split_fields(copy, f, 6);
		if (nf != 6 || !parse_ull(f[0], &id) || !id ||
		    f[1][strspn(f[1], "abcdefghijklmnopqrstuvwxyz0123456789-")] ||
		    !parse_ull(f[2], &v) || !parse_ull(f[3], &v) ||
		    !unescape(f[4], comm, sizeof(comm)) ||
		    !unescape(f[5], detail, sizeof(detail))) {
			fail_msg("holders: line %ld malformed: '%.120s'", lineno, p);
			goto out;
		}
		for (k = 0; k < (int)HK_N && strcmp(f[1], holder_kinds[k]); k++)
			;
		h->kinds[k]++;
		h->lines++;
		if (nids == cap) {
			unsigned long long *n2;

			cap = cap ? 2 * cap : 256;
			n2 = realloc(ids, cap * sizeof(*ids));
			if (!n2) {
				fail_msg("holders: out of memory");
				goto out;
			}
			ids = n2;
		}
		ids[nids++] = id;
	}
	if (!footer || lineno < 2) {
		fail_msg("holders: no footer (%ld lines)", lineno);
		goto out;
	}
	q = strstr(footer, HOLDERS_FOOTER);
	if (strncmp(footer, "# ", 2) || !q || q == footer + 2 ||
	    !isdigit((unsigned char)q[-1]) || !isdigit((unsigned char)q[strlen(HOLDERS_FOOTER)])) {
		fail_msg("holders: last line '%.120s', not the footer '# N%sM ms'",
			 footer, HOLDERS_FOOTER);
		goto out;
	}
	while (q > footer + 2 && isdigit((unsigned char)q[-1]))
		q--;
	if (q != footer + 2) {
		fail_msg("holders: footer '%.120s'", footer);
		goto out;
	}
	h->zombies = strtol(q, &q, 10);
	h->ms = strtol(q + strlen(HOLDERS_FOOTER), NULL, 10);
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_ull);
	for (i = 0; i < nids; i++)
		h->ids += !i || ids[i] != ids[i - 1];
	if (h->ids > h->zombies) {
		fail_msg("holders: %ld distinct IDs in the lines, %ld zombies scanned",
			 h->ids, h->zombies);
		goto out;
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

/*
 * Read the open holders file @fd to EOF into @buf (@size bytes): in one go,
 * or if @slow in small reads with pauses.  Its length, or -errno.
 */
static ssize_t holders_read_fd(int fd, char *buf, size_t size, bool slow)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len + 1 >= size)
			return -EFBIG;
		n = read(fd, buf + len, slow ? 1 + rnd_below(600) : size - 1 - len);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += n;
		if (slow)
			sleep_ms(rnd_below(15));
	}
	buf[len] = '\0';
	return len;
}

/*
 * One reader's pass: open (the scan), read to EOF, close, check.  0, or
 * -EBADMSG (diag says why), or -errno of the open (*@at_open) or the read.
 */
static int holders_once(char *buf, size_t size, bool slow, struct hread *h,
			bool *at_open)
{
	int fd = open(HOLDERS_FILE, O_RDONLY);
	ssize_t len;

	*at_open = fd < 0;
	if (fd < 0)
		return -errno;
	len = holders_read_fd(fd, buf, size, slow);
	if (close(fd) && len >= 0)
		len = -errno;
	if (len < 0)
		return len;
	return holders_parse(buf, len, h);
}

/* ------------------------------------------------------------ fuzz */

#define FUZZ_MAX	9000

/*
 * What the module should do with @len bytes: the tunable takes what
 * kstrtoull(s, 10) takes of the bytes up to the first NUL (an optional '+',
 * decimal digits that fit in 64 bits, one optional newline), and only
 * writes of 1 to 23 bytes (its buffer is 24).  true: accepted as *val.
 */
static bool model_accepts(const unsigned char *b, size_t len, uint64_t *val,
			  bool *nul)
{
	size_t i = 0, end;
	uint64_t v = 0;
	bool digits = false;

	*nul = false;
	if (!len || len >= 24)
		return false;
	for (end = 0; end < len && b[end]; end++)
		;
	*nul = end < len;
	if (i < end && b[i] == '+')
		i++;
	for (; i < end && isdigit(b[i]); i++) {
		unsigned int d = b[i] - '0';

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		digits = true;
	}
	if (!digits)
		return false;
	if (i < end && b[i] == '\n')
		i++;
	if (i != end)
		return false;
	*val = v;
	return true;
}

static int gen_digits(unsigned char *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		b[i] = '0' + rnd_below(10);
	return n;
}

/* One random input in @b (FUZZ_MAX bytes); returns its length. */
static size_t fuzz_input(unsigned char *b, unsigned int *kind)
{
	static const char *const fixed[] = {
		"", "\n", "0", "0\n", "+", "+\n", "-0", "-1", " 1", "1 ",
		"1\n\n", "\n1", "0x10", "1e3", "18446744073709551615",
		"18446744073709551615\n", "18446744073709551616",
		"99999999999999999999", "+18446744073709551615",
		"0000000000000000000007", "00000000000000000000007",
		"000000000000000000000007", "1\r", "\t1", "++1", "1+",
	};
	size_t len = 0, i;
	uint64_t v;

	*kind = rnd_below(8);
	switch (*kind) {
	case 0: /* a valid number of 1 to 20 digits */
		v = rnd() >> rnd_below(64);
		len = sprintf((char *)b, "%s%" PRIu64 "%s",
			      rnd_below(8) ? "" : "+", v,
			      rnd_below(2) ? "\n" : "");
		break;
	case 1: /* leading zeros */
		len = rnd_below(22);
		memset(b, '0', len);
		len += sprintf((char *)b + len, "%u%s", rnd_below(1000),
			       rnd_below(2) ? "\n" : "");
		break;
	case 2: /* huge: 19 to 40 digits */
		len = gen_digits(b, 19 + rnd_below(22));
		break;
	case 3: /* random bytes, short */
		len = rnd_below(40);
		for (i = 0; i < len; i++)
			b[i] = rnd();
		break;
	case 4: /* long: 24 to 8999 bytes, digits or anything */
		len = 24 + rnd_below(FUZZ_MAX - 24);
		if (rnd_below(2))
			gen_digits(b, len);
		else
			for (i = 0; i < len; i++)
				b[i] = rnd();
		break;
	case 5: /* a valid number, mutated: one byte set, inserted or cut */
		len = sprintf((char *)b, "%" PRIu64, rnd() >> rnd_below(64));
		i = rnd_below(len + 1);
		switch (rnd_below(3)) {
		case 0:
			if (i < len)
				b[i] = "\0 \n-+x\t\xff"[rnd_below(8)];
			break;
		case 1:
			memmove(b + i + 1, b + i, len - i);
			b[i] = rnd_below(2) ? (unsigned char)rnd() :
					      (unsigned char)"\0 \n-+"[rnd_below(5)];
			len++;
			break;
		default:
			len = i;
		}
		break;
	case 6: /* fixed corner cases */
		i = rnd_below(sizeof(fixed) / sizeof(fixed[0]));
		len = strlen(fixed[i]);
		memcpy(b, fixed[i], len);
		break;
	default: /* printable junk around digits */
		len = rnd_below(30);
		for (i = 0; i < len; i++)
			b[i] = rnd_below(3) ? '0' + rnd_below(10) :
					      32 + rnd_below(95);
	}
	return len;
}

static int read_threshold(int fd, uint64_t *v)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || *end != '\n' ? -1 : 0;
}
enum {
	FZ_READY, FZ_WRITES, FZ_EFAULT, FZ_RESTORED, FZ_N
};

static const char *const fuzz_tests[FZ_N] = {
	[FZ_READY] = "fuzz: module loaded, older_than_secs readable",
	[FZ_WRITES] = "fuzz: older_than_secs: every random write accepted and read back, or rejected (EINVAL) with the value unchanged",
	[FZ_EFAULT] = "fuzz: write from an unmapped buffer fails with EFAULT, value unchanged",
	[FZ_RESTORED] = "fuzz: older_than_secs restored to 30",
};

static int cmd_fuzz(int argc, char **argv)
{
	long writes = argc > 0 ? atol(argv[0]) : 10000;
	unsigned long kinds_acc[8] = { 0 }, kinds_rej[8] = { 0 };
	unsigned long accepted = 0, rejected = 0, nul_accepted = 0, bad = 0;
	unsigned long offset_rejected = 0, lens[3] = { 0 };
	unsigned char *b = malloc(FUZZ_MAX + 64);
	uint64_t cur, after, want = 0;
	double t0 = now_secs();
	int fd, ret, k;
	long i;
	bool nul;

	plan(fuzz_tests, FZ_N);
	fd = -1;
	ret = ensure_loaded();
	if (ret || !b) {
		fail_msg("load %s: %s", module_path, strerror(-ret));
		ret = ret ?: -ENOMEM;
	} else {
		fd = open(THRESH_FILE, O_RDWR);
		if (fd < 0 || read_threshold(fd, &cur)) {
			fail_msg("open/read %s: %s", THRESH_FILE, strerror(errno));
			ret = -EIO;
		}
	}
	result(!ret, FZ_READY);
	if (ret)
		return abandon("fuzz: no module or no tunable");
	for (i = 0; i < writes; i++) {
		unsigned int kind;
		size_t len = fuzz_input(b, &kind);
		bool acc = model_accepts(b, len, &want, &nul);
		off_t off = rnd_below(50) ? 0 : 1 + rnd_below(100);
		ssize_t n;
		int err;

		lens[len == 0 ? 0 : len < 24 ? 1 : 2]++;
		if (off)
			acc = false;
		n = pwrite(fd, b, len, off);
		err = n < 0 ? errno : 0;
		if (read_threshold(fd, &after)) {
			fail_msg("write %ld: cannot read the value back", i);
			bad++;
			break;
		}
		if (acc && n == (ssize_t)len && after == want) {
			accepted++;
			kinds_acc[kind]++;
			nul_accepted += nul;
			cur = after;
		} else if (!acc && n < 0 && err == EINVAL && after == cur) {
			rejected++;
			kinds_rej[kind]++;
			offset_rejected += off != 0;
		} else {
			if (bad++ < 5) {
				char hex[3 * 24 + 1] = "";
				size_t k;

				for (k = 0; k < len && k < 24; k++)
					sprintf(hex + 3 * k, "%02x ", b[k]);
				msg("mismatch: %zu bytes at offset %ld [%s%s]: model %s %" PRIu64 ", write returned %zd (%s), value %" PRIu64 " -> %" PRIu64 "\n",
				    len, (long)off, hex, len > 24 ? "..." : "",
				    acc ? "accepts" : "rejects", acc ? want : cur,
				    n, err ? strerror(err) : "no error", cur,
				    after);
			}
			cur = after;
		}
	}
	msg("fuzz: %ld writes in %.1f s: %lu accepted (%lu with bytes after a NUL), %lu rejected with EINVAL (%lu at a non-zero offset), %lu wrong\n",
	    i, now_secs() - t0, accepted, nul_accepted, rejected,
	    offset_rejected, bad);
	msg("fuzz: lengths: %lu empty, %lu of 1-23 bytes, %lu of 24-%d bytes; per kind accepted/rejected:%s\n",
	    lens[0], lens[1], lens[2], FUZZ_MAX, "");
	for (k = 0; k < 8; k++)
		msg("fuzz:   kind %d: %lu/%lu\n", k, kinds_acc[k], kinds_rej[k]);
	fail_msg("%lu of %ld writes neither accepted with the value read back nor rejected with EINVAL and the value kept",
		 bad, writes);
	result(!bad && i == writes && accepted && rejected, FZ_WRITES);

	/* A bad user pointer: EFAULT, value kept. */
	{
		void *volatile bad_ptr = (void *)8;
		ssize_t n = pwrite(fd, bad_ptr, 5, 0);
		int err = errno;

		read_threshold(fd, &after);
		fail_msg("write from a bad pointer returned %zd (%s), value %" PRIu64 " -> %" PRIu64,
			 n, strerror(err), cur, after);
		result(n < 0 && err == EFAULT && after == cur, FZ_EFAULT);
	}
	close(fd);
	ret = set_threshold("30\n");
	fail_msg("restore 30: %s", strerror(-ret));
	result(!ret, FZ_RESTORED);
	free(b);
	return finished();
}

/* ------------------------------------------------------------ stress */

/*
 * When the module was away: each successful unload opens an interval,
 * closed when the module is loaded again.  A reader's error is excused
 * only if its read overlapped one of them.
 */
#define MAX_AWAY	256

struct shared {
	volatile int stop_churn;	/* workers: stop creating, keep the pins */
	volatile int release;		/* workers: release the pins and exit */
	volatile int stop;		/* helpers: exit */
	volatile int idle;		/* workers done with their churn */
	/* the reloader's record of the module's absences */
	volatile int busy;		/* an unload or load is in progress */
	volatile int naway;
	struct { double begin, end; } away[MAX_AWAY];
	/* per-role counters */
	unsigned long chains, created, removed, pinned_sock, pinned_file, released;
	unsigned long nested, max_depth, worker_errors;
	unsigned long reads, reads_unloaded, reads_bad, rows_seen, dup_rows;
	unsigned long slow_reads, slow_unloaded, slow_bad, slow_chunks;
	unsigned long deep_rounds, deep_unloaded, deep_bad, deep_listed;
	unsigned long stat_reads, stat_unloaded, stat_bad;
	unsigned long tool_runs, tool_ok, tool_unloaded, tool_bad;
	unsigned long writes_valid, writes_garbage, writes_unloaded, writes_bad;
	unsigned long writes_param;
	/* the holders readers: reads, complete scans, those with zombies */
	unsigned long h_reads, h_scans, h_zombie_scans, h_unloaded, h_bad;
	unsigned long h_lines, h_max_ms, h_kinds[N_ELEMS(holder_kinds) + 1];
	unsigned long h_stopped, h_nlog;
	struct { float t; int zombies, ms, lines; char stopped; } h_log[48];
	double t0;
	/* the exiter: holder processes started, exited, by what they held */
	unsigned long x_started, x_exited, x_killed, x_sock, x_anon, x_file, x_errors;
	/* the reclaimer: requests by answer, what the outcomes counted */
	unsigned long r_rounds, r_requests, r_all, r_done, r_gone, r_unloaded, r_bad;
	unsigned long r_reparented, r_stopped, r_dropped, r_written, r_skipped, r_intact;
	/* the reloader's holders fd, open across each unload */
	unsigned long held_ok, held_bad;
	double unload_max;
	char first_error[512];
};

static struct shared *sh;

static void shared_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void shared_error(const char *fmt, ...)
{
	va_list ap;

	if (sh->first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(sh->first_error, sizeof(sh->first_error), fmt, ap);
	va_end(ap);
}

/*
 * Whether the module was unloaded (or being unloaded) at some moment of
 * [t0, t1]: waits for an unload or load in progress to be recorded first.
 */
static bool unloaded_during(double t0, double t1)
{
	double end = now_secs() + 60;
	int i;

	while (sh->busy && now_secs() < end)
		sleep_ms(5);
	__sync_synchronize();
	for (i = 0; i < sh->naway && i < MAX_AWAY; i++)
		if (sh->away[i].begin <= t1 && sh->away[i].end >= t0)
			return true;
	return false;
}

/* An error a reader may meet only while the module goes away. */
static bool unload_errno(int err)
{
	return err == ENOENT || err == EIO || err == ENXIO || err == ENODEV;
}

#define STRESS_ROOT	CG_ROOT "/zstress"
#define STRESS_FILES	"/tmp/zstress"
#define MAX_PINS	256

struct pin {
	int sock;
	char file[96];
};

static int enter_cg(const char *cg)
{
	char procs[PATH_MAX];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	return write_line(procs, "0");
}

enum { HOLD_SOCK = 1, HOLD_ANON = 2, HOLD_FILE = 4 };

/*
 * A process that holds the memcg of @cg: it makes @cg, enters it, opens a
 * socket (HOLD_SOCK: TCP, UDP or unix), touches 256 KB to 1 MB of anonymous
 * memory (HOLD_ANON), writes 64 to 256 KB to the tmpfs file @file, unlinked
 * but kept open (HOLD_FILE), and goes back to the root.  Then it lives @ms
 * (< 0: until killed) and exits: its exit releases all it held.  Returns
 * its pid once it is out of @cg (which can then be removed), or -errno.
 */
static pid_t spawn_holder(const char *cg, unsigned int how, long ms,
			  const char *comm, const char *file)
{
	int pfd[2];
	ssize_t n;
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (!pid) {
		static const int fam[3][2] = {
			{ AF_INET, SOCK_STREAM }, { AF_INET, SOCK_DGRAM },
			{ AF_UNIX, SOCK_STREAM },
		};
		bool ok;

		close(pfd[0]);
		prctl(PR_SET_NAME, comm);
		rng_state ^= (uint64_t)getpid() * 0x2545f4914f6cdd1dULL;
		ok = !mkdir(cg, 0755) && !enter_cg(cg);
		if (ok && (how & HOLD_SOCK)) {
			int k = rnd_below(3);

			ok = socket(fam[k][0], fam[k][1], 0) >= 0;
		}
		if (ok && (how & HOLD_ANON)) {
			size_t sz = (64 + rnd_below(193)) * 4096;
			char *m = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			ok = m != MAP_FAILED;
			if (ok)
				memset(m, 0x5a, sz);
		}
		if (ok && (how & HOLD_FILE)) {
			char page[4096];
			int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
			int i, pages = 16 + rnd_below(49);

			memset(page, 'x', sizeof(page));
			ok = fd >= 0;
			for (i = 0; ok && i < pages; i++)
				ok = write(fd, page, sizeof(page)) == sizeof(page);
			if (fd >= 0)
				unlink(file);
		}
		ok = !enter_cg(CG_ROOT) && ok;
		c = ok ? 'R' : 'E';
		if (write(pfd[1], &c, 1) != 1 || !ok)
			_exit(1);
		close(pfd[1]);
		if (ms < 0)
			for (;;)
				pause();
		sleep_ms(ms);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], &c, 1);
	close(pfd[0]);
	if (n != 1 || c != 'R') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rmdir(cg);
		return -EIO;
	}
	return pid;
}

static void worker_release(struct pin *p)
{
	if (p->sock >= 0)
		close(p->sock);
	if (p->file[0])
		unlink(p->file);
	p->sock = -1;
	p->file[0] = '\0';
	__sync_fetch_and_add(&sh->released, 1);
}

/* Worker @w: create and remove @count cgroups (nested, some pinned). */
static void stress_worker(int w, long count, double deadline)
{
	struct pin pins[MAX_PINS];
	int npins = 0, i;
	char base[64], cg[8][256];
	long n;

	prctl(PR_SET_NAME, "zs-worker");
	rng_state ^= (uint64_t)(w + 1) * 0x9e3779b97f4a7c15ULL;
	snprintf(base, sizeof(base), STRESS_ROOT "/w%d", w);
	for (n = 0; n < count && !sh->stop_churn && now_secs() < deadline; n++) {
		int depth = rnd_below(3) ? 1 : 2 + rnd_below(4), d;
		unsigned int pin = rnd_below(8) ? 0 : rnd_below(3) + 1;
		int err = 0;

		for (d = 0; d < depth; d++) {
			if (!d)
				snprintf(cg[0], sizeof(cg[0]), "%s/g%ld", base, n);
			else
				snprintf(cg[d], sizeof(cg[d]), "%s/n%d", cg[d - 1], d);
			if (mkdir(cg[d], 0755)) {
				err = errno;
				break;
			}
			__sync_fetch_and_add(&sh->created, 1);
			if (d + 1 < depth) {
				char sc[320];

				snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", cg[d]);
				err = -write_line(sc, "+memory");
				if (err) {
					d++;
					break;
				}
			}
		}
		if (err) {
			shared_error("worker %d: mkdir %s: %s", w, cg[d], strerror(err));
			__sync_fetch_and_add(&sh->worker_errors, 1);
		}
		if (depth > 1)
			__sync_fetch_and_add(&sh->nested, 1);
		if ((unsigned long)depth > sh->max_depth)
			sh->max_depth = depth;
		if (!err && pin && npins < MAX_PINS) {
			struct pin *p = &pins[npins];

			p->sock = -1;
			p->file[0] = '\0';
			if (!enter_cg(cg[d - 1])) {
				if (pin & 1) {
					p->sock = socket(AF_INET, SOCK_STREAM, 0);
					__sync_fetch_and_add(&sh->pinned_sock, 1);
				}
				if (pin & 2) {
					snprintf(p->file, sizeof(p->file),
						 STRESS_FILES "/w%d-%ld", w, n);
					if (write_bytes(p->file, 4096 * (1 + rnd_below(8))))
						p->file[0] = '\0';
					else
						__sync_fetch_and_add(&sh->pinned_file, 1);
				}
				if (enter_cg(CG_ROOT)) {
					shared_error("worker %d: cannot go back to the root cgroup", w);
					__sync_fetch_and_add(&sh->worker_errors, 1);
				}
				npins++;
			}
		}
		/* Remove from the leaf up. */
		while (--d >= 0) {
			if (rmdir(cg[d])) {
				shared_error("worker %d: rmdir %s: %s", w, cg[d],
					     strerror(errno));
				__sync_fetch_and_add(&sh->worker_errors, 1);
				continue;
			}
			__sync_fetch_and_add(&sh->removed, 1);
		}
		__sync_fetch_and_add(&sh->chains, 1);
		/* Release a pin now and then: frees while loaded or not. */
		if (npins && (npins == MAX_PINS || !rnd_below(6))) {
			i = rnd_below(npins);
			worker_release(&pins[i]);
			pins[i] = pins[--npins];
		}
	}
	/* Keep the remaining pins until told to release them. */
	__sync_fetch_and_add(&sh->idle, 1);
	while (!sh->release)
		sleep_ms(50);
	for (i = 0; i < npins; i++)
		worker_release(&pins[i]);
	_exit(0);
}

/* One read of the listing in one go: well-formed, no ID twice. */
static void stress_reader(void)
{
	prctl(PR_SET_NAME, "zs-reader");
	while (!sh->stop) {
		double t0 = now_secs();
		struct rows rs;
		int ret = read_rows(&rs, ZMC_HEADER);
		size_t dups;

		__sync_fetch_and_add(&sh->reads, 1);
		if (ret < 0 && ret != -EBADMSG && unload_errno(-ret) &&
		    unloaded_during(t0, now_secs())) {
			__sync_fetch_and_add(&sh->reads_unloaded, 1);
			sleep_ms(10);
			continue;
		}
		if (ret) {
			__sync_fetch_and_add(&sh->reads_bad, 1);
			shared_error("reader: %s", ret == -EBADMSG ? diag :
				     unload_errno(-ret) ? "an unload error while the module was loaded" :
				     strerror(-ret));
			continue;
		}
		dups = duplicate_ids(&rs);
		if (dups) {
			__sync_fetch_and_add(&sh->dup_rows, dups);
			__sync_fetch_and_add(&sh->reads_bad, 1);
			shared_error("reader: %zu IDs listed twice in one read", dups);
		}
		__sync_fetch_and_add(&sh->rows_seen, rs.n);
		free_rows(&rs);
		/* Leave the (emulated, shared) CPUs mostly to the workers. */
		sleep_ms(rnd_below(30));
	}
	_exit(0);
}

/*
 * A slow reader: small reads with pauses in between, so that its walk is
 * parked on a zombie while cgroups come and go and the module is reloaded.
 */
/*
 * A read of the listing that began at @t0 and ended with @err (0 or an
 * errno) and @buf: an error counts in @unloaded if the module was away
 * during it, else in @bad, as do malformed rows and IDs listed twice.
 */
static void read_judge(const char *who, char *buf, int err, double t0,
		       unsigned long *unloaded, unsigned long *bad)
{
	struct rows rs;

	if (err) {
		if (unload_errno(err) && unloaded_during(t0, now_secs())) {
			__sync_fetch_and_add(unloaded, 1);
		} else {
			__sync_fetch_and_add(bad, 1);
			shared_error("%s: %s%s", who, strerror(err),
				     unload_errno(err) ? " while the module was loaded" : "");
		}
		sleep_ms(10);
		return;
	}
	if (parse_rows(buf, &rs, ZMC_HEADER)) {
		__sync_fetch_and_add(bad, 1);
		shared_error("%s: %s", who, diag);
		return;
	}
	if (duplicate_ids(&rs)) {
		__sync_fetch_and_add(&sh->dup_rows, duplicate_ids(&rs));
		__sync_fetch_and_add(bad, 1);
		shared_error("%s: IDs listed twice in one read", who);
	}
	free_rows(&rs);
}

static void stress_slow_reader(void)
{
	char *buf = malloc(LISTING_SIZE);

	prctl(PR_SET_NAME, "zs-slowreader");
	while (buf && !sh->stop) {
		double t0 = now_secs();
		size_t len = 0;
		int fd = open(PROC_FILE, O_RDONLY), err = 0;
		ssize_t n = 0;

		if (fd < 0)
			err = errno;
		while (fd >= 0 && len + 4096 < LISTING_SIZE) {
			n = read(fd, buf + len, 1 + rnd_below(600));
			if (n < 0)
				err = errno;
			if (n <= 0)
				break;
			len += n;
			__sync_fetch_and_add(&sh->slow_chunks, 1);
			sleep_ms(rnd_below(15));
		}
		if (fd >= 0)
			close(fd);
		buf[len] = '\0';
		__sync_fetch_and_add(&sh->slow_reads, 1);
		read_judge("slow reader", buf, err, t0, &sh->slow_unloaded, &sh->slow_bad);
	}
	free(buf);
	_exit(0);
}

#define DEEP_LEVELS	12
#define DEEP_NAME	200

/*
 * Chains of DEEP_LEVELS cgroups of DEEP_NAME-byte names, the leaf pinned
 * by a socket, removed, then freed (the socket closed) in the middle of a
 * read of the listing.  The module builds each row's path from the live
 * memcg as it reads, so those memcgs go while their paths are being built
 * (KASAN and lockdep watch).  Every read well-formed, no ID twice.
 */
static void stress_deep(void)
{
	static char cg[DEEP_LEVELS][DEEP_LEVELS * (DEEP_NAME + 1) + 64];
	char *buf = malloc(LISTING_SIZE), name[DEEP_NAME - 1];
	int d;

	prctl(PR_SET_NAME, "zs-deep");
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if (mkdir(STRESS_ROOT "/deep", 0755) && errno != EEXIST) {
		shared_error("deep: mkdir: %s", strerror(errno));
		__sync_fetch_and_add(&sh->deep_bad, 1);
		_exit(0);
	}
	while (buf && !sh->stop) {
		double t0 = now_secs();
		int fd, sock = -1, err = 0;
		size_t len = 0;
		ssize_t n;

		for (d = 0; d < DEEP_LEVELS; d++) {
			char sc[sizeof(cg[0]) + 32];

			snprintf(cg[d], sizeof(cg[d]), "%s/%02d%s",
				 d ? cg[d - 1] : STRESS_ROOT "/deep", d, name);
			snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control",
				 d ? cg[d - 1] : STRESS_ROOT "/deep");
			if (write_line(sc, "+memory") || mkdir(cg[d], 0755)) {
				err = errno;
				break;
			}
		}
		if (d == DEEP_LEVELS && !enter_cg(cg[d - 1])) {
			sock = socket(AF_INET, SOCK_STREAM, 0);
			if (enter_cg(CG_ROOT))
				err = errno;
		}
		while (--d >= 0)
			if (rmdir(cg[d]) && !err)
				err = errno;
		if (err || sock < 0) {
			shared_error("deep: chain of %d: %s", DEEP_LEVELS,
				     strerror(err ? err : errno));
			__sync_fetch_and_add(&sh->deep_bad, 1);
			if (sock >= 0)
				close(sock);
			sleep_ms(100);
			continue;
		}
		/* Part of the listing read, then the chain let go. */
		fd = open(PROC_FILE, O_RDONLY);
		err = fd < 0 ? errno : 0;
		while (fd >= 0 && len + 4096 < LISTING_SIZE) {
			n = read(fd, buf + len, 1 + rnd_below(3000));
			if (n < 0)
				err = errno;
			if (n <= 0)
				break;
			if (sock >= 0) {
				close(sock);
				sock = -1;
			}
			len += n;
		}
		if (sock >= 0)
			close(sock);
		if (fd >= 0)
			close(fd);
		buf[len] = '\0';
		__sync_fetch_and_add(&sh->deep_rounds, 1);
		if (!err && strstr(buf, name))
			__sync_fetch_and_add(&sh->deep_listed, 1);
		read_judge("deep", buf, err, t0, &sh->deep_unloaded, &sh->deep_bad);
	}
	free(buf);
	_exit(0);
}

/* The stats file: every line, every value, or an error while unloaded. */
static void stress_stats_reader(void)
{
	prctl(PR_SET_NAME, "zs-stats");
	while (!sh->stop) {
		double t0 = now_secs();
		struct stats st;
		ssize_t n = read_file(STATS_FILE, st.buf, sizeof(st.buf));

		__sync_fetch_and_add(&sh->stat_reads, 1);
		if (n < 0 && unload_errno(-n) && unloaded_during(t0, now_secs())) {
			__sync_fetch_and_add(&sh->stat_unloaded, 1);
		} else if (n <= 0) {
			__sync_fetch_and_add(&sh->stat_bad, 1);
			shared_error("stats reader: %s%s", n ? strerror(-n) : "empty",
				     n && unload_errno(-n) ? " while the module was loaded" : "");
		} else if (stats_check(&st)) {
			__sync_fetch_and_add(&sh->stat_bad, 1);
			shared_error("stats reader: %s", diag);
		}
		sleep_ms(rnd_below(40));
	}
	_exit(0);
}

/* Run the tool once; its stderr tells a missing module from anything else. */
static void stress_tool(void)
{
	char err[1024];

	prctl(PR_SET_NAME, "zs-tool");
	while (!sh->stop) {
		double t0 = now_secs();
		int status, fd;
		pid_t pid;
		ssize_t n;

		fd = open("/tmp/zs-tool.err", O_RDWR | O_CREAT | O_TRUNC, 0600);
		pid = fork();
		if (!pid) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			dup2(fd, 2);
			execl(TOOL, TOOL, "-o", "0", "--path", "1", "1", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		n = pread(fd, err, sizeof(err) - 1, 0);
		close(fd);
		err[n > 0 ? n : 0] = '\0';
		__sync_fetch_and_add(&sh->tool_runs, 1);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			__sync_fetch_and_add(&sh->tool_ok, 1);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
			   (strstr(err, "not loaded") || strstr(err, "No such file") ||
			    strstr(err, "Input/output error") || strstr(err, "No such device")) &&
			   unloaded_during(t0, now_secs())) {
			__sync_fetch_and_add(&sh->tool_unloaded, 1);
		} else {
			__sync_fetch_and_add(&sh->tool_bad, 1);
			err[strcspn(err, "\n")] = '\0';
			shared_error("tool: status 0x%x: %s", status, err);
		}
		sleep_ms(50);
	}
	_exit(0);
}

static void stress_writer(void)
{
	static const char *const garbage[] = {
		"", "-1", "abc", "1 2", "0x10", "18446744073709551616", "\n",
		"99999999999999999999999999", "1\n\n", " 5", "+",
	};

	prctl(PR_SET_NAME, "zs-writer");
	while (!sh->stop) {
		bool valid = rnd_below(2);
		/* The debugfs file or the module parameter, validated alike. */
		bool param = rnd_below(2);
		double t0 = now_secs();
		char buf[64];
		const char *s;
		int fd, err = 0;
		ssize_t n;

		if (valid) {
			/* Small: the readers then see rows. */
			snprintf(buf, sizeof(buf), "%u%s", rnd_below(3),
				 rnd_below(2) ? "\n" : "");
			s = buf;
		} else {
			/*
			 * sysfs answers a write of no bytes with 0 before the
			 * module sees it: no empty write to the parameter.
			 */
			s = garbage[(param ? 1 : 0) +
				    rnd_below(sizeof(garbage) / sizeof(garbage[0]) - (param ? 1 : 0))];
		}
		fd = open(param ? PARAM_THRESH_FILE : THRESH_FILE, O_WRONLY);
		if (fd < 0) {
			err = errno;
		} else {
			sleep_ms(rnd_below(3));
			n = write(fd, s, strlen(s));
			if (n < 0)
				err = errno;
			close(fd);
		}
		if (unload_errno(err) && unloaded_during(t0, now_secs())) {
			/* Gone, or going: debugfs says ENXIO then. */
			__sync_fetch_and_add(&sh->writes_unloaded, 1);
		} else if (valid ? err != 0 : err != EINVAL) {
			__sync_fetch_and_add(&sh->writes_bad, 1);
			shared_error("writer: '%s' (%s, %s) gave %s", s,
				     valid ? "valid" : "garbage",
				     param ? "module parameter" : "debugfs",
				     err ? strerror(err) : "success");
		}
		__sync_fetch_and_add(valid ? &sh->writes_valid : &sh->writes_garbage, 1);
		if (param)
			__sync_fetch_and_add(&sh->writes_param, 1);
		sleep_ms(rnd_below(5));
	}
	_exit(0);
}

/*
 * A holders reader: open (one scan), read to EOF, close, in a loop; every
 * read well-formed; an open may fail with ENOENT and a read with EIO only
 * while the module was unloaded.
 */
static void stress_holders(bool slow)
{
	char *buf = malloc(HOLDERS_SIZE);

	prctl(PR_SET_NAME, slow ? "zs-hslow" : "zs-holders");
	rng_state ^= slow ? 0x9e3779b97f4a7c15ULL : 0xbf58476d1ce4e5b9ULL;
	/*
	 * A scan walks every page frame: at the storm's priority it may get
	 * a tenth of the CPUs, and holders_scan_ms then stops it half-way
	 * (seen with a walk of 2 s of CPU: 10 s, page kinds missed).  Ahead
	 * of the storm it completes, still concurrently with it.
	 */
	if (setpriority(PRIO_PROCESS, 0, -10))
		shared_error("holders reader: setpriority: %s", strerror(errno));
	while (buf && !sh->stop) {
		double t0 = now_secs();
		struct hread h;
		bool at_open;
		int ret = holders_once(buf, HOLDERS_SIZE, slow, &h, &at_open), k;

		__sync_fetch_and_add(&sh->h_reads, 1);
		if (ret == -EBADMSG) {
			__sync_fetch_and_add(&sh->h_bad, 1);
			shared_error("holders%s reader: %s", slow ? " slow" : "", diag);
		} else if (ret) {
			int err = -ret;

			if ((at_open ? err == ENOENT : err == EIO) &&
			    unloaded_during(t0, now_secs())) {
				__sync_fetch_and_add(&sh->h_unloaded, 1);
			} else {
				__sync_fetch_and_add(&sh->h_bad, 1);
				shared_error("holders%s reader: %s: %s%s", slow ? " slow" : "",
					     at_open ? "open" : "read", strerror(err),
					     unloaded_during(t0, now_secs()) ? "" :
					     " while the module was loaded");
			}
		} else {
			unsigned long slot = __sync_fetch_and_add(&sh->h_scans, 1);

			if (slot < (unsigned long)N_ELEMS(sh->h_log)) {
				sh->h_log[slot].t = now_secs() - sh->t0;
				sh->h_log[slot].zombies = h.zombies;
				sh->h_log[slot].ms = h.ms;
				sh->h_log[slot].lines = h.lines;
				sh->h_log[slot].stopped = h.stopped;
				__sync_fetch_and_add(&sh->h_nlog, 1);
			}
			if (h.zombies > 0)
				__sync_fetch_and_add(&sh->h_zombie_scans, 1);
			if (h.stopped)
				__sync_fetch_and_add(&sh->h_stopped, 1);
			__sync_fetch_and_add(&sh->h_lines, h.lines);
			for (k = 0; k <= (int)HK_N; k++)
				__sync_fetch_and_add(&sh->h_kinds[k], h.kinds[k]);
			if ((unsigned long)h.ms > sh->h_max_ms)
				sh->h_max_ms = h.ms;
		}
		/* A scan walks all of memory: leave the CPUs to the churn too. */
		sleep_ms(slow ? rnd_below(100) : 50 + rnd_below(200));
	}
	free(buf);
	_exit(0);
}

static void stress_holders_fast(void)
{
	stress_holders(false);
}

static void stress_holders_slow(void)
{
	stress_holders(true);
}

/*
 * Processes that hold zombies and exit: up to 3 at a time, each holding a
 * cgroup, removed at once, by a socket, anonymous memory and/or an unlinked
 * tmpfs file, for 0.3 to 3.3 s; the scans meet them as they exit.
 */
#define EXITERS		3

static void stress_exiter(void)
{
	pid_t kids[EXITERS] = { 0 };
	char cg[PATH_MAX], file[PATH_MAX];
	unsigned long n = 0;
	int i, status;

	prctl(PR_SET_NAME, "zs-exiter");
	rng_state ^= 0xd6e8feb86659fd93ULL;
	while (!sh->stop) {
		for (i = 0; i < EXITERS; i++) {
			unsigned int how;
			pid_t pid;

			if (kids[i] > 0 && waitpid(kids[i], &status, WNOHANG) == kids[i]) {
				kids[i] = 0;
				__sync_fetch_and_add(&sh->x_exited, 1);
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					__sync_fetch_and_add(&sh->x_errors, 1);
					shared_error("exiter: a holder ended with status 0x%x", status);
				}
			}
			if (kids[i] || sh->stop)
				continue;
			how = 1 + rnd_below(7);
			snprintf(cg, sizeof(cg), STRESS_ROOT "/x%lu", n);
			snprintf(file, sizeof(file), STRESS_FILES "/x%lu", n);
			n++;
			pid = spawn_holder(cg, how, 300 + rnd_below(3000), "zs-holder", file);
			if (pid < 0) {
				__sync_fetch_and_add(&sh->x_errors, 1);
				shared_error("exiter: holder of %s: %s", cg, strerror(-pid));
				continue;
			}
			kids[i] = pid;
			__sync_fetch_and_add(&sh->x_started, 1);
			__sync_fetch_and_add(&sh->x_sock, !!(how & HOLD_SOCK));
			__sync_fetch_and_add(&sh->x_anon, !!(how & HOLD_ANON));
			__sync_fetch_and_add(&sh->x_file, !!(how & HOLD_FILE));
			if (rmdir(cg)) {
				__sync_fetch_and_add(&sh->x_errors, 1);
				shared_error("exiter: rmdir %s: %s", cg, strerror(errno));
			}
		}
		sleep_ms(50);
	}
	for (i = 0; i < EXITERS; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			__sync_fetch_and_add(&sh->x_killed, 1);
		}
	}
	_exit(0);
}

/*
 * The reclaimer: in a loop, a file of 64 to 512 KB is made on the disk file
 * system (STRESS_DISK) from the root cgroup, written back and its data
 * dropped, so that its blocks and metadata are charged there; a child then
 * overwrites it inside a fresh cgroup (synced two times in three, else left
 * dirty) and exits; the cgroup is removed and a request for
 * its zombie (every fourth one: "all") written to /proc/zombiememcg_reclaim,
 * whose outcome is then read; the file must read back intact.  A request
 * may fail only with ENOENT (that zombie already freed) or, while the module
 * was unloaded, with the errors of a file going away.
 */
#define RECLAIM_FILE	"/proc/zombiememcg_reclaim"
#define STRESS_DISK	"/tmp/zstress-disk"

/* Whether STRESS_DISK is a mounted disk file system (run.sh mounts it). */
static bool stress_disk(void)
{
	struct stat st, up;

	return !stat(STRESS_DISK, &st) && !stat(STRESS_DISK "/..", &up) &&
	       st.st_dev != up.st_dev;
}

/*
 * Check one outcome read of the reclaim file (@buf, NUL-terminated): every
 * line "name value", the result one of the module's, and @want in "request"
 * unless the module may have been reloaded since.  0, or -1 with diag set.
 */
static int reclaim_outcome(char *buf, const char *want, bool reloaded)
{
	static const char *const results[] = {
		"complete", "stopped_by_reclaim_ms", "nothing_to_do_reparented"
	};
	bool seen_result = false, seen_request = false;
	unsigned long long dropped = 0, written = 0, skipped = 0;
	char *line, *save = NULL;
	int i;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[48], value[32], extra;
		unsigned long long v;

		if (sscanf(line, "%47s %31s %c", name, value, &extra) != 2) {
			fail_msg("reclaim outcome: line '%.80s'", line);
			return -1;
		}
		if (!strcmp(name, "request")) {
			seen_request = true;
			if (!reloaded && strcmp(value, want)) {
				fail_msg("reclaim outcome: request %s, %s was written", value, want);
				return -1;
			}
		} else if (!strcmp(name, "result")) {
			seen_result = true;
			for (i = 0; i < N_ELEMS(results) && strcmp(value, results[i]); i++)
				;
			if (i == N_ELEMS(results) && !(reloaded && !strcmp(value, "none"))) {
				fail_msg("reclaim outcome: result '%s'", value);
				return -1;
			}
			__sync_fetch_and_add(&sh->r_reparented, i == 2);
			__sync_fetch_and_add(&sh->r_stopped, i == 1);
		} else if (sscanf(value, "%llu%c", &v, &extra) != 1) {
			fail_msg("reclaim outcome: %s '%s' is not a number", name, value);
			return -1;
		} else if (!strcmp(name, "dropped_folios")) {
			dropped = v;
		} else if (!strcmp(name, "written_back_folios")) {
			written = v;
		} else if (!strncmp(name, "skipped_", 8) && strstr(name, "_folios")) {
			skipped += v;
		}
	}
	if (!seen_result || !seen_request) {
		fail_msg("reclaim outcome: no %s line", seen_result ? "request" : "result");
		return -1;
	}
	__sync_fetch_and_add(&sh->r_dropped, dropped);
	__sync_fetch_and_add(&sh->r_written, written);
	__sync_fetch_and_add(&sh->r_skipped, skipped);
	return 0;
}

/* One request @req for the reclaim file; 0 or -errno (of open or write). */
static int reclaim_request(const char *req)
{
	int fd = open(RECLAIM_FILE, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		err = -errno;
	close(fd);
	return err;
}

static void stress_reclaimer(void)
{
	static char buf[8192];
	unsigned long n;

	prctl(PR_SET_NAME, "zs-reclaim");
	rng_state ^= 0x94d049bb133111ebULL;
	for (n = 0; !sh->stop; n++) {
		char cg[PATH_MAX], file[PATH_MAX], req[32];
		size_t len = 65536 * (1 + rnd_below(8));
		bool sync = rnd_below(3), reloaded;
		int seed = (int)(n % 250);	/* the root's is 255 */
		unsigned long long id;
		int status, ret;
		double t0;
		ssize_t got;
		pid_t pid;

		snprintf(cg, sizeof(cg), STRESS_ROOT "/r%lu", n);
		snprintf(file, sizeof(file), STRESS_DISK "/r%lu", n);
		if (mkdir(cg, 0755)) {
			shared_error("reclaimer: mkdir %s: %s", cg, strerror(errno));
			__sync_fetch_and_add(&sh->r_bad, 1);
			break;
		}
		id = cgroup_id_of(cg);
		if (write_pattern(file, 0, len, 255, true) || drop_cache(file)) {
			shared_error("reclaimer: %s: %s", file, strerror(errno));
			__sync_fetch_and_add(&sh->r_bad, 1);
			break;
		}
		pid = fork();
		if (!pid)
			_exit(enter_cg(cg) || write_pattern(file, 0, len, seed, sync) ? 1 : 0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) || rmdir(cg)) {
			shared_error("reclaimer: the writer of %s in %s failed", file, cg);
			__sync_fetch_and_add(&sh->r_bad, 1);
			break;
		}
		__sync_fetch_and_add(&sh->r_rounds, 1);
		if (n % 4 == 3)
			snprintf(req, sizeof(req), "all");
		else
			snprintf(req, sizeof(req), "%llu", id);
		t0 = now_secs();
		ret = reclaim_request(req);
		__sync_fetch_and_add(&sh->r_requests, 1);
		__sync_fetch_and_add(&sh->r_all, !strcmp(req, "all"));
		if (!ret) {
			__sync_fetch_and_add(&sh->r_done, 1);
		} else if (ret == -ENOENT && strcmp(req, "all") && !unloaded_during(t0, now_secs())) {
			/* Freed already (or, through the reloads, not tracked: still ENOENT). */
			__sync_fetch_and_add(&sh->r_gone, 1);
		} else if (unload_errno(-ret) && unloaded_during(t0, now_secs())) {
			__sync_fetch_and_add(&sh->r_unloaded, 1);
		} else {
			shared_error("reclaimer: request %s: %s while the module was loaded",
				     req, strerror(-ret));
			__sync_fetch_and_add(&sh->r_bad, 1);
		}
		if (!ret) {
			got = read_file(RECLAIM_FILE, buf, sizeof(buf));
			reloaded = unloaded_during(t0, now_secs());
			if (got < 0 && !reloaded) {
				shared_error("reclaimer: outcome: %s", strerror((int)-got));
				__sync_fetch_and_add(&sh->r_bad, 1);
			} else if (got >= 0) {
				if (reclaim_outcome(buf, req, reloaded)) {
					shared_error("reclaimer: %s", diag);
					__sync_fetch_and_add(&sh->r_bad, 1);
				}
			}
		}
		if (check_pattern(file, 0, len, seed)) {
			__sync_fetch_and_add(&sh->r_intact, 1);
		} else {
			shared_error("reclaimer: %s (%zu bytes, %s) does not read back intact",
				     file, len, sync ? "synced" : "left dirty");
			__sync_fetch_and_add(&sh->r_bad, 1);
		}
		unlink(file);
		sleep_ms(rnd_below(200));
	}
	_exit(0);
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (!pid)
		fn();
	return pid;
}

/* One unload attempt, recorded for the readers; 0 or -errno. */
static int stress_unload(void)
{
	double t = now_secs();
	int ret;

	sh->busy = 1;
	__sync_synchronize();
	ret = unload_module();
	if (!ret && sh->naway < MAX_AWAY) {
		sh->away[sh->naway].begin = t;
		sh->away[sh->naway].end = 1e300;
		__sync_synchronize();
		sh->naway++;
		return 0;	/* still busy until loaded again */
	}
	__sync_synchronize();
	sh->busy = 0;
	return ret;
}

static int stress_load(void)
{
	int ret = load_module();

	if (!ret && sh->naway)
		sh->away[sh->naway - 1].end = now_secs();
	__sync_synchronize();
	sh->busy = 0;
	return ret;
}

/*
 * What the stress run waits for, beyond the workers' count: holder exits and
 * holders scans (with zombies).  They are counted, not timed, so that a slow
 * host runs longer instead of failing; STRESS_GRACE_SECS caps the wait.
 */
#define STRESS_MIN_EXITS		10
#define STRESS_MIN_SCANS		10
#define STRESS_MIN_ZOMBIE_SCANS		5
#define STRESS_MIN_RECLAIMS		10
#define STRESS_GRACE_SECS		120

static bool stress_enough(bool disk)
{
	return sh->x_exited >= STRESS_MIN_EXITS &&
	       sh->h_scans >= STRESS_MIN_SCANS &&
	       sh->h_zombie_scans >= STRESS_MIN_ZOMBIE_SCANS &&
	       (!disk || sh->r_done >= STRESS_MIN_RECLAIMS);
}

enum {
	ST_SETUP, ST_CHURN, ST_RELOADS, ST_READERS, ST_SLOW, ST_DEEP, ST_STATS, ST_TOOL,
	ST_WRITER, ST_EXITS, ST_HOLDERS, ST_HOLDERS_KINDS, ST_HOLDERS_UNLOAD,
	ST_RECLAIM, ST_HELD, ST_KINDS, ST_RELEASED, ST_FRESH, ST_FRESH_LISTED,
	ST_FRESH_GONE, ST_N
};

static const char *const stress_tests[ST_N] = {
	[ST_SETUP] = "stress: module loaded, cgroups set up",
	[ST_CHURN] = "stress: cgroups created and removed by concurrent workers (nested, some pinned)",
	[ST_RELOADS] = "stress: module unloaded and reloaded in the middle of it",
	[ST_READERS] = "stress: /proc readers: every read well-formed, no ID twice; errors only while the module was unloaded",
	[ST_SLOW] = "stress: slow /proc reader (small reads, parked between them): the same",
	[ST_DEEP] = "stress: 12-deep chains of 200-byte names freed while the listing builds their paths: the same",
	[ST_STATS] = "stress: stats readers: every line and value; errors only while the module was unloaded",
	[ST_TOOL] = "stress: zombiememcgstat ran concurrently, failing only while the module was unloaded",
	[ST_WRITER] = "stress: concurrent tunable writes (debugfs and the module parameter): valid accepted, garbage refused; errors only while unloaded",
	[ST_EXITS] = "stress: processes holding zombies (socket, anon pages, unlinked tmpfs file) exited during it: 10 or more, none failed",
	[ST_HOLDERS] = "stress: holders readers (one in one go, one slow) during churn, exits and reloads: every read header to footer well-formed; only ENOENT (open) or EIO (read) while unloaded; 10+ scans, 5+ with zombies",
	[ST_HOLDERS_KINDS] = "stress: the holders scans named socket, file and anon holders (file and anon before 7.x) during it",
	[ST_HOLDERS_UNLOAD] = "stress: each unload with a holders fd open returned within 30 s; the fd then read EIO and closed",
	[ST_RECLAIM] = "stress: reclaim requests (an ID, or all) for zombies of files written in them on a disk, during churn, scans and reloads: answered, ENOENT only for a zombie gone, unload errors only while unloaded; every outcome well-formed, every file intact; 10+ requests, page cache dropped before 7.x",
	[ST_HELD] = "stress: churn over, pins held: rows (older_than_secs=0) == nr_dying_subsys_memory == stats zombies",
	[ST_KINDS] = "stress: stats untracked == rows without creator, predating_zombies == rows flagged p",
	[ST_RELEASED] = "stress: all pins released: no dying memcg, no row, stats zombies 0",
	[ST_FRESH] = "stress: once quiet, 64 fresh zombies (+64 freed): rows == nr_dying_subsys_memory == 64",
	[ST_FRESH_LISTED] = "stress: each fresh zombie listed once with its creator; stats zombies 64, untracked 0",
	[ST_FRESH_GONE] = "stress: released: the rows go with the zombies",
};

/*
 * At quiescence: rows, the kernel's count and the stats agree, and the
 * stats' kinds match the rows'.  Retries while the kernel is still freeing.
 */
static bool stress_agree(double secs, bool *kinds_ok)
{
	double end = now_secs() + secs;
	long rows = -1, dying = -1, anon = 0, unseen = 0;
	long long zombies = -1, untracked = -1, predating = -1;

	*kinds_ok = false;
	for (;;) {
		struct stats st;
		struct rows rs;

		dying = nr_dying();
		if (!read_rows(&rs, ZMC_HEADER)) {
			rows = rs.n;
			count_kinds(&rs, &anon, &unseen);
			free_rows(&rs);
		}
		if (!stats_read(&st)) {
			zombies = stats_get(&st, "zombies");
			untracked = stats_get(&st, "untracked");
			predating = stats_get(&st, "predating_zombies");
		}
		if (rows == dying && zombies == dying && dying == nr_dying()) {
			*kinds_ok = untracked == anon && predating == unseen;
			if (*kinds_ok)
				break;
		}
		if (now_secs() > end)
			break;
		sleep_ms(500);
	}
	msg("stress: held: %ld rows (%ld without creator, %ld flagged p), nr_dying %ld; stats zombies %lld untracked %lld predating_zombies %lld\n",
	    rows, anon, unseen, dying, zombies, untracked, predating);
	fail_msg("%ld rows, nr_dying %ld, stats zombies %lld", rows, dying, zombies);
	return rows == dying && zombies == dying && rows >= 0;
}

static void print_stats(const char *who)
{
	struct stats st;
	char line[1024];
	int i, len = 0;

	if (stats_read(&st)) {
		msg("%s: stats unreadable\n", who);
		return;
	}
	for (i = 0; i < N_ELEMS(stat_names); i++) {
		char v[64] = "?";

		stat_string(stat_names[i], v, sizeof(v));
		len += snprintf(line + len, sizeof(line) - len, " %s %s",
				stat_names[i], v);
		if (len >= (int)sizeof(line))
			break;
	}
	msg("%s: stats:%s\n", who, line);
}

static int cmd_stress(int argc, char **argv)
{
	int workers = argc > 0 ? atoi(argv[0]) : 4;
	long per_worker = argc > 1 ? atol(argv[1]) : 150;
	int reloads = argc > 2 ? atoi(argv[2]) : 10;
	double secs = argc > 3 ? atof(argv[3]) : 100;
	pid_t pids[32], helpers[12];
	int nhelpers = 0, i, done_reloads = 0, ret, major = 0, minor = 0;
	double t0 = now_secs(), deadline = t0 + secs, t_churn;
	long rows, dying;
	char dir[PATH_MAX];
	bool ok, kinds, disk = stress_disk();
	struct batch b;

	plan(stress_tests, ST_N);
	if (workers > 32)
		workers = 32;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return abandon("stress: no shared memory");
	memset(sh, 0, sizeof(*sh));
	sh->t0 = t0;
	ret = ensure_loaded();
	fail_msg("load %s: %s", module_path, strerror(-ret));
	mkdir(STRESS_FILES, 0700);
	if (!ret && ((mkdir(STRESS_ROOT, 0755) && errno != EEXIST) ||
		     write_line(STRESS_ROOT "/cgroup.subtree_control", "+memory"))) {
		fail_msg("cannot set up %s: %s", STRESS_ROOT, strerror(errno));
		ret = -EIO;
	}
	for (i = 0; !ret && i < workers; i++) {
		snprintf(dir, sizeof(dir), STRESS_ROOT "/w%d", i);
		if ((mkdir(dir, 0755) && errno != EEXIST) ||
		    write_line(strcat(dir, "/cgroup.subtree_control"), "+memory")) {
			fail_msg("cannot set up %s: %s", dir, strerror(errno));
			ret = -EIO;
		}
	}
	result(!ret, ST_SETUP);
	if (ret)
		return abandon("stress: not set up");
	msg("stress: %d workers x %ld cgroups, %d reloads, 2 /proc readers (one slow), a reader of 12-deep chains freed under it, 2 holders readers (one slow), a stats reader, the tool, a tunable writer, %d exiting holders at a time; bound %.0f s\n",
	    workers, per_worker, reloads, EXITERS, secs);
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (!pids[i])
			stress_worker(i, per_worker, deadline);
	}
	helpers[nhelpers++] = spawn(stress_reader);
	helpers[nhelpers++] = spawn(stress_slow_reader);
	helpers[nhelpers++] = spawn(stress_deep);
	helpers[nhelpers++] = spawn(stress_stats_reader);
	helpers[nhelpers++] = spawn(stress_tool);
	helpers[nhelpers++] = spawn(stress_writer);
	helpers[nhelpers++] = spawn(stress_holders_fast);
	helpers[nhelpers++] = spawn(stress_holders_slow);
	helpers[nhelpers++] = spawn(stress_exiter);
	if (disk)
		helpers[nhelpers++] = spawn(stress_reclaimer);

	/*
	 * Reload the module in the middle of it: reload i once the workers
	 * have created (i + 1) / (reloads + 1) of their cgroups.  Ahead of
	 * the storm, as the holders readers: its holders fd's scan too.
	 */
	setpriority(PRIO_PROCESS, 0, -10);
	for (i = 0; i < reloads; i++) {
		unsigned long target = (unsigned long)workers * per_worker *
				       (i + 1) / (reloads + 1);
		double at = t0 + secs * (i + 1) / (reloads + 1), end, tu;
		char hbuf[64];
		ssize_t hn, hn2;
		int hfd, herr;

		/* Whichever comes first: the workers' progress, or the clock. */
		while (sh->chains < target && now_secs() < at)
			sleep_ms(20);
		/* A holders fd, its scan done and partly read, kept across the unload. */
		hfd = open(HOLDERS_FILE, O_RDONLY);
		herr = hfd < 0 ? errno : 0;
		hn = hfd < 0 ? -1 : read(hfd, hbuf, sizeof(hbuf));
		/* A stats reader holds a module reference while it reads. */
		end = now_secs() + 10;
		for (;;) {
			tu = now_secs();
			ret = stress_unload();
			tu = now_secs() - tu;
			if (tu > sh->unload_max)
				sh->unload_max = tu;
			if ((ret != -EAGAIN && ret != -EBUSY) || now_secs() > end)
				break;
			sleep_ms(5);
		}
		if (!ret) {
			hn2 = hfd < 0 ? 0 : read(hfd, hbuf, sizeof(hbuf));
			if (hfd >= 0 && hn > 0 && hn2 < 0 && errno == EIO && !close(hfd)) {
				sh->held_ok++;
			} else {
				sh->held_bad++;
				shared_error("reload %d: holders fd: open %s, read %zd before the unload, %zd (%s) after",
					     i, herr ? strerror(herr) : "ok", hn, hn2,
					     hn2 < 0 ? strerror(errno) : "no error");
				if (hfd >= 0)
					close(hfd);
			}
		} else if (hfd >= 0) {
			close(hfd);
		}
		if (ret) {
			shared_error("reload %d: unload: %s", i, strerror(-ret));
			break;
		}
		sleep_ms(rnd_below(300));
		ret = stress_load();
		if (ret) {
			shared_error("reload %d: load: %s", i, strerror(-ret));
			break;
		}
		done_reloads++;
	}
	setpriority(PRIO_PROCESS, 0, 0);
	/*
	 * Let the workers finish their count and the exiting holders and the
	 * holders readers reach theirs: the bound ends the churn, and the
	 * exits and scans get STRESS_GRACE_SECS more on a starved host.
	 */
	while ((sh->chains < (unsigned long)workers * per_worker ||
		!stress_enough(disk)) && now_secs() < deadline)
		sleep_ms(100);
	while (!stress_enough(disk) && now_secs() < deadline + STRESS_GRACE_SECS)
		sleep_ms(100);
	t_churn = now_secs() - t0;
	sh->stop_churn = 1;
	sh->stop = 1;
	/* Each worker finishes the chain it is in. */
	for (i = 0; i < 600 && sh->idle < workers; i++)
		sleep_ms(100);
	for (i = 0; i < nhelpers; i++)
		waitpid(helpers[i], NULL, 0);
	if (!module_loaded()) {
		sh->busy = 0;
		ensure_loaded();
	}

	msg("stress: %.1f s: %lu cgroups created, %lu removed, in %lu chains (%lu nested, depth up to %lu); pins: %lu sockets, %lu tmpfs files, %lu released so far; %d/%d reloads\n",
	    t_churn, sh->created, sh->removed, sh->chains, sh->nested, sh->max_depth,
	    sh->pinned_sock, sh->pinned_file, sh->released, done_reloads, reloads);
	msg("stress: /proc reader: %lu reads (%lu met an unload), %lu rows parsed, %lu bad; slow reader: %lu reads in %lu chunks (%lu met an unload), %lu bad; IDs listed twice: %lu\n",
	    sh->reads, sh->reads_unloaded, sh->rows_seen, sh->reads_bad,
	    sh->slow_reads, sh->slow_chunks, sh->slow_unloaded, sh->slow_bad,
	    sh->dup_rows);
	msg("stress: deep chains: %lu reads (%lu met an unload, %lu showed the chain), %lu bad\n",
	    sh->deep_rounds, sh->deep_unloaded, sh->deep_listed, sh->deep_bad);
	msg("stress: stats reader: %lu reads (%lu met an unload), %lu bad; tool: %lu runs, %lu ok, %lu met an unload, %lu bad; tunable: %lu valid + %lu garbage writes (%lu to the module parameter), %lu met an unload, %lu wrong\n",
	    sh->stat_reads, sh->stat_unloaded, sh->stat_bad,
	    sh->tool_runs, sh->tool_ok, sh->tool_unloaded, sh->tool_bad,
	    sh->writes_valid, sh->writes_garbage, sh->writes_param,
	    sh->writes_unloaded, sh->writes_bad);
	msg("stress: holders readers: %lu reads (%lu met an unload), %lu bad; %lu scans completed, %lu with zombies, the longest %lu ms; %lu lines: socket %lu file %lu anon %lu swap %lu other %lu, new kinds %lu\n",
	    sh->h_reads, sh->h_unloaded, sh->h_bad, sh->h_scans, sh->h_zombie_scans,
	    sh->h_max_ms, sh->h_lines, sh->h_kinds[0], sh->h_kinds[1], sh->h_kinds[2],
	    sh->h_kinds[3], sh->h_kinds[4], sh->h_kinds[HK_N]);
	{
		char log[48 * 24] = "";
		size_t len = 0;
		unsigned long k;

		for (k = 0; k < sh->h_nlog && k < (unsigned long)N_ELEMS(sh->h_log); k++)
			len += snprintf(log + len, sizeof(log) - len, " %.0fs:%d/%dms%s",
					sh->h_log[k].t, sh->h_log[k].zombies, sh->h_log[k].ms,
					sh->h_log[k].stopped ? "!" : "");
		msg("stress: holders scans (at: zombies/duration, ! stopped by holders_scan_ms): %lu stopped;%s\n",
		    sh->h_stopped, log);
	}
	msg("stress: exiting holders: %lu started (socket %lu, anon %lu, tmpfs file %lu), %lu exited, %lu killed at the end, %lu errors; holders fd across unloads: %lu ok, %lu bad; the longest unload %.2f s\n",
	    sh->x_started, sh->x_sock, sh->x_anon, sh->x_file, sh->x_exited,
	    sh->x_killed, sh->x_errors, sh->held_ok, sh->held_bad, sh->unload_max);
	if (disk)
		msg("stress: reclaimer: %lu files written in zombies, %lu requests (%lu all): %lu done, %lu for a zombie already gone, %lu met an unload, %lu bad; outcomes: %lu nothing to do (reparented), %lu stopped by reclaim_ms; %lu folios dropped, %lu written back, %lu skipped; %lu files intact\n",
		    sh->r_rounds, sh->r_requests, sh->r_all, sh->r_done, sh->r_gone,
		    sh->r_unloaded, sh->r_bad, sh->r_reparented, sh->r_stopped,
		    sh->r_dropped, sh->r_written, sh->r_skipped, sh->r_intact);
	if (sh->first_error[0])
		msg("stress: first error: %s\n", sh->first_error);

	fail_msg("%lu worker errors; created %lu removed %lu", sh->worker_errors,
		 sh->created, sh->removed);
	result(!sh->worker_errors && sh->created && sh->created == sh->removed,
	       ST_CHURN);
	fail_msg("%d of %d reloads", done_reloads, reloads);
	result(done_reloads == reloads, ST_RELOADS);
	fail_msg("%lu bad reads of %lu", sh->reads_bad, sh->reads);
	result(!sh->reads_bad && sh->reads > sh->reads_unloaded, ST_READERS);
	fail_msg("%lu bad reads of %lu", sh->slow_bad, sh->slow_reads);
	result(!sh->slow_bad && sh->slow_reads > sh->slow_unloaded, ST_SLOW);
	fail_msg("%lu bad reads of %lu", sh->deep_bad, sh->deep_rounds);
	result(!sh->deep_bad && sh->deep_rounds > sh->deep_unloaded, ST_DEEP);
	fail_msg("%lu bad reads of %lu", sh->stat_bad, sh->stat_reads);
	result(!sh->stat_bad && sh->stat_reads > sh->stat_unloaded, ST_STATS);
	fail_msg("%lu bad runs of %lu", sh->tool_bad, sh->tool_runs);
	result(!sh->tool_bad && sh->tool_ok, ST_TOOL);
	fail_msg("%lu wrong answers of %lu writes", sh->writes_bad,
		 sh->writes_valid + sh->writes_garbage);
	result(!sh->writes_bad && sh->writes_valid && sh->writes_garbage &&
	       sh->writes_param && sh->writes_param < sh->writes_valid + sh->writes_garbage, ST_WRITER);
	fail_msg("%lu holder processes exited, %lu errors", sh->x_exited, sh->x_errors);
	result(!sh->x_errors && sh->x_exited >= STRESS_MIN_EXITS, ST_EXITS);
	fail_msg("%lu bad holders reads of %lu; %lu scans completed, %lu with zombies",
		 sh->h_bad, sh->h_reads, sh->h_scans, sh->h_zombie_scans);
	result(!sh->h_bad && sh->h_scans >= STRESS_MIN_SCANS &&
	       sh->h_zombie_scans >= STRESS_MIN_ZOMBIE_SCANS, ST_HOLDERS);
	kernel_version(&major, &minor);
	fail_msg("holder lines seen: socket %lu, file %lu, anon %lu (kernel %d.%d)",
		 sh->h_kinds[0], sh->h_kinds[1], sh->h_kinds[2], major, minor);
	result(sh->h_kinds[0] && (major >= 7 || (sh->h_kinds[1] && sh->h_kinds[2])),
	       ST_HOLDERS_KINDS);
	fail_msg("%lu of %d unloads with a holders fd open: fd ok; %lu bad; the longest unload %.2f s",
		 sh->held_ok, done_reloads, sh->held_bad, sh->unload_max);
	result(done_reloads == reloads && sh->held_ok == (unsigned long)reloads &&
	       !sh->held_bad && sh->unload_max < 30, ST_HOLDERS_UNLOAD);
	if (!disk) {
		result_skip(ST_RECLAIM, "no disk file system at " STRESS_DISK " (run.sh mounts /dev/vda there)");
	} else {
		fail_msg("%lu bad of %lu requests (%lu done); %lu of %lu files intact; %lu folios dropped (kernel %d.%d)",
			 sh->r_bad, sh->r_requests, sh->r_done, sh->r_intact, sh->r_rounds,
			 sh->r_dropped, major, minor);
		result(!sh->r_bad && sh->r_done >= STRESS_MIN_RECLAIMS &&
		       sh->r_intact == sh->r_rounds &&
		       (major >= 7 ? sh->r_reparented > 0 : sh->r_dropped > 0), ST_RECLAIM);
	}

	/*
	 * The churn is over and the workers hold their pins: every zombie,
	 * whatever reload it predates, is listed.
	 */
	set_threshold("0");
	ok = stress_agree(90, &kinds);
	result(ok, ST_HELD);
	fail_msg("stats kinds disagree with the rows (see above)");
	result(ok && kinds, ST_KINDS);
	print_stats("stress");

	/* Everything released: the kernel frees every zombie. */
	sh->release = 1;
	for (i = 0; i < workers; i++)
		waitpid(pids[i], NULL, 0);
	ok = wait_dying(0, 120);
	ok = wait_agree(0, 30, &rows, &dying) && ok;
	fail_msg("after release: %ld rows, nr_dying %ld, stats zombies %lld", rows,
		 dying, stat_value("zombies"));
	result(ok && stat_value("zombies") == 0, ST_RELEASED);

	/* Made after the last load, once quiet: the counts agree exactly. */
	memset(&b, 0, sizeof(b));
	ret = make_batch(&b, STRESS_ROOT "/final", 64, 64, "zs-final");
	ok = !ret && wait_agree(64, 60, &rows, &dying);
	fail_msg("64 pinned + 64 unpinned: %ld rows, nr_dying %ld (%s)", rows,
		 dying, ret ? strerror(-ret) : "made");
	result(ok, ST_FRESH);
	ok = batch_listed(&b, true);
	if (ok && (stat_value("zombies") != 64 || stat_value("untracked") != 0)) {
		fail_msg("stats zombies %lld untracked %lld", stat_value("zombies"),
			 stat_value("untracked"));
		ok = false;
	}
	result(ok, ST_FRESH_LISTED);
	release_batch(&b);
	ok = wait_dying(0, 120);
	ok = wait_agree(0, 30, &rows, &dying) && ok;
	fail_msg("%ld rows, nr_dying %ld", rows, dying);
	result(ok, ST_FRESH_GONE);
	rmdir(STRESS_ROOT "/final");
	for (i = 0; i < workers; i++) {
		snprintf(dir, sizeof(dir), STRESS_ROOT "/w%d", i);
		rmdir(dir);
	}
	rmdir(STRESS_ROOT);
	set_threshold("30");
	msg("stress: done in %.1f s\n", now_secs() - t0);
	return finished();
}

/* ------------------------------------------------------------ fault */

/* /proc/thread-self/fail-nth: fail this thread's Nth allocation (0: none). */
static int fail_nth_set(int fd, int nth)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%d", nth);

	return pwrite(fd, v, len, 0) == len ? 0 : -errno;
}

static int fail_nth_get(int fd)
{
	char v[16];
	ssize_t n = pread(fd, v, sizeof(v) - 1, 0);

	if (n <= 0)
		return -1;
	v[n] = '\0';
	return atoi(v);
}

static int fs_write(const char *name, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), FAILSLAB "/%s", name);
	return write_line(path, val);
}

/*
 * failslab on, on demand only (fail-nth), for allocations with a return
 * address in [@start, @end) on the stack.
 */
static void failslab_filter(unsigned long start, unsigned long end)
{
	char v[32];

	fs_write("probability", "0");
	fs_write("cache-filter", "N");
	fs_write("ignore-gfp-wait", "N");
	fs_write("verbose", "0");
	fs_write("stacktrace-depth", "32");
	snprintf(v, sizeof(v), "%lu", start);
	fs_write("require-start", v);
	snprintf(v, sizeof(v), "%lu", end);
	fs_write("require-end", v);
}

/* The module's text, from /proc/kallsyms: [lo, hi). */
static int module_text(unsigned long *lo, unsigned long *hi)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256], mod[64];
	unsigned long a;

	*lo = ULONG_MAX;
	*hi = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s [%63[^]]]", &a, &type, name, mod) != 4)
			continue;
		if (strcmp(mod, MODULE_NAME) || (type != 't' && type != 'T'))
			continue;
		if (a < *lo)
			*lo = a;
		if (a > *hi)
			*hi = a;
	}
	fclose(f);
	if (*lo == ULONG_MAX || !*lo)
		return -ENOENT;
	*hi += 4096;	/* past the start of the last function */
	return 0;
}

static int failslab_setup(unsigned long lo, unsigned long hi, int percent,
			  bool all_gfp)
{
	char v[32];
	int ret = 0;

	ret |= fs_write("probability", "0");
	ret |= fs_write("interval", "1");
	ret |= fs_write("times", "-1");
	ret |= fs_write("space", "0");
	ret |= fs_write("verbose", "0");
	ret |= fs_write("task-filter", "N");
	/* Every cache (the records have one of their own): the stack decides. */
	ret |= fs_write("cache-filter", "N");
	ret |= fs_write("ignore-gfp-wait", all_gfp ? "N" : "Y");
	ret |= fs_write("stacktrace-depth", "32");
	snprintf(v, sizeof(v), "%lu", lo);
	ret |= fs_write("require-start", v);
	snprintf(v, sizeof(v), "%lu", hi);
	ret |= fs_write("require-end", v);
	snprintf(v, sizeof(v), "%d", percent);
	ret |= fs_write("probability", v);
	return ret;
}

static void failslab_off(void)
{
	fs_write("probability", "0");
	fs_write("require-start", "0");
	fs_write("require-end", "18446744073709551615");
	fs_write("reject-start", "0");
	fs_write("reject-end", "0");
	fs_write("cache-filter", "N");
	fs_write("ignore-gfp-wait", "Y");
}

enum {
	FT_SETUP, FT_MADE, FT_COUNTED, FT_LISTED, FT_IDENTITY, FT_AGREE,
	FT_READS, FT_HOLDERS, FT_RELEASED, FT_AFTER, FT_N
};

static const char *const fault_tests[FT_N] = {
	[FT_SETUP] = "fault: failslab available, module loaded, its text range found for the stack-trace filter",
	[FT_MADE] = "fault: cgroups made and removed while the module's allocations fail",
	[FT_COUNTED] = "fault: injected failures counted in stats alloc_failures",
	[FT_LISTED] = "fault: every zombie listed exactly once, never with another's creator",
	[FT_IDENTITY] = "fault: alloc_failures == zombies without creator + zombies without any record (FLAGS p)",
	[FT_AGREE] = "fault: rows == nr_dying_subsys_memory == stats zombies; stats untracked == rows without creator",
	[FT_READS] = "fault: /proc/zombiememcg and stats read under injection of every module allocation: success or ENOMEM",
	[FT_HOLDERS] = "fault: holders open with its Nth allocation failing, every N (fail-nth): ENOMEM at open, or a full well-formed scan of every zombie; then a clean open",
	[FT_RELEASED] = "fault: released: rows and records back to where they were (no pin leaked by a failed scan)",
	[FT_AFTER] = "fault: after injection, new zombies tracked with their creator",
};

static int cmd_fault(int argc, char **argv)
{
	int n = argc > 0 ? atoi(argv[0]) : 150;
	int percent = argc > 1 ? atoi(argv[1]) : 40;
	long long f0, f1, records0;
	unsigned long lo = 0, hi = 0;
	long dying0, rows, dying, anon_all, unseen_all;
	int ret, i, full = 0, anon = 0, anon_p = 0, absent = 0, wrong = 0;
	int reads_ok = 0, reads_enomem = 0, reads_bad = 0;
	int stats_ok = 0, stats_enomem = 0, stats_bad = 0;
	struct stats st;
	struct batch b;
	struct rows rs;
	bool ok;

	plan(fault_tests, FT_N);
	ret = ensure_loaded();
	fail_msg("load: %s", strerror(-ret));
	if (!ret && access(FAILSLAB "/probability", W_OK)) {
		fail_msg("no %s (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)", FAILSLAB);
		ret = -ENOENT;
	}
	if (!ret) {
		ret = module_text(&lo, &hi);
		fail_msg("no text symbols of %s in /proc/kallsyms: %s", MODULE_NAME,
			 strerror(-ret));
	}
	/* The parent first: its own record is not part of the count. */
	if (!ret && ((mkdir(CG_ROOT "/zfault", 0755) && errno != EEXIST) ||
		     enable_memory(CG_ROOT "/zfault"))) {
		fail_msg("cannot set up %s/zfault: %s", CG_ROOT, strerror(errno));
		ret = -EIO;
	}
	result(!ret, FT_SETUP);
	if (ret)
		return abandon("fault: not set up");
	msg("fault: failslab on every slab cache, stack-trace filter on the module's text [%#lx, %#lx), %d%%, %d pinned cgroups\n",
	    lo, hi, percent, n);
	set_threshold("0");
	wait_dying(0, 60);
	dying0 = nr_dying();
	f0 = stat_value("alloc_failures");
	records0 = stat_value("records");
	if (failslab_setup(lo, hi, percent, false)) {
		failslab_off();
		fail_msg("cannot configure %s", FAILSLAB);
		result(false, FT_MADE);
		return abandon("fault: failslab not configured");
	}
	memset(&b, 0, sizeof(b));
	if (n > 256)
		n = 256;
	ret = make_batch(&b, CG_ROOT "/zfault", n, 0, "zf-holder");
	/* The offline probes run in a kworker, after rmdir: let them. */
	ok = !ret && wait_dying(dying0 + n, 60);
	sleep_ms(1000);
	failslab_off();
	f1 = stat_value("alloc_failures");
	fail_msg("making %d zombies under injection: %s; nr_dying %ld (want %ld)",
		 n, ret ? strerror(-ret) : "ok", nr_dying(), dying0 + n);
	result(ok, FT_MADE);
	fail_msg("alloc_failures %lld -> %lld", f0, f1);
	result(f1 - f0 > 0, FT_COUNTED);

	ret = read_rows(&rs, ZMC_HEADER);
	if (ret) {
		if (ret != -EBADMSG)
			fail_msg("read listing: %s", strerror(-ret));
		result(false, FT_LISTED);
		release_batch(&b);
		return abandon("fault: listing unreadable after injection");
	}
	count_kinds(&rs, &anon_all, &unseen_all);
	for (i = 0; i < b.n; i++) {
		int seen = 0, how = 0;
		size_t j;

		for (j = 0; j < rs.n; j++) {
			const struct row *r = &rs.v[j];

			if (r->id != b.ids[i])
				continue;
			seen++;
			if (r->pid == b.pid && !strcmp(r->comm, b.comm) &&
			    !strcmp(r->flags, "-"))
				how = 1;
			else if (!r->pid && !strcmp(r->comm, "-"))
				how = strchr(r->flags, 'p') ? 3 : 2;
			else
				how = 4;
		}
		if (seen != 1 || how == 4) {
			if (!wrong)
				msg("fault: id %llu listed %d times (kind %d)\n", b.ids[i], seen, how);
			wrong++;
			absent += !seen;
		} else if (how == 1) {
			full++;
		} else if (how == 2) {
			anon++;
		} else {
			anon_p++;
		}
	}
	free_rows(&rs);
	msg("fault: alloc_failures %lld -> %lld (+%lld); of %d zombies: %d listed with their creator, %d without (online lost), %d without any record, FLAGS p (online and offline lost), %d absent, %d wrong\n",
	    f0, f1, f1 - f0, n, full, anon, anon_p, absent, wrong);
	fail_msg("%d of %d zombies absent or listed wrongly", wrong, n);
	result(!wrong, FT_LISTED);
	fail_msg("alloc_failures +%lld, but %d without creator + 2 x %d without record = %d",
		 f1 - f0, anon, anon_p, anon + 2 * anon_p);
	result(!wrong && f1 - f0 == anon + 2 * anon_p, FT_IDENTITY);
	ok = !stats_read(&st);
	rows = count_rows(ZMC_HEADER);
	dying = nr_dying();
	fail_msg("%ld rows, nr_dying %ld (%ld before + %d), stats zombies %lld, untracked %lld (rows without creator %ld)",
		 rows, dying, dying0, n, stats_get(&st, "zombies"),
		 stats_get(&st, "untracked"), anon_all);
	result(ok && rows == dying && dying == dying0 + n &&
	       stats_get(&st, "zombies") == dying &&
	       stats_get(&st, "untracked") == anon_all, FT_AGREE);

	/* Reads under injection of every module allocation, GFP_KERNEL too. */
	expect_alloc_reports(true);
	failslab_setup(lo, hi, 50, true);
	for (i = 0; i < 100; i++) {
		struct rows r2;
		ssize_t len;

		ret = read_rows(&r2, ZMC_HEADER);
		if (!ret) {
			reads_ok++;
			free_rows(&r2);
		} else if (ret == -ENOMEM) {
			reads_enomem++;
		} else {
			reads_bad++;
		}
		len = read_file(STATS_FILE, st.buf, sizeof(st.buf));
		if (len > 0 && !stats_check(&st))
			stats_ok++;
		else if (len == -ENOMEM)
			stats_enomem++;
		else
			stats_bad++;
	}
	failslab_off();
	expect_alloc_reports(false);
	/*
	 * The stats file rarely fails here: its open is single_open()
	 * tail-called (no module frame on the stack) and its array of names
	 * (16 KiB) comes from the page allocator, out of failslab's reach.
	 */
	msg("fault: 100 reads of each with 50%% of the module's allocations failing: /proc %d ok, %d ENOMEM, %d other; stats %d ok, %d ENOMEM, %d other\n",
	    reads_ok, reads_enomem, reads_bad, stats_ok, stats_enomem, stats_bad);
	fail_msg("%d /proc and %d stats reads failed otherwise than ENOMEM", reads_bad, stats_bad);
	result(!reads_bad && reads_ok && !stats_bad && stats_ok && reads_enomem + stats_enomem,
	       FT_READS);

	/*
	 * The holders file's open with its Nth allocation failing (fail-nth,
	 * the stack-trace filter on the module's text), N = 1, 2, ... until an
	 * open consumes no failure: every allocation of a scan (the scan, the
	 * zombies' array, the socket and file records, the seq_file) fails
	 * once, the zombies pinned or not yet.  A failed open must drop every
	 * pin: FT_RELEASED finds a leaked one, a zombie never freed.
	 */
	{
		char *hbuf = malloc(HOLDERS_SIZE), outcomes[96] = "";
		int fd = open("/proc/thread-self/fail-nth", O_RDWR), nth, left;
		int h_full = 0, h_tolerated = 0, h_enomem = 0, h_bad = 0;
		long want = nr_dying();
		bool at_open, done = false;
		double th = now_secs();
		struct hread h;

		failslab_filter(lo, hi);
		expect_alloc_reports(true);
		for (nth = 1; fd >= 0 && hbuf && nth <= 80 && !done; nth++) {
			char o;

			if (fail_nth_set(fd, nth)) {
				msg("fault: cannot write %d to fail-nth\n", nth);
				h_bad++;
				break;
			}
			ret = holders_once(hbuf, HOLDERS_SIZE, false, &h, &at_open);
			left = fail_nth_get(fd);
			fail_nth_set(fd, 0);
			if (!ret && h.zombies == want) {
				/* no failure left (done), or one it lives with */
				o = left ? '.' : 'L';
				done = left != 0;
				h_full += done;
				h_tolerated += !done;
			} else if (!left && ret == -ENOMEM && at_open) {
				o = 'F';
				h_enomem++;
			} else {
				o = 'X';
				if (!h_bad)
					msg("fault: holders open with allocation %d failing (%s): %s\n",
					    nth, left ? "not injected" : "injected",
					    ret == -EBADMSG ? diag : !ret ? "a scan of fewer zombies than dying" :
					    strerror(-ret));
				if (!ret)
					msg("fault: %ld zombies scanned, %ld dying\n", h.zombies, want);
				h_bad++;
				done = left != 0;
			}
			if (nth < (int)sizeof(outcomes))
				outcomes[nth - 1] = o;
		}
		expect_alloc_reports(false);
		failslab_off();
		if (fd >= 0)
			close(fd);
		free(hbuf);
		msg("fault: holders opens with the Nth allocation failing, N = 1 to %d, in %.1f s: %d ENOMEM at open, %d full scans despite it, %d other; then %s\n",
		    nth - 1, now_secs() - th, h_enomem, h_tolerated, h_bad,
		    h_full ? "a full scan with no failure left" : "no clean open");
		msg("fault: holders by N (F ENOMEM, L full scan anyway, . no failure left, X wrong): %s\n",
		    outcomes);
		fail_msg("%d holders opens neither ENOMEM nor a full scan of the %ld zombies; %d ENOMEM; %s",
			 h_bad, want, h_enomem, fd < 0 ? "no fail-nth" : done ? "swept" : "not swept to the end");
		result(hbuf && fd >= 0 && !h_bad && h_enomem && h_full, FT_HOLDERS);
	}

	/* Healthy afterwards: everything freed, and tracked again. */
	release_batch(&b);
	ok = wait_dying(dying0, 120) && wait_agree(dying0, 30, &rows, &dying);
	/* The free callbacks come an RCU grace period after the release. */
	for (i = 0; i < 150 && stat_value("records") != records0; i++)
		sleep_ms(200);
	fail_msg("after release: %ld rows, nr_dying %ld (want %ld), records %lld (were %lld)",
		 rows, dying, dying0, stat_value("records"), records0);
	result(ok && stat_value("records") == records0, FT_RELEASED);
	memset(&b, 0, sizeof(b));
	ret = make_batch(&b, CG_ROOT "/zfault", 8, 0, "zf-after");
	ok = !ret && wait_agree(dying0 + 8, 30, &rows, &dying) && batch_listed(&b, true);
	result(ok, FT_AFTER);
	release_batch(&b);
	wait_dying(dying0, 120);
	rmdir(CG_ROOT "/zfault");
	print_stats("fault");
	set_threshold("30");
	return finished();
}

/* ------------------------------------------------------------ lifecycle */

#define LIFE_ROOT	CG_ROOT "/zlife"
/* The module area on x86-64 ends here (MODULES_END); fixmap above. */
#define MODULES_END_X86	0xffffffffff000000UL

enum {
	LC_SETUP, LC_DISARMED_FREE, LC_DISARMED_NEW, LC_REARMED, LC_REARMED_GONE,
	LC_PARKED, LC_RMMOD, LC_READ_AFTER, LC_SWEEP, LC_CLEAN_LOAD,
	LC_HOLDERS_RMMOD, LC_N
};

static const char *const lifecycle_tests[LC_N] = {
	[LC_SETUP] = "lifecycle: module loaded, no zombie left over, kprobes switchable",
	[LC_DISARMED_FREE] = "lifecycle: kprobes disarmed: 20 zombies freed unseen (nr_dying -20, stats freed unchanged)",
	[LC_DISARMED_NEW] = "lifecycle: kprobes disarmed: 8 zombies made unseen, listed with creator unknown, FLAGS p",
	[LC_REARMED] = "lifecycle: kprobes re-armed: 20 reads of /proc and stats: no row for a freed memcg, rows == nr_dying_subsys_memory == stats zombies",
	[LC_REARMED_GONE] = "lifecycle: the rest released: no row, no dying memcg",
	[LC_PARKED] = "lifecycle: a reader stopped after 512 bytes pins the zombie it parked on: of 20 released, 19 freed, the one left listed after those bytes",
	[LC_RMMOD] = "lifecycle: rmmod with that reader's fd open succeeds and frees the parked zombie",
	[LC_READ_AFTER] = "lifecycle: the open fd reads EIO after rmmod and closes cleanly",
	[LC_SWEEP] = "lifecycle: insmod with its Nth allocation failing, every N (failslab fail-nth): a clean errno and nothing left, or a working module",
	[LC_CLEAN_LOAD] = "lifecycle: a clean load after the sweep tracks new zombies with their creator",
	[LC_HOLDERS_RMMOD] = "lifecycle: rmmod while a holders scan runs (zombies held by sockets, anon and file pages), 6 times: rmmod returns within 30 s; the open fails ENOENT, or its read completes well-formed or fails EIO; at least once rmmod began mid-scan",
};

static int kprobes_enable(bool on)
{
	return write_line(KPROBES_ON, on ? "1" : "0");
}

/* Rows, the kernel's count and the stats, read @times: all agree, no id of @gone. */
static bool lifecycle_reads(const struct batch *gone, long want, int times)
{
	int i;

	for (i = 0; i < times; i++) {
		struct stats st;
		struct rows rs;
		long dying;
		size_t j;
		int ret;

		ret = read_rows(&rs, ZMC_HEADER);
		if (ret) {
			if (ret != -EBADMSG)
				fail_msg("read %d: %s", i, strerror(-ret));
			return false;
		}
		for (j = 0; j < rs.n; j++) {
			if (in_batch(gone, rs.v[j].id)) {
				fail_msg("read %d: freed memcg %llu listed", i, rs.v[j].id);
				free_rows(&rs);
				return false;
			}
		}
		dying = nr_dying();
		if (stats_read(&st) || stats_check(&st) ||
		    (long)rs.n != dying || dying != want ||
		    stats_get(&st, "zombies") != want) {
			if (!diag[0] || !strstr(diag, "stats"))
				fail_msg("read %d: %zu rows, nr_dying %ld, stats zombies %lld, want %ld",
					 i, rs.n, dying, stats_get(&st, "zombies"), want);
			free_rows(&rs);
			return false;
		}
		free_rows(&rs);
	}
	return true;
}

/* (a) Frees and creations the probes never see: the listing does not care. */
static void lifecycle_disarmed(long base)
{
	struct batch gone, kept, unseen;
	long long freed0, records0;
	long rows, dying;
	bool ok;
	int ret;

	memset(&gone, 0, sizeof(gone));
	memset(&kept, 0, sizeof(kept));
	memset(&unseen, 0, sizeof(unseen));
	ret = make_batch(&gone, LIFE_ROOT "/gone", 20, 0, "zl-gone");
	if (!ret)
		ret = make_batch(&kept, LIFE_ROOT "/kept", 8, 0, "zl-kept");
	ok = !ret && wait_agree(base + 28, 60, &rows, &dying) &&
	     batch_listed(&gone, true) && batch_listed(&kept, true);
	freed0 = stat_value("freed");
	records0 = stat_value("records");
	if (ok && kprobes_enable(false)) {
		fail_msg("cannot write 0 to %s", KPROBES_ON);
		ok = false;
	}
	release_batch(&gone);
	if (ok && !wait_dying(base + 8, 60)) {
		fail_msg("nr_dying %ld, want %ld after the release", nr_dying(), base + 8);
		ok = false;
	}
	sleep_ms(500);
	if (ok && (stat_value("freed") != freed0 || stat_value("records") != records0)) {
		fail_msg("stats freed %lld -> %lld, records %lld -> %lld: the probes saw the frees",
			 freed0, stat_value("freed"), records0, stat_value("records"));
		ok = false;
	}
	if (!ok && !diag[0])
		fail_msg("making 28 zombies: %s; %ld rows, nr_dying %ld", strerror(-ret),
			 rows, dying);
	result(ok, LC_DISARMED_FREE);

	ret = make_batch(&unseen, LIFE_ROOT "/unseen", 8, 0, "zl-unseen");
	ok = !ret && wait_agree(base + 16, 60, &rows, &dying) &&
	     batch_listed(&unseen, false) && batch_listed(&kept, true);
	if (!ok && !diag[0])
		fail_msg("%s; %ld rows, nr_dying %ld (want %ld)", strerror(-ret), rows,
			 dying, base + 16);
	if (kprobes_enable(true)) {
		fail_msg("cannot write 1 to %s", KPROBES_ON);
		ok = false;
	}
	result(ok, LC_DISARMED_NEW);

	result(lifecycle_reads(&gone, base + 16, 20), LC_REARMED);
	release_batch(&kept);
	release_batch(&unseen);
	ok = wait_dying(base, 120) && wait_agree(base, 30, &rows, &dying);
	fail_msg("%ld rows, nr_dying %ld, want %ld", rows, dying, base);
	result(ok, LC_REARMED_GONE);
	rmdir(LIFE_ROOT "/gone");
	rmdir(LIFE_ROOT "/kept");
	rmdir(LIFE_ROOT "/unseen");
}

/* IDs of the rows that are whole in the first @len bytes of @buf. */
static int whole_rows(char *buf, size_t len, unsigned long long *ids, int max)
{
	char *p = buf, *end = buf + len, *nl;
	int n = 0;

	nl = memchr(p, '\n', end - p);		/* the header */
	if (!nl)
		return 0;
	for (p = nl + 1; p < end && n < max; p = nl + 1) {
		char *sp;

		nl = memchr(p, '\n', end - p);
		if (!nl)
			break;
		sp = memchr(p, ' ', nl - p);
		if (sp)
			ids[n++] = strtoull(sp + 1, NULL, 10);
	}
	return n;
}

/* (c) A reader parked on a zombie across its release and the module's unload. */
static void lifecycle_parked(long base)
{
	unsigned long long seen[32];
	char buf[1024];
	struct batch b;
	struct rows rs;
	int fd, nseen, ret, i;
	ssize_t n;
	long rows, dying;
	bool ok;

	memset(&b, 0, sizeof(b));
	ret = make_batch(&b, LIFE_ROOT "/parked", 20, 0, "zl-parked");
	ok = !ret && wait_agree(base + 20, 60, &rows, &dying);
	fd = open(PROC_FILE, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, 512);
	nseen = n > 0 ? whole_rows(buf, n, seen, 32) : 0;
	release_batch(&b);
	/* All of its pins gone but the reader's: 19 freed. */
	ok = ok && n == 512 && nseen > 0 && nseen < 19 && wait_dying(base + 1, 60);
	ret = ok ? read_rows(&rs, ZMC_HEADER) : -EIO;
	if (!ret) {
		unsigned long long left = 0;
		int listed = 0;
		size_t j;

		for (j = 0; j < rs.n; j++) {
			if (in_batch(&b, rs.v[j].id)) {
				left = rs.v[j].id;
				listed++;
			}
		}
		for (i = 0; i < nseen; i++)
			ok = ok && seen[i] != left;
		ok = ok && listed == 1 && (long)rs.n == base + 1;
		fail_msg("%zu rows, %d of the batch (id %llu), %d rows whole in the first 512 bytes",
			 rs.n, listed, left, nseen);
		free_rows(&rs);
	} else {
		fail_msg("first read %zd bytes (%d whole rows), %s; nr_dying %ld (want %ld)",
			 n, nseen, fd < 0 ? strerror(errno) : "fd open", nr_dying(), base + 1);
		ok = false;
	}
	result(ok, LC_PARKED);

	/* The proc file holds no module reference: rmmod goes through. */
	ret = unload_retry(10);
	ok = !ret && wait_dying(base, 60);
	fail_msg("rmmod: %s; nr_dying %ld (want %ld)", ret ? strerror(-ret) : "ok",
		 nr_dying(), base);
	result(ok, LC_RMMOD);

	n = fd < 0 ? 0 : read(fd, buf, sizeof(buf));
	ret = n < 0 ? errno : 0;
	ok = fd >= 0 && n < 0 && ret == EIO && close(fd) == 0;
	fail_msg("read after rmmod: %zd (%s)", n, ret ? strerror(ret) : "no error");
	result(ok, LC_READ_AFTER);
	rmdir(LIFE_ROOT "/parked");
}

/* What the reader of lifecycle_holders() saw, shared with its parent. */
struct hrmmod {
	volatile int ready;
	double t_open, t_opened, t_done;
	int open_err, read_err, bad;
	long zombies, ms;
	char why[256];
};

/*
 * (d) The module unloaded while a holders scan runs: a reader opens the
 * file (the scan runs in its open), rmmod comes 0 to 100 ms later.
 * rmmod waits for the scan (proc_remove()), then releases the open file.
 */
static bool lifecycle_holders(long base)
{
	static const int delays[] = { 0, 2, 10, 30, 60, 100 };
	int cycles = N_ELEMS(delays), c, ret, mid = 0, ok_cycles = 0;
	int n_enoent = 0, n_eio = 0, n_full = 0;
	char *hbuf = malloc(HOLDERS_SIZE);
	struct hrmmod *r;
	struct hread h;
	struct batch b;
	double longest = 0;
	pid_t holder;
	bool at_open, ok = true;

	memset(&b, 0, sizeof(b));
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ret = make_batch(&b, LIFE_ROOT "/hold", 8, 0, "zl-hold");
	holder = ret ? ret : spawn_holder(LIFE_ROOT "/hold/pages", HOLD_SOCK | HOLD_ANON | HOLD_FILE,
					  -1, "zl-holder", "/tmp/zl-holder");
	if (holder > 0 && rmdir(LIFE_ROOT "/hold/pages"))
		holder = -errno;
	if (r == MAP_FAILED || !hbuf || holder < 0 || !wait_dying(base + 9, 60)) {
		fail_msg("set up: 8 socket zombies and a page holder: %s; nr_dying %ld (want %ld)",
			 holder < 0 ? strerror(-holder) : "made", nr_dying(), base + 9);
		ok = false;
	}
	/* A scan with the module staying: how long one takes here. */
	for (c = 0; ok && c < 20; c++) {
		ret = holders_once(hbuf, HOLDERS_SIZE, false, &h, &at_open);
		if (ret || h.zombies == base + 9)
			break;
		sleep_ms(500);	/* the offline callbacks run in a kworker */
	}
	if (ok) {
		if (ret || h.zombies != base + 9) {
			fail_msg("a scan before the unloads: %s, %ld zombies (want %ld)",
				 ret == -EBADMSG ? diag : strerror(-ret), h.zombies, base + 9);
			ok = false;
		} else {
			msg("lifecycle: a holders scan of %ld zombies takes %ld ms (%ld lines)\n",
			    h.zombies, h.ms, h.lines);
		}
	}
	for (c = 0; ok && c < cycles; c++) {
		double tu0, tu1;
		pid_t pid;
		int status;

		memset(r, 0, sizeof(*r));
		pid = fork();
		if (!pid) {
			int fd;
			ssize_t len;

			prctl(PR_SET_NAME, "zl-hreader");
			r->t_open = now_secs();
			r->ready = 1;
			fd = open(HOLDERS_FILE, O_RDONLY);
			r->t_opened = now_secs();
			if (fd < 0) {
				r->open_err = errno;
				_exit(0);
			}
			len = holders_read_fd(fd, hbuf, HOLDERS_SIZE, true);
			r->t_done = now_secs();
			close(fd);
			if (len < 0) {
				r->read_err = -len;
			} else if (holders_parse(hbuf, len, &h)) {
				r->bad = 1;
				snprintf(r->why, sizeof(r->why), "%s", diag);
			} else {
				r->zombies = h.zombies;
				r->ms = h.ms;
			}
			_exit(0);
		}
		while (pid > 0 && !r->ready)
			sleep_ms(1);
		sleep_ms(delays[c]);
		tu0 = now_secs();
		ret = unload_retry(30);
		tu1 = now_secs();
		if (tu1 - tu0 > longest)
			longest = tu1 - tu0;
		if (pid > 0)
			waitpid(pid, &status, 0);
		msg("lifecycle: holders %d: rmmod %d ms after the open began: %s in %.0f ms; open %s after %.0f ms%s%s, %s\n",
		    c, delays[c], ret ? strerror(-ret) : "done", (tu1 - tu0) * 1000,
		    r->open_err ? strerror(r->open_err) : "ok", (r->t_opened - r->t_open) * 1000,
		    r->open_err ? "" : "; read ", r->open_err ? "" :
		    r->read_err ? strerror(r->read_err) : r->bad ? "malformed" : "to EOF",
		    tu0 < r->t_opened && !r->open_err ? "rmmod began mid-scan" :
		    "rmmod began after the scan or before the open");
		if (pid < 0 || ret || tu1 - tu0 >= 30 || r->bad ||
		    (r->open_err && r->open_err != ENOENT) ||
		    (!r->open_err && r->read_err && r->read_err != EIO)) {
			fail_msg("cycle %d: rmmod %s in %.1f s; reader: open %s, read %s%s%s",
				 c, ret ? strerror(-ret) : "ok", tu1 - tu0,
				 strerror(r->open_err), strerror(r->read_err),
				 r->bad ? ", malformed: " : "", r->why);
			ok = false;
		} else {
			ok_cycles++;
			mid += tu0 < r->t_opened && !r->open_err;
			n_enoent += r->open_err == ENOENT;
			n_eio += !r->open_err && r->read_err == EIO;
			n_full += !r->open_err && !r->read_err;
		}
		ret = load_module();
		if (!ret)
			ret = set_threshold("0");
		if (ret) {
			fail_msg("cycle %d: reload: %s", c, strerror(-ret));
			ok = false;
		}
	}
	msg("lifecycle: holders: %d of %d cycles clean: %d opens refused (ENOENT), %d reads EIO, %d reads to EOF; rmmod began mid-scan %d times; the longest rmmod %.0f ms\n",
	    ok_cycles, cycles, n_enoent, n_eio, n_full, mid, longest * 1000);
	if (ok && !mid) {
		fail_msg("rmmod never began during a scan (%d cycles)", cycles);
		ok = false;
	}
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	release_batch(&b);
	if (!wait_dying(base, 120)) {
		if (ok)
			fail_msg("nr_dying %ld after the release, want %ld", nr_dying(), base);
		ok = false;
	}
	rmdir(LIFE_ROOT "/hold");
	free(hbuf);
	if (r != MAP_FAILED)
		munmap(r, sizeof(*r));
	return ok;
}

/* The kernel image's end: everything above it up to MODULES_END is modules. */
static unsigned long kernel_end(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256];
	unsigned long a, end = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &a, &type, name) == 3 &&
		    !strcmp(name, "_end") && !strchr(line, '[')) {
			end = a;
			break;
		}
	}
	fclose(f);
	return end;
}

/* A kernel function's text, from /proc/kallsyms: [its address, the next symbol's). */
static int kernel_function(const char *fn, unsigned long *lo, unsigned long *hi)
{
	char line[512], type, name[256];
	unsigned long a;
	FILE *f;

	*lo = 0;
	*hi = ULONG_MAX;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &a, &type, name) == 3 &&
		    !strcmp(name, fn) && !strchr(line, '['))
			*lo = a;
	rewind(f);
	while (*lo && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c", &a, &type) == 2 && a > *lo && a < *hi)
			*hi = a;
	fclose(f);
	return *lo && *hi != ULONG_MAX ? 0 : -ENOENT;
}

/*
 * A module that loaded works: its three kprobes armed (the kernel's list
 * of kprobes), its listing readable.
 */
static bool module_works(void)
{
	static const char *const fns[] = {
		"mem_cgroup_css_online", "mem_cgroup_css_offline", "mem_cgroup_css_free",
	};
	char buf[8192], list[8192], *line, *save;
	int armed = 0, i;
	long rows;

	if (read_file("/sys/kernel/debug/kprobes/list", buf, sizeof(buf)) < 0) {
		fail_msg("cannot read the list of kprobes");
		return false;
	}
	memcpy(list, buf, sizeof(list));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		for (i = 0; i < N_ELEMS(fns); i++)
			if (strstr(line, fns[i]) && !strstr(line, "[DISABLED]") &&
			    !strstr(line, "[GONE]"))
				armed++;
	rows = count_rows(ZMC_HEADER);
	if (armed != N_ELEMS(fns)) {
		for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			msg("kprobes/list: %s\n", line);
	}
	if (armed != N_ELEMS(fns) || rows < 0) {
		fail_msg("%d of the module's kprobes armed, listing: %s", armed,
			 rows < 0 ? strerror(-rows) : "readable");
		return false;
	}
	return true;
}

/* What a failed load must not leave behind. */
static bool nothing_left(void)
{
	if (module_loaded())
		fail_msg("/sys/module/%s still there", MODULE_NAME);
	else if (!access(PROC_FILE, F_OK))
		fail_msg("%s still there", PROC_FILE);
	else if (!access(DEBUG_DIR, F_OK))
		fail_msg("%s still there", DEBUG_DIR);
	else
		return true;
	return false;
}

/*
 * (b) Load the module with the Nth slab allocation of its init failing,
 * N = 1, 2, ... until a load consumes no failure: every allocation site of
 * zmc_init() (record cache, table, probes, proc, debugfs) fails once.
 */
static bool lifecycle_sweep(void)
{
	unsigned long lo, hi, start = kernel_end(), rlo, rhi;
	int fd, nth, failed = 0, loaded = 0, errs[5] = { 0 };
	char outcomes[320] = "";
	double t0 = now_secs();
	bool ok = true, done = false;
	char v[32];
	int ret;

	/* Where the module lands: it must be in the range aimed at. */
	ret = ensure_loaded();
	if (!ret)
		ret = module_text(&lo, &hi);
	if (!ret)
		ret = unload_retry(10);
	if (ret || !start || lo < start || hi > MODULES_END_X86) {
		fail_msg("module text [%#lx, %#lx), kernel end %#lx: %s", lo, hi, start,
			 strerror(-ret));
		return false;
	}
	/*
	 * Not inside sysfs_slab_add(): on 6.12 a failure there leaks the
	 * cache's kobject name (kobject_init_and_add() failed and no
	 * kobject_put()), a kernel bug that kmemleak would pin on this test.
	 * kmem_cache_create() still fails here, on its other allocations.
	 */
	if (kernel_function("sysfs_slab_add", &rlo, &rhi)) {
		rlo = 0;
		rhi = 0;
	}
	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fd < 0) {
		fail_msg("no /proc/thread-self/fail-nth: %s", strerror(errno));
		ensure_loaded();
		return false;
	}
	/* Only allocations with the module's code on the stack count. */
	failslab_filter(start, MODULES_END_X86);
	snprintf(v, sizeof(v), "%lu", rlo);
	fs_write("reject-start", v);
	snprintf(v, sizeof(v), "%lu", rhi);
	fs_write("reject-end", v);
	expect_alloc_reports(true);
	for (nth = 1; nth <= 300 && ok && !done; nth++) {
		int left;

		if (fail_nth_set(fd, nth)) {
			fail_msg("cannot write %d to fail-nth", nth);
			ok = false;
			break;
		}
		ret = load_module();
		left = fail_nth_get(fd);
		fail_nth_set(fd, 0);
		if (left != 0) {
			/* No failure injected: past the init's allocations. */
			done = true;
			if (ret) {
				fail_msg("load %d failed (%s) without an injected failure",
					 nth, strerror(-ret));
				ok = false;
			}
		} else if (!ret) {
			loaded++;	/* the failure was one it can live with */
		} else {
			failed++;
			if (nth < (int)sizeof(outcomes))
				outcomes[nth - 1] = 'F';
			errs[ret == -ENOMEM ? 0 : ret == -EBUSY ? 1 : ret == -EINVAL ? 2 :
			     ret == -EEXIST ? 3 : 4]++;
			if (!nothing_left()) {
				msg("lifecycle: load with allocation %d failing: %s\n", nth,
				    strerror(-ret));
				ok = false;
			}
		}
		if (!ret) {
			if (nth < (int)sizeof(outcomes))
				outcomes[nth - 1] = left ? '.' : 'L';
			if (!module_works()) {
				msg("lifecycle: load with allocation %d failing: %s\n", nth, diag);
				ok = false;
			}
			ret = unload_retry(10);
			if (ret) {
				fail_msg("unload after load %d: %s", nth, strerror(-ret));
				ok = false;
			}
		}
	}
	expect_alloc_reports(false);
	close(fd);
	failslab_off();
	msg("lifecycle: %d loads in %.1f s: %d failed cleanly (ENOMEM %d, EBUSY %d, EINVAL %d, EEXIST %d, other %d), %d loaded despite the failure, then a load with no failure left\n",
	    nth - 1, now_secs() - t0, failed, errs[0], errs[1], errs[2], errs[3],
	    errs[4], loaded);
	msg("lifecycle: by N (F failed, L loaded anyway, . no failure left): %s\n", outcomes);
	msg("lifecycle: spared (kernel leak on failure): sysfs_slab_add [%#lx, %#lx)\n", rlo, rhi);
	if (ok && !done) {
		fail_msg("still failing after %d allocations", nth - 1);
		ok = false;
	}
	if (ok && !failed) {
		fail_msg("no load failed: the injection did not reach the module");
		ok = false;
	}
	if (ok && errs[4]) {
		fail_msg("%d loads failed with an unexpected errno", errs[4]);
		ok = false;
	}
	return ok;
}

static int cmd_lifecycle(int argc, char **argv)
{
	struct batch b;
	long base, rows, dying;
	bool ok;
	int ret;

	(void)argc;
	(void)argv;
	plan(lifecycle_tests, LC_N);
	ret = ensure_loaded();
	if (!ret)
		ret = set_threshold("0");
	if (!ret && ((mkdir(LIFE_ROOT, 0755) && errno != EEXIST) || enable_memory(LIFE_ROOT)))
		ret = -errno;
	if (ret)
		fail_msg("set up: %s", strerror(-ret));
	ok = !ret && wait_dying(0, 60) && wait_agree(0, 30, &rows, &dying);
	if (!ret && !ok)
		fail_msg("zombies left over: %ld rows, nr_dying %ld", rows, dying);
	if (ok && (access(KPROBES_ON, W_OK) || kprobes_enable(true))) {
		fail_msg("%s not writable", KPROBES_ON);
		ok = false;
	}
	result(ok, LC_SETUP);
	if (!ok)
		return abandon("lifecycle: not set up");
	base = 0;

	lifecycle_disarmed(base);
	kprobes_enable(true);
	lifecycle_parked(base);
	result(lifecycle_sweep(), LC_SWEEP);

	ret = ensure_loaded();
	if (!ret)
		ret = set_threshold("0");
	memset(&b, 0, sizeof(b));
	if (!ret)
		ret = make_batch(&b, LIFE_ROOT "/after", 4, 4, "zl-after");
	ok = !ret && wait_agree(base + 4, 30, &rows, &dying) && batch_listed(&b, true);
	if (!ok && !diag[0])
		fail_msg("%s; %ld rows, nr_dying %ld", strerror(-ret), rows, dying);
	result(ok, LC_CLEAN_LOAD);
	release_batch(&b);
	wait_dying(base, 120);
	rmdir(LIFE_ROOT "/after");
	ret = ensure_loaded();
	if (!ret)
		ret = set_threshold("0");
	fail_msg("load: %s", strerror(-ret));
	result(!ret && lifecycle_holders(base), LC_HOLDERS_RMMOD);
	rmdir(LIFE_ROOT);
	print_stats("lifecycle");
	set_threshold("30");
	return finished();
}

/* How many tests each command plans, for the tier's plan up front. */
static const struct {
	const char *cmd;
	int tests;
} plans[] = {
	{ "fuzz", FZ_N },
	{ "stress", ST_N },
	{ "fault", FT_N },
	{ "lifecycle", LC_N },
};

int main(int argc, char **argv)
{
	const char *env = getenv("ZMC_MODULE");
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "--plan")) {
		for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
			if (!strcmp(argv[2], plans[i].cmd)) {
				printf("%d\n", plans[i].tests);
				return 0;
			}
		}
		fprintf(stderr, "%s: no command %s\n", argv[0], argv[2]);
		return 2;
	}
	if (env && *env)
		module_path = env;
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng_state ^= (uint64_t)time(NULL) * 2654435761u ^ getpid();
	if (getenv("ZMC_SEED"))
		rng_state = strtoull(getenv("ZMC_SEED"), NULL, 0) | 1;
	msg("zmc_debug %s: seed %#" PRIx64 "\n", argc > 1 ? argv[1] : "",
	    rng_state);
	if (argc < 2)
		goto usage;
	ZMC_REQUIRE_TEST_VM();
	if (!strcmp(argv[1], "fuzz"))
		return cmd_fuzz(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stress"))
		return cmd_stress(argc - 2, argv + 2);
	if (!strcmp(argv[1], "fault"))
		return cmd_fault(argc - 2, argv + 2);
	if (!strcmp(argv[1], "lifecycle"))
		return cmd_lifecycle(argc - 2, argv + 2);
usage:
	fprintf(stderr, "usage: %s fuzz|stress|fault|lifecycle [ARGS...]\n"
		"       %s --plan fuzz|stress|fault|lifecycle\n", argv[0], argv[0]);
	return 2;
}
