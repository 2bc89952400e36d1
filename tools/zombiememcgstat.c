// SPDX-License-Identifier: GPL-2.0
/*
 * zombiememcgstat - show zombie memory cgroups at specified intervals
 *
 * Reads /proc/zombiememcg, written by the zombiememcg module, and prints
 * it with the command line and the layout of bcc's zombiememcgstat, plus
 * a summary, JSON and the Prometheus textfile format.
 *
 * Usage: zombiememcgstat [-h] [-p PID] [-c COMM] [-o OLDER] [interval] [count]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zmc.h"

#define PROG	"zombiememcgstat"

enum mode { MODE_TABLE, MODE_SUMMARY, MODE_JSON, MODE_JSON_SUMMARY,
	    MODE_PROMETHEUS, MODE_WHY };

enum {
	OPT_PATH = 256,
	OPT_CHARGED,
	OPT_FOOTPRINT,
	OPT_SUMMARY,
	OPT_JSON,
	OPT_PROMETHEUS,
	OPT_WHY,
	OPT_HOLDERS,
	OPT_MOUNTINFO,
	OPT_FREE,
	OPT_YES,
};

static volatile sig_atomic_t exiting;

static const struct option long_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "comm",	required_argument,	NULL, 'c' },
	{ "older",	required_argument,	NULL, 'o' },
	{ "sort",	required_argument,	NULL, 's' },
	{ "file",	required_argument,	NULL, 'f' },
	{ "path",	no_argument,		NULL, OPT_PATH },
	{ "charged",	no_argument,		NULL, OPT_CHARGED },
	{ "footprint",	no_argument,		NULL, OPT_FOOTPRINT },
	{ "summary",	no_argument,		NULL, OPT_SUMMARY },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "prometheus",	no_argument,		NULL, OPT_PROMETHEUS },
	{ "why",	no_argument,		NULL, OPT_WHY },
	{ "holders",	required_argument,	NULL, OPT_HOLDERS },
	{ "mountinfo",	required_argument,	NULL, OPT_MOUNTINFO },
	{ "free",	required_argument,	NULL, OPT_FREE },
	{ "yes",	no_argument,		NULL, OPT_YES },
	{ NULL,		0,			NULL, 0 },
};

static void usage(FILE *fp, bool full)
{
	fputs("usage: " PROG " [-h] [-p PID] [-c COMM] [-o OLDER] [-s KEY] [-f FILE]\n"
	      "                       [--path] [--charged] [--footprint]\n"
	      "                       [--summary] [--json] [--prometheus]\n"
	      "                       [interval] [count]\n"
	      "       " PROG " --free ID|all [--yes]\n", fp);
	if (!full) {
		fputs("Try '" PROG " --help' for more information.\n", fp);
		return;
	}
	fputs("\n"
	      "    Zombie memory cgroups (memcgs) are cgroups that have been removed\n"
	      "    from user space but still exist in kernel space due to non-zero refcounts.\n"
	      "    List such zombie memcgs on a system along with their creator and\n"
	      "    offline duration, as the zombiememcg module reports them in\n"
	      "    /proc/zombiememcg.\n"
	      "\n"
	      "positional arguments:\n"
	      "  interval              output interval, in seconds (default 30)\n"
	      "  count                 number of outputs (default: until Ctrl-C;\n"
	      "                        1 with -f)\n"
	      "\n"
	      "optional arguments:\n"
	      "  -h, --help            show this help message and exit\n"
	      "  -p PID, --pid PID     show zombie memcgs created by specified pid\n"
	      "  -c COMM, --comm COMM  show zombie memcgs created by specified comm\n"
	      "  -o OLDER, --older OLDER\n"
	      "                        show zombie memcgs that are offline for more than\n"
	      "                        these many secs (default 30)\n"
	      "  -s KEY, --sort KEY    sort by age (oldest first, the default), charged\n"
	      "                        (most charged first) or path\n"
	      "  -f FILE, --file FILE  read a saved snapshot instead of /proc/zombiememcg\n"
	      "  --path                show the full cgroup path instead of its name\n"
	      "  --charged             add a CHARGED column: memory still charged\n"
	      "  --footprint           add a FOOTPRINT column: estimated kernel memory\n"
	      "                        of the zombie itself\n"
	      "  --summary             totals, a table per creator comm and log2\n"
	      "                        histograms of age and charged bytes\n"
	      "  --json                one JSON array of zombies per interval; with\n"
	      "                        --summary, one JSON object of the totals\n"
	      "  --prometheus          node_exporter textfile format\n"
	      "  --why                 each zombie with what holds it (sockets and the\n"
	      "                        processes holding them, pages, swap) and what\n"
	      "                        would free it, from /proc/zombiememcg_holders;\n"
	      "                        with --json its holders, with --prometheus bytes\n"
	      "                        per kind and per holding comm\n"
	      "  --holders FILE        with --why: read a saved holders file instead\n"
	      "  --mountinfo FILE      with --why: full paths of files from this mountinfo\n"
	      "                        (default: /proc/self/mountinfo, unless --holders)\n"
	      "  --free ID|all         what dropping the page cache charged to zombie ID\n"
	      "                        (or to every listed zombie) would free, from the\n"
	      "                        holders scan; tmpfs, mapped, anonymous pages and\n"
	      "                        sockets are never touched (root)\n"
	      "  --yes                 with --free: drop it (/proc/zombiememcg_reclaim),\n"
	      "                        print the outcome and whether the zombie is gone\n"
	      "\n"
	      "examples:\n"
	      "    ./zombiememcgstat            # list all zombie memcgs at 30 secs interval\n"
	      "    ./zombiememcgstat 5          # list all zombie memcgs at 5 secs interval\n"
	      "    ./zombiememcgstat 30 10      # print 30 second summaries, 10 times\n"
	      "    ./zombiememcgstat -p 1       # list zombie memcgs created by pid 1\n"
	      "    ./zombiememcgstat -c systemd # list zombie memcgs created by systemd\n"
	      "    ./zombiememcgstat -o 600     # list zombie memcgs older than 600 secs\n"
	      "    ./zombiememcgstat --summary 1 1       # totals, per comm, histograms\n"
	      "    ./zombiememcgstat --json 1 1 | jq .   # for scripts\n"
	      "    ./zombiememcgstat --prometheus 1 1 > zombiememcg.prom  # node_exporter\n"
	      "    ./zombiememcgstat --why -o 0 1 1      # what holds each zombie\n"
	      "    ./zombiememcgstat --free all --yes    # drop zombies' own page cache\n",
	      fp);
}

static unsigned long long number(const char *what, const char *arg,
				 bool positive)
{
	unsigned long long v;

	if (zmc_parse_u64(arg, &v) || (positive && !v)) {
		fprintf(stderr, PROG ": %s must be a%s integer, not '%s'\n",
			what, positive ? " positive" : " non-negative", arg);
		usage(stderr, false);
		exit(2);
	}
	return v;
}

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

/* Sleep until the monotonic deadline; false if interrupted to exit. */
static bool sleep_until(const struct timespec *deadline)
{
	while (!exiting) {
		int ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					  deadline, NULL);

		if (!ret)
			return true;
		if (ret != EINTR)
			return !exiting;
	}
	return false;
}

