// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_zmc.c - fuzz target for the /proc/zombiememcg parser
 *
 * libFuzzer entry point (clang -fsanitize=fuzzer); fuzz_main.c gives it a
 * plain main() to replay files without libFuzzer. Every input is parsed;
 * a parsed snapshot goes through every filter, sort and output format, and
 * its strings must survive escape/unescape. Every input is parsed as a
 * holders file too (--why), and printed with the snapshot when both parse;
 * and as a mountinfo, whose mounts name the holders' files.  An invariant
 * broken aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zmc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void roundtrip(const char *s, size_t len)
{
	char *esc = malloc(4 * len + 1);
	size_t n;

	check(esc != NULL);
	check(strlen(s) == len);
	zmc_escape(esc, s, len);
	check(!zmc_unescape(esc, &n));
	check(n == len && !memcmp(esc, s, len));
	free(esc);
}

/* The input as a holders file: 0 and @h filled, or -1 (and @h empty). */
static int fuzz_holders(const uint8_t *data, size_t size, struct zmc_holders *h)
{
	struct zmc_error err;
	char *buf = malloc(size + 1);
	size_t i;

	check(buf != NULL);
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (zmc_holders_parse(h, buf, size, &err)) {
		check(err.msg[0] != '\0' && err.line >= 1);
		zmc_holders_free(h);
		return -1;
	}
	for (i = 0; i < h->nr; i++) {
		const struct zmc_holder *ho = &h->v[i];

		check(ho->id && ho->kind && ho->comm && ho->detail && ho->line >= 2);
		check(strlen(ho->comm) == ho->comm_len && strlen(ho->detail) == ho->detail_len);
		check(!i || h->v[i - 1].id < ho->id ||
		      (h->v[i - 1].id == ho->id && h->v[i - 1].line < ho->line));
	}
	return 0;
}

/* The input as a mountinfo: 0 and @m filled, or -1 (and @m empty). */
static int fuzz_mounts(const uint8_t *data, size_t size, struct zmc_mounts *m)
{
	struct zmc_error err;
	char *buf = malloc(size + 1), out[64];
	size_t i;

	check(buf != NULL);
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (zmc_mounts_parse(m, buf, size, &err)) {
		check(err.msg[0] != '\0' && err.line >= 1);
		zmc_mounts_free(m);
		return -1;
	}
	for (i = 0; i < m->nr; i++) {
		const struct zmc_mount *mt = &m->v[i];

		check(mt->root[0] == '/' && mt->point[0] == '/' && mt->fstype);
		/* a full path fits or is refused, never cut */
		if (zmc_mounts_resolve(m, mt->major, mt->minor, mt->root, out, sizeof(out)))
			check(strlen(out) < sizeof(out));
	}
	zmc_mounts_cgroup2(m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct zmc_fmt fmts[] = {
		{ false, false, false },
		{ true, true, true },
	};
	static FILE *null;
	struct zmc_snapshot s;
	struct zmc_error err;
	struct zmc_filter f;
	struct zmc_holders h;
	struct zmc_mounts m;
	struct zmc_row **v;
	struct zmc_hfile hf;
	size_t i, nr;
	int sort, holders, mounts;

	if (!null)
		null = fopen("/dev/null", "w");
	check(null != NULL);
	holders = fuzz_holders(data, size, &h);
	mounts = fuzz_mounts(data, size, &m);
	for (i = 0; !holders && i < h.nr; i++)
		if (zmc_holder_file(&h.v[i], &hf))
			/* the path is the detail's tail, or none */
			check(!hf.path[0] || (hf.path > h.v[i].detail &&
					      hf.path < h.v[i].detail + h.v[i].detail_len));
	if (!holders && !mounts)
		h.mounts = &m;
	if (zmc_parse(&s, (const char *)data, size, &err)) {
		/* an error names a line within the input, or none */
		check(err.msg[0] != '\0');
		check(s.rows == NULL && s.buf == NULL && s.nr == 0);
		if (!holders)
			zmc_holders_free(&h);
		if (!mounts)
			zmc_mounts_free(&m);
		return 0;
	}
	check((s.cols & ZMC_REQUIRED_COLS) == ZMC_REQUIRED_COLS);
	for (i = 0; i < s.nr; i++) {
		const struct zmc_row *r = &s.rows[i];

		check(r->memcg && r->comm && r->path && r->flags);
		check(r->path[0] == '/' && r->line >= 2);
		roundtrip(r->comm, r->comm_len);
		roundtrip(r->path, r->path_len);
	}
	for (sort = ZMC_SORT_AGE; sort <= ZMC_SORT_PATH; sort++) {
		memset(&f, 0, sizeof(f));
		if (sort == ZMC_SORT_CHARGED && s.nr) {
			f.has_pid = true;
			f.pid = s.rows[0].pid;
			f.comm = s.rows[0].comm;
			f.older = s.rows[0].age;
		}
		v = zmc_select(&s, &f, sort, &nr);
		check(v != NULL && nr <= s.nr);
		for (i = 1; i < nr && sort == ZMC_SORT_AGE; i++)
			check(v[i - 1]->age >= v[i]->age);
		zmc_print_table_header(null, &fmts[sort & 1]);
		zmc_print_table(null, &s, v, nr, &fmts[sort & 1]);
		check(!zmc_print_summary(null, &s, v, nr));
		zmc_print_json(null, &s, v, nr);
		check(!zmc_print_json_summary(null, &s, v, nr));
		check(!zmc_print_prometheus(null, &s, v, nr));
		if (!holders) {
			zmc_print_why(null, &s, v, nr, &h);
			zmc_print_json_holders(null, &s, v, nr, &h);
			check(!zmc_print_prometheus_holders(null, v, nr, &h));
		}
		free(v);
	}
	if (!holders)
		zmc_holders_free(&h);
	if (!mounts)
		zmc_mounts_free(&m);
	zmc_snapshot_free(&s);
	return 0;
}
