/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zmc.h - parse and format /proc/zombiememcg snapshots
 *
 * Shared by zombiememcgstat, its host tests and its fuzz target. No
 * dependency beyond libc.
 */
#ifndef ZMC_H
#define ZMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ZMC_PROC_PATH		"/proc/zombiememcg"
#define ZMC_HOLDERS_PATH	"/proc/zombiememcg_holders"
#define ZMC_RECLAIM_PATH	"/proc/zombiememcg_reclaim"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define ZMC_THRESHOLD_PATH	"/sys/kernel/debug/zombiememcg/older_than_secs"
/* The same threshold as a module parameter: tunable under lockdown too. */
#define ZMC_PARAM_THRESHOLD_PATH "/sys/module/zombiememcg/parameters/older_than_secs"
#define ZMC_DEFAULT_OLDER	30ULL

/* Known columns of /proc/zombiememcg; anything else is ignored. */
enum zmc_col {
	ZMC_COL_IGNORED = -1,
	ZMC_COL_MEMCG = 0,
	ZMC_COL_ID,
	ZMC_COL_PID,
	ZMC_COL_COMM,
	ZMC_COL_AGE,
	ZMC_COL_CHARGED,
	ZMC_COL_SWAP,
	ZMC_COL_FOOTPRINT,
	ZMC_COL_FLAGS,
	ZMC_COL_PATH,
	ZMC_NR_COLS,
};

#define ZMC_BIT(c)		(1U << (c))
#define ZMC_REQUIRED_COLS	(ZMC_BIT(ZMC_COL_MEMCG) | \
				 ZMC_BIT(ZMC_COL_PID) | \
				 ZMC_BIT(ZMC_COL_COMM) | \
				 ZMC_BIT(ZMC_COL_AGE) | \
				 ZMC_BIT(ZMC_COL_PATH))

/* One zombie memcg. Strings point into the snapshot's buffer, unescaped. */
struct zmc_row {
	const char *memcg;	/* opaque %pK token */
	const char *comm;	/* creator comm, "-" if unknown */
	const char *flags;	/* FLAGS token, "-" when absent */
	const char *path;	/* full cgroup path, starts with '/' */
	size_t comm_len;	/* unescaped: any byte but NUL */
	size_t path_len;
	unsigned long long id;
	unsigned long long pid;
	unsigned long long age;
	unsigned long long charged;
	unsigned long long swap;
	unsigned long long footprint;
	unsigned long line;	/* line number in the input */
	bool predates;		/* FLAGS has 'p': AGE is a lower bound */
};

struct zmc_snapshot {
	struct zmc_row *rows;
	size_t nr;
	size_t cap;
	unsigned int cols;	/* ZMC_BIT() of every known column present */
	char *buf;		/* owns the strings of all rows */
};

struct zmc_error {
	unsigned long line;	/* 0: not about a line (e.g. out of memory) */
	char msg[256];
};

/* Parser (zmcparse.c) */
const char *zmc_col_name(enum zmc_col col);
enum zmc_col zmc_col_lookup(const char *name, size_t len);
int zmc_parse(struct zmc_snapshot *s, const char *data, size_t len,
	      struct zmc_error *err);
int zmc_parse_buf(struct zmc_snapshot *s, char *buf, size_t len,
		  struct zmc_error *err);
void zmc_snapshot_free(struct zmc_snapshot *s);
int zmc_unescape(char *s, size_t *len);
size_t zmc_escape(char *dst, const char *src, size_t len);
int zmc_parse_u64(const char *s, unsigned long long *val);
int zmc_read_file(const char *path, char **data, size_t *len);
int zmc_read_threshold(const char *path, unsigned long long *secs);

/* Selection: filter and sort into a view of row pointers. */
enum zmc_sort {
	ZMC_SORT_AGE,		/* oldest first */
	ZMC_SORT_CHARGED,	/* most charged first */
	ZMC_SORT_PATH,		/* by path, byte order */
	ZMC_SORT_NONE,		/* input order, for totals */
};

struct zmc_filter {
	bool has_pid;
	unsigned long long pid;
	const char *comm;	/* NULL: any */
	unsigned long long older;	/* keep AGE >= older */
};

int zmc_parse_sort(const char *name, enum zmc_sort *sort);
struct zmc_row **zmc_select(const struct zmc_snapshot *s,
			    const struct zmc_filter *f, enum zmc_sort sort,
			    size_t *nr);

/* Formatting (zmcfmt.c) */
struct zmc_fmt {
	bool path;		/* --path: full PATH last instead of NAME */
	bool charged;		/* --charged */
	bool footprint;		/* --footprint */
};

#define ZMC_HIST_SLOTS	65	/* bcc's log2_index_max */
#define ZMC_U64_LEN	20	/* digits of UINT64_MAX */

const char *zmc_leaf(const char *path, size_t len, size_t *leaf_len);
size_t zmc_u64_str(char *buf, unsigned long long v);
char *zmc_human(char *buf, size_t size, unsigned long long bytes);
unsigned int zmc_log2_index(unsigned long long v);
void zmc_print_log2_hist(FILE *fp, const unsigned long long *vals,
			 const char *val_type);
