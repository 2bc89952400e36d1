#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug tier: the module under a debug kernel (KASAN, lockdep, kmemleak,
# KUnit, failslab), in one QEMU VM. Prints TAP on stdout (plan first), logs
# on stderr; exit 1 on any failure.
#   vm/debug/check.sh [--totals] [SERIES]     SERIES: 6.12 (default)
# --totals: after the plan, the line "N passed, N failed, N skipped" (for
# running the tier alone; vm/check.sh counts the TAP itself).
# Steps: debug kernel (vm/debug/build-kernel.sh, cached by content), the
# module and its KUnit module (module/tests/) built against it, static guest
# programs (vm/debug/guest/), the initramfs (vm/mkinitramfs.sh, with /debug),
# one boot in mode "debug" (vm/boot.sh; /debug/run.sh runs the phases), and
# a second one for the lockdown phase, with lockdown=integrity and
# module.sig_enforce=1 on the command line (the modules are signed with the
# debug kernel's own key; an unsigned copy of the module goes in too), and
# on the series of ZMC_DEBUG_BUILTIN a third one for the builtin phase, on
# the same kernel built again with the module built in
# (vm/debug/build-builtin.sh: scripts/intree.sh, CONFIG_ZOMBIEMEMCG=y).
# TAP: one line per KUnit case (each suite's count checked against its own
# plan), per VM selftest, per fuzz/stress/fault/lifecycle check, the
# end-of-run report checks, "VM ran to the end" and "no kernel report".
# The plan comes first, from the lists of tests: 2 build results, the
# KUnit cases (KUNIT_CASE lines of module/tests/), each guest program's
# --plan (the guest run.sh for its kunit and reports phases,
# selftests/run.sh, zmc_debug), and 2 final checks. Every guest phase prints its own plan too;
# a phase whose count differs from it (or that printed none) is one more
# failure. Tests of the plan that did not run (the VM died, a build failed)
# are printed as "not ok" at the end, so that each counts.
# A debug kernel that cannot be built for lack of disk space skips every
# test of the plan, with the reason; ZMC_SKIP_DEBUG=1 gives one skip.
# Env: ZMC_DEBUG_PHASES   (kunit,selftests,fuzz,stress,fault,lifecycle,lockdown,
#                          and builtin on the series of ZMC_DEBUG_BUILTIN)
#      ZMC_DEBUG_BUILTIN  series whose tier has the builtin boot (6.12)
#      ZMC_DEBUG_STRESS   WORKERS,CHAINS_PER_WORKER,RELOADS,MAX_SECS (4,150,10,100)
#      ZMC_DEBUG_LISTING  zombies the selftests' listing_test grows to (500)
#      ZMC_DEBUG_FUZZ     writes (20000)     ZMC_DEBUG_FAULT  CGROUPS,PERCENT (150,40)
#      ZMC_DEBUG_SEED     seed of the guest's random choices (default: time)
#      ZMC_DEBUG_TIMEOUT  host timeout of the VM, s (1800)
#      ZMC_SKIP_USERSPACE=1, ZMC_MODULE_SRC, ZMC_JOBS as for vm/check.sh
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

totals=0
if [[ ${1:-} == --totals ]]; then totals=1; shift; fi
series=${1:-6.12}
kid=debug-$series
name=debug-$series
b=$ZMC_BUILD_DIR/$kid
results=$ZMC_BUILD_DIR/results
modsrc=${ZMC_MODULE_SRC:-$ZMC_REPO}
mkdir -p "$b" "$results"

# Kernel lines that are a report of one of the debug kernel's checkers (or a
# plain WARN/BUG/oops), wherever they appear in the console.
BAD_RE='WARNING:|BUG:|Oops|Kernel panic|general protection|UBSAN|KASAN:|possible recursive locking|circular locking|inconsistent lock state|suspicious RCU usage|lock held when returning|bad unlock balance|ODEBUG:|list_(add|del) corruption|refcount_t:|soft lockup|detected stall|Call Trace:'
# kmemleak's own lines count only after the guest's baseline scan.
LEAK_RE='suspected memory leak'
# Under fault injection the kernel itself warns, with a stack dump, when
# some allocations fail (vmalloc's warn_alloc(), kmem_cache_create()). The
# guest marks where it expects them; there, and only right after one of
# these headers, a "Call Trace:" is not a report. Anything else matching
# BAD_RE still is.
EXPECTED_BEGIN='zmc-debug: expected allocation failure reports begin'
EXPECTED_END='zmc-debug: expected allocation failure reports end'
EXPECTED_HDR_RE='vmalloc error:|page allocation failure:|kmem_cache_create[a-z_]*\(.*\) failed with error'
# excused <FILE: the console without the expected dumps' "Call Trace:" lines.
excused() {
	awk -v b="$EXPECTED_BEGIN" -v e="$EXPECTED_END" -v h="$EXPECTED_HDR_RE" '
		index($0, b) { win = 1 }
		index($0, e) { win = 0 }
		win && $0 ~ h { hdr = NR }
		win && /Call Trace:/ && hdr && NR - hdr <= 12 { excused++; next }
		{ print }
		END { if (excused) print "ZMC-EXCUSED " excused > "/dev/stderr" }'
}

