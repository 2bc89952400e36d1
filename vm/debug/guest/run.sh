#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /debug/run.sh: the debug tier inside the debug kernel's VM (zmc.mode=debug).
# Phases, each between "ZMC-PHASE-BEGIN NAME" and "ZMC-PHASE-END NAME SECS RC"
# on stdout; the host (vm/debug/check.sh) turns them into one TAP stream:
#   kunit      load zombiememcg_kunit.ko; its suites' KTAP from debugfs
#   selftests  the VM selftests (/selftests/run.sh) under the debug kernel
#   fuzz       zmc_debug fuzz      (older_than_secs)
#   stress     zmc_debug stress    (churn, readers, holders readers, holder
#              processes exiting, tool, tunable, reloads)
#   fault      zmc_debug fault     (failslab on the module's allocations,
#              holders scans included)
#   lifecycle  zmc_debug lifecycle (kprobes disarmed; a reader parked across
#              rmmod; insmod with each of its allocations failing; rmmod
#              during holders scans)
#   reports    unload; kmemleak scan; lockdep still on; taint
# Every phase prints its TAP plan ("1..N") before its results.
# A phase still running after zmc.hang seconds (480) is stuck: the kernel
# stacks of its tasks and of every blocked task are printed (sysrq w: a
# "Call Trace:", so a kernel report for the host), then it is killed and
# the next phases run.
# Knobs on the kernel command line: zmc.phases=kunit,fuzz,...
#   zmc.fuzz=WRITES  zmc.stress=WORKERS,CGROUPS,RELOADS,SECS
#   zmc.fault=CGROUPS,PERCENT  zmc.seed=N  zmc.hang=SECS
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# The TAP count of the phases whose results this script prints itself: the
# kunit phase's own 3 (the KUnit cases come on top) and the reports' 4.
# The host asks for them (run.sh --plan PHASE) to print the tier's plan.
KUNIT_PLAN=3 REPORTS_PLAN=4
if [ "${1:-}" = --plan ]; then
	case ${2:-} in
	kunit) echo $KUNIT_PLAN ;;
	reports) echo $REPORTS_PLAN ;;
	*) echo "usage: $0 --plan kunit|reports" >&2; exit 2 ;;
	esac
	exit 0
fi

KO_DIR=/lib/zombiememcg
KMEMLEAK=/sys/kernel/debug/kmemleak

phases="kunit selftests fuzz stress fault lifecycle"
fuzz=20000 stress="4 150 10 100" fault="150 40" hang=480
for arg in $(cat /proc/cmdline); do
	case $arg in
	zmc.phases=*) phases=$(echo "${arg#zmc.phases=}" | tr , ' ') ;;
	zmc.fuzz=*) fuzz=${arg#zmc.fuzz=} ;;
	zmc.stress=*) stress=$(echo "${arg#zmc.stress=}" | tr , ' ') ;;
	zmc.fault=*) fault=$(echo "${arg#zmc.fault=}" | tr , ' ') ;;
	zmc.seed=*) export ZMC_SEED=${arg#zmc.seed=} ;;
	zmc.hang=*) hang=${arg#zmc.hang=} ;;
	esac
done

kmsg() { echo "zmc-debug: $*" >/dev/kmsg; }
begin() {
	phase=$1 t0=$(date +%s)
	echo "ZMC-PHASE-BEGIN $phase"
	kmsg "phase $phase begin"
}
end() {
	echo "ZMC-PHASE-END $phase $(($(date +%s) - t0)) ${1:-0}"
	kmsg "phase $phase end"
}

echo "# debug VM: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 / 1024 " MB" }' /proc/meminfo)"
echo "# cmdline: $(cat /proc/cmdline)"
echo +memory >/sys/fs/cgroup/cgroup.subtree_control

# kmemleak: what boot left is not ours. Scan once, report it as a
# diagnostic, then clear, so that the final scan shows only new suspects.
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	n=$(grep -c '^unreferenced object' $KMEMLEAK)
	echo "# kmemleak: $n suspect(s) left by boot, cleared before the tests"
	echo clear >$KMEMLEAK
fi
kmsg "kmemleak baseline done"

CG=/sys/fs/cgroup
ZK=$CG/zkunit
# The suites the KUnit module must have run (module/tests/*_kunit.c).
KUNIT_SUITES="zombiememcg_table zombiememcg_age zombiememcg_parse zombiememcg_walk zombiememcg_proc zombiememcg_stats zombiememcg_footprint"

# The kernel stacks of the user tasks and of every task in D state.
hang_dump() {
	echo "# hang: phase $phase still running after $hang s; the kernel stacks of its tasks:"
	kmsg "phase $phase hung after $hang s"
	for d in /proc/[0-9]*; do
		st=$(sed -n 's/^State:[[:space:]]*//p' "$d/status" 2>/dev/null)
		case $st in
		D*) ;;
		*) [ -n "$(tr -d '\000' <"$d/cmdline" 2>/dev/null)" ] || continue ;;
		esac
		echo "# hang: ${d#/proc/} $(cat "$d/comm" 2>/dev/null) $st, wchan $(cat "$d/wchan" 2>/dev/null)"
		sed 's/^/# hang:     /' "$d/stack" 2>/dev/null
	done
	echo w >/proc/sysrq-trigger
}

