// SPDX-License-Identifier: GPL-2.0
/*
 * check_json.c - compare zombiememcgstat --json with its input, row by row
 *
 *   check_json FIXTURE OUTPUT SORT [COUNT]
 *
 * OUTPUT is what "zombiememcgstat -f FIXTURE -o 0 --json -s SORT" printed
 * (SORT: age, charged or path). It must be one JSON array with an object
 * per row of FIXTURE, in the order SORT asks for, each object with exactly
 * the fields zombiememcgstat(8) lists for the columns FIXTURE has, each
 * equal to the fixture's. With COUNT, FIXTURE must have COUNT rows too (so
 * that a short fixture cannot pass).
 *
 * The order, as zombiememcgstat sorts (every tie broken, so exactly one
 * order is right):
 *   age      AGE descending, then PATH (bytes, ascending), then input line
 *   charged  CHARGED descending (0 without the column), then as age
 *   path     PATH (bytes, ascending), then AGE descending, then input line
 *
 * Independent of the tool's code on purpose: its own reader of the table,
 * its own JSON parser, its own UTF-8 check (Unicode's table 3-7). Needs
 * nothing but libc. Exit 0 if all is well; else the differences on stdout
 * and exit 1; exit 2 on a usage error or a fixture this cannot read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BAD_ROWS	3	/* rows whose differences are printed */
#define MAX_FIELD_DIFFS	4	/* differences printed of each */
#define MAX_DEPTH	64	/* nesting of values that should not be there */

/* bytes, not NUL-terminated */
struct str {
	const char *s;
	size_t len;
};

struct buf {
	char *s;
	size_t len, cap;
};

enum col { MEMCG, ID, PID, COMM, AGE, FLAGS, CHARGED, SWAP, FOOTPRINT, PATH, NCOLS };

static const char *const col_names[NCOLS] = {
	"MEMCG", "ID", "PID", "COMM", "AGE", "FLAGS", "CHARGED", "SWAP",
	"FOOTPRINT", "PATH",
};

static const bool col_numeric[NCOLS] = {
	[ID] = true, [PID] = true, [AGE] = true, [CHARGED] = true,
	[SWAP] = true, [FOOTPRINT] = true,
};

struct row {
	struct str tok[NCOLS];		/* COMM and PATH unescaped */
	unsigned long long num[NCOLS];	/* numeric columns */
	unsigned long line;
};

static const char *fixture_name, *output_name, *sort_name;
static char *fixture;			/* the rows point into it */
static struct row *rows;
static size_t nr_rows;
static unsigned int cols;		/* 1 << col of each column present */
static int sort_key;			/* AGE, CHARGED or PATH */
static unsigned long nr_bad_rows;	/* JSON rows that are not right */
static unsigned int field_diffs;	/* of the row compared last */
static bool quiet;			/* compare_row(): just whether it differs */

static void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(status);
}