n=0 fails=0 skips=0 planned=0
tap() { # tap ok|notok|skip NAME [REASON]
	n=$((n + 1))
	case $1 in
	ok) echo "ok $n $2" ;;
	skip) echo "ok $n $2 # SKIP ${3:-}"; skips=$((skips + 1)) ;;
	*) echo "not ok $n $2${3:+ # $3}"; fails=$((fails + 1)) ;;
	esac
}
# finish [skip REASON]: the tests of the plan not run, as failures (or
# skips), then the totals with --totals.
finish() {
	local i left=$((planned - n))
	for ((i = 1; i <= left; i++)); do
		if [[ ${1:-} == skip ]]; then
			tap skip "$name: test $((n + 1)) of $planned" "$2"
		else
			tap notok "$name: test $((n + 1)) of $planned did not run"
		fi
	done
	((planned)) || echo "1..$n"
	((totals)) && echo "$((n - fails - skips)) passed, $fails failed, $skips skipped"
	((fails == 0))
	exit
}
phase_times=()
timed() { # timed LABEL CMD...: run, remember the seconds
	local t=$SECONDS rc=0
	"${@:2}" || rc=$?
	phase_times+=("$1 $((SECONDS - t))s")
	return $rc
}

echo "TAP version 13"
if [[ ${ZMC_SKIP_DEBUG:-0} == 1 ]]; then
	tap skip "$name: debug tier" "ZMC_SKIP_DEBUG=1"
	finish
fi
t_all=$SECONDS
phases=kunit,selftests,fuzz,stress,fault,lifecycle,lockdown
zmc_debug_builtin "$series" && phases+=,builtin
phases=${ZMC_DEBUG_PHASES:-$phases}
IFS=, read -ra want_phases <<<"$phases"
# The lockdown phase needs a boot of its own (lockdown cannot be lifted, and
# debugfs, kmemleak's included, is closed under it), and the builtin phase
# one of another kernel image; the others share one.
main_phases=() lockdown=0 builtin=0
for p in "${want_phases[@]}"; do
	case $p in
	lockdown) lockdown=1 ;;
	builtin) builtin=1 ;;
	*) main_phases+=("$p") ;;
	esac
done

# ---------------------------------------------------------------- plan
# The guest programs first (they do not depend on the kernel): each says
# how many tests it runs.
x=$b/extra/debug
programs() {
	if [[ ${ZMC_SKIP_USERSPACE:-0} != 1 ]]; then
		"$ZMC_VM_DIR/build-userspace.sh" || return 1
	fi
	rm -rf "$b/extra"
	mkdir -p "$x"
	ksft=$(zmc_ksft_dir) || return 1
	gcc -static -O2 -g -Wall -Wextra -Wno-sign-compare -Wno-format-truncation -Werror=implicit-function-declaration \
		-I"$ksft" -I"$ZMC_REPO/selftests" -o "$x/zmc_debug" "$ZMC_VM_DIR/debug/guest/zmc_debug.c" || return 1
	install -m 0755 "$ZMC_VM_DIR/debug/guest/run.sh" "$x/run.sh"
}
if ! timed programs programs >"$results/$name-programs.log" 2>&1; then
	tail -n 30 "$results/$name-programs.log" >&2
	tap notok "$name: guest programs built" "log: $results/$name-programs.log"
	finish
