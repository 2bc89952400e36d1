// SPDX-License-Identifier: GPL-2.0
/*
 * zmcparse.c - parser for /proc/zombiememcg snapshots
 *
 * The first line names the columns; every other line is one zombie memcg
 * with exactly one whitespace-free token per column. Columns are found by
 * name, so columns added by newer modules are ignored. COMM and PATH are
 * escaped by the kernel like /proc/mounts: space, tab, newline and
 * backslash as \ooo.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zmc.h"

#define HUGE_PAGE_SIZE	(2UL << 20)

static const char *const col_names[ZMC_NR_COLS] = {
	[ZMC_COL_MEMCG]		= "MEMCG",
	[ZMC_COL_ID]		= "ID",
	[ZMC_COL_PID]		= "PID",
	[ZMC_COL_COMM]		= "COMM",
	[ZMC_COL_AGE]		= "AGE",
	[ZMC_COL_CHARGED]	= "CHARGED",
	[ZMC_COL_SWAP]		= "SWAP",
	[ZMC_COL_FOOTPRINT]	= "FOOTPRINT",
	[ZMC_COL_FLAGS]		= "FLAGS",
	[ZMC_COL_PATH]		= "PATH",
};

const char *zmc_col_name(enum zmc_col col)
{
	if (col < 0 || col >= ZMC_NR_COLS)
		return "?";
	return col_names[col];
}

enum zmc_col zmc_col_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(col_names); i++) {
		if (strlen(col_names[i]) == len &&
		    !memcmp(col_names[i], name, len))
			return (enum zmc_col)i;
	}
	return ZMC_COL_IGNORED;
}

static bool is_sep(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

/*
 * Unescape \ooo sequences in place. Any other use of a backslash, a value
 * above 0377 or an escaped NUL is an error: then *len is set to the offset
 * of the bad backslash, from which the string is still the original.
 */
int zmc_unescape(char *s, size_t *len)
{
	size_t r = 0, w = 0;

	while (s[r]) {
		unsigned int v;

		if (s[r] != '\\') {
			s[w++] = s[r++];
			continue;
		}
		if (!is_odigit(s[r + 1]) || !is_odigit(s[r + 2]) ||
		    !is_odigit(s[r + 3])) {
			*len = r;
			return -1;
		}
		v = (s[r + 1] - '0') * 64 + (s[r + 2] - '0') * 8 +
		    (s[r + 3] - '0');
		if (v == 0 || v > 0377) {
			*len = r;
			return -1;
		}
		s[w++] = (char)v;
		r += 4;
	}
	s[w] = '\0';
	*len = w;
	return 0;
}

/*
 * Escape like the kernel's seq_escape(m, s, " \t\n\\"). dst must hold
 * 4 * len + 1 bytes. Returns the length written.
 */
size_t zmc_escape(char *dst, const char *src, size_t len)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
			dst[w++] = '\\';
			dst[w++] = '0' + ((c >> 6) & 7);
			dst[w++] = '0' + ((c >> 3) & 7);
			dst[w++] = '0' + (c & 7);
		} else {
			dst[w++] = c;
		}
	}
	dst[w] = '\0';
	return w;
}

/* Unsigned decimal [s, s + len), digits only, no sign, no overflow. */
static int parse_u64(const char *s, size_t len, unsigned long long *val)
{
	unsigned long long v = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9)
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -ERANGE;
	}
	*val = v;
	return 0;
}

int zmc_parse_u64(const char *s, unsigned long long *val)
{
	return parse_u64(s, strlen(s), val);
}

/*
 * A big buffer, in whole transparent huge pages if the kernel gives them:
 * filling it then takes a page fault per 2 MiB instead of one per 4 KiB,
 * and in a VM those faults cost more than parsing the bytes. Below a few
 * hundred KiB, a plain malloc(). Freed with free().
 */
static void *alloc_big(size_t size)
{
	void *p;

	if (size < HUGE_PAGE_SIZE / 8 || size > SIZE_MAX - HUGE_PAGE_SIZE)
		return malloc(size);
	size = (size + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
	if (posix_memalign(&p, HUGE_PAGE_SIZE, size))
		return NULL;
	madvise(p, size, MADV_HUGEPAGE);	/* only a hint */
	return p;
}

/* Quote a token for an error message: printable, bounded. */
static const char *quote(char *buf, size_t size, const char *s)
{
	size_t w = 0;

	for (; *s && w + 8 < size; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c >= 0x7f || c == '\'')
			w += snprintf(buf + w, size - w, "\\%03o", c);
		else
			buf[w++] = c;
	}
	if (*s) {
		memcpy(buf + w, "...", 3);
		w += 3;
	}
	buf[w] = '\0';
	return buf;
}

