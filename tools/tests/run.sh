#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - host tests of zombiememcgstat (no VM, no module), TAP on stdout
#
#   bash tests/run.sh                   all tests ("make check" runs this)
#   bash tests/run.sh --update-golden   rewrite tests/golden/*.out
#
# Environment: FUZZ_SECONDS (bounded libFuzzer run, default 20),
# ZMC_NO_INSTALL=1 (never apt-get install a missing test tool: skip).
# Exits non-zero if any test failed. Progress goes to stderr.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
# not $(MAKE) from the Makefile: make -n would then run this script
MAKE="make"
BUILD=.build
# our own build: never relink ./zombiememcgstat (it may be a STATIC=1 one)
BIN=$BUILD/gcc/zombiememcgstat
FIX=tests/fixtures
mkdir -p $BUILD
# a directory of our own: several runs may share the tree
TMP=$(mktemp -d "$PWD/$BUILD/tmp.XXXXXX") || exit 1

n=0
nfail=0
nskip=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	nfail=$((nfail + 1))
	echo "not ok $n - $1"
	shift
	local l

	for l in "$@"; do
		printf '%s\n' "$l" | head -n 30 | sed 's/^/# /'
	done
}

skip() {
	n=$((n + 1))
	nskip=$((nskip + 1))
	echo "ok $n - $1 # SKIP $2"
}

# check DESC CMD...: ok if CMD succeeds; its output is the diagnostic
check() {
	local desc=$1 out

	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$out"
	fi
}

progress() {
	echo "# $*" >&2
}

# Append another TAP stream (a test program's), renumbered into ours
merge_tap() {
	local prefix=$1 line

	while IFS= read -r line; do
		case $line in
		"ok "*)
			ok "$prefix${line#ok * - }" ;;
		"not ok "*)
			not_ok "$prefix${line#not ok * - }" ;;
		"# "*)
			echo "$line" ;;
		esac
	done
}

# Run the golden cases with a binary; WRAP (e.g. valgrind) is prepended
# golden_cases BIN PREFIX [WRAP...]
golden_cases() {
	local bin=$1 prefix=$2 name fix args out rc
	local bad=() good=0

	shift 2
	while IFS=$'\t' read -r name fix args; do
		case $name in
		""|"#"*) continue ;;
		esac
		out=$TMP/golden-$name.out
		# shellcheck disable=SC2086
		"$@" "$bin" -f "$FIX/$fix" $args > "$out" 2> "$out.err"
		rc=$?
		if [ $rc -ne 0 ]; then
			bad+=("$name: exit status $rc $(head -c 300 "$out.err")")
		elif ! diff -u "tests/golden/$name.out" "$out" > "$out.diff"; then
			bad+=("$name: $(head -n 20 "$out.diff")")
		elif [ -s "$out.err" ]; then
			bad+=("$name: stderr: $(head -c 300 "$out.err")")
		else
			good=$((good + 1))
		fi
	done < tests/golden.list
	if [ ${#bad[@]} -eq 0 ]; then
		ok "$prefix$good golden cases give their golden output"
	else
		not_ok "$prefix${#bad[@]} of $((good + ${#bad[@]})) golden cases differ" \
			"${bad[@]}"
	fi
}

# Every malformed input of DIR (listings, or holders files for --why): exit
# 1, nothing on stdout, one line naming its line number.
# rejected_cases listing|holders|mountinfo BIN PREFIX [WRAP...]
rejected_cases() {
	local what=$1 bin=$2 prefix=$3 dir file line msg out err rc
	local bad=() good=0 input=(-f)

	shift 3
	dir=tests/malformed
	if [ "$what" = holders ]; then
		dir=tests/malformed-holders
		input=(-f "$FIX/basic.txt" -o 0 --why --holders)
	elif [ "$what" = mountinfo ]; then
		dir=tests/malformed-mountinfo
		input=(-f "$FIX/basic.txt" -o 0 --why --holders "$FIX/basic.holders" --mountinfo)
	fi
	while IFS=$'\t' read -r file line msg; do
		case $file in
		""|"#"*) continue ;;
		esac
		out=$TMP/bad.out
		err=$TMP/bad.err
		"$@" "$bin" "${input[@]}" "$dir/$file" > "$out" 2> "$err"
		rc=$?
		if [ $rc -ne 1 ] || [ -s "$out" ] ||
		   [ "$(wc -l < "$err")" -ne 1 ] ||
		   ! grep -qF ": line $line: $msg" "$err"; then
			bad+=("$file: exit $rc, stdout $(wc -c < "$out") bytes, stderr: $(head -c 300 "$err") (want line $line: $msg)")
		else
			good=$((good + 1))
		fi
	done < "$dir/EXPECT"
	if [ ${#bad[@]} -eq 0 ]; then
		ok "$prefix$good malformed $what inputs each rejected with its line number, exit 1, no output"
	else
		not_ok "$prefix${#bad[@]} malformed $what inputs not rejected right" "${bad[@]}"
	fi
}

# gen_rows N [COLUMNS-STYLE]: a snapshot of N zombies
gen_rows() {
	awk -v n="$1" 'BEGIN {
		print "MEMCG ID PID COMM AGE FLAGS CHARGED SWAP FOOTPRINT PATH"
		split("systemd python3 kubelet containerd-shim runc -", c, " ")
		for (i = 0; i < n; i++) {
			printf "ffff8880%08x %d %d %s %d %s %d %d %d /kubepods.slice/pod%d/cri-containerd-%08x\\040x.scope\n",
				i * 4096, i + 1000, (i % 6) ? 1000 + i % 97 : 0,
				c[i % 6 + 1], (i * 7919) % 1000003,
				(i % 11) ? "-" : "p", (i % 13) * 4096 * (i % 1000),
				(i % 5) * 4096, 33792, i % 100, i
		}
	}'
}

if [ "${1:-}" = --update-golden ]; then
	$MAKE -s O=$BUILD/gcc || exit 1
	while IFS=$'\t' read -r name fix args; do
		case $name in
		""|"#"*) continue ;;
		esac
		# shellcheck disable=SC2086
		$BIN -f "$FIX/$fix" $args > "tests/golden/$name.out"
		echo "tests/golden/$name.out"
	done < tests/golden.list
	exit 0
