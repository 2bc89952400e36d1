#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh [SECONDS] - fuzz the /proc/zombiememcg parser with libFuzzer
#
# Builds tests/fuzz_zmc.c with clang -fsanitize=fuzzer,address,undefined
# into .build/fuzz/ and runs it for SECONDS (default 600) on a corpus kept
# in .build/fuzz/corpus, seeded from the fixtures and malformed inputs.
# A crash leaves its input in .build/fuzz/artifacts/; replay it with
#   make tests && ./fuzz_replay .build/fuzz/artifacts/crash-*
# Exit 0: no crash; 77: cannot fuzz here (the reason is printed); else a
# crash or a build failure. Installs clang and libclang-rt-dev from
# Debian when they are missing and we are root (ZMC_NO_INSTALL=1: never).
set -u
secs=${1:-600}
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

out=.build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
cflags="-g -O1 -std=gnu11 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"

can_fuzz() {
	command -v "${CLANG:-clang}" >/dev/null 2>&1 &&
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' \
		> "$out/probe.$$.c" &&
	"${CLANG:-clang}" -fsanitize=fuzzer "$out/probe.$$.c" \
		-o "$out/probe.$$" 2>/dev/null
	local rc=$?

	rm -f "$out/probe.$$.c" "$out/probe.$$"
	return $rc
}

if ! can_fuzz; then
	install_pkgs clang libclang-rt-dev
	if ! can_fuzz; then
		echo "no clang with libFuzzer (install clang and libclang-rt-dev)"
		exit 77
	fi
fi

# build beside, then rename: another run may be executing the old one
# shellcheck disable=SC2086
if ! "${CLANG:-clang}" $cflags tests/fuzz_zmc.c zmcparse.c zmcfmt.c zmcwhy.c zmcmounts.c \
		-o "$out/fuzz_zmc.$$" || ! mv -f "$out/fuzz_zmc.$$" "$out/fuzz_zmc"; then
	echo "building the fuzz target failed"
	exit 1
fi

log=$out/fuzz.$$.log
echo "fuzzing the parser for $secs s (corpus $out/corpus)" >&2
# -rss_limit_mb: inputs are small, the limit catches runaway allocation
"$out/fuzz_zmc" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=8192 -dict=tests/fuzz.dict -print_final_stats=1 \
	-artifact_prefix="$out/artifacts/" \
	"$out/corpus" tests/fixtures tests/malformed tests/malformed-holders > "$log" 2>&1
rc=$?
tail -n 20 "$log" | grep -E '^(stat::|Done)' >&2
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|runtime error|Test unit written' "$log" | head -5
	echo "libFuzzer exited $rc: see $log"
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rm -f "$log"
echo "no crash in ${runs:-?} runs over $secs s"
exit 0