# guard CMD...: CMD in a session of its own (run.sh has no job control,
# so setsid execs it in place: its pid is the session's), killed with all
# its processes after $hang s, once their stacks are dumped.  Its status.
guard() {
	setsid "$@" &
	gpid=$!
	(
		trap 'kill $s 2>/dev/null; exit 0' TERM
		sleep "$hang" &
		s=$!
		wait $s
		[ -e /proc/$gpid ] || exit 0
		hang_dump
		kill -KILL -"$gpid"
	) &
	wdog=$!
	wait $gpid
	grc=$?
	kill $wdog 2>/dev/null
	wait $wdog 2>/dev/null
	return $grc
}

dying() { awk '$1 == "nr_dying_subsys_memory" { print $2 }' $CG/cgroup.stat; }
wait_dying() { # wait_dying N SECS
	i=0
	while [ "$(dying)" != "$1" ]; do
		[ $i -ge $(($2 * 5)) ] && return 1
		sleep 0.2
		i=$((i + 1))
	done
}

# What the walk, listing and stats suites read: 300 live memcgs (more than
# a batch of the module's walks, 256) and 40 zombies pinned by sockets.
kunit_setup() {
	t=$(date +%s)
	mkdir $ZK && echo +memory >$ZK/cgroup.subtree_control || return 1
	ls='' zs='' i=0
	while [ $i -lt 300 ]; do
		ls="$ls $ZK/l$i"
		[ $i -lt 40 ] && zs="$zs $ZK/z$i"
		i=$((i + 1))
	done
	# One process each: a fork and exec costs tens of ms under TCG.
	# shellcheck disable=SC2086 # one argument per cgroup
	mkdir $ls || return 1
	# shellcheck disable=SC2086
	/selftests/zmc_pin -c zk-pin -s $zs >/tmp/zk-pin.out 2>&1 &
	pin=$!
	i=0
	until grep -q ready /tmp/zk-pin.out; do
		[ $i -ge 300 ] && { cat /tmp/zk-pin.out; return 1; }
		sleep 0.2
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	rmdir $zs || return 1
	# The offline callbacks run in a kworker after rmdir.
	sleep 2
	echo "# kunit: $(find $ZK -mindepth 1 -maxdepth 1 -type d | wc -l) live memcgs and $(dying) zombies below the root, made in $(($(date +%s) - t)) s"
}

kunit_teardown() {
	[ -n "${pin:-}" ] && kill "$pin" && wait "$pin" 2>/dev/null
	rmdir $ZK/l* $ZK 2>/dev/null
	wait_dying 0 60
}

