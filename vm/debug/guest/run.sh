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
#   builtin    the VM selftests again, in a boot of the kernel with the
#              module built in (CONFIG_ZOMBIEMEMCG=y): checks that it is, then
#              /selftests/run.sh (its load and unload tests skip); no
#              reports phase there
#   lockdown   Secure Boot conditions, in a boot of its own (lockdown=integrity
#              module.sig_enforce=1): the unsigned module refused, the signed
#              one loaded, the threshold tuned through the module parameter,
#              debugfs refused, the tool's hint; no reports phase there
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
# kunit phase's own 3 (the KUnit cases come on top), the reports' 4 and the
# lockdown phase's 8. The host asks for them (run.sh --plan PHASE) to print
# the tier's plan.
KUNIT_PLAN=3 REPORTS_PLAN=4 LOCKDOWN_PLAN=8
if [ "${1:-}" = --plan ]; then
	case ${2:-} in
	kunit) echo $KUNIT_PLAN ;;
	reports) echo $REPORTS_PLAN ;;
	lockdown) echo $LOCKDOWN_PLAN ;;
	*) echo "usage: $0 --plan kunit|reports|lockdown" >&2; exit 2 ;;
	esac
	exit 0
fi

KO_DIR=/lib/zombiememcg
KMEMLEAK=/sys/kernel/debug/kmemleak
LOCKDOWN=/sys/kernel/security/lockdown
PARAM=/sys/module/zombiememcg/parameters/older_than_secs
DEBUGFS=/sys/kernel/debug/zombiememcg

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
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
# Locked down, debugfs files with a write bit cannot be opened: kmemleak's
# among them.
locked=0
grep -q '\[integrity\]\|\[confidentiality\]' $LOCKDOWN 2>/dev/null && locked=1
echo "# lockdown: $(cat $LOCKDOWN 2>/dev/null || echo "no $LOCKDOWN")"

# kmemleak: what boot left is not ours. Scan once, report it as a
# diagnostic, then clear, so that the final scan shows only new suspects.
if [ $locked = 0 ] && [ -w $KMEMLEAK ]; then
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

