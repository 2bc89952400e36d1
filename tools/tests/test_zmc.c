// SPDX-License-Identifier: GPL-2.0
/*
 * test_zmc.c - unit tests of the zombiememcgstat parser and formatters
 *
 * Calls the functions of zmcparse.c and zmcfmt.c directly and prints TAP.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zmc.h"


static int nr_tests, nr_failed;

static void ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d - ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static unsigned long long rng_state = 0x2545f4914f6cdd1dULL;

static unsigned long long rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Capture what a formatter prints. */
struct capture {
	FILE *fp;
	char *buf;
	size_t len;
};

static FILE *cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	if (!c->fp) {
		perror("open_memstream");
		exit(1);
	}
	return c->fp;
}

static char *cap_close(struct capture *c)
{
	fclose(c->fp);
	return c->buf;
}

static void test_columns(void)
{
	bool good = true;
	int i;

	for (i = 0; i < ZMC_NR_COLS; i++) {
		const char *n = zmc_col_name(i);

		good &= zmc_col_lookup(n, strlen(n)) == (enum zmc_col)i;
	}
	ok(good, "every known column name maps back to its column");
	ok(zmc_col_lookup("AG", 2) == ZMC_COL_IGNORED &&
	   zmc_col_lookup("AGES", 4) == ZMC_COL_IGNORED &&
	   zmc_col_lookup("age", 3) == ZMC_COL_IGNORED &&
	   zmc_col_lookup("NEWCOL", 6) == ZMC_COL_IGNORED,
	   "unknown, lowercase and prefix column names are ignored");
}

static void test_u64(void)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "1e3",
	};
	unsigned long long v;
	bool good = true;
	size_t i;

	ok(!zmc_parse_u64("0", &v) && v == 0 &&
	   !zmc_parse_u64("007", &v) && v == 7 &&
	   !zmc_parse_u64("18446744073709551615", &v) && v == ULLONG_MAX,
	   "u64: 0, leading zeros, UINT64_MAX");
	ok(zmc_parse_u64("18446744073709551616", &v) == -ERANGE &&
	   zmc_parse_u64("99999999999999999999999", &v) == -ERANGE,
	   "u64: overflow is -ERANGE");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		good &= zmc_parse_u64(bad[i], &v) == -EINVAL;
	ok(good, "u64: empty, signs, blanks, hex, fractions are -EINVAL");
}

static bool unesc_is(const char *in, const char *want, size_t want_len)
{
	char buf[64];
	size_t len;

	strcpy(buf, in);
	return !zmc_unescape(buf, &len) && len == want_len &&
	       !memcmp(buf, want, len) && buf[len] == '\0';
}

static bool unesc_fails_at(const char *in, size_t at)
{
	char buf[64];
	size_t len;

	strcpy(buf, in);
	return zmc_unescape(buf, &len) == -1 && len == at &&
	       !strcmp(buf + at, in + at);
}

static void test_escape(void)
{
	char dst[4 * 256 + 1], src[256], back[4 * 256 + 1], again[4 * 256 + 1];
	bool good = true;
	int i, j;

	ok(unesc_is("\\040", " ", 1) && unesc_is("\\011", "\t", 1) &&
	   unesc_is("\\012", "\n", 1) && unesc_is("\\134", "\\", 1) &&
	   unesc_is("a\\134\\040b", "a\\ b", 4) && unesc_is("\\1234", "S4", 2) &&
	   unesc_is("\\377", "\377", 1) && unesc_is("plain", "plain", 5),
	   "unescape: the kernel's \\ooo escapes, any byte value");
	ok(unesc_fails_at("\\0", 0) && unesc_fails_at("ab\\12", 2) &&
	   unesc_fails_at("x\\", 1) && unesc_fails_at("\\400", 0) &&
	   unesc_fails_at("\\000", 0) && unesc_fails_at("\\08a", 0) &&
	   unesc_fails_at("ok\\040\\n", 6) && unesc_fails_at("\\\\", 0),
	   "unescape: short, non-octal, >0377, NUL and C-style escapes fail at the backslash");
	ok(zmc_escape(dst, "a b\tc\nd\\e\r\033", 12) == 24 &&
	   !strcmp(dst, "a\\040b\\011c\\012d\\134e\r\033"),
	   "escape: space, tab, newline, backslash as seq_escape() does");

	/* escape -> unescape is the identity on any NUL-free bytes */
	for (i = 0; i < 5000; i++) {
		size_t n = rnd() % 256, len;

		for (j = 0; j < (int)n; j++)
			src[j] = 1 + rnd() % 255;
		zmc_escape(dst, src, n);
		good &= !strpbrk(dst, " \t\n");
		strcpy(back, dst);
		good &= !zmc_unescape(back, &len) && len == n &&
			!memcmp(back, src, n);
		/* and escape(unescape(x)) gives x back */
		zmc_escape(again, back, len);
		good &= !strcmp(again, dst);
	}
	ok(good, "escape/unescape round trip on 5000 random byte strings");
}

static int parse_str(struct zmc_snapshot *s, const char *text,
		     struct zmc_error *err)
{
	return zmc_parse(s, text, strlen(text), err);
}