static void read_error(const char *path, bool live, int err)
{
	if (live && err == -ENOENT)
		fprintf(stderr, PROG ": %s not found: the zombiememcg module is not loaded; load it with: modprobe zombiememcg\n",
			path);
	else if (err == -EACCES || err == -EPERM)
		fprintf(stderr,
			PROG ": %s: permission denied (root only): run " PROG " as root\n",
			path);
	else
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(-err));
}

struct config {
	enum mode mode;
	enum zmc_sort sort;
	struct zmc_filter filter;
	struct zmc_fmt fmt;
	const char *path;
	const char *holders_path;
	const char *mountinfo_path;	/* NULL: files named by device */
	bool mountinfo_given;
	bool live;
	bool why;	/* --why: with --json and --prometheus, the holders too */
};

/*
 * The mounts that name the holders' files, read again with each scan.
 * Without them files are named by device and path within it; a missing
 * default mountinfo is no error, a --mountinfo FILE that cannot be read is.
 */
static int read_mounts(const struct config *cfg, struct zmc_mounts *m)
{
	struct zmc_error err;
	size_t len;
	char *data;
	int ret;

	zmc_mounts_free(m);
	if (!cfg->mountinfo_path)
		return 0;
	ret = zmc_read_file(cfg->mountinfo_path, &data, &len);
	if (ret) {
		if (!cfg->mountinfo_given)
			return 0;
		fprintf(stderr, PROG ": %s: %s\n", cfg->mountinfo_path, strerror(-ret));
		return -1;
	}
	data[len] = '\0';
	ret = zmc_mounts_parse(m, data, len, &err);
	if (ret == -ENOMEM)
		fprintf(stderr, PROG ": out of memory\n");
	else if (ret)
		fprintf(stderr, PROG ": %s: line %lu: %s\n", cfg->mountinfo_path, err.line,
			err.msg);
	if (ret)
		zmc_mounts_free(m);
	return ret ? -1 : 0;
}

