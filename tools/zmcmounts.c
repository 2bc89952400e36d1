// SPDX-License-Identifier: GPL-2.0
/*
 * zmcmounts.c - full paths of the files the holders scan names
 *
 * The module names a file by its device and its path within its file
 * system (it does not know the mount).  /proc/self/mountinfo gives, per
 * mount, the device, the root of the file system it shows and where:
 *
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw
 *
 * (fields 3, 4 and 5, and the type after "-"; octal escapes as in the
 * holders file.)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmc.h"

/*
 * Parse /proc/self/mountinfo's text in @buf (NUL-terminated at @len,
 * modified in place and owned by @m from now on, also on error).  Returns
 * 0, -EINVAL with @err naming the line, or -ENOMEM.
 */
int zmc_mounts_parse(struct zmc_mounts *m, char *buf, size_t len,
		     struct zmc_error *err)
{
	char *p = buf, *end = buf + len, *nul;
	unsigned long lineno = 0;

	memset(m, 0, sizeof(*m));
	memset(err, 0, sizeof(*err));
	m->buf = buf;
	nul = memchr(buf, '\0', len);
	if (nul) {
		for (err->line = 1; p < nul; p++)
			err->line += *p == '\n';
		snprintf(err->msg, sizeof(err->msg), "NUL byte");
		return -EINVAL;
	}
	while (p < end) {
		char *nl = memchr(p, '\n', end - p), *line = p, *f[5];
		struct zmc_mount *mt;
		size_t n;
		int i;

		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : end;
		lineno++;
		for (i = 0; i < 5 && (f[i] = strsep(&line, " ")); i++)
			;
		if (i < 5)
			goto bad;
		if (m->nr == m->cap) {
			size_t cap = m->cap ? 2 * m->cap : 32;
			struct zmc_mount *v = realloc(m->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			m->v = v;
			m->cap = cap;
		}
		mt = &m->v[m->nr];
		i = 0;
		if (sscanf(f[2], "%u:%u%n", &mt->major, &mt->minor, &i) != 2 ||
		    f[2][i] || f[3][0] != '/' || f[4][0] != '/' ||
		    zmc_unescape(f[3], &n) || zmc_unescape(f[4], &n))
			goto bad;
		mt->root = f[3];
		mt->point = f[4];
		/* after the optional fields, "- FSTYPE SOURCE OPTIONS" */
		mt->fstype = "";
		while ((f[0] = strsep(&line, " ")) && strcmp(f[0], "-"))
			;
		f[1] = f[0] ? strsep(&line, " ") : NULL;
		if (f[1])
			mt->fstype = f[1];
		m->nr++;
	}
	return 0;
bad:
	err->line = lineno;
	snprintf(err->msg, sizeof(err->msg), "malformed mountinfo line");
	return -EINVAL;
}

void zmc_mounts_free(struct zmc_mounts *m)
{
	free(m->v);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

/* Length of @root if @path is @root or below it, else -1. */
static long under_root(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return 0;
	if (strncmp(root, path, n) || (path[n] && path[n] != '/'))
		return -1;
	return (long)n;
}

/*
 * The full path of @path, a path within the file system on device
 * @major:@minor, through the mount that shows the deepest root above it
 * (the first such mount when several do): true, with it in @out.
 */
bool zmc_mounts_resolve(const struct zmc_mounts *m, unsigned int major,
			unsigned int minor, const char *path, char *out,
			size_t size)
{
	const struct zmc_mount *best = NULL;
	long best_len = -1;
	size_t i;
	int n;

	for (i = 0; m && i < m->nr; i++) {
		const struct zmc_mount *mt = &m->v[i];
		long len;

		if (mt->major != major || mt->minor != minor)
			continue;
		len = under_root(mt->root, path);
		if (len > best_len) {
			best = mt;
			best_len = len;
		}
	}
	if (!best)
		return false;
	path += best_len;
	if (!strcmp(best->point, "/"))
		n = snprintf(out, size, "%s", *path ? path : "/");
	else
		n = snprintf(out, size, "%s%s", best->point, path);
	return n > 0 && (size_t)n < size;
}

/* Where the cgroup v2 hierarchy is mounted with its root shown, or NULL. */
const char *zmc_mounts_cgroup2(const struct zmc_mounts *m)
{
	size_t i;

	for (i = 0; m && i < m->nr; i++)
		if (!strcmp(m->v[i].fstype, "cgroup2") && !strcmp(m->v[i].root, "/"))
			return m->v[i].point;
	return NULL;
}