static void test_parse_basic(void)
{
	struct zmc_snapshot s;
	struct zmc_error err;
	int ret;

	ret = parse_str(&s,
		"MEMCG ID PID COMM AGE CHARGED PATH\n"
		"ffff888003a1c000 42 1 systemd 84 4096 /system.slice/foo\\040bar.scope\n"
		"0000000000000000\t7\t0\t-\t31\t0\t/a\n", &err);
	ok(!ret && s.nr == 2, "parse: two rows");
	if (ret) {
		diag("line %lu: %s", err.line, err.msg);
		return;
	}
	ok(!strcmp(s.rows[0].memcg, "ffff888003a1c000") && s.rows[0].id == 42 &&
	   s.rows[0].pid == 1 && !strcmp(s.rows[0].comm, "systemd") &&
	   s.rows[0].age == 84 && s.rows[0].charged == 4096 &&
	   !strcmp(s.rows[0].path, "/system.slice/foo bar.scope") &&
	   s.rows[0].path_len == 27 && s.rows[0].line == 2 &&
	   !s.rows[0].predates && !strcmp(s.rows[0].flags, "-"),
	   "parse: fields of a row, PATH unescaped");
	ok(!strcmp(s.rows[1].memcg, "0000000000000000") &&
	   !strcmp(s.rows[1].comm, "-") && s.rows[1].line == 3,
	   "parse: tabs separate too; hidden pointer and unknown comm");
	ok(s.cols == (ZMC_REQUIRED_COLS | ZMC_BIT(ZMC_COL_ID) |
		      ZMC_BIT(ZMC_COL_CHARGED)),
	   "parse: the columns present are recorded");
	zmc_snapshot_free(&s);

	ret = parse_str(&s,
		"  FOO  PATH\tAGE X COMM FLAGS FOOTPRINT PID SWAP MEMCG BAR\n"
		"  1 /x 99 y c\\040d p 1000 12 5 m1 z\n"
		"2 /y 98 y e -p 1 13 6 m2 z", &err);
	ok(!ret && s.nr == 2 && !strcmp(s.rows[0].path, "/x") &&
	   s.rows[0].age == 99 && !strcmp(s.rows[0].comm, "c d") &&
	   s.rows[0].predates && s.rows[0].footprint == 1000 &&
	   s.rows[0].pid == 12 && s.rows[0].swap == 5 &&
	   !strcmp(s.rows[0].memcg, "m1") && s.rows[1].predates &&
	   !strcmp(s.rows[1].flags, "-p") && s.rows[1].age == 98,
	   "parse: columns found by name in any order, unknown ones ignored, no final newline");
	ok(!ret && !(s.cols & ZMC_BIT(ZMC_COL_CHARGED)) &&
	   (s.cols & ZMC_BIT(ZMC_COL_SWAP)) &&
	   (s.cols & ZMC_BIT(ZMC_COL_FLAGS)),
	   "parse: optional columns are known to be present or absent");
	zmc_snapshot_free(&s);

	ret = parse_str(&s, "MEMCG PID COMM AGE PATH\n", &err);
	ok(!ret && s.nr == 0, "parse: header only is an empty snapshot");
	zmc_snapshot_free(&s);
}

struct bad_case {
	const char *input;
	size_t len;		/* 0: strlen */
	unsigned long line;
	const char *msg;
};

#define HDR	"MEMCG ID PID COMM AGE CHARGED PATH\n"
#define ROW	"ffff1 1 1 c 40 0 /a\n"

static const struct bad_case bad_cases[] = {
	{ "", 0, 1, "empty input" },
	{ "\n", 0, 1, "empty header" },
	{ " \t \n" ROW, 0, 1, "empty header" },
	{ "MEMCG ID AGE PATH\n", 0, 1, "PID, COMM" },
	{ "ID CHARGED\n", 0, 1, "MEMCG, PID, COMM, AGE, PATH" },
	{ ROW ROW, 0, 1, "lacks required" },
	{ "MEMCG PID COMM AGE AGE PATH\n", 0, 1, "duplicate column AGE" },
	{ "MEMCG ID PID COMM AGE CHARGED PATH\r\n" ROW, 0, 1, "PATH" },
	{ HDR ROW "ffff1 1 1 c 40 /a\n", 0, 3, "6 fields, but the header names 7" },
	{ HDR "ffff1 1 1 c 40 0 /a extra\n", 0, 2, "8 fields" },
	{ HDR ROW ROW "x\n", 0, 4, "1 field," },
	{ HDR ROW "\n" ROW, 0, 3, "empty line" },
	{ HDR ROW " \t\n", 0, 3, "empty line" },
	{ HDR ROW "\n\n", 0, 3, "empty line" },
	{ HDR "ffff1 1 1 c 4O 0 /a\n", 0, 2, "bad AGE value '4O'" },
	{ HDR "ffff1 1 -1 c 40 0 /a\n", 0, 2, "bad PID" },
	{ HDR "ffff1 x 1 c 40 0 /a\n", 0, 2, "bad ID" },
	{ HDR "ffff1 1 1 c 40 1.5M /a\n", 0, 2, "bad CHARGED" },
	{ HDR "ffff1 1 1 c 18446744073709551616 0 /a\n", 0, 2, "AGE value '18446744073709551616' out of range" },
	{ HDR "ffff1 1 2147483648 c 40 0 /a\n", 0, 2, "PID value '2147483648' out of range" },
	{ HDR ROW "ffff1 1 1 c 40 0 /a\\04\n", 0, 3, "bad escape '\\04' in PATH" },
	{ HDR "ffff1 1 1 c 40 0 /a\\08x\n", 0, 2, "bad escape" },
	{ HDR "ffff1 1 1 c 40 0 /a\\400\n", 0, 2, "bad escape" },
	{ HDR "ffff1 1 1 c 40 0 /a\\000\n", 0, 2, "bad escape" },
	{ HDR "ffff1 1 1 c\\n 40 0 /a\n", 0, 2, "in COMM" },
	{ HDR "ffff1 1 1 c 40 0 /a\\", 0, 2, "bad escape '\\' in PATH" },
	{ HDR "ffff1 1 1 c 40 0 a/b\n", 0, 2, "does not start with '/'" },
	{ HDR "ffff1 1 1 c 40 0 \\057a\n", 0, 0, NULL },	/* valid */
	{ HDR ROW "ffff1 1 1 c 40 0 /a\0b\n", sizeof(HDR ROW) + 19, 3, "NUL byte" },
	{ "MEMCG PID COMM AGE FLAGS PATH\nm 1 c 40 p\033 /a\n", 0, 2, "bad FLAGS" },
};