static int fail(struct zmc_error *err, unsigned long line,
		const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct zmc_error *err, unsigned long line,
		const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

struct token {
	char *s;
	size_t len;
};

/*
 * Split line [p, end) into tokens. The line holds no NUL and ends at
 * '\n' or at the NUL after the buffer, so strcspn() stops at a separator
 * or at the end. Stores at most max tokens, returns the count.
 */
static size_t tokenize(char *p, const char *end, struct token *tok,
		       size_t max)
{
	size_t n = 0, len;

	for (;;) {
		while (p < end && is_sep(*p))
			p++;
		if (p >= end)
			break;
		len = strcspn(p, " \t\n");
		if (n < max) {
			tok[n].s = p;
			tok[n].len = len;
		}
		n++;
		p += len;
	}
	return n;
}

struct header {
	enum zmc_col *map;	/* column kind of each field */
	size_t nr;
};

static int parse_header(struct header *h, unsigned int *cols, char *p,
			char *end, struct zmc_error *err)
{
	char missing[128] = "";
	struct token *tok;
	size_t n, i;

	n = tokenize(p, end, NULL, 0);
	if (!n)
		return fail(err, 1, "empty header line");
	tok = calloc(n, sizeof(*tok));
	h->map = calloc(n, sizeof(*h->map));
	if (!tok || !h->map) {
		free(tok);
		return fail(err, 0, "out of memory");
	}
	tokenize(p, end, tok, n);
	h->nr = n;
	*cols = 0;
	for (i = 0; i < n; i++) {
		enum zmc_col c = zmc_col_lookup(tok[i].s, tok[i].len);

		h->map[i] = c;
		if (c == ZMC_COL_IGNORED)
			continue;
		if (*cols & ZMC_BIT(c)) {
			free(tok);
			return fail(err, 1, "duplicate column %s in header",
				    zmc_col_name(c));
		}
		*cols |= ZMC_BIT(c);
	}
	free(tok);
	for (i = 0; i < ZMC_NR_COLS; i++) {
		if (!(ZMC_REQUIRED_COLS & ZMC_BIT(i)) || (*cols & ZMC_BIT(i)))
			continue;
		if (missing[0])
			strcat(missing, ", ");
		strcat(missing, col_names[i]);
	}
	if (missing[0])
		return fail(err, 1, "header lacks required column(s) %s%s",
			    missing, *cols ? "" : " (not a zombiememcg file?)");
	return 0;
}

static int parse_num(struct zmc_error *err, unsigned long line,
		     enum zmc_col c, const struct token *t,
		     unsigned long long *val)
{
	char q[48];
	int ret = parse_u64(t->s, t->len, val);

	if (ret == -ERANGE)
		return fail(err, line, "%s value '%s' out of range",
			    zmc_col_name(c), quote(q, sizeof(q), t->s));
	if (ret)
		return fail(err, line,
			    "bad %s value '%s': not an unsigned decimal number",
			    zmc_col_name(c), quote(q, sizeof(q), t->s));
	return 0;
}

/* Unescape a COMM or PATH token in place; *len is its new length. */
static int parse_str(struct zmc_error *err, unsigned long line,
		     enum zmc_col c, char *tok, size_t *len)
{
	char q[48];

	if (!memchr(tok, '\\', *len))
		return 0;
	if (zmc_unescape(tok, len)) {
		char bad[5];
		size_t i;

		for (i = 0; i < 4 && tok[*len + i]; i++)
			bad[i] = tok[*len + i];
		bad[i] = '\0';
		return fail(err, line, "bad escape '%s' in %s",
			    quote(q, sizeof(q), bad), zmc_col_name(c));
	}
	return 0;
}

/* FLAGS: printable ASCII letters and the like, no blank */
static bool is_flags(const struct token *t)
{
	size_t i;

	for (i = 0; i < t->len; i++) {
		if (t->s[i] <= ' ' || t->s[i] > '~')
			return false;
	}
	return true;
}

static int parse_row(struct zmc_row *r, const struct header *h,
		     struct token *tok, unsigned long line,
		     struct zmc_error *err)
{
	char q[48];
	size_t i;

	/* the strings kept end at their separator */
	for (i = 0; i < h->nr; i++)
		tok[i].s[tok[i].len] = '\0';
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->flags = "-";
	for (i = 0; i < h->nr; i++) {
		enum zmc_col c = h->map[i];
		struct token *t = &tok[i];

		switch (c) {
		case ZMC_COL_MEMCG:
			r->memcg = t->s;
			break;
		case ZMC_COL_ID:
			if (parse_num(err, line, c, t, &r->id))
				return -1;
			break;
		case ZMC_COL_PID:
			if (parse_num(err, line, c, t, &r->pid))
				return -1;
			if (r->pid > INT_MAX)
				return fail(err, line,
					    "PID value '%s' out of range",
					    quote(q, sizeof(q), t->s));
			break;
		case ZMC_COL_AGE:
			if (parse_num(err, line, c, t, &r->age))
				return -1;
			break;
		case ZMC_COL_CHARGED:
			if (parse_num(err, line, c, t, &r->charged))
				return -1;
			break;
		case ZMC_COL_SWAP:
			if (parse_num(err, line, c, t, &r->swap))
				return -1;
			break;
		case ZMC_COL_FOOTPRINT:
			if (parse_num(err, line, c, t, &r->footprint))
				return -1;
			break;
		case ZMC_COL_FLAGS:
			if (!is_flags(t))
				return fail(err, line, "bad FLAGS value '%s'",
					    quote(q, sizeof(q), t->s));
			r->flags = t->s;
			r->predates = !!memchr(t->s, 'p', t->len);
			break;
		case ZMC_COL_COMM:
			if (parse_str(err, line, c, t->s, &t->len))
				return -1;
			r->comm = t->s;
			r->comm_len = t->len;
			break;
		case ZMC_COL_PATH:
			if (parse_str(err, line, c, t->s, &t->len))
				return -1;
			if (t->s[0] != '/')
				return fail(err, line,
					    "PATH '%s' does not start with '/'",
					    quote(q, sizeof(q), t->s));
			r->path = t->s;
			r->path_len = t->len;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Lines in [p, end), at least one: more than the rows after a header. */
static size_t count_lines(const char *p, const char *end)
{
	size_t n = 1;

	while ((p = memchr(p, '\n', end - p))) {
		p++;
		n++;
	}
	return n;
}

/*
 * Parse a whole snapshot. On error, err names the line and the snapshot
 * holds no rows (nothing of a bad snapshot is ever shown).
 */
int zmc_parse(struct zmc_snapshot *s, const char *data, size_t len,
	      struct zmc_error *err)
{
	char *buf;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	if (len == SIZE_MAX)
		return fail(err, 0, "input too large");
	buf = alloc_big(len + 1);
	if (!buf)
		return fail(err, 0, "out of memory");
	if (len)
		memcpy(buf, data, len);
	return zmc_parse_buf(s, buf, len, err);
}

/*
 * Same, parsing in place a malloc()ed buffer with room for a NUL at
 * buf[len] (as zmc_read_file() gives): the snapshot owns it, even on error.
 */
int zmc_parse_buf(struct zmc_snapshot *s, char *buf, size_t len,
		  struct zmc_error *err)
{
	struct header h = { NULL, 0 };
	unsigned long line = 1;
	struct token *tok = NULL;
	char *p, *end, *nul;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	s->buf = buf;
	s->buf[len] = '\0';
	p = s->buf;
	end = s->buf + len;
	/* the first NUL byte, an error on its line once we get there */
	nul = memchr(p, '\0', len);

	if (!len) {
		fail(err, 1, "empty input: no header line");
		goto out_err;
	}
	for (;;) {
		char *nl = memchr(p, '\n', end - p);
		char *eol = nl ? nl : end;
		size_t n;

		if (nul && nul < eol) {
			fail(err, line, "NUL byte in line");
			goto out_err;
		}
		if (line == 1) {
			if (parse_header(&h, &s->cols, p, eol, err))
				goto out_err;
			tok = calloc(h.nr, sizeof(*tok));
			s->cap = count_lines(p, end);
			if (s->cap <= SIZE_MAX / sizeof(*s->rows))
				s->rows = alloc_big(s->cap * sizeof(*s->rows));
			if (!tok || !s->rows) {
				fail(err, 0, "out of memory");
				goto out_err;
			}
		} else {
			n = tokenize(p, eol, tok, h.nr);
			if (!n) {
				fail(err, line, "empty line");
				goto out_err;
			}
			if (n != h.nr) {
				fail(err, line,
				     "%zu field%s, but the header names %zu",
				     n, n == 1 ? "" : "s", h.nr);
				goto out_err;
			}
			if (parse_row(&s->rows[s->nr], &h, tok, line, err))
				goto out_err;
			s->nr++;
		}
		if (!nl || nl + 1 == end)
			break;
		p = nl + 1;
		line++;
	}
	free(tok);
	free(h.map);
	return 0;

out_err:
	free(tok);
	free(h.map);
	zmc_snapshot_free(s);
	return -1;
}

void zmc_snapshot_free(struct zmc_snapshot *s)
{
	free(s->rows);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/*
 * Read a whole file into a malloc()ed buffer with room for a NUL after the
 * data: sized by fstat() for a regular file, grown while reading for a
 * /proc seq_file, which gives no size. Returns 0 or -errno.
 */
int zmc_read_file(const char *path, char **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	struct stat st;
	char *buf;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size < SIZE_MAX)
		cap = st.st_size + 1;
	buf = alloc_big(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nbuf;

			if (cap > SIZE_MAX / 2) {
				ret = -EFBIG;
				break;
			}
			nbuf = alloc_big(cap * 2);
			if (!nbuf) {
				ret = -ENOMEM;
				break;
			}
			memcpy(nbuf, buf, n);
			free(buf);
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* Read the module's debugfs threshold, in seconds. */
int zmc_read_threshold(const char *path, unsigned long long *secs)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || is_sep(buf[n - 1])))
		buf[--n] = '\0';
	return zmc_parse_u64(buf, secs);
}

int zmc_parse_sort(const char *name, enum zmc_sort *sort)
{
	if (!strcmp(name, "age"))
		*sort = ZMC_SORT_AGE;
	else if (!strcmp(name, "charged"))
		*sort = ZMC_SORT_CHARGED;
	else if (!strcmp(name, "path"))
		*sort = ZMC_SORT_PATH;
	else
		return -1;
	return 0;
}

/*
 * A row to sort, with copies of what the comparisons look at: they do
 * not go to the row, a cache miss once the rows compared are far apart.
 * The rows are in input order: their addresses order them by line.
 */
struct sort_item {
	unsigned long long charged;
	unsigned long long age;
	const char *path;
	struct zmc_row *row;
};

typedef int (*cmp_fn)(const struct sort_item *, const struct sort_item *);

static int cmp_u64(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

static int cmp_line(const struct sort_item *a, const struct sort_item *b)
{
	return a->row < b->row ? -1 : a->row > b->row;
}

static int cmp_age(const struct sort_item *a, const struct sort_item *b)
{
	int d;

	if (a->age != b->age)
		return cmp_u64(b->age, a->age);
	d = strcmp(a->path, b->path);
	return d ? d : cmp_line(a, b);
}

static int cmp_charged(const struct sort_item *a, const struct sort_item *b)
{
	if (a->charged != b->charged)
		return cmp_u64(b->charged, a->charged);
	return cmp_age(a, b);
}

static int cmp_path(const struct sort_item *a, const struct sort_item *b)
{
	int d = strcmp(a->path, b->path);

	if (d)
		return d;
	if (a->age != b->age)
		return cmp_u64(b->age, a->age);
	return cmp_line(a, b);
}

/*
 * Merge sort of v[0, n), with room for n more items in tmp. Not qsort():
 * its own buffer would be page faults, one per 4 KiB.
 */
static void merge_sort(struct sort_item *v, struct sort_item *tmp, size_t n,
		       cmp_fn cmp)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid, cmp);
	merge_sort(v + mid, tmp, n - mid, cmp);
	while (i < mid && j < n)
		tmp[k++] = cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	/* what is left of v[mid, n) is in place already */
	memcpy(v, tmp, k * sizeof(*v));
}

static bool match(const struct zmc_row *r, const struct zmc_filter *f)
{
	if (f->has_pid && r->pid != f->pid)
		return false;
	if (f->comm && strcmp(r->comm, f->comm))
		return false;
	return r->age >= f->older;
}

/*
 * The rows that pass the filter, sorted. Returns a malloc()ed array of
 * *nr pointers into s (never NULL unless out of memory).
 */
struct zmc_row **zmc_select(const struct zmc_snapshot *s,
			    const struct zmc_filter *f, enum zmc_sort sort,
			    size_t *nr)
{
	struct sort_item *items;
	struct zmc_row **v;
	size_t i, n = 0;
	cmp_fn cmp;

	v = alloc_big((s->nr ? s->nr : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < s->nr; i++) {
		if (match(&s->rows[i], f))
			v[n++] = &s->rows[i];
	}
	*nr = n;
	if (sort == ZMC_SORT_NONE || n < 2)
		return v;

	items = alloc_big(2 * n * sizeof(*items));
	if (!items) {
		free(v);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		items[i].charged = v[i]->charged;
		items[i].age = v[i]->age;
		items[i].path = v[i]->path;
		items[i].row = v[i];
	}
	if (sort == ZMC_SORT_CHARGED)
		cmp = cmp_charged;
	else if (sort == ZMC_SORT_PATH)
		cmp = cmp_path;
	else
		cmp = cmp_age;
	merge_sort(items, items + n, n, cmp);
	for (i = 0; i < n; i++)
		v[i] = items[i].row;
	free(items);
	return v;
}