fi

echo "TAP version 13"

# --- builds ---------------------------------------------------------------
progress "builds"
check "build with gcc -Wall -Wextra -Werror" \
	$MAKE -s O=$BUILD/gcc CC=gcc CFLAGS="-O2 -g -Werror" tests
if need clang clang; then
	check "build with clang -Wall -Wextra -Werror" \
		$MAKE -s O=$BUILD/clang CC=clang CFLAGS="-O2 -g -Werror" tests
else
	skip "build with clang -Wall -Wextra -Werror" "no clang"
fi
if $MAKE -s O=$BUILD/static STATIC=1 > "$TMP/static.log" 2>&1; then
	if readelf -lW $BUILD/static/zombiememcgstat | grep -q INTERP ||
	   readelf -dW $BUILD/static/zombiememcgstat | grep -q NEEDED; then
		not_ok "make STATIC=1 links statically" \
			"$(readelf -ldW $BUILD/static/zombiememcgstat | grep -E 'INTERP|NEEDED')"
	elif ! $BUILD/static/zombiememcgstat -f $FIX/basic.txt > "$TMP/static.out" \
		2> "$TMP/static.err"; then
		not_ok "make STATIC=1 links statically" \
			"static binary failed: $(head -c 300 "$TMP/static.err")"
	elif ! cmp -s "$TMP/static.out" tests/golden/table.out; then
		not_ok "make STATIC=1 links statically" "static binary output differs"
	else
		ok "make STATIC=1 links statically and runs"
	fi
else
	not_ok "make STATIC=1 links statically" "$(tail -n 20 "$TMP/static.log")"
fi
CHECK_JSON=$BUILD/gcc/check_json
if [ -x $BIN ] && [ -x $BUILD/gcc/test_zmc ] && [ -x $CHECK_JSON ]; then
	:
else
	echo "Bail out! no binaries to test"
	exit 1
fi

# --- unit tests: parser and formatters called directly -------------------
progress "unit tests"
$BUILD/gcc/test_zmc > "$TMP/unit.tap" 2>&1
rc=$?
merge_tap "unit: " < "$TMP/unit.tap"
if [ $rc -ne 0 ] && ! grep -q '^not ok' "$TMP/unit.tap"; then
	not_ok "unit: test_zmc exited $rc" "$(tail -n 5 "$TMP/unit.tap")"
fi