static void test_malformed(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->input);
		struct zmc_snapshot s;
		struct zmc_error err;
		int ret = zmc_parse(&s, c->input, len, &err);

		if (!c->msg) {
			ok(!ret && s.nr == 1 && !strcmp(s.rows[0].path, "/a"),
			   "malformed case %zu: an escaped first '/' is valid", i);
			zmc_snapshot_free(&s);
			continue;
		}
		ok(ret == -1 && err.line == c->line &&
		   strstr(err.msg, c->msg) && !s.nr && !s.rows && !s.buf,
		   "malformed case %zu rejected at line %lu: %s", i, c->line,
		   c->msg);
		if (ret != -1 || err.line != c->line ||
		    !strstr(err.msg, c->msg))
			diag("got ret %d line %lu: %s", ret, err.line, err.msg);
	}
}

static void test_big(void)
{
	size_t n = 1 << 20, i, len;
	struct zmc_snapshot s;
	struct zmc_error err;
	char *text, *p;
	int ret;

	/* one line of 1 MiB: no limit on line length */
	text = malloc(n + 128);
	p = text + sprintf(text, "MEMCG PID COMM AGE PATH\nm 1 c 40 ");
	for (i = 0; i < n; i++)
		*p++ = i % 64 ? 'a' : '/';
	*p++ = '\n';
	ret = zmc_parse(&s, text, p - text, &err);
	ok(!ret && s.nr == 1 && s.rows[0].path_len == n,
	   "parse: a 1 MiB PATH");
	zmc_snapshot_free(&s);
	free(text);

	/* 200000 rows: no cap on the number of rows */
	n = 200000;
	text = malloc(n * 64 + 64);
	p = text + sprintf(text, "MEMCG PID COMM AGE PATH\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "ffff%zx %zu c%zu %zu /r/%zu\n", i, i % 1000,
			     i % 7, i, i);
	len = p - text;
	ret = zmc_parse(&s, text, len, &err);
	ok(!ret && s.nr == n && s.rows[n - 1].age == n - 1 &&
	   s.rows[n - 1].line == n + 1, "parse: 200000 rows");
	zmc_snapshot_free(&s);
	free(text);
}

/* Random rows with random (escaped) COMM and PATH parse back exactly. */
static void test_parse_roundtrip(void)
{
	static char comm[64][65], path[64][130];
	static size_t clen[64], plen[64];
	unsigned long long age[64];
	char *text = malloc(64 * (4 * 200 + 64) + 64), *p;
	struct zmc_snapshot s;
	struct zmc_error err;
	bool good = true;
	int round, i, j;

	for (round = 0; round < 50; round++) {
		p = text + sprintf(text, "MEMCG PID COMM AGE PATH\n");
		for (i = 0; i < 64; i++) {
			clen[i] = 1 + rnd() % 64;
			for (j = 0; j < (int)clen[i]; j++)
				comm[i][j] = 1 + rnd() % 255;
			plen[i] = 1 + rnd() % 128;
			path[i][0] = '/';
			for (j = 1; j < (int)plen[i]; j++)
				path[i][j] = 1 + rnd() % 255;
			age[i] = rnd();
			p += sprintf(p, "m%d %d ", i, i);
			p += zmc_escape(p, comm[i], clen[i]);
			p += sprintf(p, " %llu ", age[i]);
			p += zmc_escape(p, path[i], plen[i]);
			*p++ = '\n';
		}
		if (zmc_parse(&s, text, p - text, &err)) {
			diag("line %lu: %s", err.line, err.msg);
			good = false;
			break;
		}
		for (i = 0; i < 64; i++) {
			struct zmc_row *r = &s.rows[i];

			good &= r->comm_len == clen[i] &&
				!memcmp(r->comm, comm[i], clen[i]) &&
				r->path_len == plen[i] &&
				!memcmp(r->path, path[i], plen[i]) &&
				r->age == age[i] && r->pid == (unsigned)i;
		}
		zmc_snapshot_free(&s);
	}
	free(text);
	ok(good, "parse: 3200 random escaped COMM/PATH values come back exactly");
}

