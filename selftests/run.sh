#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the zombiememcg selftest programs inside a test VM, one after the
# other, and prints their TAP on stdout as one stream: one header and one
# plan up front, the sum of the programs' plans (each is asked first with
# --plan), so that a VM that dies at test 5 of 50 leaves 45 planned tests
# that did not run, each counted as failed by vm/check.sh; then each
# program's results numbered on from the previous program's (its own header
# and plan dropped, everything else passed through as it comes).  A program
# that printed no plan adds one failed result, one that ran fewer tests
# than it planned adds the missing ones as failed.  Exits 1 if a program
# failed.
#
# ZMC_MODULE names the module to load (default /lib/zombiememcg/zombiememcg.ko).
# zmc.listing_zombies=N on the kernel command line (or ZMC_LISTING_ZOMBIES)
# sets how many zombies listing_test grows to (default 12000).
# zmc.cgroup=v1 (or ZMC_CGROUP=v1) runs only the programs that test a cgroup
# v1 memory hierarchy, in v1 mode.
# With /lib/modules-vm/brd.ko it swaps on a RAM disk first (for swap_test).
# zombiememcg_test runs twice: as is (kprobes), then with the module loaded
# with probe=fprobe (ZMC_MODULE_PARAMS), its results tagged [probe=fprobe];
# skipped, with the reason, where the module does not load so (no fprobe, or built in).
# run.sh --plan prints the number of tests and exits.
dir=$(cd "$(dirname "$0")" && pwd)
module=${ZMC_MODULE:-/lib/zombiememcg/zombiememcg.ko}
zombies=${ZMC_LISTING_ZOMBIES:-}
cgroup=${ZMC_CGROUP:-v2}
# shellcheck disable=SC2013 # words, not lines
for arg in $(cat /proc/cmdline 2>/dev/null); do
	case $arg in
	zmc.listing_zombies=*) zombies=${arg#zmc.listing_zombies=} ;;
	zmc.cgroup=*) cgroup=${arg#zmc.cgroup=} ;;
	esac
done
state=${TMPDIR:-/tmp}/zmc-run.$$
ran=0 plan=0 rc=0

# run NAME CMD...: CMD's TAP, renumbered from $ran + 1; adds to $ran, $plan.
# $tag, if set, goes before each result's description.
tag=
run() {
	name=$1
	shift
	echo "# selftests: $name"
	{
		"$@"
		echo "ZMC-RC $?"
	} | awk -v off="$ran" -v name="$name" -v state="$state" -v tag="$tag" '
		BEGIN { n = 0; plan = -1; rc = -1 }
		/^TAP version / { next }
		/^1\.\.[0-9]+/ { if (plan < 0) { plan = substr($1, 4) + 0 }; next }
		/^ZMC-RC [0-9]+$/ { rc = $2 + 0; next }
		/^(not )?ok [0-9]+/ {
			n++
			match($0, /^(not )?ok [0-9]+/)
			head = substr($0, 1, RLENGTH)
			sub(/ [0-9]+$/, "", head)
			print head " " (off + n) (tag == "" ? "" : " " tag) substr($0, RLENGTH + 1)
			fflush()
			next
		}
		{ print; fflush() }
		END {
			if (plan < 0) {
				n++
				print "not ok " (off + n) " " name ": printed no TAP plan (exit " rc ")"
				plan = n
			}
			for (i = n + 1; i <= plan; i++)
				print "not ok " (off + i) " " name ": test " i " of " plan " did not run (exit " rc ")"
			if (n < plan)
				n = plan
			print n, plan, rc > state
		}'
	read -r n p prc <"$state"
	rm -f "$state"
	ran=$((ran + n)) plan=$((plan + p))
	# 4: kselftest's "skipped"
	[ "$prc" = 0 ] || [ "$prc" = 4 ] || rc=1
}

# Swap for swap_test: a 64 MiB RAM disk (brd, one of the kernel's own
# modules, in /lib/modules-vm when vm/kernels.sh could fetch it, or built in
# as in the debug tier, whose config sizes it); a second one, /dev/ram1, is
# holders_test's disk file system.
swap_on() {
	ko=/lib/modules-vm/brd.ko
	if grep -q '^/' /proc/swaps 2>/dev/null; then
		echo "# swap: already on"
	elif [ ! -b /dev/ram0 ] && [ ! -f $ko ]; then
		echo "# swap: none ($ko absent)"
	elif ! out=$({ { [ -b /dev/ram0 ] || insmod $ko rd_nr=2 rd_size=65536; } &&
		mkswap /dev/ram0 && swapon /dev/ram0; } 2>&1); then
		echo "# swap: none ($(echo "$out" | tail -n1))"
	else
		echo "# swap: on a 64 MiB RAM disk, /dev/ram0"
	fi
}

# The disk file systems of holders_test (/dev/ram1) and reclaim_test
# (/dev/vda, vm/boot.sh's virtio drive): ext4 (for ext2) and what it needs,
# virtio_blk and the virtio modules the kernel does not have built in, as far
# as /lib/modules-vm has them (without, the tests needing them skip).
disk_modules() {
	for m in crc16 crc32c_generic mbcache jbd2 ext4 virtio_ring virtio \
		virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
		[ -f /lib/modules-vm/$m.ko ] && insmod /lib/modules-vm/$m.ko 2>/dev/null
	done
	return 0
}

# zmc_builtin: the module is built into the kernel (CONFIG_ZOMBIEMEMCG=y): its
# parameters in /sys/module, but not a loaded module's initstate.
zmc_builtin() {
	[ -d /sys/module/zombiememcg/parameters ] && [ ! -e /sys/module/zombiememcg/initstate ]
}

# run_fprobe PROG ARGS...: PROG again, the module loaded with probe=fprobe;
# where it does not load so, each of PROG's tests a skip with the reason.
run_fprobe() {
	prog=$1
	shift
	n=$("$dir/$prog" --plan 2>/dev/null) || n=1
	case $n in '' | *[!0-9]*) n=1 ;; esac
	# left loaded by a failed first run: the load below would fail
	grep -qs '^zombiememcg ' /proc/modules && rmmod zombiememcg
	if zmc_builtin; then
		why="the module is built into the kernel (CONFIG_ZOMBIEMEMCG=y): it cannot be loaded again with probe=fprobe"
	elif out=$(insmod "$module" probe=fprobe 2>&1); then
		rmmod zombiememcg
		tag="[probe=fprobe]"
		export ZMC_MODULE_PARAMS=probe=fprobe
		run "$prog (probe=fprobe)" "$dir/$prog" "$@"
		unset ZMC_MODULE_PARAMS
		tag=
		return
	else
		why=$(dmesg | sed -n 's/.*zombiememcg: \(probe=fprobe.*\)/\1/p' | tail -n1)
		[ -n "$why" ] || why="the module does not load with probe=fprobe: $(echo "$out" | tail -n1)"
	fi
	echo "# selftests: $prog (probe=fprobe)"
	i=1
	while [ $i -le "$n" ]; do
		echo "ok $((ran + i)) [probe=fprobe] $prog test $i of $n # SKIP $why"
		i=$((i + 1))
	done
	ran=$((ran + n)) plan=$((plan + n))
}