# The lockdown phase's checks, as a Secure Boot host sees them.
ld_n=0 ld_rc=0
ld_result() { # ld_result 0|1 NAME: one TAP line (status 0 is ok)
	ld_n=$((ld_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $ld_n lockdown: $2"
	else
		echo "not ok $ld_n lockdown: $2"
		ld_rc=1
	fi
}
# ld_refused CMD...: CMD fails with EPERM (busybox prints strerror).
ld_refused() {
	ld_err=$("$@" 2>&1) && return 1
	echo "# lockdown: $ld_err"
	case $ld_err in *"Operation not permitted"*) return 0 ;; esac
	return 1
}
lockdown_phase() {
	echo "1..$LOCKDOWN_PLAN"
	tool=/bin/zombiememcgstat ld=$CG/zmc-lockdown
	st=0
	grep -q '\[integrity\]' $LOCKDOWN 2>/dev/null || st=1
	[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ] || st=1
	ld_result $st "kernel locked down at integrity, module signatures enforced ($(cat $LOCKDOWN 2>/dev/null); sig_enforce $(cat /sys/module/module/parameters/sig_enforce 2>/dev/null))"

	dmesg -c >/dev/null
	st=0
	if err=$(insmod /debug/unsigned/zombiememcg.ko 2>&1); then
		st=1
		rmmod zombiememcg
	fi
	echo "# lockdown: insmod of the unsigned module: $err"
	echo "# lockdown: kernel: $(dmesg | grep -m1 'Loading of' || echo "no 'Loading of' line")"
	case $err in *"Key was rejected by service"*) ;; *) st=1 ;; esac
	dmesg | grep -q 'Loading of unsigned module is rejected' || st=1
	ld_result $st "the unsigned module is refused (EKEYREJECTED, 'Loading of unsigned module is rejected')"

	st=0
	insmod $KO_DIR/zombiememcg.ko || st=1
	grep -q '^zombiememcg ' /proc/modules || st=1
	taint=$(cat /proc/sys/kernel/tainted)
	[ $((taint & 8192)) -eq 0 ] || st=1
	cat /proc/zombiememcg >/dev/null || st=1
	ld_result $st "the module signed with the kernel's key loads, the kernel not tainted E (taint $taint), /proc/zombiememcg reads"

	st=0
	echo 0 >$PARAM || st=1
	[ "$(cat $PARAM)" = 0 ] || st=1
	echo 12x >$PARAM 2>/dev/null && st=1
	echo 99999999999999999999999 >$PARAM 2>/dev/null && st=1
	[ "$(cat $PARAM)" = 0 ] || st=1
	ld_result $st "older_than_secs tuned through the module parameter: 0 taken, garbage and overflow refused, 0 kept ($(cat $PARAM))"

	st=0
	ld_refused sh -c "echo 5 >$DEBUGFS/older_than_secs" || st=1
	ld_refused cat $DEBUGFS/older_than_secs || st=1
	cat $DEBUGFS/stats >/dev/null || st=1
	[ "$(cat $PARAM)" = 0 ] || st=1
	ld_result $st "debugfs older_than_secs (0600) refused for writing and reading (EPERM), stats (0400) still reads, the threshold unchanged"

	st=0
	rm -f /tmp/ld-pin.out
	/selftests/zmc_pin -c zld-pin -s $ld >/tmp/ld-pin.out 2>&1 &
	ld_pin=$!
	i=0
	until grep -q ready /tmp/ld-pin.out; do
		[ $i -ge 150 ] && { st=1; cat /tmp/ld-pin.out; break; }
		sleep 0.2
		i=$((i + 1))
	done
	rmdir $ld || st=1
	i=0
	until grep -q ' /zmc-lockdown$' /proc/zombiememcg; do
		[ $i -ge 150 ] && { st=1; break; }
		sleep 0.2
		i=$((i + 1))
	done
	rows=$($tool -o 0 1 1 2>&1)
	echo "$rows" | sed 's/^/# lockdown: zombiememcgstat: /'
	echo "$rows" | grep -q ' zmc-lockdown .*zld-pin ' || st=1
	ld_result $st "a zombie pinned by a socket is listed by /proc/zombiememcg and by zombiememcgstat (kprobes under lockdown=integrity)"

	st=0
	echo 30 >$PARAM || st=1
	hint=$($tool -o 5 1 1 2>&1 >/dev/null)
	echo "# lockdown: $hint"
	case $hint in *"echo 5 > $PARAM"*) ;; *) st=1 ;; esac
	case $hint in *"/sys/kernel/debug"*) st=1 ;; esac
	ld_result $st "zombiememcgstat -o 5 below the threshold names the module parameter, not debugfs"

	st=0
	kill $ld_pin
	wait $ld_pin 2>/dev/null
	wait_dying 0 60 || st=1
	rmmod zombiememcg || st=1
	ld_result $st "the pinner gone, its zombie freed, the module unloads"
	return $ld_rc
}

for p in $phases; do
	case $p in
	kunit)
		begin kunit
		kunit_phase
		end $?
		;;
	builtin)
		begin builtin
		if [ -d /sys/module/zombiememcg/parameters ] && [ ! -e /sys/module/zombiememcg/initstate ] &&
			! grep -q '^zombiememcg ' /proc/modules && [ -e /proc/zombiememcg ]; then
			echo "ZMC-BUILTIN /proc/zombiememcg and /sys/module/zombiememcg/parameters, no module zombiememcg in /proc/modules"
			dmesg -c >/dev/null
			guard sh -c 'cd /selftests && exec ./run.sh'
			end $?
		else
			echo "# builtin: zombiememcg is not built into this kernel ($(ls /sys/module/zombiememcg 2>&1 | tr '\n' ' '))"
			end 1
		fi
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
		# The reclaimer's disk file system (ext2 on vm/boot.sh's virtio
		# drive); without it, its test is skipped with the reason.
		mkdir -p /tmp/zstress-disk
		if [ -b /dev/vda ] && mke2fs -q /dev/vda >/dev/null 2>&1; then
			mount -t ext2 /dev/vda /tmp/zstress-disk
		fi
		guard /debug/zmc_debug stress $stress
		rc=$?
		umount /tmp/zstress-disk 2>/dev/null
		end $rc
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
	lockdown)
		begin lockdown
		lockdown_phase
		end $?
		;;
	*)
		echo "# unknown phase $p"
		;;
	esac
done

# The lockdown boot has no reports phase: kmemleak cannot be read there,
# and the host checks its console as it does the main boot's; nor has the
# builtin boot (a module that cannot be unloaded; one reports phase a tier).
case " $phases " in *" lockdown "* | *" builtin "*) exit 0 ;; esac
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