/* --why: the holders scan, read after the listing. */
static int read_holders(const struct config *cfg, struct zmc_holders *h)
{
	static struct zmc_mounts mounts;
	struct zmc_error err;
	size_t len;
	char *data;
	int ret;

	if (read_mounts(cfg, &mounts))
		return -1;

	ret = zmc_read_file(cfg->holders_path, &data, &len);
	if (ret) {
		read_error(cfg->holders_path, cfg->live, ret);
		return -1;
	}
	data[len] = '\0';
	ret = zmc_holders_parse(h, data, len, &err);
	if (ret == -ENOMEM) {
		fprintf(stderr, PROG ": out of memory\n");
	} else if (ret) {
		if (err.line)
			fprintf(stderr, PROG ": %s: line %lu: %s\n", cfg->holders_path,
				err.line, err.msg);
		else
			fprintf(stderr, PROG ": %s: %s\n", cfg->holders_path, err.msg);
	}
	if (ret)
		zmc_holders_free(h);
	else
		h->mounts = &mounts;
	return ret ? -1 : 0;
}

/* Read and parse the listing (@cfg->path) into @s; -1 with the error said. */
static int read_listing(const struct config *cfg, struct zmc_snapshot *s)
{
	struct zmc_error err;
	size_t len;
	char *data;
	int ret;

	ret = zmc_read_file(cfg->path, &data, &len);
	if (ret) {
		read_error(cfg->path, cfg->live, ret);
		return -1;
	}
	ret = zmc_parse_buf(s, data, len, &err);
	if (ret) {
		if (err.line)
			fprintf(stderr, PROG ": %s: line %lu: %s\n", cfg->path,
				err.line, err.msg);
		else
			fprintf(stderr, PROG ": %s: %s\n", cfg->path, err.msg);
		return -1;
	}
	return 0;
}

/*
 * Read and parse one snapshot, then print it. A bad snapshot prints
 * nothing; a signal only sets a flag (SA_RESTART), so output is never cut.
 */
