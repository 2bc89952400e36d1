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
#include <unistd.h>

#include "zmc.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

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

/* Unsigned decimal, digits only, no sign, no overflow. */
int zmc_parse_u64(const char *s, unsigned long long *val)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = *s - '0';
		if (v > (ULLONG_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*val = v;
	return 0;
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

/*
 * Split line [p, end) into tokens in place (NUL-terminating each; *end
 * must be writable). Stores at most max pointers, returns the count.
 */
static size_t tokenize(char *p, char *end, char **tok, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (p < end && is_sep(*p))
			p++;
		if (p >= end)
			break;
		if (n < max)
			tok[n] = p;
		n++;
		while (p < end && !is_sep(*p))
			p++;
		*p++ = '\0';
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
	size_t n, i;
	char **tok;

	n = tokenize(p, end, NULL, 0);
	if (!n)
		return fail(err, 1, "empty header line");
	/* tokenize() wrote NULs: walk the tokens again by hand */
	tok = calloc(n, sizeof(*tok));
	h->map = calloc(n, sizeof(*h->map));
	if (!tok || !h->map) {
		free(tok);
		return fail(err, 0, "out of memory");
	}
	for (i = 0; i < n; i++) {
		while (*p == '\0' || is_sep(*p))
			p++;
		tok[i] = p;
		p += strlen(p);
	}
	h->nr = n;
	*cols = 0;
	for (i = 0; i < n; i++) {
		enum zmc_col c = zmc_col_lookup(tok[i], strlen(tok[i]));

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
		     enum zmc_col c, const char *tok, unsigned long long *val)
{
	char q[48];
	int ret = zmc_parse_u64(tok, val);

	if (ret == -ERANGE)
		return fail(err, line, "%s value '%s' out of range",
			    zmc_col_name(c), quote(q, sizeof(q), tok));
	if (ret)
		return fail(err, line,
			    "bad %s value '%s': not an unsigned decimal number",
			    zmc_col_name(c), quote(q, sizeof(q), tok));
	return 0;
}

static int parse_str(struct zmc_error *err, unsigned long line,
		     enum zmc_col c, char *tok, size_t *len)
{
	char q[48];

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

static int parse_row(struct zmc_row *r, const struct header *h, char **tok,
		     unsigned long line, struct zmc_error *err)
{
	char q[48];
	size_t i, len;

	memset(r, 0, sizeof(*r));
	r->line = line;
	r->flags = "-";
	for (i = 0; i < h->nr; i++) {
		enum zmc_col c = h->map[i];
		char *t = tok[i];
		const char *f;

		switch (c) {
		case ZMC_COL_MEMCG:
			r->memcg = t;
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
					    quote(q, sizeof(q), t));
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
			for (f = t; *f; f++) {
				if (*f <= ' ' || *f > '~')
					return fail(err, line,
						    "bad FLAGS value '%s'",
						    quote(q, sizeof(q), t));
			}
			r->flags = t;
			r->predates = !!strchr(t, 'p');
			break;
		case ZMC_COL_COMM:
			if (parse_str(err, line, c, t, &len))
				return -1;
			r->comm = t;
			r->comm_len = len;
			break;
		case ZMC_COL_PATH:
			if (parse_str(err, line, c, t, &len))
				return -1;
			if (t[0] != '/')
				return fail(err, line,
					    "PATH '%s' does not start with '/'",
					    quote(q, sizeof(q), t));
			r->path = t;
			r->path_len = len;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int add_row(struct zmc_snapshot *s, struct zmc_row **r)
{
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct zmc_row *rows;

		if (cap > SIZE_MAX / sizeof(*rows))
			return -1;
		rows = realloc(s->rows, cap * sizeof(*rows));
		if (!rows)
			return -1;
		s->rows = rows;
		s->cap = cap;
	}
	*r = &s->rows[s->nr];
	return 0;
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
	buf = malloc(len + 1);
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
	char **tok = NULL;
	char *p, *end;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	s->buf = buf;
	s->buf[len] = '\0';
	p = s->buf;
	end = s->buf + len;

	if (!len) {
		fail(err, 1, "empty input: no header line");
		goto out_err;
	}
	for (;;) {
		char *nl = memchr(p, '\n', end - p);
		char *eol = nl ? nl : end;
		struct zmc_row *r;
		size_t n;

		if (memchr(p, '\0', eol - p)) {
			fail(err, line, "NUL byte in line");
			goto out_err;
		}
		if (line == 1) {
			if (parse_header(&h, &s->cols, p, eol, err))
				goto out_err;
			tok = calloc(h.nr, sizeof(*tok));
			if (!tok) {
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
			if (add_row(s, &r)) {
				fail(err, 0, "out of memory");
				goto out_err;
			}
			if (parse_row(r, &h, tok, line, err))
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
 * Read a whole file (a /proc seq_file gives no size) into a malloc()ed
 * buffer with room for a NUL after the data. Returns 0 or -errno.
 */
int zmc_read_file(const char *path, char **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
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
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				ret = -ENOMEM;
				break;
			}
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

static int cmp_u64(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

static int cmp_tail(const struct zmc_row *a, const struct zmc_row *b)
{
	int d = strcmp(a->path, b->path);

	return d ? d : cmp_u64(a->line, b->line);
}

static int cmp_age(const void *pa, const void *pb)
{
	const struct zmc_row *a = *(struct zmc_row *const *)pa;
	const struct zmc_row *b = *(struct zmc_row *const *)pb;

	if (a->age != b->age)
		return cmp_u64(b->age, a->age);
	return cmp_tail(a, b);
}

static int cmp_charged(const void *pa, const void *pb)
{
	const struct zmc_row *a = *(struct zmc_row *const *)pa;
	const struct zmc_row *b = *(struct zmc_row *const *)pb;

	if (a->charged != b->charged)
		return cmp_u64(b->charged, a->charged);
	return cmp_age(pa, pb);
}

static int cmp_path(const void *pa, const void *pb)
{
	const struct zmc_row *a = *(struct zmc_row *const *)pa;
	const struct zmc_row *b = *(struct zmc_row *const *)pb;
	int d = strcmp(a->path, b->path);

	if (d)
		return d;
	if (a->age != b->age)
		return cmp_u64(b->age, a->age);
	return cmp_u64(a->line, b->line);
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
	int (*cmp)(const void *, const void *) = cmp_age;
	struct zmc_row **v;
	size_t i, n = 0;

	v = malloc((s->nr ? s->nr : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < s->nr; i++) {
		if (match(&s->rows[i], f))
			v[n++] = &s->rows[i];
	}
	if (sort == ZMC_SORT_CHARGED)
		cmp = cmp_charged;
	else if (sort == ZMC_SORT_PATH)
		cmp = cmp_path;
	qsort(v, n, sizeof(*v), cmp);
	*nr = n;
	return v;
}
