#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /debug/run.sh: the debug tier inside the debug kernel's VM (zmc.mode=debug).
# Phases, each between "ZMC-PHASE-BEGIN NAME" and "ZMC-PHASE-END NAME SECS RC"
# on stdout; the host (vm/debug/check.sh) turns them into one TAP stream:
#   kunit      load zombiememcg_kunit.ko; its suites' KTAP from debugfs
#   selftests  the VM selftests (/selftests/run.sh) under the debug kernel
#   fuzz       zmc_debug fuzz      (older_than_secs)
#   stress     zmc_debug stress    (churn, readers, tool, tunable, reloads)
#   fault      zmc_debug fault     (failslab on the module's allocations)
#   reports    unload; kmemleak scan; lockdep still on; taint
# Knobs on the kernel command line: zmc.phases=kunit,fuzz,...
#   zmc.fuzz=WRITES  zmc.stress=WORKERS,CGROUPS,RELOADS,SECS
#   zmc.fault=CGROUPS,PERCENT  zmc.seed=N
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
KO_DIR=/lib/zombiememcg
KMEMLEAK=/sys/kernel/debug/kmemleak

phases="kunit selftests fuzz stress fault"
fuzz=20000 stress="4 500 20 300" fault="150 40"
for arg in $(cat /proc/cmdline); do
	case $arg in
	zmc.phases=*) phases=$(echo "${arg#zmc.phases=}" | tr , ' ') ;;
	zmc.fuzz=*) fuzz=${arg#zmc.fuzz=} ;;
	zmc.stress=*) stress=$(echo "${arg#zmc.stress=}" | tr , ' ') ;;
	zmc.fault=*) fault=$(echo "${arg#zmc.fault=}" | tr , ' ') ;;
	zmc.seed=*) export ZMC_SEED=${arg#zmc.seed=} ;;
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

for p in $phases; do
	case $p in
	kunit)
		begin kunit
		rc=0
		if [ ! -f $KO_DIR/zombiememcg_kunit.ko ]; then
			echo "not ok 1 zombiememcg_kunit.ko is in the initramfs"
			rc=1
		elif ! insmod $KO_DIR/zombiememcg_kunit.ko; then
			echo "not ok 1 zombiememcg_kunit.ko loads"
			rc=1
		else
			for d in /sys/kernel/debug/kunit/*/; do
				s=$(basename "$d")
				case $s in zombiememcg*) ;; *) continue ;; esac
				echo "ZMC-KTAP-BEGIN $s"
				cat "$d/results"
				echo "ZMC-KTAP-END $s"
			done
			rmmod zombiememcg_kunit || { echo "not ok 1 zombiememcg_kunit unloads"; rc=1; }
		fi
		end $rc
		;;
	selftests)
		begin selftests
		# The selftests' own kernel log check would see kmemleak's
		# boot banner; the tier checks the whole console instead.
		dmesg -c >/dev/null
		(cd /selftests && ./run.sh)
		end $?
		;;
	fuzz)
		begin fuzz
		/debug/zmc_debug fuzz $fuzz
		end $?
		;;
	stress)
		begin stress
		/debug/zmc_debug stress $stress
		end $?
		;;
	fault)
		begin fault
		/debug/zmc_debug fault $fault
		end $?
		;;
	*)
		echo "# unknown phase $p"
		;;
	esac
done

begin reports
n=1
if grep -q '^zombiememcg ' /proc/modules; then
	if rmmod zombiememcg; then
		echo "ok $n reports: module unloaded at the end"
	else
		echo "not ok $n reports: module unloaded at the end"
	fi
	n=$((n + 1))
fi
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