fi
# plan_of PHASE: the number of TAP results the phase adds.
plan_of() {
	case $1 in
	kunit) echo $(($(sh "$x/run.sh" --plan kunit) + $(cat "$modsrc"/module/tests/*.c 2>/dev/null | grep -cE '^[[:space:]]*KUNIT_CASE(_PARAM)?\(' || true))) ;;
	selftests | builtin) sh "$ZMC_BUILD_DIR/selftests/run.sh" --plan ;;
	reports | lockdown) sh "$x/run.sh" --plan "$1" ;;
	*) "$x/zmc_debug" --plan "$1" ;;
	esac
}
# The host's own: kernel, modules, each VM powered off, no report; the
# built-in kernel and the guest's word that the module is built in.
planned=$((4 + lockdown + 3 * builtin))
for p in "${want_phases[@]}" reports; do
	if ! k=$(plan_of "$p") || [[ ! $k =~ ^[0-9]+$ ]]; then
		planned=0
		tap notok "$name: the plan of phase $p" "no count (${k:-nothing})"
		finish
	fi
	planned=$((planned + k))
done
echo "1..$planned"

# ---------------------------------------------------------------- kernel
rc=0
timed kernel "$ZMC_VM_DIR/debug/build-kernel.sh" "$series" 2>"$results/$name-kernel.log" || rc=$?
cat "$results/$name-kernel.log" >&2
if ((rc == 3)); then
	finish skip "debug kernel not built: $(tail -n1 "$results/$name-kernel.log")"
elif ((rc != 0)); then
	tap notok "$name: debug kernel built" "$(grep -m1 'error:' "$results/$name-kernel.log" | sed 's/^\[zmc\] error: //' || echo "vm/debug/build-kernel.sh exited $rc")"
	finish
fi
zmc_load_kernel "$kid"
tap ok "$name: debug kernel $ZMC_KVER from linux-source-$series $ZMC_K_VERSION (KASAN, lockdep, kmemleak, KUnit, failslab, module signatures, lockdown LSM)"
echo "# debug kernel: ${phase_times[-1]} ($(grep -q 'cached' "$results/$name-kernel.log" && echo cached || echo built)), key $ZMC_K_DEBUG_KEY"
builtin_image=
if ((builtin)); then
	rc=0
	build_builtin() { builtin_image=$("$ZMC_VM_DIR/debug/build-builtin.sh" "$series"); }
	timed builtin-kernel build_builtin 2>"$results/$name-builtin-kernel.log" || rc=$?
	cat "$results/$name-builtin-kernel.log" >&2
	if ((rc == 0)) && [[ -f $builtin_image ]]; then
		tap ok "$name: the debug kernel again with the module built in (scripts/intree.sh, CONFIG_ZOMBIEMEMCG=y)"
	else
		builtin_image=
		tap notok "$name: the debug kernel again with the module built in (scripts/intree.sh, CONFIG_ZOMBIEMEMCG=y)" \
			"$(grep -m1 'error:' "$results/$name-builtin-kernel.log" | sed 's/^\[zmc\] error: //' || echo "vm/debug/build-builtin.sh exited $rc")"
	fi
fi

# ---------------------------------------------------------------- builds
build_all() {
	local stage=$b/kunit-stage
	# The module, as for every kernel.
	"$ZMC_VM_DIR/build-module.sh" "$kid" "$modsrc" "$b/ko.main" || return 1
	# The KUnit module: module/tests/ built with module/ beside it (its
	# sources include ../*.c), from a stage of its own.
	rm -rf "$stage" "$b/ko.kunit"
	mkdir -p "$stage"
	cp -a "$modsrc/module/." "$stage/"
	printf 'obj-m += tests/\n' >"$stage/Kbuild"
	rm -f "$stage/Makefile"
	"$ZMC_VM_DIR/build-module.sh" "$kid" "$stage" "$b/ko.kunit" || return 1
	rm -rf "$b/ko"
	mkdir -p "$b/ko"
	cp "$b"/ko.main/*.ko "$b"/ko.kunit/*.ko "$b/ko/"
	sign_all
}
# sign_all: the modules of $b/ko signed with the debug kernel's key, as
# DKMS signs them on a Secure Boot host; an unsigned copy of the module
# for the lockdown phase to see refused (/debug/unsigned/).
sign_all() {
	local ko keys=$ZMC_K_ROOT/keys
	if [[ ! -f $keys/signing_key.pem ]]; then
		echo "error: no module signing key in $keys (vm/debug/config/secureboot.config)" >&2
		return 1
	fi
	mkdir -p "$x/unsigned"
	cp "$b/ko/zombiememcg.ko" "$x/unsigned/"
	for ko in "$b"/ko/*.ko; do
		"$ZMC_KHDR/scripts/sign-file" sha256 "$keys/signing_key.pem" "$keys/signing_key.x509" "$ko" || return 1
	done
}
if [[ ! -f $modsrc/module/tests/Kbuild ]]; then
	build_all() { # no KUnit module yet: the module alone
		"$ZMC_VM_DIR/build-module.sh" "$kid" "$modsrc" "$b/ko" && sign_all
	}
fi
if ! timed modules build_all >"$results/$name-build.log" 2>&1; then
	tail -n 30 "$results/$name-build.log" >&2
	tap notok "$name: module and KUnit module built against the debug kernel" "log: $results/$name-build.log"
	finish
fi
grep -E 'warning:|error:' "$results/$name-build.log" >&2 || true
tap ok "$name: module and KUnit module built against the debug kernel and signed with its key ($(cd "$b/ko" && echo *.ko))"

guest() {
	ZMC_KO_DIR=$b/ko "$ZMC_VM_DIR/mkinitramfs.sh" "$kid" || return 1
	# /debug/ as a second archive: the kernel unpacks both.
	if LC_ALL=C readelf -l "$x/zmc_debug" | grep -q 'program interpreter'; then
		echo "error: $x/zmc_debug is not static" >&2
		return 1
	fi
	(cd "$b/extra" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 | cat "$b/initramfs.cpio.gz" - >"$b/initramfs-debug.cpio.gz"
}
if ! timed guest guest >"$results/$name-guest.log" 2>&1; then
	tail -n 30 "$results/$name-guest.log" >&2
	tap notok "$name: initramfs" "log: $results/$name-guest.log"
	finish
fi

# ---------------------------------------------------------------- boot
# boot_vm NAME PHASES [ARGS...]: one boot of the debug VM running PHASES
# (comma-separated) with ARGS on the kernel command line; its logs end up
# in $b/vm-NAME/ and in $results/. Adds NAME to $boots.
boots=()
boot_vm() {
	local vm=$1 ph=$2 append
	# earlycon + keep_bootcon: this kernel's ttyS0 console falls silent
	# once /init runs (cause not found); the boot console keeps printing,
	# panics too. pci=noacpi: PCI interrupts routed by the BIOS's $PIR
	# table, not ACPI's _PRT, whose AML loop under KASAN and TCG runs into
	# ACPICA's 30 s loop timeout, leaving the virtio drive without an IRQ.
	append="earlycon=uart8250,io,0x3f8,115200 keep_bootcon panic_on_warn=1 pci=noacpi zmc.phases=$ph ${*:3}"
	log "booting the debug VM ($vm): $append"
	timed "vm-$vm" env ZMC_KERNEL_BAD_RE="$BAD_RE" ZMC_MEM="${ZMC_DEBUG_MEM:-2G}" \
		ZMC_INITRD="$b/initramfs-debug.cpio.gz" ZMC_TIMEOUT="${ZMC_DEBUG_TIMEOUT:-1800}" \
		ZMC_APPEND="$append ${ZMC_APPEND:-}" ZMC_KERNEL_IMAGE="${boot_image:-}" \
		"$ZMC_VM_DIR/boot.sh" "$kid" debug >&2 || true
	# (A boot.sh that died before making its directory leaves none.)
	rm -rf "$b/vm-$vm"
	mkdir -p "$b/vm-debug"
	mv "$b/vm-debug" "$b/vm-$vm"
	touch "$b/vm-$vm/output.log" "$b/vm-$vm/console.log"
	cp "$b/vm-$vm/output.log" "$results/$name-$vm-output.log"
	cp "$b/vm-$vm/console.log" "$results/$name-$vm-console.log"
	boots+=("$vm")
}
args="zmc.stress=${ZMC_DEBUG_STRESS:-4,150,10,100} zmc.fuzz=${ZMC_DEBUG_FUZZ:-20000}"
# listing_test's default (12000 zombies) takes half an hour under KASAN in
# TCG; a few hundred still resize the module's table several times.
args+=" zmc.listing_zombies=${ZMC_DEBUG_LISTING:-500}"
args+=" zmc.fault=${ZMC_DEBUG_FAULT:-150,40}"
[[ -n ${ZMC_DEBUG_SEED:-} ]] && args+=" zmc.seed=$ZMC_DEBUG_SEED"
boot_vm main "$(IFS=,; echo "${main_phases[*]}")" "$args"
# Secure Boot as Debian's kernel sees it: lockdown at integrity, module
# signatures enforced.
((lockdown)) && boot_vm lockdown lockdown lockdown=integrity module.sig_enforce=1
# The module built in: the selftests against that copy. (Without the image,
# the phase and this boot count as not run.)
if [[ -n $builtin_image ]]; then
	boot_image=$builtin_image
	boot_vm builtin builtin "zmc.listing_zombies=${ZMC_DEBUG_LISTING:-500}"
	boot_image=
fi

# ---------------------------------------------------------------- results
# Phase by phase: KUnit cases from the KTAP blocks, the selftests' and
# zmc_debug's result lines, renumbered and prefixed.
declare -A began ended
builtin_seen=
parse_output() { # parse_output FILE
while IFS= read -r line; do
	case $line in
	ZMC-BUILTIN\ *)
		builtin_seen=${line#ZMC-BUILTIN }
		continue ;;
	ZMC-PHASE-BEGIN\ *)
		p=${line#ZMC-PHASE-BEGIN }
		began[$p]=1
		cur=$p plan='' ran=0 notoks=0
		continue ;;
	ZMC-PHASE-END\ *)
		read -r p secs prc <<<"${line#ZMC-PHASE-END }"
		ended[$p]=1
		phase_times+=("$p ${secs}s")
		if [[ -z $plan ]]; then
			tap notok "$p: printed its TAP plan" "no 1..N line ($ran results)"
		elif [[ $plan != "$ran" ]]; then
			tap notok "$p: ran its TAP plan" "planned $plan, ran $ran"
		elif ((prc != 0 && notoks == 0)); then
			tap notok "$p: phase exited $prc"
		fi
		cur=
		continue ;;
	ZMC-KTAP-BEGIN\ *)
		suite=${line#ZMC-KTAP-BEGIN } ktap=()
		continue ;;
	ZMC-KTAP-END\ *)
		# Cases: the least indented result lines above the suite's own.
		indent=$(printf '%s\n' "${ktap[@]}" | sed -nE 's/^( +)(not )?ok [0-9]+ .*/\1/p' | awk '{ print length }' | sort -n | head -n1)
		suite_line=$(printf '%s\n' "${ktap[@]}" | grep -E '^(not )?ok [0-9]+ ' | tail -n1 || true)
		# The suite's own plan: the "1..N" line at the cases' indent.
		kplan=
		[[ -n $indent ]] && kplan=$(printf '%s\n' "${ktap[@]}" | sed -nE "s/^ {$indent}1\.\.([0-9]+).*/\1/p" | head -n1)
		cases=0
		if [[ -n $indent ]]; then
			while IFS= read -r k; do
				[[ $k =~ ^\ {$indent}(not\ )?ok\ [0-9]+\ ([^#]*[^#\ ])\ *(#\ *(.*))?$ ]] || continue
				cases=$((cases + 1))
				cname=${BASH_REMATCH[2]} directive=${BASH_REMATCH[4]} isnot=${BASH_REMATCH[1]}
				if [[ ${directive^^} == SKIP* ]]; then
					tap skip "kunit: $suite.$cname" "${directive:5}"
				elif [[ -n $isnot ]]; then
					tap notok "kunit: $suite.$cname"; notoks=$((notoks + 1))
				else
					tap ok "kunit: $suite.$cname"
				fi
			done < <(printf '%s\n' "${ktap[@]}")
		fi
		if ((cases == 0)); then
			tap notok "kunit: $suite" "no case ran (${suite_line:-no result})"; notoks=$((notoks + 1))
		elif [[ $kplan != "$cases" ]]; then
			tap notok "kunit: $suite ran its plan" "planned ${kplan:-nothing}, $cases cases"; notoks=$((notoks + 1))
		fi
		printf '%s\n' "${ktap[@]}" | grep -E '^ *# .*(EXPECTATION|ASSERTION|FAILED|Expected|expected)' | sed 's/^ */# kunit: /' || true
		suite=
		continue ;;
	esac
	if [[ -n ${suite:-} ]]; then
		ktap+=("$line")
		continue
	fi
	[[ -n ${cur:-} ]] || { [[ $line == \#* ]] && echo "$line"; continue; }
	if [[ $line =~ ^1\.\.([0-9]+) ]]; then
		[[ -n $plan ]] && tap notok "$cur: one TAP plan" "a second plan 1..${BASH_REMATCH[1]} after 1..$plan"
		plan=${BASH_REMATCH[1]}
	elif [[ $line =~ ^(not\ )?ok\ [0-9]+\ (.*)$ ]]; then
		rest=${BASH_REMATCH[2]} isnot=${BASH_REMATCH[1]}
		ran=$((ran + 1))
		case $cur in selftests | builtin) label="$cur: $rest" ;; *) label=$rest ;; esac
		# "ok N NAME # SKIP REASON", or kselftest.h's "ok N # SKIP NAME: REASON"
		if [[ $rest =~ ^(.*[^\ ])?\ *#\ *[Ss][Kk][Ii][Pp]\ *(.*)$ ]]; then
			label=${BASH_REMATCH[1]} why=${BASH_REMATCH[2]}
			case $cur in
			selftests | builtin) label="$cur${label:+: $label}" ;;
			*) label=${label:-skipped} ;;
			esac
			tap skip "$label" "$why"
		elif [[ -n $isnot ]]; then
			tap notok "$label"; notoks=$((notoks + 1))
		else
			tap ok "$label"
		fi
	elif [[ $line == \#* ]]; then
		case $line in
		"# Totals:"*) ;;
		"# $cur:"* | "# zmc_debug"*) echo "$line" ;;
		*) echo "# $cur: ${line#\# }" ;;
		esac
	fi
done <"$1"
}
for vm in "${boots[@]}"; do
	parse_output "$b/vm-$vm/output.log"
done

for p in "${want_phases[@]}" reports; do
	if [[ -z ${began[$p]:-} ]]; then
		tap notok "$p: phase ran" "never started (the VM died or timed out before it)"
	elif [[ -z ${ended[$p]:-} ]]; then
		tap notok "$p: phase finished" "started but did not finish (the VM died or timed out)"
	fi
done
for vm in "${boots[@]}"; do
	vmdir=$b/vm-$vm
	if grep -q '^ZMC-SENTINEL done' "$vmdir/ttyS1.clean" 2>/dev/null; then
		tap ok "$name: VM ($vm) ran to the end and powered off"
	else
		tap notok "$name: VM ($vm) ran to the end and powered off" "$(sed 's/^fail: //' "$vmdir/status" 2>/dev/null || echo "no status")"
	fi
done
if ((builtin)) && [[ -n $builtin_image ]]; then
	if [[ -n $builtin_seen ]]; then
		tap ok "$name: the builtin boot's module is the built-in copy ($builtin_seen)"
	else
		tap notok "$name: the builtin boot's module is the built-in copy" "the guest did not find it built in"
	fi
fi
# Reports: anywhere for the checkers' and WARN/BUG lines; kmemleak's only
# after the guest's baseline (boot's own suspects are not ours).
: >"$b/excused"
reports=$(for vm in "${boots[@]}"; do
	vmdir=$b/vm-$vm
	for f in "$vmdir/console.log" "$vmdir/dmesg.log"; do
		[[ -f $f ]] && excused <"$f" 2>>"$b/excused"
	done | grep -E "$BAD_RE" || true
	cat "$vmdir/console.log" "$vmdir/dmesg.log" 2>/dev/null | sed -n '/zmc-debug: kmemleak baseline done/,$p' | grep -E "$LEAK_RE" || true
done | awk '!seen[$0]++' | head -n 20)
if [[ -s $b/excused ]]; then
	echo "# reports: $(awk '{ n += $2 } END { print n }' "$b/excused") stack dump(s) of allocations failed on purpose (fault injection) excused, in console and dmesg"
fi
if [[ -z $reports ]]; then
	tap ok "$name: no kernel report (KASAN, lockdep, RCU, debug objects, list, kmemleak, WARN/BUG/oops) in the console"
else
	tap notok "$name: no kernel report (KASAN, lockdep, RCU, debug objects, list, kmemleak, WARN/BUG/oops) in the console" "$(head -n1 <<<"$reports")"
	sed 's/^/# report: /' <<<"$reports"
	for vm in "${boots[@]}"; do
		excused <"$b/vm-$vm/console.log" 2>/dev/null | grep -n -E -m1 -B 5 -A 40 "$BAD_RE" | sed "s/^/# console ($vm): /" | head -n 60 || true
	done
fi
echo "# times: ${phase_times[*]}; total $((SECONDS - t_all))s"
finish
