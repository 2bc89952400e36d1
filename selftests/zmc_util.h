/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test programs: the selftests
 * (zombiememcg_test.c) and the debug tier (vm/debug/guest/zmc_debug.c).
 *
 * Small file and clock helpers, the kernel's count of dying memory cgroups,
 * the stats file, module load and unload, the older_than_secs tunable, and
 * the parser of /proc/zombiememcg.  A helper that fails says why in diag.
 */
#ifndef ZMC_UTIL_H
#define ZMC_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgpin.h"
#include "kselftest.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define PROC_FILE	"/proc/zombiememcg"
#define DEBUG_DIR	"/sys/kernel/debug/zombiememcg"
#define THRESH_FILE	DEBUG_DIR "/older_than_secs"
/* The same threshold, writable as a module parameter (lockdown-proof). */
#define PARAM_THRESH_FILE "/sys/module/zombiememcg/parameters/older_than_secs"
#define STATS_FILE	DEBUG_DIR "/stats"
#define MODULE_NAME	"zombiememcg"
#define DEFAULT_MODULE	"/lib/zombiememcg/zombiememcg.ko"
/* The header line of PROC_FILE, as the module prints it. */
#define ZMC_HEADER	"MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH"

/* Why the last check failed, for a "#" diagnostic line. */
static char diag[PATH_MAX * 2 + 512];

#define fail_msg(...) snprintf(diag, sizeof(diag), __VA_ARGS__)

/*
 * The tests load the module, mount file systems, disarm kprobes, fill the
 * cgroup tree: they run only in a throw-away test VM, whose initramfs
 * (vm/mkinitramfs.sh) has this file.  ZMC_DISPOSABLE=1 in the environment
 * says that another machine may be broken as well.
 */
#define ZMC_VM_MARK	"/etc/zombiememcg-test-vm"

static inline bool zmc_in_test_vm(void)
{
	const char *env = getenv("ZMC_DISPOSABLE");

	return !access(ZMC_VM_MARK, F_OK) || (env && !strcmp(env, "1"));
}

/* In main(), after --plan: refuse to run anywhere else. */
#define ZMC_REQUIRE_TEST_VM()						\
	do {								\
		if (!zmc_in_test_vm()) {				\
			printf("Bail out! not in a zombiememcg test VM (no %s): "	\
			       "these tests load a module and change kernel state\n",	\
			       ZMC_VM_MARK);				\
			return 4;					\
		}							\
	} while (0)

/* The module that load_module() loads; main() may point it elsewhere. */
static const char *module_path = DEFAULT_MODULE;

/*
 * The start of every selftest's main(): "--plan" prints @plan (run.sh asks
 * each program first); a non-empty argv[1] names the module; then the TAP
 * header and plan, in a test VM and as root only.  Return: -1 to go on,
 * else the exit code for main() (4: kselftest's skip).
 */
static inline int zmc_selftest_begin(int argc, char **argv, int plan)
{
	if (argc > 1 && !strcmp(argv[1], "--plan")) {
		printf("%d\n", plan);
		return 0;
	}
	if (argc > 1 && argv[1][0])
		module_path = argv[1];
	ZMC_REQUIRE_TEST_VM();
	ksft_print_header();
	ksft_set_plan(plan);
	if (geteuid()) {
		ksft_print_msg("must run as root, in a test VM\n");
		return 4;
	}
	return -1;
}

/* ---- small file and clock helpers ---- */

/* Read @path into @buf (NUL-terminated); its length, or -errno. */
static inline ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0) {
			err = n ? -errno : 0;
			break;
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return err ? err : (ssize_t)len;
}

