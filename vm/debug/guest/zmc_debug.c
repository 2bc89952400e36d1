// SPDX-License-Identifier: GPL-2.0
/*
 * zmc_debug: the debug tier's guest-side checks, run by /debug/run.sh in the
 * debug kernel's VM (KASAN, lockdep, kmemleak, failslab).  Never on a host.
 *
 *   zmc_debug fuzz   [WRITES]                    older_than_secs fuzzing
 *   zmc_debug stress [WORKERS CGROUPS RELOADS SECS]
 *   zmc_debug fault  [CGROUPS PERCENT]           failslab on the module
 *
 * Each prints TAP result lines ("ok N name", "not ok N name") and "#"
 * diagnostics on stdout, no plan: the host numbers them.  The module is
 * loaded from $ZMC_MODULE (default /lib/zombiememcg/zombiememcg.ko) when
 * needed and left loaded.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgpin.h"
#include "ktap.h"
#include "zmc_util.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define TOOL		"/bin/zombiememcgstat"

#define msg(...) ksft_print_msg(__VA_ARGS__)

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

static void result(bool ok, const char *name)
{
	ksft_test_result(ok ? KSFT_PASS : KSFT_FAIL, name, NULL);
	if (!ok && diag[0])
		msg("%s\n", diag);
	diag[0] = '\0';
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

	ret = ensure_loaded();
	if (ret || !b) {
		fail_msg("load %s: %s", module_path, strerror(-ret));
		result(false, "fuzz: module loaded");
		return 1;
	}
	fd = open(THRESH_FILE, O_RDWR);
	if (fd < 0 || read_threshold(fd, &cur)) {
		fail_msg("open/read %s: %s", THRESH_FILE, strerror(errno));
		result(false, "fuzz: older_than_secs readable");
		return 1;
	}
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
	result(!bad && i == writes && accepted && rejected,
	       "fuzz: older_than_secs: every random write accepted and read back, or rejected (EINVAL) with the value unchanged");

	/* A bad user pointer: EFAULT, value kept. */
	{
		void *volatile bad_ptr = (void *)8;
		ssize_t n = pwrite(fd, bad_ptr, 5, 0);
		int err = errno;

		read_threshold(fd, &after);
		fail_msg("write from a bad pointer returned %zd (%s), value %" PRIu64 " -> %" PRIu64,
			 n, strerror(err), cur, after);
		result(n < 0 && err == EFAULT && after == cur,
		       "fuzz: write from an unmapped buffer fails with EFAULT, value unchanged");
	}
	close(fd);
	ret = set_threshold("30\n");
	fail_msg("restore 30: %s", strerror(-ret));
	result(!ret, "fuzz: older_than_secs restored to 30");
	free(b);
	return 0;
}

/* ------------------------------------------------------------ stress */

