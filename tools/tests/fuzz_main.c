// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_main.c - run the fuzz target on files, without libFuzzer
 *
 * For compilers without -fsanitize=fuzzer (gcc), valgrind, and to replay
 * the seeds and any crash file that libFuzzer found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "zmc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		size_t len;
		char *data;
		int ret = zmc_read_file(argv[i], &data, &len);

		if (ret) {
			fprintf(stderr, "%s: cannot read (%d)\n", argv[i], ret);
			return 2;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		free(data);
	}
	printf("replayed %d input%s\n", argc - 1, argc == 2 ? "" : "s");
	return 0;
}
