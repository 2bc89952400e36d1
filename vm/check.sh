#!/usr/bin/env bash
# Everything `make check` runs: host set-up, kernels, builds, one VM per
# kernel running /selftests/run.sh, host suites, and the totals.
#   vm/check.sh
# Env: ZMC_KERNELS     kernels to test (default "6.1 6.12 6.12-deb13 7.2 canary")
#      ZMC_OPTIONAL    kernels that are a skip, not a failure, when they
#                      cannot be fetched (default "canary"); once fetched,
#                      a module build that fails is a failure like any other
#      ZMC_MODULE_SRC  kbuild dir of the module (default: the repo, whose
#                      Kbuild has obj-m += module/)
#      ZMC_SKIP_USERSPACE=1  do not rebuild build/bin and build/selftests
#      ZMC_SUITES      host suites to run, by name (default: all; "none":
#                      the VM suites only), e.g. "host-tool style"
#      and those of vm/kernels.sh, build-module.sh, boot.sh.
# Suites: vm-<kernel>, vm-<kernel>-smp4 and vm-<kernel>-v1 (TAP of the VM:
# 1 CPU, 4 CPUs, the memory controller on cgroup v1), then every executable in
# tests/suites/ (host-tool: `make -C tools check`, ...), each printing TAP.
# Counting: every top-level "ok N"/"not ok N" line; "ok ... # SKIP" is a
# skip. A VM without sentinel, a kernel WARN/BUG/..., a "Bail out!", a
# plan/count mismatch or a build failure each add one failure. The last
# line is "N passed, N failed, N skipped"; exit 1 on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