struct shared {
	volatile int stop;
	/* per-role counters */
	unsigned long chains, created, removed, pinned_sock, pinned_file, released;
	unsigned long nested, max_depth, worker_errors;
	unsigned long reads, reads_absent, reads_bad, rows_seen;
	unsigned long tool_runs, tool_ok, tool_absent, tool_bad;
	unsigned long writes_valid, writes_garbage, writes_absent, writes_bad;
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
	for (n = 0; n < count && !sh->stop && now_secs() < deadline; n++) {
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
	/* Keep the remaining pins until told to stop. */
	while (!sh->stop)
		sleep_ms(50);
	for (i = 0; i < npins; i++)
		worker_release(&pins[i]);
	_exit(0);
}

static void stress_reader(void)
{
	prctl(PR_SET_NAME, "zs-reader");
	while (!sh->stop) {
		struct rows rs;
		int ret = read_rows(&rs, NULL);

		__sync_fetch_and_add(&sh->reads, 1);
		if (ret == -ENOENT || ret == -EIO) {
			/* Unloaded, or unloaded while we read. */
			__sync_fetch_and_add(&sh->reads_absent, 1);
			sleep_ms(10);
			continue;
		}
		if (ret) {
			__sync_fetch_and_add(&sh->reads_bad, 1);
			shared_error("reader: %s", ret == -EBADMSG ? diag : strerror(-ret));
			continue;
		}
		__sync_fetch_and_add(&sh->rows_seen, rs.n);
		free_rows(&rs);
		/* Leave the (emulated, shared) CPUs mostly to the workers. */
		sleep_ms(rnd_below(30));
	}
	_exit(0);
}

/* Run the tool once; its stderr tells a missing module from anything else. */
static void stress_tool(void)
{
	char err[1024];

	prctl(PR_SET_NAME, "zs-tool");
	while (!sh->stop) {
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
			    strstr(err, "Input/output error"))) {
			__sync_fetch_and_add(&sh->tool_absent, 1);
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
			s = garbage[rnd_below(sizeof(garbage) / sizeof(garbage[0]))];
		}
		fd = open(THRESH_FILE, O_WRONLY);
		if (fd < 0) {
			err = errno;
		} else {
			sleep_ms(rnd_below(3));
			n = write(fd, s, strlen(s));
			if (n < 0)
				err = errno;
			close(fd);
		}
		if (err == ENOENT || err == EIO || err == ENXIO) {
			/* Gone, or going: debugfs says ENXIO then. */
			__sync_fetch_and_add(&sh->writes_absent, 1);
		} else if (valid ? err != 0 : err != EINVAL) {
			__sync_fetch_and_add(&sh->writes_bad, 1);
			shared_error("writer: '%s' (%s) gave %s", s,
				     valid ? "valid" : "garbage",
				     err ? strerror(err) : "success");
		}
		__sync_fetch_and_add(valid ? &sh->writes_valid : &sh->writes_garbage, 1);
		sleep_ms(rnd_below(5));
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

/* Holders for the final comparison: make @n zombies pinned by sockets. */
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

/* Every id of @b listed exactly once, with the creator's pid and comm. */
static bool batch_listed(struct batch *b)
{
	struct rows rs;
	int i, ret;
	size_t j;

	ret = read_rows(&rs, NULL);
	if (ret) {
		fail_msg("read %s: %s", PROC_FILE, strerror(-ret));
		return false;
	}
	for (i = 0; i < b->n; i++) {
		int seen = 0;

		for (j = 0; j < rs.n; j++) {
			if (rs.v[j].id != b->ids[i])
				continue;
			seen++;
			if (rs.v[j].pid != b->pid || strcmp(rs.v[j].comm, b->comm)) {
				fail_msg("id %llu listed with PID %ld COMM %s, want %d %s",
					 b->ids[i], rs.v[j].pid, rs.v[j].comm,
					 b->pid, b->comm);
				free_rows(&rs);
				return false;
			}
		}
		if (seen != 1) {
			fail_msg("id %llu listed %d times", b->ids[i], seen);
			free_rows(&rs);
			return false;
		}
	}
	free_rows(&rs);
	return true;
}

static int cmd_stress(int argc, char **argv)
{
	int workers = argc > 0 ? atoi(argv[0]) : 4;
	long per_worker = argc > 1 ? atol(argv[1]) : 500;
	int reloads = argc > 2 ? atoi(argv[2]) : 20;
	double secs = argc > 3 ? atof(argv[3]) : 300;
	pid_t pids[32], helpers[4];
	int nhelpers = 0, i, done_reloads = 0, ret;
	double t0 = now_secs(), deadline = t0 + secs, t_churn;
	long rows, dying;
	char dir[PATH_MAX];
	struct batch b;
	bool ok;

	if (workers > 32)
		workers = 32;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset(sh, 0, sizeof(*sh));
	ret = ensure_loaded();
	fail_msg("load %s: %s", module_path, strerror(-ret));
	result(!ret, "stress: module loaded");
	if (ret)
		return 1;
	mkdir(STRESS_FILES, 0700);
	if ((mkdir(STRESS_ROOT, 0755) && errno != EEXIST) ||
	    write_line(STRESS_ROOT "/cgroup.subtree_control", "+memory")) {
		fail_msg("cannot set up %s: %s", STRESS_ROOT, strerror(errno));
		result(false, "stress: set up");
		return 1;
	}
	for (i = 0; i < workers; i++) {
		snprintf(dir, sizeof(dir), STRESS_ROOT "/w%d", i);
		if ((mkdir(dir, 0755) && errno != EEXIST) ||
		    write_line(strcat(dir, "/cgroup.subtree_control"), "+memory")) {
			fail_msg("cannot set up %s: %s", dir, strerror(errno));
			result(false, "stress: set up");
			return 1;
		}
	}
	msg("stress: %d workers x %ld cgroups, %d reloads, 2 readers, the tool, a tunable writer; bound %.0f s\n",
	    workers, per_worker, reloads, secs);
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (!pids[i])
			stress_worker(i, per_worker, deadline);
	}
	helpers[nhelpers++] = spawn(stress_reader);
	helpers[nhelpers++] = spawn(stress_reader);
	helpers[nhelpers++] = spawn(stress_tool);
	helpers[nhelpers++] = spawn(stress_writer);

