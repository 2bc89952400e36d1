// SPDX-License-Identifier: GPL-2.0
/*
 * zmcfree.c - --free: what a reclaim request would drop, and what it did
 *
 * The plan comes from the holders scan: page cache of files other than
 * shmem/tmpfs and block devices is what /proc/zombiememcg_reclaim drops;
 * tmpfs pages, a block device's cache (file system metadata),
 * anonymous pages, swap and sockets it leaves alone, and the plan says what
 * frees those.  The outcome is the reclaim file's "name value" lines.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmc.h"

static const struct {
	const char *name;
	const char *text;	/* for a person */
} reclaim_skips[ZMC_RECLAIM_SKIPS] = {
	{ "mapped", "mapped by a process" },
	{ "locked", "locked (in use)" },
	{ "dirty", "dirtied again" },
	{ "writeback", "under writeback" },
	{ "write_error", "write error (left for the file's users)" },
	{ "busy", "in use" },
	{ "shmem", "shmem/tmpfs (delete or truncate the file)" },
	{ "fs", "its file system has no generic drop" },
	{ "not_page_cache", "not page cache (anonymous, swap cache)" },
};

/* Whether @line is "NAME_folios" or "NAME_bytes" of a counter @name. */
static unsigned long long *reclaim_counter(struct zmc_reclaim *r, const char *key, size_t klen)
{
	struct zmc_rcount *c = NULL;
	size_t i, n;

	for (i = 0; i < ZMC_RECLAIM_SKIPS + 2 && !c; i++) {
		const char *name = i < ZMC_RECLAIM_SKIPS ? reclaim_skips[i].name :
				   i == ZMC_RECLAIM_SKIPS ? "dropped" : "written_back";
		size_t pre = i < ZMC_RECLAIM_SKIPS ? 8 : 0;	/* "skipped_" */

		n = strlen(name);
		if (klen <= pre + n + 1 || (pre && strncmp(key, "skipped_", pre)) ||
		    strncmp(key + pre, name, n) || key[pre + n] != '_')
			continue;
		c = i < ZMC_RECLAIM_SKIPS ? &r->skipped[i] :
		    i == ZMC_RECLAIM_SKIPS ? &r->dropped : &r->written;
		key += pre + n + 1;
		klen -= pre + n + 1;
	}
	if (!c)
		return NULL;
	if (klen == 6 && !strncmp(key, "folios", 6))
		return &c->folios;
	if (klen == 5 && !strncmp(key, "bytes", 5))
		return &c->bytes;
	return NULL;
}

/**
 * zmc_reclaim_parse() - parse /proc/zombiememcg_reclaim
 * @r: the outcome.
 * @buf: the file's contents, NUL-terminated at @len; modified in place.
 * @len: its length.
 * @err: the line at fault.
 *
 * Lines are "NAME VALUE"; names it does not know are passed over (a newer
 * module), a known one with a bad value or a line without a value is an
 * error, as are a missing "requests" or "result".
 *
 * Return: 0 or -EINVAL.
 */
int zmc_reclaim_parse(struct zmc_reclaim *r, char *buf, size_t len, struct zmc_error *err)
{
	bool have_requests = false, have_result = false;
	char *p = buf, *end = buf + len;
	unsigned long line = 0;

	memset(r, 0, sizeof(*r));
	memset(err, 0, sizeof(*err));
	if (memchr(buf, '\0', len)) {
		snprintf(err->msg, sizeof(err->msg), "NUL byte in the file");
		return -EINVAL;
	}
	while (p < end) {
		char *nl = memchr(p, '\n', end - p), *sp, *val;
		unsigned long long *v;
		size_t klen;

		line++;
		if (!nl) {
			err->line = line;
			snprintf(err->msg, sizeof(err->msg), "last line not terminated");
			return -EINVAL;
		}
		*nl = '\0';
		sp = strchr(p, ' ');
		if (!sp || sp == p || !sp[1] || strchr(sp + 1, ' ')) {
			err->line = line;
			snprintf(err->msg, sizeof(err->msg), "not a \"NAME VALUE\" line");
			return -EINVAL;
		}
		klen = sp - p;
		val = sp + 1;
		if (klen == 6 && !strncmp(p, "result", 6)) {
			snprintf(r->result, sizeof(r->result), "%s", val);
			have_result = true;
		} else if (klen == 7 && !strncmp(p, "request", 7)) {
			snprintf(r->request, sizeof(r->request), "%s", val);
		} else {
			v = reclaim_counter(r, p, klen);
			if (!v && klen == 8 && !strncmp(p, "requests", 8)) {
				v = &r->requests;
				have_requests = true;
			} else if (!v && klen == 7 && !strncmp(p, "zombies", 7)) {
				v = &r->zombies;
			} else if (!v && klen == 2 && !strncmp(p, "ms", 2)) {
				v = &r->ms;
			} else if (!v && klen == 10 && !strncmp(p, "reclaim_ms", 10)) {
				v = &r->reclaim_ms;
			}
			if (v && zmc_parse_u64(val, v)) {
				err->line = line;
				snprintf(err->msg, sizeof(err->msg), "%.*s: not a number: %.40s",
					 (int)klen, p, val);
				return -EINVAL;
			}
		}
		p = nl + 1;
	}
	if (!have_requests || !have_result) {
		snprintf(err->msg, sizeof(err->msg), "no \"%s\" line",
			 have_requests ? "result" : "requests");
		return -EINVAL;
	}
	return 0;
}

