// SPDX-License-Identifier: GPL-2.0
/*
 * zmc_pin: create cgroups whose memcgs will outlive their removal, for the
 * demo and for manual experiments in a test VM.
 *
 *   zmc_pin [-c COMM] [-s] [-f DIR -b BYTES] CGROUP...
 *
 * For each CGROUP (a directory under a cgroup2 mount, created here) the
 * process enters it, opens a TCP socket (-s) and/or writes BYTES to a file
 * in DIR (-f, a tmpfs), then goes back to the cgroup it started in.  It
 * prints "ready" and waits: remove the cgroups to make zombies; kill it (and
 * delete the files) to let the kernel free them.  -c sets its command name,
 * which the module records as the creator.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sys/prctl.h>

#include "cgpin.h"

static int print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-c COMM] [-s] [-f DIR -b BYTES] CGROUP...\n",
		prog);
	return 2;
}

/* The cgroup directory this process is in, from /proc/self/cgroup. */
static int home_cgroup(const char *mnt, char *home, size_t size)
{
	char line[PATH_MAX - 32];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(home, size, "%s%s", mnt,
				 strcmp(line + 3, "/") ? line + 3 : "");
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	const char *comm = NULL, *dir = NULL;
	unsigned int pins = 0;
	unsigned long bytes = 0;
	char home[PATH_MAX + 32], file[PATH_MAX];
	int opt, i, err;

	while ((opt = getopt(argc, argv, "c:sf:b:")) != -1) {
		switch (opt) {
		case 'c':
			comm = optarg;
			break;
		case 's':
			pins |= PIN_SOCKET;
			break;
		case 'f':
			dir = optarg;
			pins |= PIN_CACHE;
			break;
		case 'b':
			bytes = strtoul(optarg, NULL, 0);
			break;
		default:
			return print_usage(argv[0]);
		}
	}
	if (optind >= argc || (dir && !bytes))
		return print_usage(argv[0]);
	if (comm)
		prctl(PR_SET_NAME, comm);
	err = home_cgroup("/sys/fs/cgroup", home, sizeof(home));
	if (err) {
		fprintf(stderr, "zmc_pin: no cgroup2 membership: %s\n",
			strerror(-err));
		return 1;
	}
	for (i = optind; i < argc; i++) {
		snprintf(file, sizeof(file), "%s/%d-%d", dir ? dir : "",
			 getpid(), i);
		err = cg_pin(argv[i], home, pins, file, bytes);
		if (err) {
			fprintf(stderr, "zmc_pin: %s: %s\n", argv[i],
				strerror(-err));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
