// SPDX-License-Identifier: GPL-2.0
/*
 * zmcfmt.c - output formats of zombiememcgstat
 *
 * The table layout is the one of bcc's zombiememcgstat, the histograms
 * are printed as bcc's print_log2_hist() prints them, the JSON histogram
 * buckets are those of bcc's get_json_hist(), and --prometheus writes the
 * node_exporter textfile (Prometheus text exposition) format.
 *
 * Output per row is built by hand in a buffer of our own, handed to stdio
 * in big blocks: a stdio call per field and printf()'s format parsing used
 * to cost more than all the rest. Lines printed once stay printf()s.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zmc.h"

#define HAS(s, c)	(!!((s)->cols & ZMC_BIT(ZMC_COL_##c)))
/*
 * Sorted rows are printed in an order unrelated to the input, so each
 * would wait for a cache miss on its line: ask for the line that many
 * rows ahead. (More prefetching measured slower.)
 */
#define PREFETCH	16

/* What is to go to fp, written with one fwrite() when full or done */
struct out {
	FILE *fp;
	size_t len;
	char buf[16384];
};

static void out_init(struct out *o, FILE *fp)
{
	o->fp = fp;
	o->len = 0;
}

static void out_flush(struct out *o)
{
	if (o->len)
		fwrite(o->buf, 1, o->len, o->fp);
	o->len = 0;
}

/* Flush for n more bytes; false if the buffer cannot hold them anyway */
static bool out_make_room(struct out *o, size_t n)
{
	out_flush(o);
	return n <= sizeof(o->buf);
}

