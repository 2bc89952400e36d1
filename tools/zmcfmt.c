// SPDX-License-Identifier: GPL-2.0
/*
 * zmcfmt.c - output formats of zombiememcgstat
 *
 * The table layout is the one of bcc's zombiememcgstat, the histograms
 * are printed as bcc's print_log2_hist() prints them, the JSON histogram
 * buckets are those of bcc's get_json_hist(), and --prometheus writes the
 * node_exporter textfile (Prometheus text exposition) format.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zmc.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define HAS(s, c)	(!!((s)->cols & ZMC_BIT(ZMC_COL_##c)))

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

/*
 * Print a string for a terminal: what the kernel escapes (space, tab,
 * newline, backslash), other control characters and bytes that are not
 * UTF-8 as \ooo. Cut to width columns (0: no limit) without splitting an
 * escape or a character; pad with spaces to width if asked.
 */
void zmc_display(FILE *fp, const char *s, size_t len, size_t width,
		 bool pad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, cols = 0;

	while (i < len) {
		unsigned int cp = 0;
		size_t n, k;
		bool esc;

		/* a run of plain ASCII at once */
		for (k = i; k < len && u[k] > ' ' && u[k] < 0x7f &&
		     u[k] != '\\' && (!width || cols + k - i < width); k++)
			;
		if (k > i) {
			fwrite(u + i, 1, k - i, fp);
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
				fprintf(fp, "\\%03o", u[i + k]);
			cols += 4 * n;
		} else {
			fwrite(u + i, 1, n, fp);
			cols++;
		}
		i += n;
	}
	if (pad) {
		for (; cols < width; cols++)
			fputc(' ', fp);
	}
}

/* JSON string with quotes; bytes that are not UTF-8 become U+FFFD. */
void zmc_json_string(FILE *fp, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', fp);
	while (i < len) {
		unsigned int cp;
		size_t n;

		for (n = i; n < len && u[n] >= 0x20 && u[n] < 0x80 &&
		     u[n] != '"' && u[n] != '\\'; n++)
			;
		if (n > i) {
			fwrite(u + i, 1, n - i, fp);
			i = n;
			continue;
		}
		n = utf8_seq(u + i, len - i, &cp);
		if (!n) {
			fputs("\\ufffd", fp);
			i++;
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		default:
			if (cp < 0x20)
				fprintf(fp, "\\u%04x", cp);
			else
				fwrite(u + i, 1, n, fp);
		}
		i += n;
	}
	fputc('"', fp);
}

/*
 * A Prometheus label value (without the quotes): backslash, double quote
 * and newline escaped; bytes that are not UTF-8 written as the text \ooo
 * (so that distinct comms stay distinct series).
 */
void zmc_prom_label(FILE *fp, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned int cp;
		size_t n = utf8_seq(u + i, len - i, &cp);

		if (!n) {
			fprintf(fp, "\\\\%03o", u[i]);
			i++;
			continue;
		}
		if (cp == '\\')
			fputs("\\\\", fp);
		else if (cp == '"')
			fputs("\\\"", fp);
		else if (cp == '\n')
			fputs("\\n", fp);
		else
			fwrite(u + i, 1, n, fp);
		i += n;
	}
}

/* The last component of a cgroup path ("/" for the root). */
const char *zmc_leaf(const char *path, size_t len, size_t *leaf_len)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	if (i == len) {
		*leaf_len = len;
		return path;
	}
	*leaf_len = len - i;
	return path + i;
}

/* Human-readable size: 512, 4.0K, 12K, 1.5M, ... */
char *zmc_human(char *buf, size_t size, unsigned long long bytes)
{
	static const char units[] = "KMGTPE";
	double d = bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%llu", bytes);
		return buf;
	}
	while (u < 5 && d >= 1023.95) {
		d /= 1024;
		u++;
	}
	if (d < 9.95)
		snprintf(buf, size, "%.1f%c", d, units[u]);
	else
		snprintf(buf, size, "%.0f%c", d, units[u]);
	return buf;
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
void zmc_print_log2_hist(FILE *fp, const unsigned long long *vals,
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
			fprintf(fp, "               %-29s : count     distribution\n",
				val_type);
		else
			fprintf(fp, "     %-19s : count     distribution\n",
				val_type);
	}
	for (i = 1; i <= idx_max; i++) {
		unsigned long long low = 1ULL << (i - 1);
		unsigned long long high = i == 64 ? ULLONG_MAX :
					  (1ULL << i) - 1;
		unsigned int n = stars(vals[i], val_max, width), k;

		if (low == high)
			low--;
		fprintf(fp, wide ? "%20llu -> %-20llu : %-8llu |" :
				   "%10llu -> %-10llu : %-8llu |",
			low, high, vals[i]);
		for (k = 0; k < width; k++)
			fputc(k < n ? '*' : ' ', fp);
		fputs("|\n", fp);
	}
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
static void col(FILE *fp, const char *s, int width, bool last)
{
	if (last)
		fprintf(fp, "%s\n", s);
	else
		fprintf(fp, "%-*s ", width, s);
}