# --- output modes: golden files -------------------------------------------
progress "golden files"
golden_cases $BIN ""
if $BIN -f $FIX/extra.txt --charged > "$TMP/extra.out" &&
   $BIN -f $FIX/basic.txt --charged > "$TMP/basic.out" &&
   cmp -s "$TMP/extra.out" "$TMP/basic.out" &&
   $BIN -f $FIX/extra.txt --json --summary > "$TMP/extra.out" &&
   $BIN -f $FIX/basic.txt --json --summary > "$TMP/basic.out" &&
   cmp -s "$TMP/extra.out" "$TMP/basic.out"; then
	ok "columns found by name: reordered columns, unknown ones, tabs change nothing"
else
	not_ok "columns found by name: reordered columns, unknown ones, tabs change nothing" \
		"$(diff "$TMP/basic.out" "$TMP/extra.out")"
fi

# --- JSON compared row by row with the fixtures (tests/check_json.c) -----
progress "json rows"
# json_rows FIXTURE SORT [COUNT]: "zombiememcgstat -f FIXTURE -o 0 --json
# -s SORT" exits 0, says nothing on stderr, and prints every row of FIXTURE
# with every field, in the order of SORT (with COUNT: FIXTURE has COUNT
# rows). If not, prints why and fails.
json_rows() {
	local fix=$1 sort=$2 out=$TMP/rows.json rc r

	shift 2
	$BIN -f "$fix" -o 0 --json -s "$sort" > "$out" 2> "$out.err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$out.err" ]; then
		echo "--json -s $sort: exit status $rc, stderr: $(head -c 300 "$out.err")"
		return 1
	fi
	if ! r=$($CHECK_JSON "$fix" "$out" "$sort" "$@" 2>&1); then
		printf -- '--json -s %s:\n%s\n' "$sort" "$r"
		return 1
	fi
}
for fix in basic full escape empty extra; do
	bad=()
	for sort in age charged path; do
		r=$(json_rows $FIX/$fix.txt $sort) || bad+=("$r")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		ok "$fix.txt: --json -s age, charged, path: every row and field, in order, match the fixture"
	else
		not_ok "$fix.txt: --json -s age, charged, path: every row and field, in order, match the fixture" \
			"${bad[@]}"
	fi
done