static inline void out_mem(struct out *o, const void *s, size_t n)
{
	if (n > sizeof(o->buf) - o->len && !out_make_room(o, n)) {
		fwrite(s, 1, n, o->fp);
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static inline void out_char(struct out *o, char c)
{
	if (o->len == sizeof(o->buf))
		out_flush(o);
	o->buf[o->len++] = c;
}

static void out_spaces(struct out *o, size_t n)
{
	while (n--)
		out_char(o, ' ');
}

/* v in decimal, written backwards to end: returns its first digit */
static char *u64_digits(char *end, unsigned long long v)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

static void out_u64(struct out *o, unsigned long long v)
{
	char buf[ZMC_U64_LEN];
	char *p = u64_digits(buf + sizeof(buf), v);

	out_mem(o, p, buf + sizeof(buf) - p);
}

/* A byte as the kernel escapes it: \ooo */
static void out_octal(struct out *o, unsigned char c)
{
	char buf[4] = { '\\', '0' + (c >> 6), '0' + ((c >> 3) & 7),
			'0' + (c & 7) };

	out_mem(o, buf, sizeof(buf));
}

static void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* For lines printed once: straight to stdio, after what is buffered. */
static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	out_flush(o);
	va_start(ap, fmt);
	vfprintf(o->fp, fmt, ap);
	va_end(ap);
}

/* v in decimal, NUL-terminated, in buf[ZMC_U64_LEN + 1]. Returns the length. */
size_t zmc_u64_str(char *buf, unsigned long long v)
{
	char digits[ZMC_U64_LEN];
	char *p = u64_digits(digits + sizeof(digits), v);
	size_t n = digits + sizeof(digits) - p;

	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

/*
 * v / 2^shift rounded to the nearest integer, ties to even, as printf()
 * rounds the exact value of a double.
 */
static unsigned long long div_round(unsigned long long v, unsigned int shift)
{
	unsigned long long q = v >> shift, r = v & ((1ULL << shift) - 1);
	unsigned long long half = 1ULL << (shift - 1);

	return q + (r > half || (r == half && (q & 1)));
}

/* Human-readable size: 512, 4.0K, 12K, 1.5M, ... */
char *zmc_human(char *buf, size_t size, unsigned long long bytes)
{
	static const char units[] = "KMGTPE";
	char tmp[ZMC_U64_LEN + 4];
	unsigned long long v;
	unsigned int shift;
	double d = bytes;
	size_t n;
	int u = -1;

	if (bytes < 1024) {
		n = zmc_u64_str(tmp, bytes);
		goto out;
	}
	while (u < 5 && d >= 1023.95) {
		d /= 1024;
		u++;
	}
	shift = 10 * (u + 1);
	/*
	 * d is exactly bytes / 2^shift while bytes is exact as a double:
	 * then printf()'s rounding of d can be done in integers
	 */
	if (bytes >= 1ULL << 53) {
		if (d < 9.95)
			snprintf(buf, size, "%.1f%c", d, units[u]);
		else
			snprintf(buf, size, "%.0f%c", d, units[u]);
		return buf;
	}
	if (d < 9.95) {
		v = div_round(bytes * 10, shift);
		n = zmc_u64_str(tmp, v / 10);
		tmp[n++] = '.';
		tmp[n++] = '0' + v % 10;
	} else {
		n = zmc_u64_str(tmp, div_round(bytes, shift));
	}
	tmp[n++] = units[u];
out:
	/* cut to size as snprintf() */
	if (size) {
		if (n >= size)
			n = size - 1;
		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
	return buf;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned int *cp)
{
	unsigned int c = s[0], v, min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* The bytes a terminal shows as they are: printable ASCII but '\\' */
static const bool display_plain[256] = {
	[0x21 ... 0x5b] = true, [0x5d ... 0x7e] = true,
};

/*
 * A string for a terminal: what the kernel escapes (space, tab, newline,
 * backslash), other control characters and bytes that are not UTF-8 as
 * \ooo. Cut to width columns (0: no limit) without splitting an escape or
 * a character; padded with spaces to width if asked.
 */
static void display(struct out *o, const char *s, size_t len, size_t width,
		    bool pad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, cols = 0;

	while (i < len) {
		size_t n, k, end = len;
		unsigned int cp = 0;
		bool esc;

		/* a run of plain ASCII at once */
		if (width && width - cols < len - i)
			end = i + width - cols;
		for (k = i; k < end && display_plain[u[k]]; k++)
			;
		if (k > i) {
			out_mem(o, u + i, k - i);
			cols += k - i;
			i = k;
			continue;
		}
		n = utf8_seq(u + i, len - i, &cp);
		esc = !n || cp <= ' ' || cp == '\\' || (cp >= 0x7f && cp < 0xa0);

		if (!n)
			n = 1;
		if (width && cols + (esc ? 4 * n : 1) > width)
			break;
		if (esc) {
			for (k = 0; k < n; k++)
				out_octal(o, u[i + k]);
			cols += 4 * n;
		} else {
			out_mem(o, u + i, n);
			cols++;
		}
		i += n;
	}
	if (pad && cols < width)
		out_spaces(o, width - cols);
}

void zmc_display(FILE *fp, const char *s, size_t len, size_t width,
		 bool pad)
{
	struct out o;

	out_init(&o, fp);
	display(&o, s, len, width, pad);
	out_flush(&o);
}

/* The bytes JSON strings take as they are: ASCII but '"', '\\', controls */
static const bool json_plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true,
};

/* JSON string with quotes; bytes that are not UTF-8 become U+FFFD. */
static void json_string(struct out *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	out_char(o, '"');
	while (i < len) {
		unsigned int cp;
		size_t n;

		for (n = i; n < len && json_plain[u[n]]; n++)
			;
		if (n > i) {
			out_mem(o, u + i, n - i);
			i = n;
			continue;
		}
		n = utf8_seq(u + i, len - i, &cp);
		if (!n) {
			out_str(o, "\\ufffd");
			i++;
			continue;
		}
		switch (cp) {
		case '"':
			out_str(o, "\\\"");
			break;
		case '\\':
			out_str(o, "\\\\");
			break;
		case '\n':
			out_str(o, "\\n");
			break;
		case '\t':
			out_str(o, "\\t");
			break;
		case '\r':
			out_str(o, "\\r");
			break;
		default:
			if (cp < 0x20) {
				out_str(o, "\\u00");
				out_char(o, hex[cp >> 4]);
				out_char(o, hex[cp & 0xf]);
			} else {
				out_mem(o, u + i, n);
			}
		}
		i += n;
	}
	out_char(o, '"');
}

void zmc_json_string(FILE *fp, const char *s, size_t len)
{
	struct out o;

	out_init(&o, fp);
	json_string(&o, s, len);
	out_flush(&o);
}

/*
 * A Prometheus label value (without the quotes): backslash, double quote
 * and newline escaped; bytes that are not UTF-8 written as the text \ooo
 * (so that distinct comms stay distinct series).
 */
static void prom_label(struct out *o, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned int cp;
		size_t n = utf8_seq(u + i, len - i, &cp);

		if (!n) {
			out_char(o, '\\');
			out_octal(o, u[i]);
			i++;
			continue;
		}
		if (cp == '\\')
			out_str(o, "\\\\");
		else if (cp == '"')
			out_str(o, "\\\"");
		else if (cp == '\n')
			out_str(o, "\\n");
		else
			out_mem(o, u + i, n);
		i += n;
	}
}

void zmc_prom_label(FILE *fp, const char *s, size_t len)
{
	struct out o;

	out_init(&o, fp);
	prom_label(&o, s, len);
	out_flush(&o);
}

/* The last component of a cgroup path ("/" for the root). */
const char *zmc_leaf(const char *path, size_t len, size_t *leaf_len)
{
	const char *slash = memrchr(path, '/', len);

	if (!slash || slash + 1 == path + len) {
		*leaf_len = len;
		return path;
	}
	*leaf_len = path + len - (slash + 1);
	return slash + 1;
}

/* The slot bcc's bpf_log2l() gives: 0 and 1 -> 1, 2..3 -> 2, ... */
unsigned int zmc_log2_index(unsigned long long v)
{
	if (!v)
		return 1;
	return 64 - __builtin_clzll(v);
}

static unsigned int stars(unsigned long long val, unsigned long long max,
			  unsigned int width)
{
	unsigned long long n;

	if (!max)
		return 0;
	if (val <= ULLONG_MAX / width)
		n = val * width / max;
	else
		n = (unsigned long long)((long double)val * width / max);
	return n > width ? width : n;
}

/* bcc's _print_log2_hist(vals, val_type, strip_leading_zero=False) */
static void log2_hist(struct out *o, const unsigned long long *vals,
		      const char *val_type)
{
	unsigned long long val_max = 0;
	unsigned int width;
	int i, idx_max = -1;
	bool wide;

	for (i = 0; i < ZMC_HIST_SLOTS; i++) {
		if (vals[i] > 0)
			idx_max = i;
		if (vals[i] > val_max)
			val_max = vals[i];
	}
	wide = idx_max > 32;
	width = wide ? 20 : 40;
	if (idx_max > 0) {
		if (wide)
			out_printf(o, "               %-29s : count     distribution\n",
				   val_type);
		else
			out_printf(o, "     %-19s : count     distribution\n",
				   val_type);
	}
	for (i = 1; i <= idx_max; i++) {
		unsigned long long low = 1ULL << (i - 1);
		unsigned long long high = i == 64 ? ULLONG_MAX :
					  (1ULL << i) - 1;
		unsigned int n = stars(vals[i], val_max, width), k;

		if (low == high)
			low--;
		out_printf(o, wide ? "%20llu -> %-20llu : %-8llu |" :
				     "%10llu -> %-10llu : %-8llu |",
			   low, high, vals[i]);
		for (k = 0; k < width; k++)
			out_char(o, k < n ? '*' : ' ');
		out_str(o, "|\n");
	}
}

void zmc_print_log2_hist(FILE *fp, const unsigned long long *vals,
			 const char *val_type)
{
	struct out o;

	out_init(&o, fp);
	log2_hist(&o, vals, val_type);
	out_flush(&o);
}

static void prefetch_line(struct zmc_row *const *rows, size_t i, size_t nr)
{
	if (i + PREFETCH < nr)
		__builtin_prefetch(rows[i + PREFETCH]->memcg);
}

static bool is_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F')))
			return false;
	}
	return true;
}