void zmc_json_string(FILE *fp, const char *s, size_t len);
void zmc_prom_label(FILE *fp, const char *s, size_t len);
void zmc_prom_head(FILE *fp, const char *name, const char *type,
		   const char *help);
void zmc_display(FILE *fp, const char *s, size_t len, size_t width,
		 bool pad);

void zmc_print_intro(FILE *fp);
void zmc_print_table_header(FILE *fp, const struct zmc_fmt *fmt);
void zmc_print_table(FILE *fp, const struct zmc_snapshot *s,
		     struct zmc_row *const *rows, size_t nr,
		     const struct zmc_fmt *fmt);
int zmc_print_summary(FILE *fp, const struct zmc_snapshot *s,
		      struct zmc_row *const *rows, size_t nr);
void zmc_print_json(FILE *fp, const struct zmc_snapshot *s,
		    struct zmc_row *const *rows, size_t nr);
int zmc_print_json_summary(FILE *fp, const struct zmc_snapshot *s,
			   struct zmc_row *const *rows, size_t nr);
int zmc_print_prometheus(FILE *fp, const struct zmc_snapshot *s,
			 struct zmc_row *const *rows, size_t nr);
int zmc_check_threshold(FILE *fp, const char *const *paths, size_t n,
			unsigned long long older);

/* What holds the zombies: /proc/zombiememcg_holders (zmcwhy.c). */
struct zmc_holder {
	unsigned long long id;	/* the zombie's cgroup id */
	unsigned long long bytes;
	unsigned long long pid;	/* 0: no process */
	const char *kind;	/* socket, file, anon, swap, other, ... */
	const char *comm;	/* unescaped, "" if none */
	const char *detail;	/* unescaped, "" if none */
	size_t comm_len;
	size_t detail_len;
	unsigned long line;	/* line number in the input */
};

struct zmc_mounts;

struct zmc_holders {
	struct zmc_holder *v;	/* sorted by id, then line */
	size_t nr;
	size_t cap;
	char *buf;		/* owns the strings */
	bool stopped;		/* the scan says its time limit stopped it */
	const struct zmc_mounts *mounts;	/* to name files, or NULL */
};

/* One mount of /proc/self/mountinfo. */
struct zmc_mount {
	unsigned int major, minor;
	const char *root;	/* of the file system, shown at @point */
	const char *point;
	const char *fstype;	/* "" if the line has none */
};

struct zmc_mounts {
	struct zmc_mount *v;
	size_t nr;
	size_t cap;
	char *buf;		/* owns the strings */
};

int zmc_mounts_parse(struct zmc_mounts *m, char *buf, size_t len,
		     struct zmc_error *err);
void zmc_mounts_free(struct zmc_mounts *m);
const char *zmc_mounts_cgroup2(const struct zmc_mounts *m);
bool zmc_mounts_resolve(const struct zmc_mounts *m, unsigned int major,
			unsigned int minor, const char *path, char *out,
			size_t size);

/* The DETAIL of a "file" holder, parsed. */
struct zmc_hfile {
	unsigned int major, minor;
	unsigned long long ino;
	char fs[32];
	bool shmem;
	bool deleted;
	const char *path;	/* within its file system, "" if unknown */
};

bool zmc_holder_file(const struct zmc_holder *ho, struct zmc_hfile *f);

int zmc_holders_parse(struct zmc_holders *h, char *buf, size_t len,
		      struct zmc_error *err);
void zmc_holders_free(struct zmc_holders *h);
void zmc_print_why(FILE *fp, const struct zmc_snapshot *s,
		   struct zmc_row *const *rows, size_t nr,
		   const struct zmc_holders *h);
const struct zmc_holder *zmc_holders_of(const struct zmc_holders *h,
					unsigned long long id, size_t *nr);
void zmc_json_holders(FILE *fp, const struct zmc_holders *h,
		      unsigned long long id);
void zmc_print_json_holders(FILE *fp, const struct zmc_snapshot *s,
			    struct zmc_row *const *rows, size_t nr,
			    const struct zmc_holders *h);
int zmc_print_prometheus_holders(FILE *fp, struct zmc_row *const *rows,
				 size_t nr, const struct zmc_holders *h);

/* --free (zmcfree.c): /proc/zombiememcg_reclaim's outcome. */
#define ZMC_RECLAIM_SKIPS	9

struct zmc_rcount {
	unsigned long long folios;
	unsigned long long bytes;
};

struct zmc_reclaim {
	unsigned long long requests;	/* 0: none since the module was loaded */
	char request[32];		/* "all", an id, "none" */
	char result[40];		/* complete, stopped_by_reclaim_ms, ... */
	unsigned long long zombies;
	unsigned long long ms;
	unsigned long long reclaim_ms;
	struct zmc_rcount dropped;
	struct zmc_rcount written;
	struct zmc_rcount skipped[ZMC_RECLAIM_SKIPS];
};

int zmc_reclaim_parse(struct zmc_reclaim *r, char *buf, size_t len, struct zmc_error *err);
void zmc_print_reclaim(FILE *fp, const struct zmc_reclaim *r);
unsigned long long zmc_print_free_plan(FILE *fp, struct zmc_row *const *rows, size_t nr,
				       const struct zmc_holders *h);

#endif /* ZMC_H */
