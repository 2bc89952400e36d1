// SPDX-License-Identifier: GPL-2.0
/*
 * zmcwhy.c - parse /proc/zombiememcg_holders and print --why
 *
 * The holders file has a header line "ID KIND BYTES PID COMM DETAIL", then
 * one line per holder of a zombie (COMM and DETAIL escaped as PATH is in
 * the listing, "-" when empty) and comment lines starting with '#'.  --why
 * prints each zombie of the listing with its holders and, from those facts
 * only, what would free it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmc.h"

#define HOLDERS_HEADER	"ID KIND BYTES PID COMM DETAIL"
#define HOLDERS_FIELDS	6

static int holders_error(struct zmc_error *err, unsigned long line,
			 const char *msg, const char *what)
{
	err->line = line;
	snprintf(err->msg, sizeof(err->msg), "%s%s%s", msg, what ? ": " : "",
		 what ? what : "");
	return -EINVAL;
}

/* An escaped field, unescaped in place; "-" is the empty string. */
static int holders_text(char *f, const char **s, size_t *len)
{
	size_t n;

	if (!strcmp(f, "-")) {
		*s = "";
		*len = 0;
		return 0;
	}
	if (zmc_unescape(f, &n))
		return -1;
	*s = f;
	*len = n;
	return 0;
}

static int holder_cmp(const void *a, const void *b)
{
	const struct zmc_holder *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Parse a holders file held in @buf (NUL-terminated at @len, modified in
 * place and owned by @h from now on, also on error).  Returns 0, -EINVAL
 * with @err naming the line, or -ENOMEM.
 */
int zmc_holders_parse(struct zmc_holders *h, char *buf, size_t len,
		      struct zmc_error *err)
{
	unsigned long lineno = 0;
	char *p = buf, *end = buf + len, *nul;

	memset(h, 0, sizeof(*h));
	memset(err, 0, sizeof(*err));
	h->buf = buf;
	nul = memchr(buf, '\0', len);
	if (nul) {
		for (p = buf; p < nul; p++)
			lineno += *p == '\n';
		return holders_error(err, lineno + 1, "NUL byte", NULL);
	}
	if (!len)
		return holders_error(err, 1, "empty holders file", NULL);
	while (p < end) {
		char *nl = memchr(p, '\n', end - p), *line = p, *f[HOLDERS_FIELDS + 1];
		struct zmc_holder *ho;
		int n = 0;

		if (!nl)
			return holders_error(err, lineno + 1, "last line without a newline", NULL);
		*nl = '\0';
		p = nl + 1;
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, HOLDERS_HEADER))
				return holders_error(err, 1, "not a holders file header, expected",
						     "'" HOLDERS_HEADER "'");
			continue;
		}
		if (line[0] == '#') {
			if (strstr(line, "stopped"))
				h->stopped = true;
			continue;
		}
		while (n <= HOLDERS_FIELDS && (f[n] = strsep(&line, " ")))
			if (*f[n++] == '\0')
				return holders_error(err, lineno, "empty field", NULL);
		if (n != HOLDERS_FIELDS)
			return holders_error(err, lineno, "expected 6 fields", NULL);
		if (h->nr == h->cap) {
			size_t cap = h->cap ? 2 * h->cap : 64;
			struct zmc_holder *v = realloc(h->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			h->v = v;
			h->cap = cap;
		}
		ho = &h->v[h->nr];
		memset(ho, 0, sizeof(*ho));
		ho->line = lineno;
		ho->kind = f[1];
		if (zmc_parse_u64(f[0], &ho->id) || !ho->id)
			return holders_error(err, lineno, "bad ID", f[0]);
		if (zmc_parse_u64(f[2], &ho->bytes))
			return holders_error(err, lineno, "bad BYTES", f[2]);
		if (zmc_parse_u64(f[3], &ho->pid))
			return holders_error(err, lineno, "bad PID", f[3]);
		if (holders_text(f[4], &ho->comm, &ho->comm_len))
			return holders_error(err, lineno, "bad escape in COMM", NULL);
		if (holders_text(f[5], &ho->detail, &ho->detail_len))
			return holders_error(err, lineno, "bad escape in DETAIL", NULL);
		h->nr++;
	}
	if (h->nr)
		qsort(h->v, h->nr, sizeof(*h->v), holder_cmp);
	return 0;
}