/* "N folios (SIZE)". */
static void put_count(FILE *fp, const struct zmc_rcount *c)
{
	char size[16];

	fprintf(fp, "%llu folio%s (%s)", c->folios, c->folios == 1 ? "" : "s",
		zmc_human(size, sizeof(size), c->bytes));
}

/**
 * zmc_print_reclaim() - a request's outcome, for a person
 * @fp: where to.
 * @r: the outcome.
 */
void zmc_print_reclaim(FILE *fp, const struct zmc_reclaim *r)
{
	bool any = false;
	size_t i;

	if (!strcmp(r->result, "nothing_to_do_reparented")) {
		fprintf(fp, "reclaim: nothing to do for %llu zombie%s: this kernel moves page cache to the parent when a cgroup is removed, so page cache holds no zombie\n",
			r->zombies, r->zombies == 1 ? "" : "s");
		return;
	}
	fprintf(fp, "reclaim: %s in %llu ms, %llu zombie%s: dropped ",
		!strcmp(r->result, "complete") ? "complete" :
		!strcmp(r->result, "stopped_by_reclaim_ms") ? "stopped by reclaim_ms" : r->result,
		r->ms, r->zombies, r->zombies == 1 ? "" : "s");
	put_count(fp, &r->dropped);
	fputs(", written back first ", fp);
	put_count(fp, &r->written);
	fputc('\n', fp);
	for (i = 0; i < ZMC_RECLAIM_SKIPS; i++) {
		if (!r->skipped[i].folios)
			continue;
		fputs(any ? ", " : "  left alone: ", fp);
		put_count(fp, &r->skipped[i]);
		fprintf(fp, " %s", reclaim_skips[i].text);
		any = true;
	}
	if (any)
		fputc('\n', fp);
	if (!strcmp(r->result, "stopped_by_reclaim_ms"))
		fprintf(fp, "  (stopped after reclaim_ms=%llu: run it again for the rest)\n",
			r->reclaim_ms);
}

/**
 * zmc_print_free_plan() - what a request would drop of each zombie
 * @fp: where to.
 * @rows: the zombies asked for.
 * @nr: entries of @rows.
 * @h: the holders scan.
 *
 * Return: the bytes of page cache it would drop (0: nothing).
 */
unsigned long long zmc_print_free_plan(FILE *fp, struct zmc_row *const *rows, size_t nr,
				       const struct zmc_holders *h)
{
	unsigned long long total = 0;
	size_t i, j, n;

	for (i = 0; i < nr; i++) {
		const struct zmc_holder *v = zmc_holders_of(h, rows[i]->id, &n);
		unsigned long long drop = 0, kept = 0, other = 0;
		size_t files = 0;
		struct zmc_hfile f;
		char a[16], b[16], c[16];

		for (j = 0; j < n; j++) {
			if (!strcmp(v[j].kind, "file") && zmc_holder_file(&v[j], &f) &&
			    (f.shmem || !strcmp(f.fs, "bdev"))) {
				/* a block device's own cache: file system metadata */
				kept += v[j].bytes;
			} else if (!strcmp(v[j].kind, "file")) {
				drop += v[j].bytes;
				files++;
			} else if (strcmp(v[j].kind, "socket")) {
				other += v[j].bytes;
			}
		}
		total += drop;
		fprintf(fp, "id %llu: would drop %s of page cache (%zu file line%s); left alone: %s of tmpfs and block device cache, %s of anonymous, swap and kernel memory\n",
			rows[i]->id, zmc_human(a, sizeof(a), drop), files, files == 1 ? "" : "s",
			zmc_human(b, sizeof(b), kept), zmc_human(c, sizeof(c), other));
	}
	return total;
}