void zmc_print_intro(FILE *fp)
{
	fputs("Show zombie memcgroups at specified intervals... Hit Ctrl-C to end.\n",
	      fp);
}

void zmc_print_table_header(FILE *fp, const struct zmc_fmt *fmt)
{
	col(fp, "MEMCG", 20, false);
	if (!fmt->path)
		col(fp, "NAME", 22, false);
	col(fp, "COMM", 16, false);
	col(fp, "PID", 8, false);
	col(fp, "AGE(secs)", 9,
	    !fmt->charged && !fmt->footprint && !fmt->path);
	if (fmt->charged)
		col(fp, "CHARGED", 8, !fmt->footprint && !fmt->path);
	if (fmt->footprint)
		col(fp, "FOOTPRINT", 9, !fmt->path);
	if (fmt->path)
		col(fp, "PATH", 0, true);
}

static void print_row(FILE *fp, const struct zmc_snapshot *s,
		      const struct zmc_row *r, const struct zmc_fmt *fmt)
{
	size_t leaf_len;
	const char *leaf;
	char buf[32];

	if (is_hex(r->memcg)) {
		fputs("0x", fp);
		zmc_display(fp, r->memcg, strlen(r->memcg), 18, true);
	} else {
		zmc_display(fp, r->memcg, strlen(r->memcg), 20, true);
	}
	fputc(' ', fp);
	if (!fmt->path) {
		leaf = zmc_leaf(r->path, r->path_len, &leaf_len);
		zmc_display(fp, leaf, leaf_len, 22, true);
		fputc(' ', fp);
	}
	zmc_display(fp, r->comm, r->comm_len, 16, true);
	fputc(' ', fp);
	snprintf(buf, sizeof(buf), "%llu", r->pid);
	col(fp, buf, 8, false);
	snprintf(buf, sizeof(buf), "%llu%s", r->age, r->predates ? "+" : "");
	col(fp, buf, 9, !fmt->charged && !fmt->footprint && !fmt->path);
	if (fmt->charged) {
		if (HAS(s, CHARGED))
			zmc_human(buf, sizeof(buf), r->charged);
		else
			strcpy(buf, "-");
		col(fp, buf, 8, !fmt->footprint && !fmt->path);
	}
	if (fmt->footprint) {
		if (HAS(s, FOOTPRINT))
			zmc_human(buf, sizeof(buf), r->footprint);
		else
			strcpy(buf, "-");
		col(fp, buf, 9, !fmt->path);
	}
	if (fmt->path) {
		zmc_display(fp, r->path, r->path_len, 0, false);
		fputc('\n', fp);
	}
}