	/*
	 * Reload the module in the middle of it: reload i once the workers
	 * have created (i + 1) / (reloads + 1) of their cgroups.
	 */
	for (i = 0; i < reloads; i++) {
		unsigned long target = (unsigned long)workers * per_worker *
				       (i + 1) / (reloads + 1);
		double at = t0 + secs * (i + 1) / (reloads + 1);

		/* Whichever comes first: the workers' progress, or the clock. */
		while (sh->chains < target && now_secs() < at)
			sleep_ms(20);
		ret = unload_retry(10);
		if (ret) {
			shared_error("reload %d: unload: %s", i, strerror(-ret));
			break;
		}
		sleep_ms(rnd_below(300));
		ret = load_module();
		if (ret) {
			shared_error("reload %d: load: %s", i, strerror(-ret));
			break;
		}
		done_reloads++;
	}
	/* Let the workers finish their count (or reach the deadline). */
	while (sh->chains < (unsigned long)workers * per_worker &&
	       now_secs() < deadline)
		sleep_ms(100);
	t_churn = now_secs() - t0;
	sh->stop = 1;
	for (i = 0; i < workers; i++)
		waitpid(pids[i], NULL, 0);
	for (i = 0; i < nhelpers; i++)
		waitpid(helpers[i], NULL, 0);
	ensure_loaded();

	msg("stress: %.1f s: %lu cgroups created, %lu removed, in %lu chains (%lu nested, depth up to %lu); pins: %lu sockets, %lu tmpfs files, %lu released; %d/%d reloads\n",
	    t_churn, sh->created, sh->removed, sh->chains, sh->nested, sh->max_depth,
	    sh->pinned_sock, sh->pinned_file, sh->released, done_reloads, reloads);
	msg("stress: readers: %lu reads (%lu while unloaded), %lu rows parsed, %lu bad; tool: %lu runs, %lu ok, %lu while unloaded, %lu bad; tunable: %lu valid + %lu garbage writes, %lu while unloaded, %lu wrong\n",
	    sh->reads, sh->reads_absent, sh->rows_seen, sh->reads_bad,
	    sh->tool_runs, sh->tool_ok, sh->tool_absent, sh->tool_bad,
	    sh->writes_valid, sh->writes_garbage, sh->writes_absent,
	    sh->writes_bad);
	if (sh->first_error[0])
		msg("stress: first error: %s\n", sh->first_error);

	fail_msg("%lu worker errors; created %lu removed %lu", sh->worker_errors,
		 sh->created, sh->removed);
	result(!sh->worker_errors && sh->created && sh->created == sh->removed,
	       "stress: cgroups created and removed by concurrent workers (nested, some pinned)");
	fail_msg("%d of %d reloads", done_reloads, reloads);
	result(done_reloads == reloads, "stress: module unloaded and reloaded in the middle of it");
	fail_msg("%lu bad reads of %lu", sh->reads_bad, sh->reads);
	result(!sh->reads_bad && sh->reads > sh->reads_absent,
	       "stress: concurrent readers always saw a well-formed listing (or no module)");
	fail_msg("%lu bad runs of %lu", sh->tool_bad, sh->tool_runs);
	result(!sh->tool_bad && sh->tool_ok, "stress: zombiememcgstat ran concurrently without failing");
	fail_msg("%lu wrong answers of %lu writes", sh->writes_bad,
		 sh->writes_valid + sh->writes_garbage);
	result(!sh->writes_bad && sh->writes_valid && sh->writes_garbage,
	       "stress: concurrent tunable writes: valid accepted, garbage refused");

	/* Everything released: the kernel frees every zombie. */
	set_threshold("0");
	ok = wait_dying(0, 120);
	ok = wait_agree(0, 30, &rows, &dying) && ok;
	fail_msg("after release: %ld rows, nr_dying %ld, stats zombies %lld", rows,
		 dying, stat_value("zombies"));
	result(ok && stat_value("zombies") == 0,
	       "stress: all pins released: no dying memcg, no row, zombies 0");
	msg("stress: stats: records %lld online %lld zombies %lld freed %lld alloc_failures %lld stale %lld probe_misses %lld\n",
	    stat_value("records"), stat_value("online"), stat_value("zombies"),
	    stat_value("freed"), stat_value("alloc_failures"),
	    stat_value("stale"), stat_value("probe_misses"));