void zmc_holders_free(struct zmc_holders *h)
{
	free(h->v);
	free(h->buf);
	memset(h, 0, sizeof(*h));
}

/* Text for a person: control bytes and backslashes as \ooo, spaces kept. */
static void put_text(FILE *fp, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c < ' ' || c == '\\' || c == 0x7f)
			fprintf(fp, "\\%03o", c);
		else
			fputc(c, fp);
	}
}

/* The holders of zombie @id: the first, and how many (sorted by id). */
const struct zmc_holder *zmc_holders_of(const struct zmc_holders *h,
					unsigned long long id, size_t *nr)
{
	size_t lo = 0, hi = h->nr, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < h->nr && h->v[lo + n].id == id)
		n++;
	*nr = n;
	return n ? &h->v[lo] : NULL;
}

static bool is_kind(const struct zmc_holder *ho, const char *kind)
{
	return !strcmp(ho->kind, kind);
}

/*
 * The DETAIL of a file the module named:
 * "dev=MAJ:MIN ino=INO fs=TYPE[ shmem][ deleted] path=PATH" (PATH "?" when
 * it has none).  False for other details.
 */
bool zmc_holder_file(const struct zmc_holder *ho, struct zmc_hfile *f)
{
	const char *p;
	int n = 0;

	memset(f, 0, sizeof(*f));
	if (!is_kind(ho, "file") ||
	    sscanf(ho->detail, "dev=%u:%u ino=%llu fs=%31s%n", &f->major, &f->minor,
		   &f->ino, f->fs, &n) != 4)
		return false;
	p = ho->detail + n;
	for (;;) {
		if (!strncmp(p, " shmem ", 7)) {
			f->shmem = true;
			p += 6;
		} else if (!strncmp(p, " deleted ", 9)) {
			f->deleted = true;
			p += 8;
		} else {
			break;
		}
	}
	if (strncmp(p, " path=", 6))
		return false;
	p += 6;
	f->path = strcmp(p, "?") ? p : "";
	return true;
}

/*
 * The file for a person: its full path, else what is known of it (in
 * advice, a path to complete with where its device is mounted).
 */
static void put_file(FILE *fp, const struct zmc_holders *h, const struct zmc_hfile *f,
		     bool advice)
{
	char full[4096];

	if (f->path[0] && zmc_mounts_resolve(h->mounts, f->major, f->minor, f->path,
					     full, sizeof(full))) {
		put_text(fp, full, strlen(full));
	} else if (f->path[0] && advice) {
		fprintf(fp, "<mount of %u:%u>", f->major, f->minor);
		put_text(fp, f->path, strlen(f->path));
	} else if (f->path[0]) {
		put_text(fp, f->path, strlen(f->path));
		fprintf(fp, " on %u:%u", f->major, f->minor);
	} else {
		fprintf(fp, "inode %llu of %u:%u", f->ino, f->major, f->minor);
	}
}

/* Named files are listed in the advice up to this many. */
#define FREES_FILES	3

/* What would free the zombie's page cache of @v (a file holder). */
static void print_frees_file(FILE *fp, const struct zmc_holders *h,
			     const struct zmc_hfile *f)
{
	if (f->deleted) {
		fputs("the processes holding deleted ", fp);
		put_file(fp, h, f, true);
		fputs(" open or mapped let it go", fp);
	} else if (f->shmem) {
		put_file(fp, h, f, true);
		fputs(" is deleted (tmpfs pages go only with the file)", fp);
	} else {
		fputs("dd if=", fp);
		put_file(fp, h, f, true);
		fputs(" iflag=nocache count=0", fp);
	}
}

/* The zombie's parent in the cgroup file system, for memory.reclaim. */
static void put_parent(FILE *fp, const struct zmc_holders *h, const struct zmc_row *r)
{
	const char *root = zmc_mounts_cgroup2(h->mounts);
	const char *slash = memrchr(r->path, '/', r->path_len);
	size_t len = slash ? (size_t)(slash - r->path) : 0;

	put_text(fp, root ? root : "/sys/fs/cgroup", strlen(root ? root : "/sys/fs/cgroup"));
	put_text(fp, r->path, len);
}

