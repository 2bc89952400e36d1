/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Make a memory cgroup outlive its removal, for the selftests and the demo.
 *
 * The calling process creates the cgroup, enters it, takes the pins, and
 * goes back home.  A TCP socket created inside a memcg holds a reference to
 * it until closed, on every kernel; tmpfs pages written inside it stay
 * charged to it until the file is deleted (before 7.x, which reparents them
 * at offline).  So the cgroup, once removed, stays a zombie while the process
 * lives and the file exists.
 */
#ifndef ZMC_CGPIN_H
#define ZMC_CGPIN_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	PIN_SOCKET = 1 << 0,
	PIN_CACHE = 1 << 1,
};

/* Write @s to the file @path in one write(); 0 or -errno. */
static inline int write_line(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	err = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return err;
}

/* Write @bytes of data to a new file @path; 0 or -errno. */
static inline int write_bytes(const char *path, size_t bytes)
{
	char buf[65536];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	memset(buf, 'z', sizeof(buf));
	while (bytes && !err) {
		size_t n = bytes < sizeof(buf) ? bytes : sizeof(buf);

		if (write(fd, buf, n) != (ssize_t)n)
			err = -EIO;
		bytes -= n;
	}
	close(fd);
	return err;
}

/**
 * cg_pin() - create @cg and pin its memcg from the calling process
 * @cg: cgroup directory to create.
 * @home: cgroup directory to return to (the root cgroup, say).
 * @pins: PIN_SOCKET and/or PIN_CACHE.
 * @file: with PIN_CACHE, the tmpfs file to write.
 * @bytes: with PIN_CACHE, how much to write.
 *
 * The socket is left open on purpose: closing it (or exiting) unpins.
 * Return: 0 or -errno.
 */
static inline int cg_pin(const char *cg, const char *home, unsigned int pins,
			 const char *file, size_t bytes)
{
	char procs[PATH_MAX * 2];
	int err;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	if (mkdir(cg, 0755))
		return -errno;
	err = write_line(procs, "0");
	if (err)
		return err;
	if ((pins & PIN_SOCKET) && socket(AF_INET, SOCK_STREAM, 0) < 0)
		return -errno;
	if (pins & PIN_CACHE) {
		err = write_bytes(file, bytes);
		if (err)
			return err;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", home);
	return write_line(procs, "0");
}

#endif /* ZMC_CGPIN_H */