	/* Made after the last load, once quiet: the counts agree exactly. */
	memset(&b, 0, sizeof(b));
	ret = make_batch(&b, STRESS_ROOT "/final", 64, 64, "zs-final");
	ok = !ret && wait_agree(64, 60, &rows, &dying);
	fail_msg("64 pinned + 64 unpinned: %ld rows, nr_dying %ld (%s)", rows,
		 dying, ret ? strerror(-ret) : "made");
	result(ok, "stress: once quiet, zombie rows (older_than_secs=0) == nr_dying_subsys_memory");
	ok = batch_listed(&b);
	result(ok && stat_value("zombies") == 64,
	       "stress: each zombie listed once with its creator; stats zombies agrees");
	release_batch(&b);
	ok = wait_dying(0, 120);
	ok = wait_agree(0, 30, &rows, &dying) && ok;
	fail_msg("%ld rows, nr_dying %ld", rows, dying);
	result(ok, "stress: released: the rows go with the zombies");
	rmdir(STRESS_ROOT "/final");
	for (i = 0; i < workers; i++) {
		snprintf(dir, sizeof(dir), STRESS_ROOT "/w%d", i);
		rmdir(dir);
	}
	rmdir(STRESS_ROOT);
	set_threshold("30");
	msg("stress: done in %.1f s\n", now_secs() - t0);
	return 0;
}

/* ------------------------------------------------------------ fault */

static int fs_write(const char *name, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), FAILSLAB "/%s", name);
	return write_line(path, val);
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
	ret |= fs_write("cache-filter", "Y");
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
	fs_write("cache-filter", "N");
	fs_write("ignore-gfp-wait", "Y");
}