static const char select_text[] =
	"MEMCG PID COMM AGE CHARGED PATH\n"
	"m1 1 systemd 100 10 /b\n"
	"m2 1 systemd 300 5 /a\n"
	"m3 7 python3 100 50 /a\n"
	"m4 7 python3 29 99 /c\n"
	"m5 9 systemd 30 0 /d\n";

static bool order_is(struct zmc_row **v, size_t nr, const char *want)
{
	char got[64] = "";
	size_t i;

	for (i = 0; i < nr; i++)
		strcat(got, v[i]->memcg);
	if (strcmp(got, want))
		diag("order %s, want %s", got, want);
	return !strcmp(got, want);
}

static void test_select(void)
{
	struct zmc_filter f = { .older = 30 };
	struct zmc_snapshot s;
	struct zmc_error err;
	enum zmc_sort sort;
	struct zmc_row **v;
	size_t nr;

	if (parse_str(&s, select_text, &err)) {
		ok(false, "select: fixture parses: %s", err.msg);
		return;
	}
	v = zmc_select(&s, &f, ZMC_SORT_AGE, &nr);
	ok(nr == 4 && order_is(v, nr, "m2m3m1m5"),
	   "select: -o 30 keeps AGE >= 30; oldest first, ties by path");
	free(v);
	v = zmc_select(&s, &f, ZMC_SORT_CHARGED, &nr);
	ok(order_is(v, nr, "m3m1m2m5"), "select: sort by charged");
	free(v);
	v = zmc_select(&s, &f, ZMC_SORT_PATH, &nr);
	ok(order_is(v, nr, "m2m3m1m5"), "select: sort by path, ties oldest first");
	free(v);
	f.has_pid = true;
	f.pid = 7;
	f.older = 0;
	v = zmc_select(&s, &f, ZMC_SORT_AGE, &nr);
	ok(order_is(v, nr, "m3m4"), "select: -p 7 -o 0");
	free(v);
	f.has_pid = false;
	f.comm = "systemd";
	f.older = 100;
	v = zmc_select(&s, &f, ZMC_SORT_AGE, &nr);
	ok(order_is(v, nr, "m2m1"), "select: -c systemd -o 100");
	free(v);
	f.comm = "system";
	v = zmc_select(&s, &f, ZMC_SORT_AGE, &nr);
	ok(v && nr == 0, "select: -c matches the whole comm only");
	free(v);
	f.comm = NULL;
	f.older = 30;
	v = zmc_select(&s, &f, ZMC_SORT_NONE, &nr);
	ok(order_is(v, nr, "m1m2m3m5"), "select: no sort keeps the input order");
	free(v);
	ok(!zmc_parse_sort("age", &sort) && sort == ZMC_SORT_AGE &&
	   !zmc_parse_sort("charged", &sort) && sort == ZMC_SORT_CHARGED &&
	   !zmc_parse_sort("path", &sort) && sort == ZMC_SORT_PATH &&
	   zmc_parse_sort("AGE", &sort) && zmc_parse_sort("", &sort),
	   "select: sort keys age, charged, path only");
	zmc_snapshot_free(&s);
}

/* zmc_human() as it was written with printf(), for reference */
static void human_ref(char *buf, size_t size, unsigned long long bytes)
{
	static const char units[] = "KMGTPE";
	double d = bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%llu", bytes);
		return;
	}
	while (u < 5 && d >= 1023.95) {
		d /= 1024;
		u++;
	}
	if (d < 9.95)
		snprintf(buf, size, "%.1f%c", d, units[u]);
	else
		snprintf(buf, size, "%.0f%c", d, units[u]);
}

static bool human_is_ref(unsigned long long v)
{
	char got[32], want[32];

	zmc_human(got, sizeof(got), v);
	human_ref(want, sizeof(want), v);
	if (strcmp(got, want))
		diag("human(%llu) = %s, printf() gives %s", v, got, want);
	return !strcmp(got, want);
}

/*
 * Every power of two and its neighbours, values around the unit and
 * precision thresholds (1023.95 and 9.95 of a unit), exact ties of the
 * rounding, and random values of every magnitude.
 */