/* One wrong field of the row compared: printed under the row's line */
static void field_diff(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void field_diff(const char *fmt, ...)
{
	va_list ap;

	if (++field_diffs > MAX_FIELD_DIFFS || quiet)
		return;
	fputs("    ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(2, "out of memory");
	return p;
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
}

static bool str_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

static struct str buf_str(const struct buf *b)
{
	return (struct str){ b->s, b->len };
}

static char *read_file(const char *path, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		die(2, "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f))
		die(2, "%s: read error", path);
	fclose(f);
	buf_add(&b, "", 1);
	*len = b.len - 1;
	return b.s;
}

/* --- the table ----------------------------------------------------------- */

/* Next token of [*p, end) split at spaces and tabs; false at the end. */
static bool next_token(const char **p, const char *end, struct str *t)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return false;
	t->s = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	t->len = s - t->s;
	*p = s;
	return true;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* The kernel's \ooo escapes, in place (the fixture is our own copy). */
static void unescape(struct str *t, unsigned long line)
{
	char *s = (char *)t->s;
	size_t i, n = 0;

	for (i = 0; i < t->len; i++) {
		if (s[i] != '\\') {
			s[n++] = s[i];
			continue;
		}
		if (i + 3 >= t->len)
			die(2, "%s: line %lu: short escape", fixture_name, line);
		if (!is_octal(s[i + 1]) || !is_octal(s[i + 2]) || !is_octal(s[i + 3]))
			die(2, "%s: line %lu: bad escape", fixture_name, line);
		s[n++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
		i += 3;
	}
	t->len = n;
}

static unsigned long long parse_num(struct str t, unsigned long line, const char *col)
{
	unsigned long long v = 0;
	size_t i;

	if (!t.len)
		die(2, "%s: line %lu: empty %s", fixture_name, line, col);
	for (i = 0; i < t.len; i++) {
		unsigned int d = (unsigned char)t.s[i] - '0';

		if (d > 9 || v > (~0ULL - d) / 10)
			die(2, "%s: line %lu: bad %s", fixture_name, line, col);
		v = v * 10 + d;
	}
	return v;
}

static void load_fixture(void)
{
	int header[64], nr_header = 0, i;
	const char *p, *end, *eol;
	unsigned long line = 1;
	size_t len, cap = 0;
	char *data;
	struct str t;

	data = fixture = read_file(fixture_name, &len);
	end = data + len;
	eol = memchr(data, '\n', len);
	if (!eol)
		die(2, "%s: no header line", fixture_name);
	for (p = data; next_token(&p, eol, &t); nr_header++) {
		if (nr_header == 64)
			die(2, "%s: too many columns", fixture_name);
		header[nr_header] = -1;
		for (i = 0; i < NCOLS; i++) {
			if (strlen(col_names[i]) == t.len &&
			    !memcmp(col_names[i], t.s, t.len))
				header[nr_header] = i;
		}
		if (header[nr_header] < 0)
			continue;
		if (cols & 1U << header[nr_header])
			die(2, "%s: column %s twice", fixture_name, col_names[header[nr_header]]);
		cols |= 1U << header[nr_header];
	}
	for (i = 0; i < NCOLS; i++) {
		if ((i == MEMCG || i == PID || i == COMM || i == AGE || i == PATH) &&
		    !(cols & 1U << i))
			die(2, "%s: no %s column", fixture_name, col_names[i]);
	}
	for (p = eol + 1; p < end; p = eol + 1) {
		struct row *r;
		int n = 0;

		line++;
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (nr_rows == cap) {
			cap = cap * 2 + 1024;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		r = &rows[nr_rows++];
		memset(r, 0, sizeof(*r));
		r->line = line;
		for (; next_token(&p, eol, &t); n++) {
			int c = n < nr_header ? header[n] : -1;

			if (n >= nr_header)
				die(2, "%s: line %lu: more fields than columns", fixture_name, line);
			if (c < 0)
				continue;
			if (c == COMM || c == PATH)
				unescape(&t, line);
			if (col_numeric[c])
				r->num[c] = parse_num(t, line, col_names[c]);
			r->tok[c] = t;
		}
		if (n != nr_header)
			die(2, "%s: line %lu: %d fields, %d columns", fixture_name, line, n, nr_header);
	}
}

/* --- the order ----------------------------------------------------------- */

static int cmp_bytes(struct str a, struct str b)
{
	int d = memcmp(a.s, b.s, a.len < b.len ? a.len : b.len);

	if (d)
		return d;
	return a.len < b.len ? -1 : a.len > b.len;
}

static int cmp_desc(unsigned long long a, unsigned long long b)
{
	return a > b ? -1 : a < b;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int d = 0;

	if (sort_key == PATH) {
		d = cmp_bytes(a->tok[PATH], b->tok[PATH]);
		if (!d)
			d = cmp_desc(a->num[AGE], b->num[AGE]);
	} else {
		if (sort_key == CHARGED)
			d = cmp_desc(a->num[CHARGED], b->num[CHARGED]);
		if (!d)
			d = cmp_desc(a->num[AGE], b->num[AGE]);
		if (!d)
			d = cmp_bytes(a->tok[PATH], b->tok[PATH]);
	}
	if (!d)
		d = a->line < b->line ? -1 : a->line > b->line;
	return d;
}

/* --- UTF-8 and the expected strings ------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), or 0 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

/* What the tool must print for these bytes: each byte not UTF-8 as U+FFFD */
static struct str sanitize(struct buf *b, struct str in)
{
	const unsigned char *u = (const unsigned char *)in.s;
	size_t i = 0, n;

	b->len = 0;
	while (i < in.len) {
		n = utf8_len(u + i, in.len - i);
		if (n) {
			buf_add(b, u + i, n);
			i += n;
		} else {
			buf_add(b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	return buf_str(b);
}

/* --- JSON ---------------------------------------------------------------- */

enum jtype { J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL, J_ARRAY, J_OBJECT };

static const char *const jtype_names[] = {
	"a string", "a number", "true", "false", "null", "an array", "an object",
};

struct jval {
	enum jtype type;
	struct buf str;			/* J_STRING: decoded, UTF-8 */
	struct str text;		/* J_NUMBER: as written */
	bool is_u64;			/* J_NUMBER: an integer 0..2^64-1 */
	unsigned long long u64;
};

struct member {
	struct buf key;
	struct jval val;
};

struct json {
	const unsigned char *start, *p, *end;
};

static void bad_json(const struct json *j, const char *what)
	__attribute__((noreturn));

static void bad_json(const struct json *j, const char *what)
{
	size_t off = j->p - j->start, line = 1;
	const unsigned char *q;

	for (q = j->start; q < j->p; q++)
		line += *q == '\n';
	die(1, "%s: not valid JSON at byte %zu (line %zu): %s", output_name, off, line, what);
}

static void skip_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
				 *j->p == '\r'))
		j->p++;
}

static int peek(const struct json *j)
{
	return j->p < j->end ? *j->p : -1;
}

static void expect(struct json *j, char c, const char *what)
{
	skip_ws(j);
	if (peek(j) != (unsigned char)c)
		bad_json(j, what);
	j->p++;
}

static unsigned int hex4(struct json *j)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int c = peek(j);

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			bad_json(j, "bad \\u escape");
		j->p++;
	}
	return v;
}

static void put_utf8(struct buf *b, unsigned int cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = 0xc0 | cp >> 6;
		u[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = 0xe0 | cp >> 12;
		u[1] = 0x80 | (cp >> 6 & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | cp >> 18;
		u[1] = 0x80 | (cp >> 12 & 0x3f);
		u[2] = 0x80 | (cp >> 6 & 0x3f);
		u[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	buf_add(b, u, n);
}

/* A JSON string (RFC 8259), decoded into b */
static void parse_string(struct json *j, struct buf *b)
{
	b->len = 0;
	expect(j, '"', "a string expected");
	for (;;) {
		int c = peek(j);
		unsigned int cp;
		size_t n;
		char ch;

		if (c < 0)
			bad_json(j, "unterminated string");
		if (c == '"') {
			j->p++;
			return;
		}
		if (c < 0x20)
			bad_json(j, "control character in a string");
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			for (n = 1; j->p + n < j->end && j->p[n] >= 0x20 && j->p[n] < 0x80 &&
			     j->p[n] != '"' && j->p[n] != '\\'; n++)
				;
			buf_add(b, j->p, n);
			j->p += n;
			continue;
		}
		if (c != '\\') {
			n = utf8_len(j->p, j->end - j->p);
			if (!n)
				bad_json(j, "not UTF-8");
			buf_add(b, j->p, n);
			j->p += n;
			continue;
		}
		j->p++;
		c = peek(j);
		j->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			ch = (char)c;
			buf_add(b, &ch, 1);
			break;
		case 'b':
			buf_add(b, "\b", 1);
			break;
		case 'f':
			buf_add(b, "\f", 1);
			break;
		case 'n':
			buf_add(b, "\n", 1);
			break;
		case 'r':
			buf_add(b, "\r", 1);
			break;
		case 't':
			buf_add(b, "\t", 1);
			break;
		case 'u':
			cp = hex4(j);
			if (cp >= 0xdc00 && cp <= 0xdfff)
				bad_json(j, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				unsigned int lo;

				if (peek(j) != '\\' || j->p + 1 >= j->end || j->p[1] != 'u')
					bad_json(j, "lone high surrogate");
				j->p += 2;
				lo = hex4(j);
				if (lo < 0xdc00 || lo > 0xdfff)
					bad_json(j, "high surrogate without a low one");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(b, cp);
			break;
		default:
			j->p--;
			bad_json(j, "bad escape");
		}
	}
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void parse_number(struct json *j, struct jval *v)
{
	const unsigned char *s = j->p;
	bool neg = false, integer = true, fits = true;
	unsigned long long u = 0;

	if (peek(j) == '-') {
		neg = true;
		j->p++;
	}
	if (peek(j) == '0') {
		j->p++;
	} else if (is_digit(peek(j))) {
		while (is_digit(peek(j))) {
			unsigned int d = *j->p++ - '0';

			if (u > (~0ULL - d) / 10)
				fits = false;
			u = u * 10 + d;
		}
	} else {
		bad_json(j, "bad number");
	}
	if (peek(j) == '.') {
		integer = false;
		j->p++;
		if (!is_digit(peek(j)))
			bad_json(j, "bad number");
		while (is_digit(peek(j)))
			j->p++;
	}
	if (peek(j) == 'e' || peek(j) == 'E') {
		integer = false;
		j->p++;
		if (peek(j) == '+' || peek(j) == '-')
			j->p++;
		if (!is_digit(peek(j)))
			bad_json(j, "bad number");
		while (is_digit(peek(j)))
			j->p++;
	}
	v->type = J_NUMBER;
	v->text = (struct str){ (const char *)s, (size_t)(j->p - s) };
	v->is_u64 = !neg && integer && fits;
	v->u64 = u;
}

static void parse_literal(struct json *j, const char *lit, enum jtype t, struct jval *v)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		bad_json(j, "a value expected");
	j->p += n;
	v->type = t;
}

static void parse_value(struct json *j, struct jval *v, int depth);

/* An array or object inside a row: only checked to be JSON */
static void skip_container(struct json *j, int depth)
{
	bool object = peek(j) == '{';
	char close = object ? '}' : ']';
	struct jval tmp = { 0 };

	if (depth > MAX_DEPTH)
		bad_json(j, "nested too deep");
	j->p++;
	skip_ws(j);
	if (peek(j) == (unsigned char)close) {
		j->p++;
		goto out;
	}
	for (;;) {
		if (object) {
			skip_ws(j);
			parse_string(j, &tmp.str);
			expect(j, ':', "':' expected");
		}
		parse_value(j, &tmp, depth + 1);
		skip_ws(j);
		if (peek(j) == (unsigned char)close) {
			j->p++;
			break;
		}
		expect(j, ',', object ? "',' or '}' expected" : "',' or ']' expected");
	}
out:
	free(tmp.str.s);
}

static void parse_value(struct json *j, struct jval *v, int depth)
{
	skip_ws(j);
	switch (peek(j)) {
	case '"':
		v->type = J_STRING;
		parse_string(j, &v->str);
		break;
	case 't':
		parse_literal(j, "true", J_TRUE, v);
		break;
	case 'f':
		parse_literal(j, "false", J_FALSE, v);
		break;
	case 'n':
		parse_literal(j, "null", J_NULL, v);
		break;
	case '[':
		v->type = J_ARRAY;
		skip_container(j, depth);
		break;
	case '{':
		v->type = J_OBJECT;
		skip_container(j, depth);
		break;
	default:
		if (peek(j) == '-' || is_digit(peek(j)))
			parse_number(j, v);
		else
			bad_json(j, "a value expected");
	}
}

/* --- one row ------------------------------------------------------------ */

enum kind { K_STRING, K_NUMBER, K_BOOL };

struct field {
	const char *key;
	enum kind kind;
	struct str s;
	unsigned long long num;
	bool b;
};

/* A value for a message: printable ASCII as is, the rest as \xHH */
static const char *show(struct str s)
{
	static char out[2][200];
	static int which;
	char *o = out[which ^= 1];
	size_t i, n = 0;

	o[n++] = '"';
	for (i = 0; i < s.len && n < sizeof(out[0]) - 12; i++) {
		unsigned char c = s.s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			o[n++] = c;
		else
			n += sprintf(o + n, "\\x%02x", c);
	}
	if (i < s.len)
		n += sprintf(o + n, "...");
	o[n++] = '"';
	o[n] = '\0';
	return o;
}

static const char *show_jval(const struct jval *v)
{
	static char out[2][200];
	static int which;

	if (v->type == J_STRING)
		return show(buf_str(&v->str));
	if (v->type != J_NUMBER)
		return jtype_names[v->type];
	which ^= 1;
	snprintf(out[which], sizeof(out[0]), "%.*s", (int)(v->text.len > 100 ? 100 :
		 v->text.len), v->text.s);
	return out[which];
}

/* The fields zombiememcgstat(8) lists, for the columns the fixture has */
static size_t expected_fields(const struct row *r, struct field *f)
{
	static struct buf sane[NCOLS + 1];
	const char *slash;
	struct str leaf = r->tok[PATH];
	size_t n = 0;

#define STRING(k, str_) (f[n++] = (struct field){ .key = k, .kind = K_STRING, .s = str_ })
#define NUMBER(k, c) (f[n++] = (struct field){ .key = k, .kind = K_NUMBER, .num = r->num[c] })
#define HAS(c) (cols & 1U << (c))
	STRING("memcg", sanitize(&sane[MEMCG], r->tok[MEMCG]));
	if (HAS(ID))
		NUMBER("id", ID);
	NUMBER("pid", PID);
	STRING("comm", sanitize(&sane[COMM], r->tok[COMM]));
	NUMBER("age", AGE);
	f[n++] = (struct field){ .key = "predates_load", .kind = K_BOOL,
		.b = HAS(FLAGS) && memchr(r->tok[FLAGS].s, 'p', r->tok[FLAGS].len) };
	if (HAS(CHARGED))
		NUMBER("charged", CHARGED);
	if (HAS(SWAP))
		NUMBER("swap", SWAP);
	if (HAS(FOOTPRINT))
		NUMBER("footprint", FOOTPRINT);
	if (HAS(FLAGS))
		STRING("flags", sanitize(&sane[FLAGS], r->tok[FLAGS]));
	/* the last component; the whole path if it ends in '/' */
	slash = memrchr(leaf.s, '/', leaf.len);
	if (slash && slash + 1 < leaf.s + leaf.len) {
		leaf.len -= slash + 1 - leaf.s;
		leaf.s = slash + 1;
	}
	STRING("name", sanitize(&sane[NCOLS], leaf));
	STRING("path", sanitize(&sane[PATH], r->tok[PATH]));
#undef STRING
#undef NUMBER
#undef HAS
	return n;
}

/* Compare a JSON object with a fixture row: the number of wrong fields */
static unsigned int compare_row(const struct row *r, const struct member *m, size_t nm)
{
	struct field f[16];
	size_t nf = expected_fields(r, f), a, b;

	field_diffs = 0;
	for (a = 0; a < nm; a++) {
		const struct buf *k = &m[a].key;
		bool known = false;

		for (b = 0; b < a; b++) {
			if (str_eq(m[b].key.s, m[b].key.len, k->s, k->len))
				field_diff("field %s twice", show(buf_str(k)));
		}
		for (b = 0; b < nf; b++)
			known |= str_eq(f[b].key, strlen(f[b].key), k->s, k->len);
		if (!known && quiet)
			return field_diffs + 1;
		if (!known)
			field_diff("unexpected field %s", show(buf_str(k)));
	}
	for (b = 0; b < nf; b++) {
		const struct jval *v = NULL;
		char want[200];
		bool same;

		for (a = 0; a < nm && !v; a++) {
			if (str_eq(f[b].key, strlen(f[b].key), m[a].key.s, m[a].key.len))
				v = &m[a].val;
		}
		switch (f[b].kind) {
		case K_STRING:
			same = v && v->type == J_STRING &&
			       str_eq(v->str.s, v->str.len, f[b].s.s, f[b].s.len);
			break;
		case K_NUMBER:
			same = v && v->type == J_NUMBER && v->is_u64 && v->u64 == f[b].num;
			break;
		default:
			same = v && v->type == (f[b].b ? J_TRUE : J_FALSE);
		}
		if (same)
			continue;
		if (quiet)
			return field_diffs + 1;	/* not this row: enough */
		if (f[b].kind == K_STRING)
			snprintf(want, sizeof(want), "%s", show(f[b].s));
		else if (f[b].kind == K_NUMBER)
			snprintf(want, sizeof(want), "%llu", f[b].num);
		else
			snprintf(want, sizeof(want), "%s", f[b].b ? "true" : "false");
		if (!v)
			field_diff("no field \"%s\" (want %s)", f[b].key, want);
		else
			field_diff("\"%s\" is %s, want %s", f[b].key, show_jval(v), want);
	}
	return field_diffs;
}

/* The fixture row this JSON object is, in sorted order; nr_rows if none */
static size_t find_row(const struct member *m, size_t nm)
{
	size_t k;

	quiet = true;
	for (k = 0; k < nr_rows && compare_row(&rows[k], m, nm); k++)
		;
	quiet = false;
	return k;
}

/*
 * JSON row i (0-based) is not right. For the first few, say what is wrong:
 * the fixture row it is instead, or if none its fields that differ.
 */
static void bad_row(size_t i, const struct member *m, size_t nm, const char *what)
{
	size_t k;

	if (++nr_bad_rows > MAX_BAD_ROWS)
		return;
	printf("JSON row %zu: ", i + 1);
	if (i < nr_rows)
		printf("want fixture line %lu (row %zu in --sort %s order)", rows[i].line,
		       i + 1, sort_name);
	else
		printf("one more than the %zu fixture rows", nr_rows);
	if (what) {
		printf(", got %s\n", what);
		return;
	}
	k = find_row(m, nm);
	if (k < nr_rows) {
		printf(", got fixture line %lu (row %zu in that order)\n", rows[k].line, k + 1);
		return;
	}
	printf(", got a row that is no fixture row:\n");
	if (i < nr_rows && compare_row(&rows[i], m, nm) > MAX_FIELD_DIFFS)
		printf("    ... %u fields differ\n", field_diffs);
}

/* --- main ---------------------------------------------------------------- */

static void usage(void) __attribute__((noreturn));

static void usage(void)
{
	die(2, "usage: check_json FIXTURE OUTPUT age|charged|path [COUNT]");
}

int main(int argc, char **argv)
{
	static struct member *m;
	static size_t cap;
	struct json j;
	size_t len, n = 0, nm, i;
	bool bad;
	char *data, *end;

	if (argc != 4 && argc != 5)
		usage();
	fixture_name = argv[1];
	output_name = argv[2];
	sort_name = argv[3];
	if (!strcmp(argv[3], "age"))
		sort_key = AGE;
	else if (!strcmp(argv[3], "charged"))
		sort_key = CHARGED;
	else if (!strcmp(argv[3], "path"))
		sort_key = PATH;
	else
		usage();
	load_fixture();
	if (argc == 5) {
		unsigned long long want = strtoull(argv[4], &end, 10);

		if (!*argv[4] || *end)
			usage();
		if (nr_rows != want)
			die(2, "%s: %zu rows, want %llu", fixture_name, nr_rows, want);
	}
	if (nr_rows)
		qsort(rows, nr_rows, sizeof(*rows), cmp_rows);

	data = read_file(output_name, &len);
	j.start = j.p = (const unsigned char *)data;
	j.end = j.start + len;
	expect(&j, '[', "'[' expected: the output is not one JSON array");
	skip_ws(&j);
	if (peek(&j) == ']')
		j.p++;
	else
		for (;; n++) {
			skip_ws(&j);
			if (peek(&j) != '{') {
				struct jval v = { 0 };

				parse_value(&j, &v, 1);
				bad_row(n, NULL, 0, jtype_names[v.type]);
				free(v.str.s);
			} else {
				j.p++;
				nm = 0;
				skip_ws(&j);
				if (peek(&j) == '}')
					j.p++;
				else
					for (;;) {
						if (nm == cap) {
							cap = cap * 2 + 16;
							m = xrealloc(m, cap * sizeof(*m));
							memset(m + nm, 0, (cap - nm) * sizeof(*m));
						}
						skip_ws(&j);
						parse_string(&j, &m[nm].key);
						expect(&j, ':', "':' expected");
						parse_value(&j, &m[nm].val, 1);
						nm++;
						skip_ws(&j);
						if (peek(&j) == '}') {
							j.p++;
							break;
						}
						expect(&j, ',', "',' or '}' expected");
					}
				quiet = true;
				bad = n >= nr_rows || compare_row(&rows[n], m, nm);
				quiet = false;
				if (bad)
					bad_row(n, m, nm, NULL);
			}
			skip_ws(&j);
			if (peek(&j) == ']') {
				j.p++;
				n++;
				break;
			}
			expect(&j, ',', "',' or ']' expected");
		}
	skip_ws(&j);
	if (j.p != j.end)
		bad_json(&j, "more after the array");

	if (nr_bad_rows > MAX_BAD_ROWS)
		printf("... %lu JSON rows wrong in all\n", nr_bad_rows);
	if (n != nr_rows)
		printf("%zu JSON rows, %s has %zu\n", n, fixture_name, nr_rows);
	if (nr_bad_rows || n != nr_rows)
		return 1;
	for (i = 0; i < cap; i++) {
		free(m[i].key.s);
		free(m[i].val.str.s);
	}
	free(m);
	free(data);
	free(rows);
	free(fixture);
	return 0;
}