# --- JSON and Prometheus checked by an independent parser of the fixtures -
progress "json and prometheus"
if need python3 python3; then
	for fix in basic full escape empty extra; do
		bad=()
		for mode in json jsonsum prom; do
			case $mode in
			json) args=(--json) ;;
			jsonsum) args=(--json --summary) ;;
			prom) args=(--prometheus) ;;
			esac
			$BIN -f $FIX/$fix.txt -o 0 "${args[@]}" > "$TMP/j.out" 2> "$TMP/j.err"
			rc=$?
			if [ $rc -ne 0 ]; then
				bad+=("${args[*]}: exit status $rc: $(head -c 300 "$TMP/j.err")")
			elif ! r=$(python3 tests/check_output.py $mode $FIX/$fix.txt "$TMP/j.out" 2>&1); then
				bad+=("${args[*]}: $r")
			fi
		done
		if [ ${#bad[@]} -eq 0 ]; then
			ok "$fix.txt: --json, --json --summary, --prometheus match the fixture (escaping round trip)"
		else
			not_ok "$fix.txt: --json, --json --summary, --prometheus match the fixture (escaping round trip)" \
				"${bad[@]}"
		fi
	done
else
	skip "--json and --prometheus checked against the fixtures" "no python3"
fi

# --- malformed input ------------------------------------------------------
progress "malformed input"
rejected_cases listing $BIN ""
rejected_cases holders $BIN ""
rejected_cases mountinfo $BIN ""
{
	echo "MEMCG ID PID COMM AGE CHARGED PATH"
	for i in $(seq 5000); do echo "ffff$i $i 1 systemd 100 0 /a/$i"; done
	echo "ffff 1 1 systemd 100 /no-charged"
	for i in $(seq 10); do echo "ffff$i $i 1 systemd 100 0 /b/$i"; done
} > "$TMP/late.txt"
$BIN -f "$TMP/late.txt" > "$TMP/late.out" 2> "$TMP/late.err"
rc=$?
if [ $rc -eq 1 ] && [ ! -s "$TMP/late.out" ] &&
   grep -q ': line 5002: 6 fields' "$TMP/late.err"; then
	ok "an error at line 5002 prints no row of that snapshot"
else
	not_ok "an error at line 5002 prints no row of that snapshot" \
		"exit $rc, $(wc -l < "$TMP/late.out") lines out, $(cat "$TMP/late.err")"
fi
# wait_lines FILE N: until FILE has N lines (10 s at most)
wait_lines() {
	local i

	for i in $(seq 100); do
		[ "$(wc -l < "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
cp $FIX/basic.txt "$TMP/live.txt"
$BIN -f "$TMP/live.txt" -o 3600 1 3 > "$TMP/live.out" 2> "$TMP/live.err" &
pid=$!
wait_lines "$TMP/live.out" 6
cp tests/malformed/bad-age.txt "$TMP/live.tmp" && mv "$TMP/live.tmp" "$TMP/live.txt"
wait $pid
rc=$?
if [ $rc -eq 1 ] && $BIN -f $FIX/basic.txt -o 3600 > "$TMP/live.want" &&
   cmp -s "$TMP/live.want" "$TMP/live.out" &&
   grep -q ': line 3: bad AGE' "$TMP/live.err"; then
	ok "a snapshot turning bad between intervals: exit 1, nothing of it printed"
else
	not_ok "a snapshot turning bad between intervals: exit 1, nothing of it printed" \
		"exit $rc" "$(cat "$TMP/live.out" "$TMP/live.err")"
fi

# --- command line ---------------------------------------------------------
progress "command line"
cli_bad=()
expect_usage_error() {
	local want=$1 rc

	shift
	$BIN "$@" > "$TMP/cli.out" 2> "$TMP/cli.err"
	rc=$?
	if [ $rc -ne 2 ] || [ -s "$TMP/cli.out" ] || ! grep -qF -- "$want" "$TMP/cli.err"; then
		cli_bad+=("$*: exit $rc, $(cat "$TMP/cli.err")")
	fi
}
expect_usage_error "pid should be greater than 0" -p 0
expect_usage_error "pid should be greater than 0" -p abc
expect_usage_error "OLDER must be a non-negative integer" -o -5
expect_usage_error "--sort takes age, charged or path" -s size
expect_usage_error "interval must be a positive integer" 0
expect_usage_error "count must be a positive integer" 1 0
expect_usage_error "unrecognized argument: 3" 1 2 3
expect_usage_error "cannot be combined" --json --prometheus
expect_usage_error "--why cannot be combined with --summary" --why --summary
expect_usage_error "--holders goes with --why" --holders "$FIX/basic.holders"
expect_usage_error "--why with -f needs --holders FILE" -f "$FIX/basic.txt" --why
expect_usage_error "Try 'zombiememcgstat --help'" --no-such-option
if [ ${#cli_bad[@]} -eq 0 ]; then
	ok "bad arguments: exit 2 with a message, nothing on stdout"
else
	not_ok "bad arguments: exit 2 with a message, nothing on stdout" "${cli_bad[@]}"
fi
if $BIN -h > "$TMP/help.out" 2>&1 &&
   head -n 1 "$TMP/help.out" | grep -q '^usage: zombiememcgstat \[-h\] \[-p PID\] \[-c COMM\] \[-o OLDER\]' &&
   grep -q '^  -p PID, --pid PID     show zombie memcgs created by specified pid$' "$TMP/help.out" &&
   grep -q '^    ./zombiememcgstat -o 600     # list zombie memcgs older than 600 secs$' "$TMP/help.out"; then
	ok "-h: bcc's usage, options and examples on stdout, exit 0"
else
	not_ok "-h: bcc's usage, options and examples on stdout, exit 0" "$(cat "$TMP/help.out")"
fi
if [ -e /proc/zombiememcg ]; then
	skip "missing /proc/zombiememcg: one-line modprobe hint" "the module is loaded here"
else
	$BIN 1 1 > "$TMP/hint.out" 2> "$TMP/hint.err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$TMP/hint.out" ] &&
	   [ "$(wc -l < "$TMP/hint.err")" -eq 1 ] &&
	   grep -q 'modprobe zombiememcg' "$TMP/hint.err"; then
		ok "missing /proc/zombiememcg: one-line modprobe hint, exit 1"
	else
		not_ok "missing /proc/zombiememcg: one-line modprobe hint, exit 1" \
			"exit $rc: $(cat "$TMP/hint.err")"
	fi
fi
$BIN -f "$TMP/no-such-file" > "$TMP/hint.out" 2> "$TMP/hint.err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'No such file or directory' "$TMP/hint.err" &&
   ! grep -q modprobe "$TMP/hint.err"; then
	ok "-f of a missing file: plain error, no modprobe hint"
else
	not_ok "-f of a missing file: plain error, no modprobe hint" "$(cat "$TMP/hint.err")"
fi
cp $FIX/basic.txt "$TMP/root-only.txt"
chmod 0400 "$TMP/root-only.txt"
chmod 0755 "$TMP"
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null &&
	   setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			$BIN -f "$TMP/root-only.txt" > "$TMP/hint.out" 2> "$TMP/hint.err"
		rc=$?
	else
		rc=skip
	fi
else
	chmod 000 "$TMP/root-only.txt"
	$BIN -f "$TMP/root-only.txt" > "$TMP/hint.out" 2> "$TMP/hint.err"
	rc=$?
fi
if [ "$rc" = skip ]; then
	skip "permission denied: one-line hint to run as root" "cannot drop root (no setpriv)"
elif [ "$rc" = 1 ] && [ "$(wc -l < "$TMP/hint.err")" -eq 1 ] &&
     grep -q 'permission denied.*run zombiememcgstat as root' "$TMP/hint.err"; then
	ok "permission denied: one-line hint to run as root, exit 1"
else
	not_ok "permission denied: one-line hint to run as root, exit 1" \
		"exit $rc: $(cat "$TMP/hint.err")"
fi

# --- intervals and Ctrl-C -------------------------------------------------
progress "intervals and signals"
for sig in INT TERM; do
	$BIN -f $FIX/basic.txt 1 > "$TMP/sig.out" 2> "$TMP/sig.err" &
	pid=$!
	# intro + header, then snapshots of a blank line and 9 rows each:
	# signal it after the second one, while it waits for the third
	wait_lines "$TMP/sig.out" 22
	sleep 0.2
	kill -$sig $pid
	wait $pid
	rc=$?
	lines=$(wc -l < "$TMP/sig.out")
	if [ $rc -eq 0 ] && [ "$lines" -ge 22 ] && [ $(((lines - 2) % 10)) -eq 0 ] &&
	   [ "$(tail -c 1 "$TMP/sig.out" | od -An -c | tr -d ' ')" = '\n' ] &&
	   [ ! -s "$TMP/sig.err" ]; then
		ok "SIG$sig while waiting: exit 0, whole snapshots only"
	else
		not_ok "SIG$sig while waiting: exit 0, whole snapshots only" \
			"exit $rc, $lines lines" "$(cat "$TMP/sig.err")"
	fi
done

# --- scale: 100k rows, a 1 MiB line ---------------------------------------
progress "100k rows"
gen_rows 100000 > "$TMP/100k.txt"
t0=$(date +%s%N)
bad=()
$BIN -f "$TMP/100k.txt" -o 0 > "$TMP/100k.out" || bad+=("table failed")
[ "$(wc -l < "$TMP/100k.out")" -eq 100003 ] ||
	bad+=("table: $(wc -l < "$TMP/100k.out") lines, want 100003")
$BIN -f "$TMP/100k.txt" -o 0 --summary > "$TMP/100k.sum" &&
	grep -q '^Zombie memcgs:   100000$' "$TMP/100k.sum" ||
	bad+=("summary: $(head -n 3 "$TMP/100k.sum")")
$BIN -f "$TMP/100k.txt" -o 0 --prometheus > "$TMP/100k.prom" &&
	grep -q '^zombiememcg_zombies 100000$' "$TMP/100k.prom" ||
	bad+=("prometheus: $(head -n 3 "$TMP/100k.prom")")
$BIN -f "$TMP/100k.txt" -o 0 --json > "$TMP/100k.json" ||
	bad+=("json failed")
[ "$(wc -l < "$TMP/100k.json")" -eq 100002 ] ||
	bad+=("json: $(wc -l < "$TMP/100k.json") lines, want 100002")
ms=$((($(date +%s%N) - t0) / 1000000))
if [ ${#bad[@]} -eq 0 ]; then
	ok "100000 rows in every mode ($ms ms)"
else
	not_ok "100000 rows in every mode" "${bad[@]}"
fi
bad=()
for sort in age charged path; do
	r=$(json_rows "$TMP/100k.txt" $sort 100000) || bad+=("$r")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "100000 rows: --json -s age, charged, path: every row and field, in order, match the input"
else
	not_ok "100000 rows: --json -s age, charged, path: every row and field, in order, match the input" \
		"${bad[@]}"
fi
awk 'BEGIN { print "MEMCG PID COMM AGE PATH"; printf "ffff 1 c 40 "
	for (i = 0; i < 65536; i++) printf "/dir\\040%010d", i; print "" }' \
	> "$TMP/long.txt"
if $BIN -f "$TMP/long.txt" --path > "$TMP/long.out" &&
   [ "$(tail -n 1 "$TMP/long.out" | wc -c)" -eq $((57 + 65536 * 18 + 1)) ]; then
	ok "a 1.1 MiB line: the whole path is printed"
else
	not_ok "a 1.1 MiB line: the whole path is printed" \
		"$(tail -n 1 "$TMP/long.out" | wc -c) bytes"
fi

# --- AddressSanitizer + UndefinedBehaviorSanitizer ------------------------
progress "ASan+UBSan"
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
if printf 'int main(void){return 0;}\n' > "$TMP/probe.c" &&
   gcc $san "$TMP/probe.c" -o "$TMP/probe" 2>/dev/null && "$TMP/probe"; then
	if $MAKE -s O=$BUILD/asan CC=gcc CFLAGS="-O1 -g $san" LDFLAGS="$san" \
		tests > "$TMP/asan.log" 2>&1; then
		A=$BUILD/asan
		$A/test_zmc > "$TMP/asan-unit.out" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			ok "asan: unit tests"
		else
			not_ok "asan: unit tests (exit $rc)" \
				"$(grep -E 'ERROR|runtime error|not ok' "$TMP/asan-unit.out" | head)"
		fi
		golden_cases $A/zombiememcgstat "asan: "
		rejected_cases listing $A/zombiememcgstat "asan: "
		rejected_cases holders $A/zombiememcgstat "asan: "
		rejected_cases mountinfo $A/zombiememcgstat "asan: "
		bad=()
		for args in "" "--summary" "--json" "--prometheus --sort path"; do
			# shellcheck disable=SC2086
			$A/zombiememcgstat -f "$TMP/100k.txt" -o 0 $args \
				> "$TMP/asan.out" 2> "$TMP/asan.err" ||
				bad+=("$args: $(head -c 500 "$TMP/asan.err")")
		done
		$A/zombiememcgstat -f "$TMP/long.txt" --path > /dev/null \
			2> "$TMP/asan.err" || bad+=("long line: $(head -c 500 "$TMP/asan.err")")
		if [ ${#bad[@]} -eq 0 ]; then
			ok "asan: 100000 rows in every mode, a 1.1 MiB line"
		else
			not_ok "asan: 100000 rows in every mode, a 1.1 MiB line" "${bad[@]}"
		fi
		check "asan: fuzz target replays the fixtures and malformed inputs" \
			$A/fuzz_replay $FIX/* tests/malformed/*.txt tests/malformed-holders/*.holders "$TMP/late.txt"
	else
		not_ok "asan: build" "$(tail -n 20 "$TMP/asan.log")"
	fi
else
	skip "asan: AddressSanitizer and UBSan runs" "gcc cannot build with $san"
fi
unset ASAN_OPTIONS UBSAN_OPTIONS

# --- valgrind -------------------------------------------------------------
progress "valgrind"
if need valgrind valgrind; then
	VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	bad=()
	# shellcheck disable=SC2086
	$VG $BUILD/gcc/test_zmc > "$TMP/vg-unit.out" 2>&1 ||
		bad+=("test_zmc: $(grep -E '==|not ok' "$TMP/vg-unit.out" | head)")
	# shellcheck disable=SC2086
	$VG $BUILD/gcc/fuzz_replay $FIX/* tests/malformed/*.txt tests/malformed-holders/*.holders \
		> "$TMP/vg-replay.out" 2>&1 ||
		bad+=("fuzz_replay: $(head -n 20 "$TMP/vg-replay.out")")
	if [ ${#bad[@]} -eq 0 ]; then
		ok "valgrind: unit tests and every fixture through every formatter, no error, no leak"
	else
		not_ok "valgrind: unit tests and every fixture through every formatter" "${bad[@]}"
	fi
	# the tool itself: every output mode, an error, an interval
	bad=()
	# each: the exit status it must have, then the arguments of -f
	for args in "0 $FIX/full.txt --charged --footprint --path" \
		    "0 $FIX/full.txt --summary" "0 $FIX/escape.txt --json" \
		    "0 $FIX/full.txt --json --summary" "0 $FIX/escape.txt --prometheus" \
		    "0 $FIX/basic.txt -s charged 1 2" "1 tests/malformed/bad-age.txt"; do
		want=${args%% *}
		args=${args#* }
		# shellcheck disable=SC2086
		$VG $BIN -f $args > /dev/null 2> "$TMP/vg.err"
		rc=$?
		if [ $rc -ne "$want" ] || grep -q '^==' "$TMP/vg.err"; then
			bad+=("-f $args: exit status $rc, want $want: $(head -n 20 "$TMP/vg.err")")
		fi
	done
	# shellcheck disable=SC2086
	$VG $BIN -f "$TMP/100k.txt" -o 0 --summary > /dev/null 2> "$TMP/vg.err" ||
		bad+=("100k rows: $(head -n 20 "$TMP/vg.err")")
	if [ ${#bad[@]} -eq 0 ]; then
		ok "valgrind: zombiememcgstat in every mode, on an error, over intervals, on 100000 rows"
	else
		not_ok "valgrind: zombiememcgstat runs" "${bad[@]}"
	fi
else
	skip "valgrind runs" "no valgrind"
fi

# --- fuzzing --------------------------------------------------------------
progress "libFuzzer for $FUZZ_SECONDS s"
r=$(bash tests/fuzz.sh "$FUZZ_SECONDS")
rc=$?
if [ $rc -eq 0 ]; then
	ok "libFuzzer: $r"
elif [ $rc -eq 77 ]; then
	skip "libFuzzer run of the parser" "$r"
else
	not_ok "libFuzzer run of the parser: crash or failure" "$r"
fi

# --- man page and sources -------------------------------------------------
progress "man page and style"
if need groff groff-base; then
	w=$(groff -man -Tutf8 -ww -z zombiememcgstat.8 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$w" ]; then
		ok "man page formats without a warning"
	else
		not_ok "man page formats without a warning" "groff exit status $rc" "$w"
	fi
else
	skip "man page formats without a warning" "no groff"
fi
missing=()
opts=
if ! $BIN -h > "$TMP/help.out" 2>&1 ||
   ! opts=$(grep -oE -- '--[a-z]+' "$TMP/help.out" | sort -u) || [ -z "$opts" ]; then
	missing+=("(zombiememcgstat -h failed or shows no long option)")
fi
for opt in $opts -h -p -c -o -s -f; do
	grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" zombiememcgstat.8 ||
		missing+=("$opt")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "man page documents every option of --help"
else
	not_ok "man page documents every option of --help" "missing: ${missing[*]}"
fi
style=$(awk '
	FNR == 1 && FILENAME ~ /\.c$/ && $0 != "// SPDX-License-Identifier: GPL-2.0" {
		print FILENAME ": first line is not the SPDX identifier" }
	FNR == 1 && FILENAME ~ /\.h$/ && $0 != "/* SPDX-License-Identifier: GPL-2.0 */" {
		print FILENAME ": first line is not the SPDX identifier" }
	/[ \t]$/ { print FILENAME ":" FNR ": trailing whitespace" }
	/^        / { print FILENAME ":" FNR ": indented with spaces" }
	# long lines only for user-visible strings, which are never split
	!/"/ { line = $0; w = 0
	  for (i = 1; i <= length(line); i++)
		w = substr(line, i, 1) == "\t" ? w + 8 - w % 8 : w + 1
	  if (w > 100) print FILENAME ":" FNR ": " w " columns" }
	' ./*.c ./*.h tests/*.c)
if [ -z "$style" ]; then
	ok "kernel style: SPDX first line, tabs, no trailing blanks, code lines <= 100 columns"
else
	not_ok "kernel style: SPDX first line, tabs, no trailing blanks, code lines <= 100 columns" "$style"
fi
if command -v shellcheck > /dev/null; then
	check "shellcheck of the test scripts" \
		shellcheck -S warning -x tests/run.sh tests/fuzz.sh tests/lib.sh
else
	skip "shellcheck of the test scripts" "no shellcheck"
fi

echo "1..$n"
echo "# $((n - nfail - nskip)) passed, $nfail failed, $nskip skipped"
if [ $nfail -eq 0 ]; then
	rm -rf "$TMP"
	exit 0
fi
echo "# outputs kept in $TMP" >&2
exit 1