/* Begin one clause of the "frees when" line: "; " after the first. */
static void clause(FILE *fp, bool *any)
{
	if (*any)
		fputs("; ", fp);
	*any = true;
}

/* What would free the zombie, from its holders only. */
static void print_frees(FILE *fp, const struct zmc_holders *h, const struct zmc_row *r,
			const struct zmc_holder *v, size_t n)
{
	bool anon = false, swap = false, any = false, unlisted = false;
	bool orphan = false, kernel = false, cache = false;
	unsigned long long pids[3], file_rest = 0;
	size_t i, j, npids = 0, more = 0, nfiles = 0;
	struct zmc_hfile f;

	for (i = 0; i < n; i++) {
		if (is_kind(&v[i], "socket") && !v[i].pid) {
			if (!strncmp(v[i].detail, "orphan ", 7))
				orphan = true;
			else if (!strncmp(v[i].detail, "kernel ", 7))
				kernel = true;
			else
				unlisted = true;
		}
		if (is_kind(&v[i], "socket") && v[i].pid) {
			for (j = 0; j < npids && pids[j] != v[i].pid; j++)
				;
			if (j < npids)
				continue;
			if (npids < 3)
				pids[npids++] = v[i].pid;
			else
				more++;
		}
		if (is_kind(&v[i], "file") && (!zmc_holder_file(&v[i], &f) || !f.path[0]))
			file_rest += v[i].bytes;
		if (is_kind(&v[i], "anon") && !v[i].pid)
			anon = true;
		swap |= is_kind(&v[i], "swap");
	}
	fputs("  frees when: ", fp);
	if (npids) {
		clause(fp, &any);
		fputs("pid", fp);
		for (j = 0; j < npids; j++)
			fprintf(fp, "%s %llu", j ? "," : "", pids[j]);
		if (more)
			fprintf(fp, " and %zu more", more);
		fputs(npids + more > 1 ? " close these sockets or exit" :
		      " closes these sockets or exits", fp);
	}
	if (orphan) {
		clause(fp, &any);
		fputs("its orphaned connections end (their peers read or reset them; ss -K kills them)",
		      fp);
	}
	if (kernel) {
		clause(fp, &any);
		fputs("the kernel lets go of its sockets (the mount, tunnel or service that made them goes)",
		      fp);
	}
	if (unlisted) {
		clause(fp, &any);
		fputs("the sockets not listed are closed", fp);
	}
	for (i = 0; i < n; i++) {
		if (!zmc_holder_file(&v[i], &f) || !f.path[0])
			continue;
		cache |= !f.deleted && !f.shmem && strcmp(f.fs, "bdev");
		if (++nfiles <= FREES_FILES) {
			clause(fp, &any);
			print_frees_file(fp, h, &f);
		}
	}
	if (nfiles > FREES_FILES)
		fprintf(fp, "; the same for its %zu other files", nfiles - FREES_FILES);
	if (cache) {
		clause(fp, &any);
		fprintf(fp, "all its files' clean page cache at once: zombiememcgstat --free %llu --yes",
			r->id);
	}
	if (file_rest) {
		clause(fp, &any);
		fprintf(fp, "the rest of its page cache is reclaimed: echo %llu > ", file_rest);
		put_parent(fp, h, r);
		fputs("/memory.reclaim", fp);
	}
	for (i = 0; i < n; i++) {
		if (!is_kind(&v[i], "anon") || !v[i].pid)
			continue;
		clause(fp, &any);
		fprintf(fp, "pid %llu (", v[i].pid);
		put_text(fp, v[i].comm, v[i].comm_len);
		fputs(") unmaps its anonymous pages or exits", fp);
	}
	if (anon) {
		clause(fp, &any);
		fputs("the processes that left it unmap its anonymous pages or exit", fp);
	}
	if (swap) {
		clause(fp, &any);
		fputs("its swap entries are freed (their owners exit or delete them; swapoff)", fp);
	}
	if (!any)
		fputs("nothing the scan sees holds it: a kernel reference (a CPU's charge cache until another cgroup charges there, writeback, a dying child, a socket of another protocol no process holds)",
		      fp);
	fputc('\n', fp);
}