/* A column of the table: padded and followed by a space unless last. */
static void col(struct out *o, const char *s, size_t width, bool last)
{
	size_t len = strlen(s);

	out_mem(o, s, len);
	if (last) {
		out_char(o, '\n');
		return;
	}
	if (len < width)
		out_spaces(o, width - len);
	out_char(o, ' ');
}

void zmc_print_intro(FILE *fp)
{
	fputs("Show zombie memcgroups at specified intervals... Hit Ctrl-C to end.\n",
	      fp);
}

void zmc_print_table_header(FILE *fp, const struct zmc_fmt *fmt)
{
	struct out o;

	out_init(&o, fp);
	col(&o, "MEMCG", 20, false);
	if (!fmt->path)
		col(&o, "NAME", 22, false);
	col(&o, "COMM", 16, false);
	col(&o, "PID", 8, false);
	col(&o, "AGE(secs)", 9,
	    !fmt->charged && !fmt->footprint && !fmt->path);
	if (fmt->charged)
		col(&o, "CHARGED", 8, !fmt->footprint && !fmt->path);
	if (fmt->footprint)
		col(&o, "FOOTPRINT", 9, !fmt->path);
	if (fmt->path)
		col(&o, "PATH", 0, true);
	out_flush(&o);
}

static void print_row(struct out *o, const struct zmc_snapshot *s,
		      const struct zmc_row *r, const struct zmc_fmt *fmt)
{
	char buf[ZMC_U64_LEN + 2];
	size_t leaf_len, n;
	const char *leaf;

	if (is_hex(r->memcg)) {
		out_str(o, "0x");
		display(o, r->memcg, strlen(r->memcg), 18, true);
	} else {
		display(o, r->memcg, strlen(r->memcg), 20, true);
	}
	out_char(o, ' ');
	if (!fmt->path) {
		leaf = zmc_leaf(r->path, r->path_len, &leaf_len);
		display(o, leaf, leaf_len, 22, true);
		out_char(o, ' ');
	}
	display(o, r->comm, r->comm_len, 16, true);
	out_char(o, ' ');
	zmc_u64_str(buf, r->pid);
	col(o, buf, 8, false);
	n = zmc_u64_str(buf, r->age);
	if (r->predates)
		strcpy(buf + n, "+");
	col(o, buf, 9, !fmt->charged && !fmt->footprint && !fmt->path);
	if (fmt->charged) {
		if (HAS(s, CHARGED))
			zmc_human(buf, sizeof(buf), r->charged);
		else
			strcpy(buf, "-");
		col(o, buf, 8, !fmt->footprint && !fmt->path);
	}
	if (fmt->footprint) {
		if (HAS(s, FOOTPRINT))
			zmc_human(buf, sizeof(buf), r->footprint);
		else
			strcpy(buf, "-");
		col(o, buf, 9, !fmt->path);
	}
	if (fmt->path) {
		display(o, r->path, r->path_len, 0, false);
		out_char(o, '\n');
	}
}