total=0
# zmc.cgroup=v1: a boot whose memory controller is left to cgroup v1, for
# the programs that test it there (with --v1).
progs="zombiememcg_test listing_test swap_test footprint_test paths_test holders_test reclaim_test"
[ "$cgroup" = v1 ] && progs="swap_test v1_test"
for prog in $progs; do
	n=$("$dir/$prog" --plan 2>/dev/null) || n=1
	case $n in '' | *[!0-9]*) n=1 ;; esac
	total=$((total + n))
	# zombiememcg_test's second run, with probe=fprobe
	[ "$prog" = zombiememcg_test ] && total=$((total + n))
done
# --plan: the count alone (the debug tier's plan up front).
if [ "${1:-}" = --plan ]; then
	echo "$total"
	exit 0
fi
# The programs load a module and change kernel state: a test VM only.
if [ ! -e /etc/zombiememcg-test-vm ] && [ "${ZMC_DISPOSABLE:-}" != 1 ]; then
	echo "Bail out! not in a zombiememcg test VM (no /etc/zombiememcg-test-vm): these tests load a module and change kernel state"
	exit 1
fi
echo "TAP version 13"
echo "1..$total"
swap_on
if [ "$cgroup" = v1 ]; then
	run swap_test "$dir/swap_test" --v1 "$module"
	run v1_test "$dir/v1_test" "$module"
	exit $rc
fi
run zombiememcg_test "$dir/zombiememcg_test" "$module"
run_fprobe zombiememcg_test "$module"
run listing_test "$dir/listing_test" "$module" ${zombies:+"$zombies"}
run swap_test "$dir/swap_test" "$module"
run footprint_test "$dir/footprint_test" "$module"
run paths_test "$dir/paths_test" "$module"
disk_modules
run holders_test "$dir/holders_test" "$module"
run reclaim_test "$dir/reclaim_test" "$module"
exit $rc