static int cmd_fault(int argc, char **argv)
{
	int n = argc > 0 ? atoi(argv[0]) : 150;
	int percent = argc > 1 ? atoi(argv[1]) : 40;
	long long f0, f1, records0;
	unsigned long lo, hi;
	long dying0, rows, dying;
	int ret, i, full = 0, anon = 0, absent = 0, wrong = 0, reads_ok = 0;
	int reads_enomem = 0, reads_bad = 0;
	struct batch b;
	struct rows rs;
	bool ok;

	ret = ensure_loaded();
	fail_msg("load: %s", strerror(-ret));
	if (ret || access(FAILSLAB "/probability", W_OK)) {
		if (!ret)
			fail_msg("no %s (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)", FAILSLAB);
		result(false, "fault: failslab available and module loaded");
		return 1;
	}
	ret = module_text(&lo, &hi);
	fail_msg("no text symbols of %s in /proc/kallsyms: %s", MODULE_NAME, strerror(-ret));
	result(!ret, "fault: the module's text range found for the stack-trace filter");
	if (ret)
		return 1;
	msg("fault: failslab on kmalloc-* (slub_debug=A), stack-trace filter [%#lx, %#lx), %d%%, %d pinned cgroups\n",
	    lo, hi, percent, n);
	set_threshold("0");
	/* The parent first: its own record is not part of the count. */
	if ((mkdir(CG_ROOT "/zfault", 0755) && errno != EEXIST) ||
	    enable_memory(CG_ROOT "/zfault")) {
		fail_msg("cannot set up %s/zfault: %s", CG_ROOT, strerror(errno));
		result(false, "fault: set up");
		return 1;
	}
	wait_dying(0, 60);
	dying0 = nr_dying();
	f0 = stat_value("alloc_failures");
	records0 = stat_value("records");
	if (failslab_setup(lo, hi, percent, false)) {
		failslab_off();
		fail_msg("cannot configure %s", FAILSLAB);
		result(false, "fault: failslab configured");
		return 1;
	}
	memset(&b, 0, sizeof(b));
	if (n > 256)
		n = 256;
	ret = make_batch(&b, CG_ROOT "/zfault", n, 0, "zf-holder");
	/* The offline probes run in a kworker, after rmdir: let them. */
	ok = !ret && wait_dying(dying0 + n, 60);
	failslab_off();
	f1 = stat_value("alloc_failures");
	fail_msg("making %d zombies under injection: %s; nr_dying %ld (want %ld)",
		 n, ret ? strerror(-ret) : "ok", nr_dying(), dying0 + n);
	result(ok, "fault: cgroups made and removed while the module's allocations fail");

	ret = read_rows(&rs, NULL);
	if (ret) {
		fail_msg("read listing: %s", ret == -EBADMSG ? diag : strerror(-ret));
		result(false, "fault: listing readable after injection");
		release_batch(&b);
		return 1;
	}
	for (i = 0; i < b.n; i++) {
		int seen = 0, how = 0;
		size_t j;

		for (j = 0; j < rs.n; j++) {
			if (rs.v[j].id != b.ids[i])
				continue;
			seen++;
			if (rs.v[j].pid == b.pid && !strcmp(rs.v[j].comm, b.comm))
				how = 1;
			else if (!rs.v[j].pid && !strcmp(rs.v[j].comm, "-"))
				how = 2;
			else
				how = 3;
		}
		if (seen > 1 || how == 3) {
			if (!wrong)
				msg("fault: id %llu listed %d times (kind %d)\n", b.ids[i], seen, how);
			wrong++;
		} else if (!seen) {
			absent++;
		} else if (how == 1) {
			full++;
		} else {
			anon++;
		}
	}
	free_rows(&rs);
	msg("fault: alloc_failures %lld -> %lld (+%lld); of %d zombies: %d listed with their creator, %d with creator unknown (online event lost), %d absent (online and offline lost), %d wrong\n",
	    f0, f1, f1 - f0, n, full, anon, absent, wrong);
	fail_msg("alloc_failures +%lld", f1 - f0);
	result(f1 - f0 > 0, "fault: injected failures counted in stats alloc_failures");
	fail_msg("%d wrong rows", wrong);
	result(!wrong, "fault: nothing listed wrongly (a lost record is absent or has no creator, never another's)");
	fail_msg("alloc_failures +%lld, but %d without creator + 2 x %d absent = %d",
		 f1 - f0, anon, absent, anon + 2 * absent);
	result(f1 - f0 == anon + 2 * absent,
	       "fault: every counted failure is one lost event, and every lost event is counted");
	rows = count_rows(NULL);
	dying = nr_dying();
	fail_msg("%ld rows, nr_dying %ld (%ld before), %d absent", rows, dying,
		 dying0, absent);
	result(rows == dying - absent && dying == dying0 + n,
	       "fault: rows == nr_dying_subsys_memory - absent records");

	/* Reads under injection of every module allocation, GFP_KERNEL too. */
	failslab_setup(lo, hi, 50, true);
	for (i = 0; i < 200; i++) {
		struct rows r2;

		ret = read_rows(&r2, NULL);
		if (!ret) {
			reads_ok++;
			free_rows(&r2);
		} else if (ret == -ENOMEM) {
			reads_enomem++;
		} else {
			reads_bad++;
		}
	}
	failslab_off();
	msg("fault: 200 reads with 50%% of the module's allocations failing: %d ok, %d ENOMEM, %d other\n",
	    reads_ok, reads_enomem, reads_bad);
	fail_msg("%d reads failed otherwise than ENOMEM", reads_bad);
	result(!reads_bad && reads_ok, "fault: /proc/zombiememcg reads under injection succeed or fail with ENOMEM");

	/* Healthy afterwards: everything freed, and tracked again. */
	release_batch(&b);
	ok = wait_dying(dying0, 120) && wait_agree(dying0, 30, &rows, &dying);
	fail_msg("after release: %ld rows, nr_dying %ld (want %ld), records %lld (were %lld)",
		 rows, dying, dying0, stat_value("records"), records0);
	result(ok && stat_value("records") == records0,
	       "fault: released: rows and records back to where they were");
	memset(&b, 0, sizeof(b));
	ret = make_batch(&b, CG_ROOT "/zfault", 8, 0, "zf-after");
	ok = !ret && wait_agree(dying0 + 8, 30, &rows, &dying) && batch_listed(&b);
	result(ok, "fault: after injection, new zombies tracked with their creator");
	release_batch(&b);
	wait_dying(dying0, 120);
	rmdir(CG_ROOT "/zfault");
	set_threshold("30");
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("ZMC_MODULE");

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
	if (!strcmp(argv[1], "fuzz"))
		return cmd_fuzz(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stress"))
		return cmd_stress(argc - 2, argv + 2);
	if (!strcmp(argv[1], "fault"))
		return cmd_fault(argc - 2, argv + 2);
usage:
	fprintf(stderr, "usage: %s fuzz|stress|fault [ARGS...]\n", argv[0]);
	return 2;
}