void zmc_print_table(FILE *fp, const struct zmc_snapshot *s,
		     struct zmc_row *const *rows, size_t nr,
		     const struct zmc_fmt *fmt)
{
	struct out o;
	size_t i;

	out_init(&o, fp);
	for (i = 0; i < nr; i++) {
		prefetch_line(rows, i, nr);
		print_row(&o, s, rows[i], fmt);
	}
	out_flush(&o);
}

/* Totals over the selected rows; sums saturate instead of wrapping. */
struct totals {
	size_t nr;
	size_t predating;
	unsigned long long oldest;
	unsigned long long age_sum;
	unsigned long long charged;
	unsigned long long swap;
	unsigned long long footprint;
	unsigned long long age_hist[ZMC_HIST_SLOTS];
	unsigned long long charged_hist[ZMC_HIST_SLOTS];
};

struct comm_stat {
	const char *comm;	/* NULL: a free slot of the hash table */
	size_t len;
	size_t nr;
	size_t predating;
	unsigned long long oldest;
	unsigned long long charged;
	unsigned long long swap;
	unsigned long long footprint;
};

static unsigned long long sat_add(unsigned long long a, unsigned long long b)
{
	return a > ULLONG_MAX - b ? ULLONG_MAX : a + b;
}

static void get_totals(struct totals *t, struct zmc_row *const *rows,
		       size_t nr)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->nr = nr;
	for (i = 0; i < nr; i++) {
		const struct zmc_row *r = rows[i];

		t->predating += r->predates;
		if (r->age > t->oldest)
			t->oldest = r->age;
		t->age_sum = sat_add(t->age_sum, r->age);
		t->charged = sat_add(t->charged, r->charged);
		t->swap = sat_add(t->swap, r->swap);
		t->footprint = sat_add(t->footprint, r->footprint);
		t->age_hist[zmc_log2_index(r->age)]++;
		t->charged_hist[zmc_log2_index(r->charged)]++;
	}
}

static int cmp_stat(const void *pa, const void *pb)
{
	const struct comm_stat *a = pa, *b = pb;

	if (a->nr != b->nr)
		return a->nr < b->nr ? 1 : -1;
	if (a->charged != b->charged)
		return a->charged < b->charged ? 1 : -1;
	return strcmp(a->comm, b->comm);
}