static int snapshot(const struct config *cfg, bool first)
{
	struct zmc_snapshot s;
	struct zmc_row **rows;
	FILE *fp = stdout;
	int ret = 0;
	size_t nr;

	if (read_listing(cfg, &s))
		return -1;
	rows = zmc_select(&s, &cfg->filter, cfg->sort, &nr);
	if (!rows) {
		fprintf(stderr, PROG ": out of memory\n");
		zmc_snapshot_free(&s);
		return -1;
	}
	if (exiting)
		goto out;
	switch (cfg->mode) {
	case MODE_TABLE:
		if (first) {
			zmc_print_intro(fp);
			zmc_print_table_header(fp, &cfg->fmt);
		}
		fputc('\n', fp);
		zmc_print_table(fp, &s, rows, nr, &cfg->fmt);
		break;
	case MODE_SUMMARY:
		if (first)
			zmc_print_intro(fp);
		fputc('\n', fp);
		ret = zmc_print_summary(fp, &s, rows, nr);
		break;
	case MODE_JSON:
		if (cfg->why) {
			struct zmc_holders h;

			if (read_holders(cfg, &h)) {
				ret = -1;
				goto out;
			}
			zmc_print_json_holders(fp, &s, rows, nr, &h);
			zmc_holders_free(&h);
			break;
		}
		zmc_print_json(fp, &s, rows, nr);
		break;
	case MODE_JSON_SUMMARY:
		ret = zmc_print_json_summary(fp, &s, rows, nr);
		break;
	case MODE_PROMETHEUS:
		ret = zmc_print_prometheus(fp, &s, rows, nr);
		if (!ret && cfg->why) {
			struct zmc_holders h;

			if (read_holders(cfg, &h)) {
				ret = -1;
				goto out;
			}
			ret = zmc_print_prometheus_holders(fp, rows, nr, &h);
			zmc_holders_free(&h);
		}
		break;
	case MODE_WHY: {
		struct zmc_holders h;

		if (read_holders(cfg, &h)) {
			ret = -1;
			goto out;
		}
		if (!first)
			fputc('\n', fp);
		zmc_print_why(fp, &s, rows, nr, &h);
		zmc_holders_free(&h);
		break;
	}
	}
	if (ret)
		fprintf(stderr, PROG ": out of memory\n");
	if (fflush(fp) || ferror(fp)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		ret = -1;
	}
out:
	free(rows);
	zmc_snapshot_free(&s);
	return ret;
}

/* --free: the listing's rows of @id (0: all of them). */
static struct zmc_row **free_rows(struct zmc_snapshot *s, unsigned long long id, size_t *nr)
{
	struct zmc_filter all = { .older = 0 };
	struct zmc_row **rows = zmc_select(s, &all, ZMC_SORT_AGE, nr);
	size_t i, n = 0;

	if (!rows || !id)
		return rows;
	for (i = 0; i < *nr; i++)
		if (rows[i]->id == id)
			rows[n++] = rows[i];
	*nr = n;
	return rows;
}

/* --free --yes: write the request, then read its outcome. */
static int free_request(unsigned long long id, struct zmc_reclaim *r)
{
	struct zmc_error err;
	char req[32], *data;
	size_t len;
	ssize_t n;
	int fd, ret;

	len = id ? (size_t)snprintf(req, sizeof(req), "%llu\n", id) :
		   (size_t)snprintf(req, sizeof(req), "all\n");
	fd = open(ZMC_RECLAIM_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		read_error(ZMC_RECLAIM_PATH, true, -errno);
		return -1;
	}
	n = write(fd, req, len);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret == -ENOENT) {
		fprintf(stderr, PROG ": no zombie with id %llu\n", id);
		return -1;
	}
	if (ret) {
		read_error(ZMC_RECLAIM_PATH, true, ret);
		return -1;
	}
	ret = zmc_read_file(ZMC_RECLAIM_PATH, &data, &len);
	if (ret) {
		read_error(ZMC_RECLAIM_PATH, true, ret);
		return -1;
	}
	data[len] = '\0';
	ret = zmc_reclaim_parse(r, data, len, &err);
	if (ret)
		fprintf(stderr, PROG ": %s: line %lu: %s\n", ZMC_RECLAIM_PATH, err.line, err.msg);
	free(data);
	return ret ? -1 : 0;
}

/*
 * --free: a zombie is freed after an RCU grace period and a work item:
 * the listing is asked again, for up to FREE_WAIT_MS, until @ids are gone.
 */
#define FREE_WAIT_MS	5000