static bool human_matches_printf(void)
{
	bool good = true;
	int i, u, k;

	for (i = 0; i < 64; i++) {
		unsigned long long p = 1ULL << i;

		good &= human_is_ref(p - 1) && human_is_ref(p) &&
			human_is_ref(p + 1);
	}
	for (u = 1; u <= 6; u++) {
		unsigned long long unit = 1ULL << (10 * u);

		/* thresholds: 9.95 and 1023.95 units, 1023.95 of the one below */
		for (k = -3; k <= 3; k++) {
			good &= human_is_ref(9.95 * unit + k) &&
				human_is_ref(1023.95 * (unit / 1024) + k);
			if (u < 6)
				good &= human_is_ref(1023.95 * unit + k);
		}
		/* ties: n.25 and n.75 units to .1, n.5 units to integers */
		for (k = 1; k < 40; k += 2)
			good &= human_is_ref(k * (unit / 4));
		for (k = 19; k < 2048 && (u < 6 || k < 32); k += 2)
			good &= human_is_ref(k * (unit / 2));
	}
	for (i = 0; i < 100000; i++)
		good &= human_is_ref(rnd() >> (rnd() % 64));
	good &= human_is_ref(ULLONG_MAX) && human_is_ref(ULLONG_MAX - 1);
	return good;
}

static bool u64_is(unsigned long long v, const char *want)
{
	char buf[ZMC_U64_LEN + 1];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	n = zmc_u64_str(buf, v);
	if (strcmp(buf, want) || n != strlen(want))
		diag("u64 %llu: '%s' (%zu)", v, buf, n);
	return !strcmp(buf, want) && n == strlen(want);
}

static void test_numbers(void)
{
	static const struct {
		unsigned long long v;
		const char *s;
	} human[] = {
		{ 0, "0" }, { 1023, "1023" }, { 1024, "1.0K" },
		{ 1536, "1.5K" }, { 10189, "10K" }, { 10240, "10K" },
		{ 1048575, "1.0M" }, { 1052672, "1.0M" },
		{ 314572800, "300M" }, { 5368709120ULL, "5.0G" },
		{ 1ULL << 50, "1.0P" }, { ULLONG_MAX, "16E" },
	};
	bool good = true;
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(human); i++) {
		zmc_human(buf, sizeof(buf), human[i].v);
		if (strcmp(buf, human[i].s)) {
			diag("human(%llu) = %s, want %s", human[i].v, buf,
			     human[i].s);
			good = false;
		}
	}
	ok(good, "human-readable sizes");
	ok(human_matches_printf(), "human-readable sizes round as printf() does");
	ok(u64_is(0, "0") && u64_is(7, "7") && u64_is(10, "10") &&
	   u64_is(4294967296ULL, "4294967296") &&
	   u64_is(10000000000000000000ULL, "10000000000000000000") &&
	   u64_is(ULLONG_MAX, "18446744073709551615"),
	   "u64 to decimal: 0, one digit, powers of ten, UINT64_MAX");
	ok(zmc_log2_index(0) == 1 && zmc_log2_index(1) == 1 &&
	   zmc_log2_index(2) == 2 && zmc_log2_index(3) == 2 &&
	   zmc_log2_index(4) == 3 && zmc_log2_index(1023) == 10 &&
	   zmc_log2_index(1024) == 11 && zmc_log2_index(1ULL << 63) == 64 &&
	   zmc_log2_index(ULLONG_MAX) == 64,
	   "log2 slots are those of bcc's bpf_log2l()");
}

static void test_hist(void)
{
	unsigned long long vals[ZMC_HIST_SLOTS] = { 0 };
	struct capture c;
	char *out;

	cap_open(&c);
	zmc_print_log2_hist(c.fp, vals, "secs");
	out = cap_close(&c);
	ok(!strcmp(out, ""), "hist: nothing for no values (as bcc)");
	free(out);

	vals[1] = 1;
	vals[3] = 4;
	vals[4] = 3;
	cap_open(&c);
	zmc_print_log2_hist(c.fp, vals, "secs");
	out = cap_close(&c);
	ok(!strcmp(out,
"     secs                : count     distribution\n"
"         0 -> 1          : 1        |**********                              |\n"
"         2 -> 3          : 0        |                                        |\n"
"         4 -> 7          : 4        |****************************************|\n"
"         8 -> 15         : 3        |******************************          |\n"),
	   "hist: bcc print_log2_hist layout");
	free(out);

	memset(vals, 0, sizeof(vals));
	vals[33] = 2;
	vals[64] = 1;
	cap_open(&c);
	zmc_print_log2_hist(c.fp, vals, "bytes");
	out = cap_close(&c);
	ok(strstr(out, "               bytes                         : count     distribution\n") == out &&
	   strstr(out, "          4294967296 -> 8589934591           : 2        |********************|\n") &&
	   strstr(out, " 9223372036854775808 -> 18446744073709551615 : 1        |**********          |\n"),
	   "hist: bcc's wide layout past slot 32, up to UINT64_MAX");
	free(out);
}

static bool json_is(const char *in, size_t len, const char *want)
{
	struct capture c;
	char *out;
	bool good;

	cap_open(&c);
	zmc_json_string(c.fp, in, len);
	out = cap_close(&c);
	good = !strcmp(out, want);
	if (!good)
		diag("json %s, want %s", out, want);
	free(out);
	return good;
}

static bool prom_is(const char *in, const char *want)
{
	struct capture c;
	char *out;
	bool good;

	cap_open(&c);
	zmc_prom_label(c.fp, in, strlen(in));
	out = cap_close(&c);
	good = !strcmp(out, want);
	if (!good)
		diag("prom %s, want %s", out, want);
	free(out);
	return good;
}