/* FNV-1a */
static size_t comm_hash(const char *s, size_t len)
{
	unsigned long long h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of comm in a hash table of mask + 1 slots, or a free one. */
static struct comm_stat *comm_slot(struct comm_stat *tab, size_t mask,
				   const char *comm, size_t len)
{
	size_t i = comm_hash(comm, len) & mask;

	while (tab[i].comm &&
	       (tab[i].len != len || memcmp(tab[i].comm, comm, len)))
		i = (i + 1) & mask;
	return &tab[i];
}

/* The same entries in a table twice as big; NULL if out of memory. */
static struct comm_stat *comm_grow(struct comm_stat *tab, size_t *mask)
{
	size_t i, nmask = *mask * 2 + 1;
	struct comm_stat *ntab;

	ntab = calloc(nmask + 1, sizeof(*ntab));
	if (ntab) {
		for (i = 0; i <= *mask; i++) {
			if (tab[i].comm)
				*comm_slot(ntab, nmask, tab[i].comm,
					   tab[i].len) = tab[i];
		}
		*mask = nmask;
	}
	free(tab);
	return ntab;
}

/*
 * Group the rows by creator comm, in a hash table kept at most half full.
 * Returns the groups, most zombies first (never NULL unless out of memory).
 */
static struct comm_stat *by_comm(struct zmc_row *const *rows, size_t nr,
				 size_t *nr_stats)
{
	size_t mask = 63, i, n = 0;
	struct comm_stat *tab;

	tab = calloc(mask + 1, sizeof(*tab));
	for (i = 0; tab && i < nr; i++) {
		const struct zmc_row *r = rows[i];
		struct comm_stat *c;

		c = comm_slot(tab, mask, r->comm, r->comm_len);
		if (!c->comm) {
			c->comm = r->comm;
			c->len = r->comm_len;
			n++;
		}
		c->nr++;
		c->predating += r->predates;
		if (r->age > c->oldest)
			c->oldest = r->age;
		c->charged = sat_add(c->charged, r->charged);
		c->swap = sat_add(c->swap, r->swap);
		c->footprint = sat_add(c->footprint, r->footprint);
		if (2 * n > mask)
			tab = comm_grow(tab, &mask);
	}
	if (!tab)
		return NULL;
	/* the groups to the front, then in order */
	for (i = 0, n = 0; i <= mask; i++) {
		if (tab[i].comm)
			tab[n++] = tab[i];
	}
	qsort(tab, n, sizeof(*tab), cmp_stat);
	*nr_stats = n;
	return tab;
}

static void size_line(struct out *o, const char *label, unsigned long long v,
		      const char *note)
{
	char h[32];

	out_printf(o, "%-16s %s (%llu bytes%s)\n", label,
		   zmc_human(h, sizeof(h), v), v, note);
}

int zmc_print_summary(FILE *fp, const struct zmc_snapshot *s,
		      struct zmc_row *const *rows, size_t nr)
{
	bool ch = HAS(s, CHARGED), sw = HAS(s, SWAP), fo = HAS(s, FOOTPRINT);
	struct comm_stat *st;
	struct totals t;
	struct out o;
	size_t i, n;
	char h[32];

	st = by_comm(rows, nr, &n);
	if (!st)
		return -1;
	get_totals(&t, rows, nr);
	out_init(&o, fp);

	out_printf(&o, "%-16s %zu\n", "Zombie memcgs:", t.nr);
	if (HAS(s, FLAGS))
		out_printf(&o, "%-16s %zu%s\n", "Predating load:", t.predating,
			   t.predating ?
			   " (their AGE counts from the module load: a lower bound)" :
			   "");
	if (nr)
		out_printf(&o, "%-16s %llu%s secs\n", "Oldest:", t.oldest,
			   t.predating ? "+" : "");
	if (ch)
		size_line(&o, "Charged:", t.charged, "");
	if (sw)
		size_line(&o, "Swap:", t.swap, "");
	if (fo)
		size_line(&o, "Footprint:", t.footprint, ", estimated");

	if (nr) {
		out_char(&o, '\n');
		col(&o, "COMM", 16, false);
		col(&o, "COUNT", 8, false);
		col(&o, "OLDEST(secs)", 12, !ch && !sw && !fo);
		if (ch)
			col(&o, "CHARGED", 8, !sw && !fo);
		if (sw)
			col(&o, "SWAP", 8, !fo);
		if (fo)
			col(&o, "FOOTPRINT", 9, true);
		for (i = 0; i < n; i++) {
			char buf[ZMC_U64_LEN + 2];
			size_t len;

			display(&o, st[i].comm, st[i].len, 16, true);
			out_char(&o, ' ');
			zmc_u64_str(buf, st[i].nr);
			col(&o, buf, 8, false);
			len = zmc_u64_str(buf, st[i].oldest);
			if (st[i].predating)
				strcpy(buf + len, "+");
			col(&o, buf, 12, !ch && !sw && !fo);
			if (ch)
				col(&o, zmc_human(h, sizeof(h), st[i].charged),
				    8, !sw && !fo);
			if (sw)
				col(&o, zmc_human(h, sizeof(h), st[i].swap),
				    8, !fo);
			if (fo)
				col(&o, zmc_human(h, sizeof(h),
						  st[i].footprint), 9, true);
		}
		out_char(&o, '\n');
		log2_hist(&o, t.age_hist, "age (secs)");
		if (ch) {
			out_char(&o, '\n');
			log2_hist(&o, t.charged_hist, "charged (bytes)");
		}
	}
	out_flush(&o);
	free(st);
	return 0;
}

/*
 * JSON members after the first: ", \"key\": " and a value. Kept inline,
 * the key is copied as a constant.
 */
#define JSON_KEY(key)	", \"" key "\": "

static inline void json_u64(struct out *o, const char *key,
			    unsigned long long v)
{
	out_str(o, key);
	out_u64(o, v);
}

void zmc_print_json(FILE *fp, const struct zmc_snapshot *s,
		    struct zmc_row *const *rows, size_t nr)
{
	zmc_print_json_holders(fp, s, rows, nr, NULL);
}

/* --json, and with --why (@h not NULL) each zombie's "holders" too. */
void zmc_print_json_holders(FILE *fp, const struct zmc_snapshot *s,
			    struct zmc_row *const *rows, size_t nr,
			    const struct zmc_holders *h)
{
	struct out o;
	size_t i;

	out_init(&o, fp);
	out_str(&o, nr ? "[\n" : "[");
	for (i = 0; i < nr; i++) {
		const struct zmc_row *r = rows[i];
		const char *leaf;
		size_t leaf_len;

		prefetch_line(rows, i, nr);
		out_str(&o, "  {\"memcg\": ");
		json_string(&o, r->memcg, strlen(r->memcg));
		if (HAS(s, ID))
			json_u64(&o, JSON_KEY("id"), r->id);
		json_u64(&o, JSON_KEY("pid"), r->pid);
		out_str(&o, JSON_KEY("comm"));
		json_string(&o, r->comm, r->comm_len);
		json_u64(&o, JSON_KEY("age"), r->age);
		out_str(&o, JSON_KEY("predates_load"));
		out_str(&o, r->predates ? "true" : "false");
		if (HAS(s, CHARGED))
			json_u64(&o, JSON_KEY("charged"), r->charged);
		if (HAS(s, SWAP))
			json_u64(&o, JSON_KEY("swap"), r->swap);
		if (HAS(s, FOOTPRINT))
			json_u64(&o, JSON_KEY("footprint"), r->footprint);
		if (HAS(s, FLAGS)) {
			out_str(&o, JSON_KEY("flags"));
			json_string(&o, r->flags, strlen(r->flags));
		}
		leaf = zmc_leaf(r->path, r->path_len, &leaf_len);
		out_str(&o, JSON_KEY("name"));
		json_string(&o, leaf, leaf_len);
		out_str(&o, JSON_KEY("path"));
		json_string(&o, r->path, r->path_len);
		if (h) {
			out_flush(&o);
			zmc_json_holders(fp, h, r->id);
		}
		out_str(&o, i + 1 < nr ? "},\n" : "}\n");
	}
	out_str(&o, "]\n");
	out_flush(&o);
}

/* bcc's get_json_hist() buckets */
static void json_hist(struct out *o, const unsigned long long *vals)
{
	int i, idx_max = 0;

	for (i = 0; i < ZMC_HIST_SLOTS; i++) {
		if (vals[i])
			idx_max = i;
	}
	out_char(o, '[');
	for (i = 1; i <= idx_max; i++) {
		unsigned long long low = i == 1 ? 0 : 1ULL << (i - 1);
		unsigned long long high = i == 64 ? ULLONG_MAX :
					  (1ULL << i) - 1;

		out_printf(o, "%s{\"interval-start\": %llu, \"interval-end\": %llu, \"count\": %llu}",
			   i > 1 ? ", " : "", low, high, vals[i]);
	}
	out_char(o, ']');
}

int zmc_print_json_summary(FILE *fp, const struct zmc_snapshot *s,
			   struct zmc_row *const *rows, size_t nr)
{
	struct comm_stat *st;
	struct totals t;
	struct out o;
	size_t i, n;

	st = by_comm(rows, nr, &n);
	if (!st)
		return -1;
	get_totals(&t, rows, nr);
	out_init(&o, fp);

	out_str(&o, "{\n  \"zombies\": ");
	out_u64(&o, t.nr);
	if (HAS(s, FLAGS))
		json_u64(&o, JSON_KEY("predating"), t.predating);
	json_u64(&o, JSON_KEY("oldest_age"), t.oldest);
	out_str(&o, JSON_KEY("oldest_age_is_lower_bound"));
	out_str(&o, t.predating ? "true" : "false");
	if (HAS(s, CHARGED))
		json_u64(&o, JSON_KEY("charged"), t.charged);
	if (HAS(s, SWAP))
		json_u64(&o, JSON_KEY("swap"), t.swap);
	if (HAS(s, FOOTPRINT))
		json_u64(&o, JSON_KEY("footprint"), t.footprint);
	out_str(&o, ",\n  \"by_comm\": [");
	for (i = 0; i < n; i++) {
		out_str(&o, i ? ",\n    {\"comm\": " : "\n    {\"comm\": ");
		json_string(&o, st[i].comm, st[i].len);
		json_u64(&o, JSON_KEY("zombies"), st[i].nr);
		if (HAS(s, FLAGS))
			json_u64(&o, JSON_KEY("predating"), st[i].predating);
		json_u64(&o, JSON_KEY("oldest_age"), st[i].oldest);
		if (HAS(s, CHARGED))
			json_u64(&o, JSON_KEY("charged"), st[i].charged);
		if (HAS(s, SWAP))
			json_u64(&o, JSON_KEY("swap"), st[i].swap);
		if (HAS(s, FOOTPRINT))
			json_u64(&o, JSON_KEY("footprint"), st[i].footprint);
		out_char(&o, '}');
	}
	out_str(&o, n ? "\n  ],\n  \"age_hist\": " : "],\n  \"age_hist\": ");
	json_hist(&o, t.age_hist);
	if (HAS(s, CHARGED)) {
		out_str(&o, ",\n  \"charged_hist\": ");
		json_hist(&o, t.charged_hist);
	}
	out_str(&o, "\n}\n");
	out_flush(&o);
	free(st);
	return 0;
}

static void prom_head(struct out *o, const char *name, const char *type,
		      const char *help)
{
	out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric's HELP and TYPE lines, for printers outside this file. */
void zmc_prom_head(FILE *fp, const char *name, const char *type,
		   const char *help)
{
	struct out o;

	out_init(&o, fp);
	prom_head(&o, name, type, help);
	out_flush(&o);
}

static void prom_gauge(struct out *o, const char *name, const char *help,
		       unsigned long long v)
{
	prom_head(o, name, "gauge", help);
	out_printf(o, "%s %llu\n", name, v);
}

enum comm_field { CF_NR, CF_OLDEST, CF_CHARGED, CF_SWAP, CF_FOOTPRINT };

static void prom_by_comm(struct out *o, const char *name, const char *help,
			 const struct comm_stat *st, size_t n,
			 enum comm_field f)
{
	size_t i;

	prom_head(o, name, "gauge", help);
	for (i = 0; i < n; i++) {
		unsigned long long v = 0;

		switch (f) {
		case CF_NR:
			v = st[i].nr;
			break;
		case CF_OLDEST:
			v = st[i].oldest;
			break;
		case CF_CHARGED:
			v = st[i].charged;
			break;
		case CF_SWAP:
			v = st[i].swap;
			break;
		case CF_FOOTPRINT:
			v = st[i].footprint;
			break;
		}
		out_str(o, name);
		out_str(o, "{comm=\"");
		prom_label(o, st[i].comm, st[i].len);
		out_str(o, "\"} ");
		out_u64(o, v);
		out_char(o, '\n');
	}
}

int zmc_print_prometheus(FILE *fp, const struct zmc_snapshot *s,
			 struct zmc_row *const *rows, size_t nr)
{
	static const unsigned long long le[] = {
		60, 300, 600, 1800, 3600, 21600, 86400, 604800,
	};
	struct comm_stat *st;
	struct totals t;
	struct out o;
	size_t i, j, n;

	st = by_comm(rows, nr, &n);
	if (!st)
		return -1;
	get_totals(&t, rows, nr);
	out_init(&o, fp);

	prom_gauge(&o, "zombiememcg_zombies",
		   "Zombie memory cgroups: removed, offline, not yet freed.",
		   t.nr);
	if (HAS(s, FLAGS))
		prom_gauge(&o, "zombiememcg_predating_zombies",
			   "Zombies that predate the module load (age is a lower bound).",
			   t.predating);
	prom_gauge(&o, "zombiememcg_oldest_age_seconds",
		   "Time the oldest zombie has been offline.", t.oldest);
	if (HAS(s, CHARGED))
		prom_gauge(&o, "zombiememcg_charged_bytes",
			   "Memory still charged to zombies.", t.charged);
	if (HAS(s, SWAP))
		prom_gauge(&o, "zombiememcg_swap_bytes",
			   "Swap still charged to zombies.", t.swap);
	if (HAS(s, FOOTPRINT))
		prom_gauge(&o, "zombiememcg_footprint_bytes",
			   "Estimated kernel memory the zombies occupy.",
			   t.footprint);

	prom_by_comm(&o, "zombiememcg_creator_zombies",
		     "Zombies per comm of the process that created them.",
		     st, n, CF_NR);
	prom_by_comm(&o, "zombiememcg_creator_oldest_age_seconds",
		     "Time the oldest zombie of each creator comm has been offline.",
		     st, n, CF_OLDEST);
	if (HAS(s, CHARGED))
		prom_by_comm(&o, "zombiememcg_creator_charged_bytes",
			     "Memory still charged to zombies, per creator comm.",
			     st, n, CF_CHARGED);
	if (HAS(s, SWAP))
		prom_by_comm(&o, "zombiememcg_creator_swap_bytes",
			     "Swap still charged to zombies, per creator comm.",
			     st, n, CF_SWAP);
	if (HAS(s, FOOTPRINT))
		prom_by_comm(&o, "zombiememcg_creator_footprint_bytes",
			     "Estimated kernel memory of zombies, per creator comm.",
			     st, n, CF_FOOTPRINT);

	prom_head(&o, "zombiememcg_age_seconds", "histogram",
		  "Time zombies have been offline.");
	for (j = 0; j < ARRAY_SIZE(le); j++) {
		size_t c = 0;

		for (i = 0; i < nr; i++)
			c += rows[i]->age <= le[j];
		out_printf(&o, "zombiememcg_age_seconds_bucket{le=\"%llu\"} %zu\n",
			   le[j], c);
	}
	out_printf(&o, "zombiememcg_age_seconds_bucket{le=\"+Inf\"} %zu\n", nr);
	out_printf(&o, "zombiememcg_age_seconds_sum %llu\n", t.age_sum);
	out_printf(&o, "zombiememcg_age_seconds_count %zu\n", nr);
	out_flush(&o);
	free(st);
	return 0;
}

/*
 * The kernel hides zombies younger than its threshold: warn (once, the
 * caller's business) if -o asks for younger ones. Silent if the debugfs
 * file cannot be read. Returns 1 if it warned.
 */
int zmc_check_threshold(FILE *fp, const char *const *paths, size_t n,
			unsigned long long older)
{
	const char *name = NULL, *read_from = NULL;
	unsigned long long thr;
	struct stat st;
	size_t i;

	for (i = 0; i < n && !read_from; i++)
		if (!zmc_read_threshold(paths[i], &thr))
			read_from = paths[i];
	if (!read_from || older >= thr)
		return 0;
	/*
	 * Name a file that can be written: a locked-down kernel refuses to
	 * open a debugfs file with a write bit (so it cannot be read either),
	 * and a module older than the writable parameter has it read-only.
	 */
	for (i = 0; i < n && !name; i++)
		if (!stat(paths[i], &st) && (st.st_mode & 0222))
			name = paths[i];
	if (!name) {
		fprintf(fp, "zombiememcgstat: warning: -o %llu is below the kernel's threshold of %llu secs, which hides younger zombies; %s is read-only: reload the module with older_than_secs=%llu\n",
			older, thr, read_from, older);
		return 1;
	}
	fprintf(fp, "zombiememcgstat: warning: -o %llu is below the kernel's threshold of %llu secs, which hides younger zombies; lower it with: echo %llu > %s\n",
		older, thr, older, name);
	return 1;
}