void zmc_print_table(FILE *fp, const struct zmc_snapshot *s,
		     struct zmc_row *const *rows, size_t nr,
		     const struct zmc_fmt *fmt)
{
	size_t i;

	for (i = 0; i < nr; i++)
		print_row(fp, s, rows[i], fmt);
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
	const char *comm;
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

static int cmp_comm(const void *pa, const void *pb)
{
	const struct zmc_row *a = *(struct zmc_row *const *)pa;
	const struct zmc_row *b = *(struct zmc_row *const *)pb;

	return strcmp(a->comm, b->comm);
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

/* Group the rows by creator comm: most zombies first. */
static struct comm_stat *by_comm(struct zmc_row *const *rows, size_t nr,
				 size_t *nr_stats)
{
	struct comm_stat *st;
	struct zmc_row **v;
	size_t i, n = 0;

	v = malloc((nr ? nr : 1) * sizeof(*v));
	st = calloc(nr ? nr : 1, sizeof(*st));
	if (!v || !st) {
		free(v);
		free(st);
		return NULL;
	}
	memcpy(v, rows, nr * sizeof(*v));
	qsort(v, nr, sizeof(*v), cmp_comm);
	for (i = 0; i < nr; i++) {
		struct comm_stat *c;

		if (!n || strcmp(st[n - 1].comm, v[i]->comm)) {
			st[n].comm = v[i]->comm;
			st[n].len = v[i]->comm_len;
			n++;
		}
		c = &st[n - 1];
		c->nr++;
		c->predating += v[i]->predates;
		if (v[i]->age > c->oldest)
			c->oldest = v[i]->age;
		c->charged = sat_add(c->charged, v[i]->charged);
		c->swap = sat_add(c->swap, v[i]->swap);
		c->footprint = sat_add(c->footprint, v[i]->footprint);
	}
	free(v);
	qsort(st, n, sizeof(*st), cmp_stat);
	*nr_stats = n;
	return st;
}

static void size_line(FILE *fp, const char *label, unsigned long long v,
		      const char *note)
{
	char h[32];

	fprintf(fp, "%-16s %s (%llu bytes%s)\n", label,
		zmc_human(h, sizeof(h), v), v, note);
}

int zmc_print_summary(FILE *fp, const struct zmc_snapshot *s,
		      struct zmc_row *const *rows, size_t nr)
{
	bool ch = HAS(s, CHARGED), sw = HAS(s, SWAP), fo = HAS(s, FOOTPRINT);
	struct comm_stat *st;
	struct totals t;
	size_t i, n;
	char h[32];

	st = by_comm(rows, nr, &n);
	if (!st)
		return -1;
	get_totals(&t, rows, nr);

	fprintf(fp, "%-16s %zu\n", "Zombie memcgs:", t.nr);
	if (HAS(s, FLAGS))
		fprintf(fp, "%-16s %zu%s\n", "Predating load:", t.predating,
			t.predating ?
			" (their AGE counts from the module load: a lower bound)" :
			"");
	if (nr)
		fprintf(fp, "%-16s %llu%s secs\n", "Oldest:", t.oldest,
			t.predating ? "+" : "");
	if (ch)
		size_line(fp, "Charged:", t.charged, "");
	if (sw)
		size_line(fp, "Swap:", t.swap, "");
	if (fo)
		size_line(fp, "Footprint:", t.footprint, ", estimated");

	if (nr) {
		fputc('\n', fp);
		col(fp, "COMM", 16, false);
		col(fp, "COUNT", 8, false);
		col(fp, "OLDEST(secs)", 12, !ch && !sw && !fo);
		if (ch)
			col(fp, "CHARGED", 8, !sw && !fo);
		if (sw)
			col(fp, "SWAP", 8, !fo);
		if (fo)
			col(fp, "FOOTPRINT", 9, true);
		for (i = 0; i < n; i++) {
			char buf[32];

			zmc_display(fp, st[i].comm, st[i].len, 16, true);
			fputc(' ', fp);
			snprintf(buf, sizeof(buf), "%zu", st[i].nr);
			col(fp, buf, 8, false);
			snprintf(buf, sizeof(buf), "%llu%s", st[i].oldest,
				 st[i].predating ? "+" : "");
			col(fp, buf, 12, !ch && !sw && !fo);
			if (ch)
				col(fp, zmc_human(h, sizeof(h), st[i].charged),
				    8, !sw && !fo);
			if (sw)
				col(fp, zmc_human(h, sizeof(h), st[i].swap),
				    8, !fo);
			if (fo)
				col(fp, zmc_human(h, sizeof(h),
						  st[i].footprint), 9, true);
		}
		fputc('\n', fp);
		zmc_print_log2_hist(fp, t.age_hist, "age (secs)");
		if (ch) {
			fputc('\n', fp);
			zmc_print_log2_hist(fp, t.charged_hist,
					    "charged (bytes)");
		}
	}
	free(st);
	return 0;
}

static void json_key(FILE *fp, const char *key, bool *first)
{
	fprintf(fp, "%s\"%s\": ", *first ? "" : ", ", key);
	*first = false;
}

static void json_u64(FILE *fp, const char *key, unsigned long long v,
		     bool *first)
{
	json_key(fp, key, first);
	fprintf(fp, "%llu", v);
}

void zmc_print_json(FILE *fp, const struct zmc_snapshot *s,
		    struct zmc_row *const *rows, size_t nr)
{
	size_t i;

	fputs(nr ? "[\n" : "[", fp);
	for (i = 0; i < nr; i++) {
		const struct zmc_row *r = rows[i];
		bool first = true;
		const char *leaf;
		size_t leaf_len;

		fputs("  {", fp);
		json_key(fp, "memcg", &first);
		zmc_json_string(fp, r->memcg, strlen(r->memcg));
		if (HAS(s, ID))
			json_u64(fp, "id", r->id, &first);
		json_u64(fp, "pid", r->pid, &first);
		json_key(fp, "comm", &first);
		zmc_json_string(fp, r->comm, r->comm_len);
		json_u64(fp, "age", r->age, &first);
		json_key(fp, "predates_load", &first);
		fputs(r->predates ? "true" : "false", fp);
		if (HAS(s, CHARGED))
			json_u64(fp, "charged", r->charged, &first);
		if (HAS(s, SWAP))
			json_u64(fp, "swap", r->swap, &first);
		if (HAS(s, FOOTPRINT))
			json_u64(fp, "footprint", r->footprint, &first);
		if (HAS(s, FLAGS)) {
			json_key(fp, "flags", &first);
			zmc_json_string(fp, r->flags, strlen(r->flags));
		}
		leaf = zmc_leaf(r->path, r->path_len, &leaf_len);
		json_key(fp, "name", &first);
		zmc_json_string(fp, leaf, leaf_len);
		json_key(fp, "path", &first);
		zmc_json_string(fp, r->path, r->path_len);
		fputs(i + 1 < nr ? "},\n" : "}\n", fp);
	}
	fputs("]\n", fp);
}

/* bcc's get_json_hist() buckets */
static void json_hist(FILE *fp, const unsigned long long *vals)
{
	int i, idx_max = 0;

	for (i = 0; i < ZMC_HIST_SLOTS; i++) {
		if (vals[i])
			idx_max = i;
	}
	fputc('[', fp);
	for (i = 1; i <= idx_max; i++) {
		unsigned long long low = i == 1 ? 0 : 1ULL << (i - 1);
		unsigned long long high = i == 64 ? ULLONG_MAX :
					  (1ULL << i) - 1;

		fprintf(fp, "%s{\"interval-start\": %llu, \"interval-end\": %llu, \"count\": %llu}",
			i > 1 ? ", " : "", low, high, vals[i]);
	}
	fputc(']', fp);
}

int zmc_print_json_summary(FILE *fp, const struct zmc_snapshot *s,
			   struct zmc_row *const *rows, size_t nr)
{
	struct comm_stat *st;
	struct totals t;
	bool first = true;
	size_t i, n;

	st = by_comm(rows, nr, &n);
	if (!st)
		return -1;
	get_totals(&t, rows, nr);

	fputs("{\n  ", fp);
	json_u64(fp, "zombies", t.nr, &first);
	if (HAS(s, FLAGS))
		json_u64(fp, "predating", t.predating, &first);
	json_u64(fp, "oldest_age", t.oldest, &first);
	json_key(fp, "oldest_age_is_lower_bound", &first);
	fputs(t.predating ? "true" : "false", fp);
	if (HAS(s, CHARGED))
		json_u64(fp, "charged", t.charged, &first);
	if (HAS(s, SWAP))
		json_u64(fp, "swap", t.swap, &first);
	if (HAS(s, FOOTPRINT))
		json_u64(fp, "footprint", t.footprint, &first);
	fputs(",\n  \"by_comm\": [", fp);
	for (i = 0; i < n; i++) {
		first = true;
		fputs(i ? ",\n    {" : "\n    {", fp);
		json_key(fp, "comm", &first);
		zmc_json_string(fp, st[i].comm, st[i].len);
		json_u64(fp, "zombies", st[i].nr, &first);
		if (HAS(s, FLAGS))
			json_u64(fp, "predating", st[i].predating, &first);
		json_u64(fp, "oldest_age", st[i].oldest, &first);
		if (HAS(s, CHARGED))
			json_u64(fp, "charged", st[i].charged, &first);
		if (HAS(s, SWAP))
			json_u64(fp, "swap", st[i].swap, &first);
		if (HAS(s, FOOTPRINT))
			json_u64(fp, "footprint", st[i].footprint, &first);
		fputc('}', fp);
	}
	fputs(n ? "\n  ],\n  \"age_hist\": " : "],\n  \"age_hist\": ", fp);
	json_hist(fp, t.age_hist);
	if (HAS(s, CHARGED)) {
		fputs(",\n  \"charged_hist\": ", fp);
		json_hist(fp, t.charged_hist);
	}
	fputs("\n}\n", fp);
	free(st);
	return 0;
}

static void prom_head(FILE *fp, const char *name, const char *type,
		      const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_gauge(FILE *fp, const char *name, const char *help,
		       unsigned long long v)
{
	prom_head(fp, name, "gauge", help);
	fprintf(fp, "%s %llu\n", name, v);
}

enum comm_field { CF_NR, CF_OLDEST, CF_CHARGED, CF_SWAP, CF_FOOTPRINT };

static void prom_by_comm(FILE *fp, const char *name, const char *help,
			 const struct comm_stat *st, size_t n,
			 enum comm_field f)
{
	size_t i;

	prom_head(fp, name, "gauge", help);
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
		fprintf(fp, "%s{comm=\"", name);
		zmc_prom_label(fp, st[i].comm, st[i].len);
		fprintf(fp, "\"} %llu\n", v);
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
	size_t i, j, n;

	st = by_comm(rows, nr, &n);
	if (!st)
		return -1;
	get_totals(&t, rows, nr);

	prom_gauge(fp, "zombiememcg_zombies",
		   "Zombie memory cgroups: removed, offline, not yet freed.",
		   t.nr);
	if (HAS(s, FLAGS))
		prom_gauge(fp, "zombiememcg_predating_zombies",
			   "Zombies that predate the module load (age is a lower bound).",
			   t.predating);
	prom_gauge(fp, "zombiememcg_oldest_age_seconds",
		   "Time the oldest zombie has been offline.", t.oldest);
	if (HAS(s, CHARGED))
		prom_gauge(fp, "zombiememcg_charged_bytes",
			   "Memory still charged to zombies.", t.charged);
	if (HAS(s, SWAP))
		prom_gauge(fp, "zombiememcg_swap_bytes",
			   "Swap still charged to zombies.", t.swap);
	if (HAS(s, FOOTPRINT))
		prom_gauge(fp, "zombiememcg_footprint_bytes",
			   "Estimated kernel memory the zombies occupy.",
			   t.footprint);

	prom_by_comm(fp, "zombiememcg_creator_zombies",
		     "Zombies per comm of the process that created them.",
		     st, n, CF_NR);
	prom_by_comm(fp, "zombiememcg_creator_oldest_age_seconds",
		     "Time the oldest zombie of each creator comm has been offline.",
		     st, n, CF_OLDEST);
	if (HAS(s, CHARGED))
		prom_by_comm(fp, "zombiememcg_creator_charged_bytes",
			     "Memory still charged to zombies, per creator comm.",
			     st, n, CF_CHARGED);
	if (HAS(s, SWAP))
		prom_by_comm(fp, "zombiememcg_creator_swap_bytes",
			     "Swap still charged to zombies, per creator comm.",
			     st, n, CF_SWAP);
	if (HAS(s, FOOTPRINT))
		prom_by_comm(fp, "zombiememcg_creator_footprint_bytes",
			     "Estimated kernel memory of zombies, per creator comm.",
			     st, n, CF_FOOTPRINT);

	prom_head(fp, "zombiememcg_age_seconds", "histogram",
		  "Time zombies have been offline.");
	for (j = 0; j < ARRAY_SIZE(le); j++) {
		size_t c = 0;

		for (i = 0; i < nr; i++)
			c += rows[i]->age <= le[j];
		fprintf(fp, "zombiememcg_age_seconds_bucket{le=\"%llu\"} %zu\n",
			le[j], c);
	}
	fprintf(fp, "zombiememcg_age_seconds_bucket{le=\"+Inf\"} %zu\n", nr);
	fprintf(fp, "zombiememcg_age_seconds_sum %llu\n", t.age_sum);
	fprintf(fp, "zombiememcg_age_seconds_count %zu\n", nr);
	free(st);
	return 0;
}

/*
 * The kernel hides zombies younger than its threshold: warn (once, the
 * caller's business) if -o asks for younger ones. Silent if the debugfs
 * file cannot be read. Returns 1 if it warned.
 */
int zmc_check_threshold(FILE *fp, const char *path,
			unsigned long long older)
{
	unsigned long long thr;

	if (zmc_read_threshold(path, &thr) || older >= thr)
		return 0;
	fprintf(fp, "zombiememcgstat: warning: -o %llu is below the kernel's threshold of %llu secs, which hides younger zombies; lower it with: echo %llu > %s\n",
		older, thr, older, path);
	return 1;
}