/* What the bytes of a page kind are, for a person. */
static const char *kind_text(const struct zmc_holder *ho)
{
	if (is_kind(ho, "file"))
		return "of page cache";
	if (is_kind(ho, "anon"))
		return "of anonymous pages";
	if (is_kind(ho, "swap"))
		return "in swap";
	return NULL;
}

static void print_holder(FILE *fp, const struct zmc_holders *h, const struct zmc_holder *ho)
{
	const char *text = kind_text(ho);
	struct zmc_hfile f;
	char size[16];

	fprintf(fp, "  %-7s ", ho->kind);
	if (is_kind(ho, "socket")) {
		if (ho->pid) {
			fputs("held by ", fp);
			put_text(fp, ho->comm, ho->comm_len);
			fprintf(fp, " (pid %llu): ", ho->pid);
		}
		put_text(fp, ho->detail, ho->detail_len);
	} else if (zmc_holder_file(ho, &f)) {
		fprintf(fp, "%s of page cache of ", zmc_human(size, sizeof(size), ho->bytes));
		put_file(fp, h, &f, false);
		fputs(" (", fp);
		put_text(fp, f.fs, strlen(f.fs));
		fprintf(fp, "%s%s)", f.shmem ? ", shmem" : "", f.deleted ? ", deleted" : "");
	} else if (is_kind(ho, "anon") && ho->pid) {
		fprintf(fp, "%s of anonymous pages mapped by ",
			zmc_human(size, sizeof(size), ho->bytes));
		put_text(fp, ho->comm, ho->comm_len);
		fprintf(fp, " (pid %llu)", ho->pid);
	} else {
		fputs(zmc_human(size, sizeof(size), ho->bytes), fp);
		if (text)
			fprintf(fp, " %s", text);
		if (ho->detail_len) {
			fputs(text ? ", " : " ", fp);
			put_text(fp, ho->detail, ho->detail_len);
		}
		if (ho->pid) {
			fputs(" of ", fp);
			put_text(fp, ho->comm, ho->comm_len);
			fprintf(fp, " (pid %llu)", ho->pid);
		}
	}
	fputc('\n', fp);
}

/*
 * --why: each selected zombie, its holders (from the scan in @h) and what
 * would free it.  A zombie of the listing that the scan did not see (it
 * came after the scan's start) says so.
 */
void zmc_print_why(FILE *fp, const struct zmc_snapshot *s,
		   struct zmc_row *const *rows, size_t nr,
		   const struct zmc_holders *h)
{
	char charged[16];
	size_t i, j, n;

	(void)s;
	for (i = 0; i < nr; i++) {
		const struct zmc_row *r = rows[i];
		const struct zmc_holder *v = zmc_holders_of(h, r->id, &n);

		put_text(fp, r->path, r->path_len);
		fprintf(fp, " (id %llu, created by ", r->id);
		if (r->comm_len && strcmp(r->comm, "-"))
			put_text(fp, r->comm, r->comm_len);
		else
			fputc('-', fp);
		fprintf(fp, " pid %llu, offline %llu%s s, charged %s)\n", r->pid, r->age,
			r->predates ? "+" : "",
			zmc_human(charged, sizeof(charged), r->charged));
		for (j = 0; j < n; j++)
			print_holder(fp, h, &v[j]);
		print_frees(fp, h, r, v, n);
	}
	if (h->stopped)
		fputs("(the holders scan was stopped by holders_scan_ms: page kinds are incomplete)\n",
		      fp);
}

/* --json --why: ", \"holders\": [...]" of zombie @id (the object still open). */
void zmc_json_holders(FILE *fp, const struct zmc_holders *h,
		      unsigned long long id)
{
	const struct zmc_holder *v;
	size_t n, i;

	v = zmc_holders_of(h, id, &n);
	fputs(", \"holders\": [", fp);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s{\"kind\": ", i ? ", " : "");
		zmc_json_string(fp, v[i].kind, strlen(v[i].kind));
		fprintf(fp, ", \"bytes\": %llu, \"pid\": %llu, \"comm\": ", v[i].bytes,
			v[i].pid);
		zmc_json_string(fp, v[i].comm, v[i].comm_len);
		fputs(", \"detail\": ", fp);
		zmc_json_string(fp, v[i].detail, v[i].detail_len);
		fputc('}', fp);
	}
	fputc(']', fp);
}

