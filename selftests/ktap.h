/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP/TAP output in the style of the kernel's kselftest.h: a plan,
 * then one "ok"/"not ok" line per test, "# SKIP reason" for a test that
 * cannot run, and "#" diagnostics.
 */
#ifndef ZMC_KTAP_H
#define ZMC_KTAP_H

#include <stdarg.h>
#include <stdio.h>

enum ksft_result {
	KSFT_PASS,
	KSFT_FAIL,
	KSFT_SKIP,
};

static int ksft_counts[3];
static int ksft_number;

static inline void ksft_print_header(void)
{
	printf("TAP version 13\n");
	fflush(stdout);
}

static inline void ksft_set_plan(int plan)
{
	printf("1..%d\n", plan);
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2)))
ksft_print_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Print the result of the next test; @reason is for skips, may be NULL. */
static inline void ksft_test_result(enum ksft_result res, const char *name,
				    const char *reason)
{
	ksft_number++;
	ksft_counts[res]++;
	switch (res) {
	case KSFT_PASS:
		printf("ok %d %s\n", ksft_number, name);
		break;
	case KSFT_FAIL:
		printf("not ok %d %s\n", ksft_number, name);
		break;
	case KSFT_SKIP:
		printf("ok %d %s # SKIP %s\n", ksft_number, name,
		       reason ? reason : "");
		break;
	}
	fflush(stdout);
}

static inline int ksft_finished(void)
{
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       ksft_counts[KSFT_PASS], ksft_counts[KSFT_FAIL],
	       ksft_counts[KSFT_SKIP]);
	fflush(stdout);
	return ksft_counts[KSFT_FAIL] ? 1 : 0;
}

#endif /* ZMC_KTAP_H */