/* The number in the file @path; -1 if unreadable. */
static inline long long read_number(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* The running kernel's version, major and minor; 0 or -1. */
static inline int kernel_version(int *major, int *minor)
{
	struct utsname u;

	*major = *minor = 0;
	if (uname(&u))
		return -1;
	return sscanf(u.release, "%d.%d", major, minor) == 2 ? 0 : -1;
}

static inline double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The kernel's own count of dying memory cgroups; -1 if unknown. */
static inline long nr_dying(void)
{
	char buf[4096], *p;
	const char *key;

	if (read_file(CG_ROOT "/cgroup.stat", buf, sizeof(buf)) <= 0)
		return -1;
	key = "nr_dying_subsys_memory ";
	p = strstr(buf, key);
	if (!p) {
		/* Before 6.11: counts dying cgroups of every controller. */
		key = "nr_dying_descendants ";
		p = strstr(buf, key);
	}
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* The value of the "@name value" line of the stats file, as a string. */
static inline int stat_string(const char *name, char *out, size_t size)
{
	char buf[4096], *line, *save;
	size_t len = strlen(name);

	if (read_file(STATS_FILE, buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			snprintf(out, size, "%s", line + len + 1);
			return 0;
		}
	}
	return -1;
}

/* The same as a number; -1 if absent. */
static inline long long stat_value(const char *name)
{
	char v[64];

	return stat_string(name, v, sizeof(v)) ? -1 : strtoll(v, NULL, 10);
}

/*
 * One read of the stats file, so that values compared with each other come
 * from the same walk: each read of the file walks the kernel's memcgs anew.
 */
struct stats {
	char buf[4096];
};

static inline int stats_read(struct stats *st)
{
	return read_file(STATS_FILE, st->buf, sizeof(st->buf)) > 0 ? 0 : -1;
}

/* The "@name value" line's value in @st as a number; -1 if absent. */
static inline long long stats_get(const struct stats *st, const char *name)
{
	size_t len = strlen(name);
	const char *p = st->buf;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* ---- cgroups, the module, its tunable ---- */

static inline int enable_memory(const char *cg)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg);
	return write_line(path, "+memory");
}

/*
 * The memory controller enabled at the cgroup v2 root: 0, or -1 with why
 * not in @why and diag (the test then skips).
 */
static inline int v2_memory(char *why, size_t size)
{
	if (!access(CG_ROOT "/cgroup.subtree_control", F_OK) && !enable_memory(CG_ROOT))
		return 0;
	snprintf(why, size, "no cgroup v2 memory controller at %s", CG_ROOT);
	snprintf(diag, sizeof(diag), "%s", why);
	return -1;
}

/*
 * The cgroup v1 memory hierarchy mounted at @dir: 0, or -1 with why not in
 * @why (v2 has the controller, or the kernel has no v1: CONFIG_MEMCG_V1).
 */
static inline int mount_memory_v1(const char *dir, char *why, size_t size)
{
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(why, size, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (mount("memory", dir, "cgroup", 0, "memory")) {
		snprintf(why, size, "no cgroup v1 memory controller to mount (%s)%s",
			 strerror(errno), errno == EBUSY ?
			 ": cgroup v2 uses it" : ": CONFIG_MEMCG_V1 not set?");
		return -1;
	}
	return 0;
}

/*
 * The module built into the kernel (CONFIG_ZOMBIEMEMCG=y, the debug tier's
 * "builtin" boot): /sys/module/ has its parameters, but not the files of a
 * loaded module (initstate, refcnt).  It was there before any cgroup of the
 * tests, and it cannot be unloaded or loaded again.
 */
static inline bool zmc_builtin(void)
{
	return !access("/sys/module/" MODULE_NAME "/parameters", F_OK) &&
	       access("/sys/module/" MODULE_NAME "/initstate", F_OK);
}

#define ZMC_BUILTIN_WHY	"the module is built into the kernel (CONFIG_ZOMBIEMEMCG=y): " \
			"it cannot be loaded, unloaded or loaded again"

/*
 * Load module_path with the parameters @params, after those of
 * $ZMC_MODULE_PARAMS if set (selftests/run.sh: probe=fprobe for a second
 * run of a program); 0 or -errno.
 */
static inline int load_module_params(const char *params)
{
	const char *env = getenv("ZMC_MODULE_PARAMS");
	char all[512];
	int fd, ret;

	if (zmc_builtin())
		return -EEXIST;

	if (env && *env) {
		ret = snprintf(all, sizeof(all), "%s%s%s", env, *params ? " " : "", params);
		if (ret < 0 || ret >= (int)sizeof(all))
			return -E2BIG;
		params = all;
	}
	fd = open(module_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline int load_module(void)
{
	return load_module_params("");
}

static inline int unload_module(void)
{
	if (zmc_builtin())
		return -EPERM;
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

static inline int set_threshold(const char *val)
{
	return write_line(THRESH_FILE, val);
}

/*
 * The module loaded (unless it already is: *@loaded_here says whether this
 * loaded it) and listing every zombie (older_than_secs 0): 0, or -1 with
 * diag saying why not.
 */
static inline int module_listing_all(bool *loaded_here)
{
	int ret;

	if (access(PROC_FILE, F_OK)) {
		ret = load_module();
		if (ret && ret != -EEXIST) {
			fail_msg("load %s: %s", module_path, strerror(-ret));
			return -1;
		}
		*loaded_here = !ret;
	}
	ret = set_threshold("0");
	if (ret) {
		fail_msg("older_than_secs 0: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

/* ---- /proc/zombiememcg ---- */

#define ZMC_MAX_COLS	16
#define LISTING_SIZE	(8 << 20)

struct row {
	char memcg[32];
	unsigned long long id;
	long pid;
	char comm[64];			/* unescaped */
	char raw_comm[64];		/* as listed */
	unsigned long long age;
	unsigned long long charged;
	unsigned long long swap;
	unsigned long long footprint;
	char flags[8];
	char path[PATH_MAX];		/* unescaped, from the cgroup root */
	char raw_path[PATH_MAX];	/* as listed */
};

struct rows {
	struct row *v;
	size_t n;
};

/* Undo the octal escapes of seq_escape(); false on a malformed escape. */
static inline bool unescape(const char *in, char *out, size_t size)
{
	size_t o = 0;

	while (*in) {
		if (o + 1 >= size)
			return false;
		if (*in == '\\') {
			if (in[1] < '0' || in[1] > '3' || in[2] < '0' ||
			    in[2] > '7' || in[3] < '0' || in[3] > '7')
				return false;
			out[o++] = (in[1] - '0') * 64 + (in[2] - '0') * 8 +
				   (in[3] - '0');
			in += 4;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
	return true;
}

static inline void free_rows(struct rows *rs)
{
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/* Split @line at spaces into @f; the count, or @max + 1 if more. */
static inline int split_fields(char *line, char **f, int max)
{
	char *save, *tok;
	int n = 0;

	for (tok = strtok_r(line, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	return tok ? max + 1 : n;
}

/* Decimal digits only, that fit. */
static inline bool parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

/* Copy the string @s to @out; false if it does not fit. */
static inline bool copy_field(char *out, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len >= size)
		return false;
	memcpy(out, s, len + 1);
	return true;
}

enum {
	COL_MEMCG, COL_ID, COL_PID, COL_COMM, COL_AGE, COL_CHARGED, COL_SWAP,
	COL_FOOTPRINT, COL_FLAGS, COL_PATH, NR_COLS,
};

/* Fill @r from the fields @f of a line; -1, or the column that is bad. */
static inline int parse_row(struct row *r, char **f, const int *col)
{
	unsigned long long pid;

	if (!copy_field(r->memcg, sizeof(r->memcg), f[col[COL_MEMCG]]))
		return COL_MEMCG;
	if (!parse_ull(f[col[COL_ID]], &r->id) || !r->id)
		return COL_ID;
	if (!parse_ull(f[col[COL_PID]], &pid) || pid > LONG_MAX)
		return COL_PID;
	r->pid = pid;
	if (!copy_field(r->raw_comm, sizeof(r->raw_comm), f[col[COL_COMM]]) ||
	    !unescape(r->raw_comm, r->comm, sizeof(r->comm)))
		return COL_COMM;
	if (!parse_ull(f[col[COL_AGE]], &r->age))
		return COL_AGE;
	if (!parse_ull(f[col[COL_CHARGED]], &r->charged))
		return COL_CHARGED;
	if (!parse_ull(f[col[COL_SWAP]], &r->swap))
		return COL_SWAP;
	if (!parse_ull(f[col[COL_FOOTPRINT]], &r->footprint))
		return COL_FOOTPRINT;
	if (!copy_field(r->flags, sizeof(r->flags), f[col[COL_FLAGS]]))
		return COL_FLAGS;
	if (!copy_field(r->raw_path, sizeof(r->raw_path), f[col[COL_PATH]]) ||
	    !unescape(r->raw_path, r->path, sizeof(r->path)))
		return COL_PATH;
	return -1;
}

/*
 * Parse the listing in @buf (which it cuts up) into @rs.  With @header, the
 * header line must be exactly that; without, the columns are found by name,
 * so that columns added later do not matter.  Every row has as many fields
 * as the header, all well-formed.  0, or -1 with diag set.
 */
static inline int parse_rows(char *buf, struct rows *rs, const char *header)
{
	static const char *const names[NR_COLS] = {
		"MEMCG", "ID", "PID", "COMM", "AGE", "CHARGED", "SWAP",
		"FOOTPRINT", "FLAGS", "PATH",
	};
	char *line, *save, *f[ZMC_MAX_COLS + 1];
	int col[NR_COLS], lineno = 0, ncols = 0, n, i, j;

	rs->v = NULL;
	rs->n = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct row *r;

		if (++lineno == 1) {
			if (header && strcmp(line, header)) {
				fail_msg("bad header '%s'", line);
				goto err;
			}
			ncols = split_fields(line, f, ZMC_MAX_COLS);
			if (ncols < 1 || ncols > ZMC_MAX_COLS ||
			    strcmp(f[0], "MEMCG")) {
				fail_msg("bad header line");
				goto err;
			}
			for (j = 0; j < NR_COLS; j++) {
				for (i = 0; i < ncols; i++)
					if (!strcmp(f[i], names[j]))
						break;
				if (i == ncols) {
					fail_msg("header lacks %s", names[j]);
					goto err;
				}
				col[j] = i;
			}
			continue;
		}
		n = split_fields(line, f, ZMC_MAX_COLS);
		if (n != ncols) {
			fail_msg("line %d has %d fields, the header %d", lineno,
				 n, ncols);
			goto err;
		}
		if (!(rs->n & 255)) {
			r = realloc(rs->v, (rs->n + 256) * sizeof(*r));
			if (!r) {
				fail_msg("out of memory");
				goto err;
			}
			rs->v = r;
		}
		r = &rs->v[rs->n];
		j = parse_row(r, f, col);
		if (j >= 0) {
			fail_msg("malformed line %d: %s '%s'", lineno, names[j],
				 f[col[j]]);
			goto err;
		}
		rs->n++;
	}
	if (!lineno) {
		fail_msg("empty listing (no header)");
		goto err;
	}
	return 0;
err:
	free_rows(rs);
	return -1;
}

/*
 * Read and parse PROC_FILE into @rs (see parse_rows() for @header); free
 * it with free_rows().  0, -errno of the read (diag set), or -EBADMSG.
 */
static inline int read_rows(struct rows *rs, const char *header)
{
	static char *buf;
	ssize_t len;

	rs->v = NULL;
	rs->n = 0;
	if (!buf)
		buf = malloc(LISTING_SIZE);
	if (!buf) {
		fail_msg("out of memory");
		return -ENOMEM;
	}
	len = read_file(PROC_FILE, buf, LISTING_SIZE);
	if (len < 0) {
		fail_msg("read %s: %s", PROC_FILE, strerror(-len));
		return len;
	}
	if (len + 1 >= LISTING_SIZE) {
		fail_msg("%s larger than %d bytes", PROC_FILE, LISTING_SIZE);
		return -EBADMSG;
	}
	return parse_rows(buf, rs, header) ? -EBADMSG : 0;
}

/*
 * The rows of one read of the listing that @match accepts: their count
 * (the last of them in *@out, if given), or -1 if unreadable.
 */
static inline int find_rows(bool (*match)(const struct row *r, const void *arg),
			    const void *arg, struct row *out)
{
	struct rows rs;
	size_t i;
	int found = 0;

	if (read_rows(&rs, ZMC_HEADER))
		return -1;
	for (i = 0; i < rs.n; i++) {
		if (match(&rs.v[i], arg)) {
			if (out)
				*out = rs.v[i];
			found++;
		}
	}
	free_rows(&rs);
	return found;
}

static inline bool row_has_id(const struct row *r, const void *id)
{
	return r->id == *(const unsigned long long *)id;
}

/* The rows of cgroup id @id: 1 listed, 0 not listed, -1 unreadable. */
static inline int find_id(unsigned long long id, struct row *out)
{
	return find_rows(row_has_id, &id, out);
}

/* The number of rows, or what read_rows() returned. */
static inline long count_rows(const char *header)
{
	struct rows rs;
	int ret = read_rows(&rs, header);
	long n;

	if (ret)
		return ret;
	n = rs.n;
	free_rows(&rs);
	return n;
}

/*
 * The per-CPU charge caches: a CPU keeps the last memcg it charged or
 * uncharged pages of in advance, with a reference, until another memcg's
 * charge takes its place or a drain.  A zombie whose last socket memory
 * was uncharged after the removal (the orphan's) can stay there on a quiet
 * machine: memory.high written under the usage of an ancestor drains the
 * caches of its subtree first (no reclaim once under it again, no OOM).
 */
static inline void drain_charge_caches(const char *cg)
{
	char path[PATH_MAX], val[32];
	long long cur;

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	cur = read_number(path);
	if (cur < 0)
		return;
	snprintf(path, sizeof(path), "%s/memory.high", cg);
	snprintf(val, sizeof(val), "%lld", cur > 4096 ? cur - 4096 : 0);
	if (write_line(path, val) || write_line(path, "max"))
		ksft_print_msg("drain: %s: %s\n", path, strerror(errno));
}

/* A cgroup's id: its kernfs inode number on 64-bit; 0 if it has none. */
static inline unsigned long long cgroup_id_of(const char *dir)
{
	struct stat st;

	return stat(dir, &st) ? 0 : (unsigned long long)st.st_ino;
}

/* Byte @i of the test data of pattern @seed. */
static inline unsigned char pattern_byte(size_t i, int seed)
{
	return (unsigned char)(i * 7 + seed + (i >> 12));
}

/* @len bytes of pattern @seed at @off of @path (made if need be). */
static inline int write_pattern(const char *path, off_t off, size_t len, int seed, bool sync)
{
	static unsigned char buf[65536];
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	size_t done, i, n;

	if (fd < 0)
		return -1;
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern_byte(off + done + i, seed);
		if (pwrite(fd, buf, n, off + done) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	if (sync && fsync(fd)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Whether @len bytes at @off of @path are pattern @seed. */
static inline bool check_pattern(const char *path, off_t off, size_t len, int seed)
{
	static unsigned char buf[65536];
	int fd = open(path, O_RDONLY);
	size_t done, i, n;
	bool ok = fd >= 0;

	for (done = 0; ok && done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ok = pread(fd, buf, n, off + done) == (ssize_t)n;
		for (i = 0; ok && i < n; i++)
			ok = buf[i] == pattern_byte(off + done + i, seed);
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Drop the clean page cache of @path (its data; its metadata stays). */
static inline int drop_cache(const char *path)
{
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = fdatasync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return ret ? -1 : 0;
}

/* 0 if @path is owned by root with mode @mode, else -1 with diag filled. */
static inline int check_root_file(const char *path, unsigned int mode)
{
	struct stat st;

	if (stat(path, &st)) {
		fail_msg("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((st.st_mode & 07777) != mode || st.st_uid) {
		fail_msg("%s: mode %o owner %u, want %04o root", path, st.st_mode & 07777,
			 st.st_uid, mode);
		return -1;
	}
	return 0;
}

/* KSFT_PASS if uid 65534 is refused opening @path with @flags (EACCES). */
static inline int nobody_refused(const char *path, int flags)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return KSFT_FAIL;
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(open(path, flags) < 0 && errno == EACCES ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fail_msg("uid 65534 %s %s", WIFEXITED(status) && WEXITSTATUS(status) == 1 ?
			 "could open" : "could not be set up to open", path);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* ---- running tests ---- */

/*
 * A test: its TAP name, what runs it (it may fill diag), and whether it
 * loads or unloads the module or needs cgroups older than the module's
 * load (ZMC_LOADS): those skip where the module is built in.
 */
struct zmc_test {
	const char *name;
	int (*fn)(void);
	bool loads;
};

#define ZMC_LOADS	true

/*
 * Run @t and print its result, as test_memcontrol.c's main() does: diag,
 * which the test filled, is printed before a failure and is the reason of
 * a skip.
 */
static inline void zmc_run_test(const struct zmc_test *t)
{
	int res;

	diag[0] = '\0';
	if (t->loads && zmc_builtin()) {
		ksft_test_result_skip("%s: %s\n", t->name, ZMC_BUILTIN_WHY);
		return;
	}
	res = t->fn();
	switch (res) {
	case KSFT_PASS:
		ksft_test_result_pass("%s\n", t->name);
		break;
	case KSFT_SKIP:
		ksft_test_result_skip("%s: %s\n", t->name, diag);
		break;
	default:
		if (diag[0])
			ksft_print_msg("%s\n", diag);
		ksft_test_result_fail("%s\n", t->name);
		break;
	}
}

/* Run @n tests, or skip each with @no_run once it says why they cannot run. */
static inline void zmc_run_tests(const struct zmc_test *tests, int n, const char *no_run)
{
	int i;

	for (i = 0; i < n; i++) {
		if (no_run[0])
			ksft_test_result_skip("%s: %s\n", tests[i].name, no_run);
		else
			zmc_run_test(&tests[i]);
	}
}

#endif /* ZMC_UTIL_H */