read -ra kernels <<<"${ZMC_KERNELS:-$ZMC_DEFAULT_KERNELS}"
optional=" ${ZMC_OPTIONAL:-canary} "
modsrc=${ZMC_MODULE_SRC:-$ZMC_REPO}
results=$ZMC_BUILD_DIR/results
mkdir -p "$results"
rm -f "$results"/*.tap "$results"/*.log

T_PASS=0 T_FAIL=0 T_SKIP=0
summary=() notes=() phases=()

phase() { # phase NAME SECONDS
	phases+=("$1 ${2}s")
}

# suite_result NAME TAPFILE SECONDS [EXTRA_FAILURE_REASON...]
suite_result() {
	local name=$1 tap=$2 secs=$3 p f s reason line
	shift 3
	read -r p f s < <(awk '
		/^ok [0-9]+/ { if (tolower($0) ~ /# *skip/) s++; else p++; n++ }
		/^not ok [0-9]+/ { f++; n++ }
		END { print p + 0, f + 0, s + 0 }' "$tap")
	# Skips with one reason (a tier that could not run) are one note.
	while IFS= read -r line; do notes+=("  skip   $name: $line"); done < <(grep -E '^ok [0-9]+' "$tap" | grep -iE '# *skip' |
		awk '{ r = $0; sub(/.*# *[Ss][Kk][Ii][Pp] */, "", r); if (!(r in n)) { first[r] = $0; order[++k] = r } n[r]++ }
			END { for (i = 1; i <= k; i++) print (n[order[i]] > 1 ? n[order[i]] " tests, as " : "") first[order[i]] }' || true)
	while IFS= read -r line; do notes+=("  FAIL   $name: $line"); done < <(grep -E '^not ok [0-9]+' "$tap" || true)
	while IFS= read -r line; do set -- "$@" "$line"; done < <(grep -E '^Bail out!' "$tap" || true)
	local want ran
	want=$(grep -m1 -E '^1\.\.[0-9]+' "$tap" | sed -E 's/^1\.\.([0-9]+).*/\1/' || true)
	ran=$((p + f + s))
	# Every planned test that did not run (a VM that died at test 5 of 50)
	# counts as failed, with the reason of the cut when there is one.
	if [[ -n $want ]] && ((want > ran)); then
		f=$((f + want - ran - 1))
		notes+=("  FAIL   $name: planned $want tests, ran $ran: $((want - ran)) counted as failed")
		(($# > 0)) || set -- "planned $want tests, ran $ran"
	elif (($# == 0)); then
		if [[ -z $want && $ran -eq 0 ]]; then set -- "no TAP output"
		elif [[ -z $want ]]; then set -- "no TAP plan line"
		elif [[ $want != "$ran" ]]; then set -- "planned $want tests, ran $ran"; fi
	fi
	for reason in "$@"; do
		f=$((f + 1))
		notes+=("  FAIL   $name: $reason")
	done
	T_PASS=$((T_PASS + p)) T_FAIL=$((T_FAIL + f)) T_SKIP=$((T_SKIP + s))
	summary+=("$(printf '%-20s %3d passed, %3d failed, %3d skipped  (%ss)' "$name:" "$p" "$f" "$s" "$secs")")
}

# suite_cannot_run NAME REASON [required]: skipped if optional (and not
# "required": a kernel that was fetched but breaks the build), else one failure.
suite_cannot_run() {
	local name=$1 reason=$2 kernel=${1#vm-}
	if [[ $optional == *" $kernel "* && ${3:-} != required ]]; then
		echo "skipped: $name: $reason"
		T_SKIP=$((T_SKIP + 1))
		summary+=("$(printf '%-20s skipped (optional): %s' "$name:" "$reason")")
	else
		echo "failed: $name: $reason"
		T_FAIL=$((T_FAIL + 1))
		summary+=("$(printf '%-20s FAILED, could not run: %s' "$name:" "$reason")")
		notes+=("  FAIL   $name: could not run: $reason")
	fi
}

print_tap() { sed 's/^/    /' "$1"; }

t_all=$(date +%s)
t=$(date +%s)
zmc_host_deps
zmc_mirrors # once: exported to every script and suite below
phase host-deps "$(zmc_since "$t")"

# Static user-space binaries for the guest: build/bin/* and build/selftests/.
t=$(date +%s)
userspace_err=
if [[ ${ZMC_SKIP_USERSPACE:-0} == 1 ]]; then
	log "ZMC_SKIP_USERSPACE=1: using $ZMC_BUILD_DIR/bin and $ZMC_BUILD_DIR/selftests as they are"
elif ! "$ZMC_VM_DIR/build-userspace.sh" >"$results/userspace.log" 2>&1; then
	tail -n 30 "$results/userspace.log" >&2
	userspace_err="user-space build failed (log: $results/userspace.log)"
fi
phase userspace "$(zmc_since "$t")"

# vm_suite NAME KERNEL SMP APPEND: boot KERNEL's initramfs in mode check
# on SMP CPUs with APPEND on the command line; count its TAP as NAME.
vm_suite() {
	local name=$1 k=$2 vmdir=$ZMC_BUILD_DIR/$2/vm-check t_suite
	local boot_err=()

	t_suite=$(date +%s)
	# KFENCE samples allocations on kernels that have it (Debian's 6.12
	# and later, off by default): a use-after-free by the module is then
	# likely to be reported even on a stock kernel.
	if ! ZMC_SMP=$3 ZMC_APPEND="kfence.sample_interval=10 ${ZMC_APPEND:-} $4" "$ZMC_VM_DIR/boot.sh" "$k" check; then
		boot_err=("$(sed 's/^fail: //' "$vmdir/status" 2>/dev/null || echo "vm/boot.sh failed")")
	fi
	grep -v -E '^ZMC-BOOTED' "$vmdir/output.log" >"$results/$name.tap" 2>/dev/null || true
	cp "$vmdir/console.log" "$results/$name-console.log" 2>/dev/null || true
	cp "$vmdir/dmesg.log" "$results/$name-dmesg.log" 2>/dev/null || true
	echo "--- $name ($(head -n1 "$vmdir/output.log" 2>/dev/null | sed 's/^ZMC-BOOTED //'), $3 CPUs)"
	print_tap "$results/$name.tap"
	suite_result "$name" "$results/$name.tap" "$(zmc_since "$t_suite")" "${boot_err[@]}"
}

for k in "${kernels[@]}"; do
	name=vm-$k
	t_suite=$(date +%s)
	log "=== suite $name"
	if [[ -n $userspace_err ]]; then suite_cannot_run "$name" "$userspace_err"; continue; fi
	t=$(date +%s)
	if ! "$ZMC_VM_DIR/kernels.sh" "$k" 2>"$results/$name-fetch.log"; then
		cat "$results/$name-fetch.log" >&2
		suite_cannot_run "$name" "$(grep -m1 'error:' "$results/$name-fetch.log" | sed 's/^\[zmc\] error: //' || echo "kernel fetch failed")"
		continue
	fi
	cat "$results/$name-fetch.log" >&2
	phase "fetch[$k]" "$(zmc_since "$t")"
	t=$(date +%s)
	if ! "$ZMC_VM_DIR/build-module.sh" "$k" "$modsrc" "$ZMC_BUILD_DIR/$k/ko" >"$results/$name-build.log" 2>&1; then
		tail -n 40 "$results/$name-build.log" >&2
		suite_cannot_run "$name" "module build failed (log: $results/$name-build.log)" required
		continue
	fi
	grep -E 'warning:|error:' "$results/$name-build.log" >&2 || true
	phase "build[$k]" "$(zmc_since "$t")"
	t=$(date +%s)
	if ! "$ZMC_VM_DIR/mkinitramfs.sh" "$k" 2>"$results/$name-initramfs.log"; then
		cat "$results/$name-initramfs.log" >&2
		suite_cannot_run "$name" "initramfs failed: $(grep -m1 'error:' "$results/$name-initramfs.log" || true)" required
		continue
	fi
	# Twice: on 1 CPU, then on 4 CPUs, told the 1-CPU FOOTPRINT so that
	# the guest checks it grows with the CPU count.
	vm_suite "$name" "$k" 1 ""
	phase "boot[$k]" "$(zmc_since "$t")"
	ref=$(sed -n 's/^# zmc-footprint cpus=\([0-9]*\) bytes=\([0-9]*\)$/\2@\1/p' "$results/$name.tap" | head -n1)
	t=$(date +%s)
	vm_suite "$name-smp4" "$k" 4 "${ref:+zmc.footprint_ref=$ref}"
	phase "boot-smp4[$k]" "$(zmc_since "$t")"
	# A third boot leaves the memory controller to cgroup v1, where the
	# kernel has one (before 6.11 always; then CONFIG_MEMCG_V1): run.sh
	# runs the programs that test a v1 hierarchy.
	t=$(date +%s)
	cfg=$(zmc_load_kernel "$k" && echo "$ZMC_KHDR/.config")
	if grep -q '^# CONFIG_MEMCG_V1 is not set' "$cfg"; then
		printf 'TAP version 13\n1..1\nok 1 cgroup v1 memory hierarchy # SKIP %s\n' \
			"kernel $k has no cgroup v1 memory controller (CONFIG_MEMCG_V1 is not set)" >"$results/$name-v1.tap"
		echo "--- $name-v1"
		print_tap "$results/$name-v1.tap"
		suite_result "$name-v1" "$results/$name-v1.tap" 0
	else
		vm_suite "$name-v1" "$k" 2 "zmc.cgroup=v1"
	fi
	phase "boot-v1[$k]" "$(zmc_since "$t")"
done

# Host suites: every executable in tests/suites/, each printing TAP on
# stdout (diagnostics on stderr), named after its file.
for suite in "$ZMC_REPO"/tests/suites/*; do
	[[ -x $suite ]] || continue
	name=$(basename "$suite" .sh)
	[[ -z ${ZMC_SUITES:-} || " $ZMC_SUITES " == *" $name "* ]] || continue
	t=$(date +%s)
	log "=== suite $name"
	rc=0
	"$suite" >"$results/$name.tap" 2>"$results/$name.log" || rc=$?
	echo "--- $name"
	print_tap "$results/$name.tap"
	extra=()
	if ((rc != 0)) && ! grep -qE '^not ok [0-9]+' "$results/$name.tap"; then
		extra=("$name exited $rc")
		tail -n 20 "$results/$name.log" >&2
	fi
	suite_result "$name" "$results/$name.tap" "$(zmc_since "$t")" "${extra[@]}"
	phase "$name" "$(zmc_since "$t")"
done

echo
echo "=== results (logs and TAP in $results)"
printf '%s\n' "${summary[@]}"
((${#notes[@]} == 0)) || printf '%s\n' "${notes[@]}"
echo "phases: ${phases[*]}; total $(zmc_since "$t_all")s"
echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
((T_FAIL == 0))