/* A holding process's comm and what it holds, for the Prometheus labels. */
struct held_by {
	const char *comm;
	size_t len;
	unsigned long long sockets;
	unsigned long long charged;	/* of the zombies it holds, each once */
};

static int held_by_cmp(const void *a, const void *b)
{
	const struct held_by *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->comm, y->comm, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void prom_by_holder(FILE *fp, const char *name, const char *help,
			   const struct held_by *hb, size_t n, bool charged)
{
	size_t i;

	zmc_prom_head(fp, name, "gauge", help);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s{comm=\"", name);
		zmc_prom_label(fp, hb[i].comm, hb[i].len);
		fprintf(fp, "\"} %llu\n", charged ? hb[i].charged : hb[i].sockets);
	}
}

/*
 * --prometheus --why: bytes of the selected zombies per holder kind, and
 * per comm of the processes holding them: their sockets, and the memory
 * still charged to the zombies they hold (by sockets or mapped pages).  Returns 0 or -1 (out of
 * memory).
 */
int zmc_print_prometheus_holders(FILE *fp, struct zmc_row *const *rows,
				 size_t nr, const struct zmc_holders *h)
{
	static const char *const kinds[] = { "socket", "file", "anon", "swap", "other" };
	unsigned long long bytes[5] = { 0 };
	struct held_by *hb = NULL;
	size_t nhb = 0, cap = 0, i, j, k, n;

	for (i = 0; i < nr; i++) {
		const struct zmc_holder *v = zmc_holders_of(h, rows[i]->id, &n);

		for (j = 0; j < n; j++) {
			for (k = 0; k < 5 && strcmp(v[j].kind, kinds[k]); k++)
				;
			if (k < 5)
				bytes[k] += v[j].bytes;
			if ((strcmp(v[j].kind, "socket") && strcmp(v[j].kind, "anon")) || !v[j].pid)
				continue;
			if (nhb == cap) {
				struct held_by *p;

				cap = cap ? 2 * cap : 16;
				p = realloc(hb, cap * sizeof(*hb));
				if (!p) {
					free(hb);
					return -1;
				}
				hb = p;
			}
			hb[nhb].comm = v[j].comm;
			hb[nhb].len = v[j].comm_len;
			hb[nhb].sockets = !strcmp(v[j].kind, "socket");
			/* the zombie's charge, once per comm holding it */
			for (k = 0; k < j && ((strcmp(v[k].kind, "socket") &&
					       strcmp(v[k].kind, "anon")) || !v[k].pid ||
					      v[k].comm_len != v[j].comm_len ||
					      memcmp(v[k].comm, v[j].comm, v[j].comm_len));
			     k++)
				;
			hb[nhb].charged = k < j ? 0 : rows[i]->charged;
			nhb++;
		}
	}
	if (nhb)
		qsort(hb, nhb, sizeof(*hb), held_by_cmp);
	for (i = 0, n = 0; i < nhb; i = j) {	/* merge runs of one comm */
		hb[n] = hb[i];
		for (j = i + 1; j < nhb && !held_by_cmp(&hb[i], &hb[j]); j++) {
			hb[n].sockets += hb[j].sockets;
			hb[n].charged += hb[j].charged;
		}
		n++;
	}
	zmc_prom_head(fp, "zombiememcg_holder_bytes", "gauge",
		      "Bytes of the zombies by what holds them (holders scan; sockets: 0).");
	for (k = 0; k < 5; k++)
		fprintf(fp, "zombiememcg_holder_bytes{kind=\"%s\"} %llu\n", kinds[k], bytes[k]);
	prom_by_holder(fp, "zombiememcg_holder_sockets",
		       "Sockets holding zombies, per comm of the process holding them open.",
		       hb, n, false);
	prom_by_holder(fp, "zombiememcg_holder_charged_bytes",
		       "Memory still charged to the zombies that processes of a comm hold (by sockets or mapped pages).",
		       hb, n, true);
	free(hb);
	return 0;
}