static size_t free_left(const struct config *cfg, const unsigned long long *ids, size_t nids)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	size_t left = nids, nr, i, j;
	struct zmc_snapshot s;
	struct zmc_row **rows;
	int waited;

	for (waited = 0; waited <= FREE_WAIT_MS; waited += 100) {
		if (read_listing(cfg, &s))
			return nids;
		rows = free_rows(&s, 0, &nr);
		for (left = 0, i = 0; rows && i < nids; i++)
			for (j = 0; j < nr; j++)
				if (rows[j]->id == ids[i])
					left++;
		if (!rows)
			left = nids;
		free(rows);
		zmc_snapshot_free(&s);
		if (!left || waited == FREE_WAIT_MS)
			break;
		nanosleep(&ts, NULL);
	}
	return left;
}

static int run_free(const struct config *cfg, unsigned long long id, bool yes)
{
	unsigned long long *ids, drop;
	struct zmc_snapshot s;
	struct zmc_holders h;
	struct zmc_reclaim r;
	struct zmc_row **rows;
	size_t nr, left, i;
	int ret = 1;

	if (read_listing(cfg, &s))
		return 1;
	rows = free_rows(&s, id, &nr);
	if (!rows) {
		fprintf(stderr, PROG ": out of memory\n");
		goto free_snapshot;
	}
	if (id && !nr)
		printf("id %llu is not in %s (no zombie, or offline for less than older_than_secs)\n",
		       id, cfg->path);
	if (read_holders(cfg, &h))
		goto free_rows;
	zmc_print_why(stdout, &s, rows, nr, &h);
	drop = zmc_print_free_plan(stdout, rows, nr, &h);
	zmc_holders_free(&h);
	if (!yes) {
		printf(drop ? "run again with --yes to drop it\n" :
		       "nothing the reclaim would drop; --yes asks the module all the same\n");
		ret = 0;
		goto free_rows;
	}
	ids = calloc(nr ? nr : 1, sizeof(*ids));
	if (!ids) {
		fprintf(stderr, PROG ": out of memory\n");
		goto free_rows;
	}
	for (i = 0; i < nr; i++)
		ids[i] = rows[i]->id;
	fflush(stdout);
	if (free_request(id, &r))
		goto free_ids;
	zmc_print_reclaim(stdout, &r);
	left = free_left(cfg, ids, nr);

	if (nr == 1)
		printf(left ? "id %llu: still a zombie (see --why)\n" : "id %llu: freed\n", ids[0]);
	else
		printf("%zu of %zu zombies freed, %zu left\n", nr - left, nr, left);
	ret = 0;
free_ids:
	free(ids);
free_rows:
	free(rows);
free_snapshot:
	zmc_snapshot_free(&s);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.mode = MODE_TABLE,
		.sort = ZMC_SORT_AGE,
		.filter = { .older = ZMC_DEFAULT_OLDER },
		.path = ZMC_PROC_PATH,
		.holders_path = ZMC_HOLDERS_PATH,
		.live = true,
	};
	unsigned long long interval = 30, count = 0, i;
	bool summary = false, json = false, prom = false, why = false;
	bool holders = false, yes = false;
	const char *free_arg = NULL;
	unsigned long long free_id = 0;
	struct timespec deadline;
	struct sigaction sa;
	int c;

	while ((c = getopt_long(argc, argv, "hp:c:o:s:f:", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout, true);
			return 0;
		case 'p':
			if (zmc_parse_u64(optarg, &cfg.filter.pid) ||
			    !cfg.filter.pid) {
				fprintf(stderr, PROG ": specified task pid should be greater than 0.\n");
				return 2;
			}
			cfg.filter.has_pid = true;
			break;
		case 'c':
			cfg.filter.comm = optarg;
			break;
		case 'o':
			cfg.filter.older = number("OLDER", optarg, false);
			break;
		case 's':
			if (zmc_parse_sort(optarg, &cfg.sort)) {
				fprintf(stderr, PROG ": --sort takes age, charged or path, not '%s'\n",
					optarg);
				usage(stderr, false);
				return 2;
			}
			break;
		case 'f':
			cfg.path = optarg;
			cfg.live = false;
			break;
		case OPT_PATH:
			cfg.fmt.path = true;
			break;
		case OPT_CHARGED:
			cfg.fmt.charged = true;
			break;
		case OPT_FOOTPRINT:
			cfg.fmt.footprint = true;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PROMETHEUS:
			prom = true;
			break;
		case OPT_WHY:
			why = true;
			break;
		case OPT_HOLDERS:
			cfg.holders_path = optarg;
			holders = true;
			break;
		case OPT_MOUNTINFO:
			cfg.mountinfo_path = optarg;
			cfg.mountinfo_given = true;
			break;
		case OPT_FREE:
			free_arg = optarg;
			if (strcmp(optarg, "all") &&
			    (zmc_parse_u64(optarg, &free_id) || !free_id)) {
				fprintf(stderr, PROG ": --free takes a zombie's id or all, not '%s'\n",
					optarg);
				usage(stderr, false);
				return 2;
			}
			break;
		case OPT_YES:
			yes = true;
			break;
		default:
			usage(stderr, false);
			return 2;
		}
	}
	if (yes && !free_arg) {
		fprintf(stderr, PROG ": --yes goes with --free\n");
		usage(stderr, false);
		return 2;
	}
	if (free_arg) {
		if (!cfg.live || json || summary || prom || why || holders ||
		    cfg.mountinfo_given || optind < argc) {
			fprintf(stderr, PROG ": --free goes alone (with --yes), on the live files\n");
			usage(stderr, false);
			return 2;
		}
		cfg.mountinfo_path = "/proc/self/mountinfo";
		return run_free(&cfg, free_id, yes);
	}
	if (prom && (json || summary)) {
		fprintf(stderr, PROG ": --prometheus cannot be combined with --json or --summary\n");
		usage(stderr, false);
		return 2;
	}
	if (why && summary) {
		fprintf(stderr, PROG ": --why cannot be combined with --summary\n");
		usage(stderr, false);
		return 2;
	}
	cfg.why = why;
	if (holders && !why) {
		fprintf(stderr, PROG ": --holders goes with --why\n");
		usage(stderr, false);
		return 2;
	}
	if (cfg.mountinfo_given && !why) {
		fprintf(stderr, PROG ": --mountinfo goes with --why\n");
		usage(stderr, false);
		return 2;
	}
	if (!cfg.mountinfo_given && !holders)
		cfg.mountinfo_path = "/proc/self/mountinfo";
	if (why && !cfg.live && !holders) {
		fprintf(stderr, PROG ": --why with -f needs --holders FILE (a saved holders file)\n");
		usage(stderr, false);
		return 2;
	}
	if (prom)
		cfg.mode = MODE_PROMETHEUS;
	else if (json)
		cfg.mode = summary ? MODE_JSON_SUMMARY : MODE_JSON;
	else if (why)
		cfg.mode = MODE_WHY;
	else if (summary)
		cfg.mode = MODE_SUMMARY;
	/* totals do not depend on the order of the rows: no need to sort */
	if (summary || prom)
		cfg.sort = ZMC_SORT_NONE;

	if (argc - optind > 2) {
		fprintf(stderr, PROG ": unrecognized argument: %s\n",
			argv[optind + 2]);
		usage(stderr, false);
		return 2;
	}
	if (optind < argc)
		interval = number("interval", argv[optind], true);
	if (optind + 1 < argc)
		count = number("count", argv[optind + 1], true);
	else if (!cfg.live && optind == argc)
		count = 1;
	if (interval > 365ULL * 24 * 3600) {
		fprintf(stderr, PROG ": interval too large\n");
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* whole snapshots at a time, flushed after each */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (cfg.live) {
		static const char *const thresholds[] = {
			ZMC_PARAM_THRESHOLD_PATH, ZMC_THRESHOLD_PATH,
		};

		zmc_check_threshold(stderr, thresholds, ARRAY_SIZE(thresholds),
				    cfg.filter.older);
	}

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (i = 0; !count || i < count; i++) {
		if (i) {
			deadline.tv_sec += interval;
			if (!sleep_until(&deadline))
				break;
		}
		if (snapshot(&cfg, !i))
			return 1;
		if (exiting)
			break;
	}
	return 0;
}