static bool display_is(const char *in, size_t width, bool pad,
		       const char *want)
{
	struct capture c;
	char *out;
	bool good;

	cap_open(&c);
	zmc_display(c.fp, in, strlen(in), width, pad);
	out = cap_close(&c);
	good = !strcmp(out, want);
	if (!good)
		diag("display '%s', want '%s'", out, want);
	free(out);
	return good;
}

/* 30000 times a"b: the output buffer fills and flushes many times */
static bool json_long(void)
{
	size_t n = 30000, i;
	char *in = malloc(3 * n), *want = malloc(4 * n + 3);
	bool good;

	for (i = 0; i < n; i++) {
		memcpy(in + 3 * i, "a\"b", 3);
		memcpy(want + 1 + 4 * i, "a\\\"b", 4);
	}
	want[0] = '"';
	want[4 * n + 1] = '"';
	want[4 * n + 2] = '\0';
	good = json_is(in, 3 * n, want);
	free(in);
	free(want);
	return good;
}

static void test_strings(void)
{
	size_t n;

	ok(json_is("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"") &&
	   json_is("\n\t\r\b\033\177", 6, "\"\\n\\t\\r\\u0008\\u001b\177\"") &&
	   json_is("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x90\x9b", 14,
		   "\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x90\x9b\""),
	   "json: quotes, backslash, control characters, UTF-8 kept");
	ok(json_is("a\xff", 2, "\"a\\ufffd\"") &&
	   json_is("\xc0\x80", 2, "\"\\ufffd\\ufffd\"") &&
	   json_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"") &&
	   json_is("\xe6\x97", 2, "\"\\ufffd\\ufffd\"") &&
	   json_is("\xf4\x90\x80\x80", 4,
		   "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
	   "json: bytes that are not UTF-8 (stray, overlong, surrogate, cut, >U+10FFFF) become U+FFFD");
	ok(json_long(), "json: a string longer than the output buffer");
	ok(prom_is("a\\b\"c\nd\te", "a\\\\b\\\"c\\nd\te") &&
	   prom_is("x\xffy", "x\\\\377y") && prom_is("caf\xc3\xa9", "caf\xc3\xa9"),
	   "prometheus: label values escaped per the exposition format");
	ok(display_is("a b", 0, false, "a\\040b") &&
	   display_is("a b", 3, true, "a  ") &&
	   display_is("a b", 5, true, "a\\040") &&
	   display_is("a b", 7, true, "a\\040b ") &&
	   display_is("\033x\\", 0, false, "\\033x\\134") &&
	   display_is("\xc3\xa9t\xc3\xa9", 2, true, "\xc3\xa9t") &&
	   display_is("\xc2\x9b", 0, false, "\\302\\233") &&
	   display_is("abc", 6, true, "abc   "),
	   "display: escapes, cut without splitting an escape or a character, pads");
	ok(!strcmp(zmc_leaf("/a/bc", 5, &n), "bc") && n == 2 &&
	   !strcmp(zmc_leaf("/", 1, &n), "/") && n == 1 &&
	   !strcmp(zmc_leaf("/x", 2, &n), "x") && n == 1,
	   "leaf name of a path");
}

static void test_files(void)
{
	char dir[] = "/tmp/zmctest.XXXXXX", path[64], *data;
	unsigned long long secs;
	struct capture c;
	size_t len, i;
	FILE *fp;
	char *out;
	int ret;

	if (!mkdtemp(dir)) {
		ok(false, "files: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/big", dir);
	fp = fopen(path, "w");
	for (i = 0; i < 300000; i++)
		fputc('a' + i % 26, fp);
	fclose(fp);
	ret = zmc_read_file(path, &data, &len);
	ok(!ret && len == 300000 && data[299999] == 'a' + 299999 % 26,
	   "read_file: a file bigger than the first buffer");
	if (!ret)
		free(data);
	unlink(path);
	ok(zmc_read_file(path, &data, &len) == -ENOENT,
	   "read_file: -ENOENT for a missing file");

	snprintf(path, sizeof(path), "%s/older_than_secs", dir);
	fp = fopen(path, "w");
	fputs("60\n", fp);
	fclose(fp);
	ok(!zmc_read_threshold(path, &secs) && secs == 60,
	   "threshold: read from the debugfs file");
	{
		char param[PATH_MAX];
		const char *both[2] = { param, path };

		/* The parameter first: named when it has a write bit. */
		snprintf(param, sizeof(param), "%s/param", dir);
		fp = fopen(param, "w");
		fputs("60\n", fp);
		fclose(fp);
		chmod(param, 0644);
		cap_open(&c);
		ret = zmc_check_threshold(c.fp, both, 2, 30);
		out = cap_close(&c);
		ok(ret == 1 && strstr(out, "-o 30 is below") && strstr(out, " 60 ") &&
		   strstr(out, param) && !strstr(out, path + strlen(dir)) &&
		   strchr(out, '\n') == out + strlen(out) - 1,
		   "threshold: -o below it warns in one line naming the writable parameter");
		free(out);
		/* A read-only parameter (an older module): the debugfs file. */
		chmod(param, 0444);
		cap_open(&c);
		ret = zmc_check_threshold(c.fp, both, 2, 30);
		out = cap_close(&c);
		ok(ret == 1 && strstr(out, "echo 30 > ") && strstr(out, path),
		   "threshold: with the parameter read-only, names the debugfs file");
		free(out);
		/* Lockdown: the debugfs file cannot be opened, the parameter can. */
		unlink(param);
		fp = fopen(param, "w");
		fputs("45\n", fp);
		fclose(fp);
		chmod(param, 0644);
		both[1] = "/nonexistent/older_than_secs";
		cap_open(&c);
		ret = zmc_check_threshold(c.fp, both, 2, 10);
		out = cap_close(&c);
		ok(ret == 1 && strstr(out, " 45 ") && strstr(out, "echo 10 > ") && strstr(out, param),
		   "threshold: debugfs unreadable (lockdown): read from and named the parameter");
		free(out);
		/* Nothing writable: says to reload with the parameter. */
		chmod(param, 0444);
		cap_open(&c);
		ret = zmc_check_threshold(c.fp, both, 1, 10);
		out = cap_close(&c);
		ok(ret == 1 && strstr(out, "read-only") && strstr(out, "older_than_secs=10"),
		   "threshold: no writable file: reload with older_than_secs=");
		free(out);
		unlink(param);
	}
	cap_open(&c);
	{
		const char *one[1] = { path };
		const char *none[1] = { "/nonexistent/older_than_secs" };

		ret = zmc_check_threshold(c.fp, one, 1, 60);
		ret |= zmc_check_threshold(c.fp, none, 1, 0);
		fp = fopen(path, "w");
		fputs("garbage\n", fp);
		fclose(fp);
		ret |= zmc_check_threshold(c.fp, one, 1, 0);
	}
	out = cap_close(&c);
	ok(ret == 0 && !strcmp(out, ""),
	   "threshold: silent when -o is not below it or the file is unreadable or garbage");
	free(out);
	unlink(path);
	rmdir(dir);
}

/* Formatters on a snapshot with every column, as a smoke test. */
static void test_formatters(void)
{
	static const char text[] =
		"MEMCG ID PID COMM AGE FLAGS CHARGED SWAP FOOTPRINT PATH\n"
		"ffff1 10 1 systemd 100 - 4096 0 30000 /a\\040b\n"
		"ffff2 11 0 - 50 p 0 8192 30000 /c\n";
	struct zmc_fmt fmt = { .path = true, .charged = true,
			       .footprint = true };
	struct zmc_filter f = { 0 };
	struct zmc_snapshot s;
	struct zmc_error err;
	struct zmc_row **v;
	struct capture c;
	size_t nr;
	char *out;

	if (parse_str(&s, text, &err)) {
		ok(false, "formatters: fixture parses: %s", err.msg);
		return;
	}
	v = zmc_select(&s, &f, ZMC_SORT_AGE, &nr);
	cap_open(&c);
	zmc_print_table_header(c.fp, &fmt);
	zmc_print_table(c.fp, &s, v, nr, &fmt);
	out = cap_close(&c);
	ok(!strcmp(out,
"MEMCG                COMM             PID      AGE(secs) CHARGED  FOOTPRINT PATH\n"
"0xffff1              systemd          1        100       4.0K     29K       /a\\040b\n"
"0xffff2              -                0        50+       0        29K       /c\n"),
	   "table: --path --charged --footprint, predating AGE marked '+'");
	free(out);
	cap_open(&c);
	zmc_print_json(c.fp, &s, v, nr);
	out = cap_close(&c);
	ok(strstr(out, "\"predates_load\": true, \"charged\": 0, \"swap\": 8192, \"footprint\": 30000, \"flags\": \"p\", \"name\": \"c\", \"path\": \"/c\"}\n]\n") &&
	   strstr(out, "\"path\": \"/a b\"}"),
	   "json: every column, predates_load");
	free(out);
	cap_open(&c);
	zmc_print_prometheus(c.fp, &s, v, nr);
	out = cap_close(&c);
	ok(strstr(out, "\nzombiememcg_zombies 2\n") &&
	   strstr(out, "\nzombiememcg_predating_zombies 1\n") &&
	   strstr(out, "\nzombiememcg_swap_bytes 8192\n") &&
	   strstr(out, "\nzombiememcg_footprint_bytes 60000\n") &&
	   strstr(out, "\nzombiememcg_age_seconds_bucket{le=\"60\"} 1\n") &&
	   strstr(out, "\nzombiememcg_age_seconds_sum 150\n"),
	   "prometheus: totals of every column and the age histogram");
	free(out);
	free(v);
	zmc_snapshot_free(&s);
}

/* Counts per comm with far more comms than the first hash table holds */
static void test_many_comms(void)
{
	char *text = malloc(1000 * 64 + 64), *p, *out, *q;
	struct zmc_filter f = { 0 };
	struct zmc_snapshot s;
	struct zmc_error err;
	struct zmc_row **v;
	struct capture c;
	size_t nr, lines = 0;
	int i;

	p = text + sprintf(text, "MEMCG PID COMM AGE PATH\n");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "m%d %d c%d %d /r/%d\n", i, i, i % 300, i, i);
	if (zmc_parse(&s, text, p - text, &err)) {
		ok(false, "many comms: fixture parses: %s", err.msg);
		free(text);
		return;
	}
	v = zmc_select(&s, &f, ZMC_SORT_NONE, &nr);
	cap_open(&c);
	zmc_print_prometheus(c.fp, &s, v, nr);
	out = cap_close(&c);
	for (q = out; (q = strstr(q, "\nzombiememcg_creator_zombies{")); q++)
		lines++;
	ok(lines == 300 &&
	   strstr(out, "\nzombiememcg_creator_zombies{comm=\"c0\"} 4\n") &&
	   strstr(out, "\nzombiememcg_creator_zombies{comm=\"c99\"} 4\n") &&
	   strstr(out, "\nzombiememcg_creator_zombies{comm=\"c100\"} 3\n") &&
	   strstr(out, "\nzombiememcg_creator_oldest_age_seconds{comm=\"c299\"} 899\n") &&
	   strstr(out, "{comm=\"c99\"} 4\nzombiememcg_creator_zombies{comm=\"c100\"} 3\n"),
	   "by comm: 300 comms, each counted once, most zombies first then by name");
	free(out);
	free(v);
	zmc_snapshot_free(&s);
	free(text);
}

/* /proc/zombiememcg_reclaim's outcome (zmcfree.c). */
static void test_reclaim(void)
{
	static const char good[] =
		"requests 2\nrequest 42\nresult complete\nzombies 1\nms 7\nreclaim_ms 10000\n"
		"page_frames 262144\ndropped_folios 2048\ndropped_bytes 8388608\n"
		"written_back_folios 1\nwritten_back_bytes 4096\n"
		"skipped_mapped_folios 3\nskipped_mapped_bytes 12288\n"
		"skipped_write_error_folios 0\nskipped_write_error_bytes 0\n"
		"skipped_shmem_folios 256\nskipped_shmem_bytes 1048576\n"
		"skipped_not_page_cache_folios 5\nskipped_not_page_cache_bytes 20480\n"
		"a_newer_counter 9\n";
	static const char *const bad[] = {
		"", "requests 1\n", "result complete\n",
		"requests x\nresult complete\n",
		"requests 1\nresult complete\ndropped_bytes -1\n",
		"requests 1\nresult complete\nzombies\n",
		"requests 1\nresult complete\nzombies 1 2\n",
		"requests 1\nresult complete",
		"requests 1\nresult complete\n\n",
	};
	struct zmc_reclaim r;
	struct zmc_error err;
	struct capture c;
	char buf[1024], *out;
	size_t i;
	int bad_ok = 0;

	memcpy(buf, good, sizeof(good));
	ok(!zmc_reclaim_parse(&r, buf, sizeof(good) - 1, &err) && r.requests == 2 &&
	   !strcmp(r.request, "42") && !strcmp(r.result, "complete") && r.zombies == 1 &&
	   r.ms == 7 && r.dropped.folios == 2048 && r.dropped.bytes == 8388608 &&
	   r.written.folios == 1 && r.skipped[0].folios == 3 && r.skipped[0].bytes == 12288 &&
	   r.skipped[6].bytes == 1048576 && r.skipped[8].folios == 5 && r.skipped[4].folios == 0,
	   "reclaim outcome: every counter parsed, unknown names passed over");
	cap_open(&c);
	zmc_print_reclaim(c.fp, &r);
	out = cap_close(&c);
	ok(strstr(out, "reclaim: complete in 7 ms, 1 zombie: dropped 2048 folios (8.0M), written back first 1 folio (4.0K)\n") &&
	   strstr(out, "left alone: 3 folios (12K) mapped by a process, 256 folios (1.0M) shmem/tmpfs") &&
	   !strstr(out, "write error"),
	   "reclaim outcome printed for a person, only the reasons that happened");
	free(out);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		size_t n = strlen(bad[i]);

		memcpy(buf, bad[i], n + 1);
		bad_ok += zmc_reclaim_parse(&r, buf, n, &err) == -EINVAL && err.msg[0];
	}
	ok(bad_ok == (int)ARRAY_SIZE(bad), "reclaim outcome: %d of %zu malformed files refused with a message",
	   bad_ok, ARRAY_SIZE(bad));
	strcpy(buf, "requests 1\nresult nothing_to_do_reparented\nzombies 3\n");
	ok(!zmc_reclaim_parse(&r, buf, strlen(buf), &err), "reclaim outcome of a reparenting kernel parsed");
	cap_open(&c);
	zmc_print_reclaim(c.fp, &r);
	out = cap_close(&c);
	ok(strstr(out, "nothing to do for 3 zombies") != NULL, "a reparenting kernel's outcome says nothing to do");
	free(out);
}

int main(void)
{
	printf("TAP version 13\n");
	test_columns();
	test_u64();
	test_escape();
	test_parse_basic();
	test_malformed();
	test_big();
	test_parse_roundtrip();
	test_select();
	test_numbers();
	test_hist();
	test_strings();
	test_files();
	test_formatters();
	test_many_comms();
	test_reclaim();
	printf("1..%d\n", nr_tests);
	return nr_failed ? 1 : 0;
}