# Its own results (1..3) around the suites' KTAP, which the host checks
# against each suite's own plan.
kunit_phase() {
	echo "1..$KUNIT_PLAN"
	ko=$KO_DIR/zombiememcg_kunit.ko
	rc=0
	if [ -f $ko ] && kunit_setup && insmod $ko; then
		echo "ok 1 kunit: zombiememcg_kunit.ko loads (live memcgs and zombies present)"
	else
		echo "not ok 1 kunit: zombiememcg_kunit.ko loads (live memcgs and zombies present)"
		rc=1
	fi
	missing=
	for s in $KUNIT_SUITES; do
		[ -f /sys/kernel/debug/kunit/$s/results ] || missing="$missing $s"
	done
	for d in /sys/kernel/debug/kunit/*/; do
		s=$(basename "$d")
		case $s in zombiememcg*) ;; *) continue ;; esac
		echo "ZMC-KTAP-BEGIN $s"
		cat "$d/results"
		echo "ZMC-KTAP-END $s"
	done
	if [ -z "$missing" ]; then
		echo "ok 2 kunit: every suite ran ($KUNIT_SUITES)"
	else
		echo "not ok 2 kunit: every suite ran (missing:$missing)"
		rc=1
	fi
	unloaded=1
	if grep -q '^zombiememcg_kunit ' /proc/modules; then
		rmmod zombiememcg_kunit || unloaded=0
	fi
	if kunit_teardown && [ $unloaded = 1 ]; then
		echo "ok 3 kunit: zombiememcg_kunit unloads, its zombies freed"
	else
		echo "not ok 3 kunit: zombiememcg_kunit unloads, its zombies freed (nr_dying $(dying))"
		rc=1
	fi
	return $rc
}

for p in $phases; do
	case $p in
	kunit)
		begin kunit
		kunit_phase
		end $?
		;;
	selftests)
		begin selftests
		# The selftests' own kernel log check would see kmemleak's
		# boot banner; the tier checks the whole console instead.
		dmesg -c >/dev/null
		guard sh -c 'cd /selftests && exec ./run.sh'
		end $?
		;;
	fuzz)
		begin fuzz
		guard /debug/zmc_debug fuzz $fuzz
		end $?
		;;
	stress)
		begin stress
		guard /debug/zmc_debug stress $stress
		end $?
		;;
	fault)
		begin fault
		guard /debug/zmc_debug fault $fault
		end $?
		;;
	lifecycle)
		begin lifecycle
		guard /debug/zmc_debug lifecycle
		end $?
		;;
	*)
		echo "# unknown phase $p"
		;;
	esac
done

begin reports
echo "1..$REPORTS_PLAN"
n=1
if ! grep -q '^zombiememcg ' /proc/modules; then
	echo "ok $n reports: module unloaded at the end (it was not loaded)"
elif rmmod zombiememcg; then
	echo "ok $n reports: module unloaded at the end"
else
	echo "not ok $n reports: module unloaded at the end"
fi
n=$((n + 1))
if [ -w $KMEMLEAK ]; then
	# Objects younger than 5 s are not reported: wait, scan twice.
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
	if [ "$leaks" -eq 0 ]; then
		echo "ok $n reports: kmemleak finds no leak after the tests"
	else
		echo "not ok $n reports: kmemleak finds no leak after the tests ($leaks suspects)"
		sed 's/^/# /' $KMEMLEAK | head -n 60
	fi
else
	echo "not ok $n reports: kmemleak finds no leak after the tests (no $KMEMLEAK)"
fi
n=$((n + 1))
dl=$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats 2>/dev/null)
if [ "$dl" = 1 ]; then
	echo "ok $n reports: lockdep still active (no lockdep report turned it off)"
else
	echo "not ok $n reports: lockdep still active (debug_locks '$dl')"
fi
n=$((n + 1))
# Allowed taints: O (4096, out-of-tree module), E (8192, unsigned), N
# (262144, a KUnit test module was loaded).
taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & ~(4096 | 8192 | 262144))) -eq 0 ]; then
	echo "ok $n reports: kernel not tainted by a warning, bug or bad page (taint $taint)"
else
	echo "not ok $n reports: kernel not tainted by a warning, bug or bad page (taint $taint)"
fi
end 0
