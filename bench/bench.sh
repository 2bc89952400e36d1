#!/usr/bin/env bash
# `make bench`: what the module costs, side by side with a BPF peer, and how
# it scales.  One VM boot (QEMU TCG, Debian kernel) runs bench/guest/run.sh;
# the host then times the reader tool and writes the report.
#   bench/bench.sh
# Output: results/bench-<date>-<kernel>/{report.md, *.csv, guest.log,
# console.log}; the report is printed too.
#
# Env (all optional):
#   ZMC_KERNEL              kernel of the VM (default 6.12; 6.1, 7.2 ...)
#   ZMC_BENCH_QUICK=1       a quick run (a few minutes): fewer rounds and
#                           cycles, zombies "1000 5000", fewer repetitions
#   ZMC_BENCH_ROUNDS        measured rounds per configuration (default 7)
#   ZMC_BENCH_CYCLES        mkdir+rmdir cycles per round and kind (2000)
#   ZMC_BENCH_ZOMBIES       read-scaling levels (default "1000 10000 50000")
#   ZMC_BENCH_LOAD_REPS     timed insmods with no zombie and with the most
#                           zombies present (read phase; default 3)
#   ZMC_BENCH_MEM_N         zombies per memory pass (5000)
#   ZMC_BENCH_PHASES        guest phases (default "cycle hit mem read holders";
#                           any subset, e.g. "holders"; "none": no main boot,
#                           only the footprint boots)
#   ZMC_BENCH_FOOTPRINT_CPUS  vCPU counts of the extra footprint boots (default
#                           "1 4 16"; empty: none), each a short boot of the
#                           same kernel, plain TCG, running only the footprint
#                           phase (selftests/footprint_test.c)
#   ZMC_BENCH_FOOTPRINT_ZOMBIES  zombies the footprint selftest traces (64)
#   ZMC_BENCH_FOOTPRINT_MEM guest RAM of the footprint boots (2G: the trace
#                           buffer is 16 MiB per CPU)
#   ZMC_BENCH_FOOTPRINT_TIMEOUT  host timeout of each (600 + 45 s per vCPU)
#   ZMC_BENCH_HOLDERS_REPS  timed scans per holders configuration (9; quick 5)
#   ZMC_BENCH_HOLDERS_FILES extra open files of the holders "files" case
#                           (default 100000; quick 20000)
#   ZMC_BENCH_HOLDERS_ZOMBIES  zombies of the holders "zombies" case (1000;
#                           0 or 1: not measured)
#   ZMC_BENCH_HOLDERS_FILL_PCT  percent of guest memory the holders "full"
#                           case fills with 4 KiB tmpfs pages (60)
#   ZMC_BENCH_PEER=0        no BPF peer (no bpftrace in the VM)
#   ZMC_BENCH_BPFTRACE_SUITE  bookworm (bpftrace 0.17; default before 7.x)
#                           or sid (default for 7.x kernels)
#   ZMC_BENCH_VM_MEM        guest RAM (default 4G: 50k zombies take ~1 GB)
#   ZMC_BENCH_ICOUNT        QEMU -icount setting (default shift=0,sleep=off:
#                           the guest clock counts executed instructions, 1 ns
#                           each, so host load does not enter the figures);
#                           0 for plain TCG wall time
#   ZMC_BENCH_TOOL_ROWS     rows of the host tool snapshot (100000)
#   ZMC_BENCH_TOOL_REPS     runs per tool mode (default 7)
#   ZMC_BENCH_OUT           results folder (default results/bench-<date>-<kernel>)
#   ZMC_BENCH_MODULE_SRC    kbuild tree of the module to bench (default the
#                           repo; e.g. a snapshot while the tree is edited)
#   ZMC_BENCH_BUILD_DIR     build folder (default build/bench: kept apart
#                           from make check's build/ so both can run at once)
# and those of vm/ (ZMC_CACHE, ZMC_SMP, ZMC_QEMU_CPU, ZMC_TIMEOUT ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export ZMC_BUILD_DIR=${ZMC_BENCH_BUILD_DIR:-$here/../build/bench}
source "$here/../vm/lib.sh"
ZMC_BUILD_DIR=$(mkdir -p "$ZMC_BUILD_DIR" && cd "$ZMC_BUILD_DIR" && pwd)
export ZMC_BUILD_DIR

kernel=${ZMC_KERNEL:-6.12}
quick=${ZMC_BENCH_QUICK:-0}
if [[ $quick == 1 ]]; then
	d_rounds=3 d_cycles=500 d_zombies="1000 5000" d_mem=2000 d_toolreps=3 d_readreps=3 d_lat=200 d_hit=200
	d_hreps=5 d_hfiles=20000
else
	d_rounds=7 d_cycles=2000 d_zombies="1000 10000 50000" d_mem=5000 d_toolreps=7 d_readreps=5 d_lat=500 d_hit=500
	d_hreps=9 d_hfiles=100000
fi
rounds=${ZMC_BENCH_ROUNDS:-$d_rounds}
cycles=${ZMC_BENCH_CYCLES:-$d_cycles}
zombies=${ZMC_BENCH_ZOMBIES:-$d_zombies}
mem_n=${ZMC_BENCH_MEM_N:-$d_mem}
phases=${ZMC_BENCH_PHASES:-cycle hit mem read holders}
main_boot=1
[[ $phases == none ]] && main_boot=0
for ph in $phases; do
	case $ph in
	cycle | hit | mem | read | holders) ;;
	none) ((!main_boot)) || die "ZMC_BENCH_PHASES: 'none' goes alone" ;;
	*) die "ZMC_BENCH_PHASES: no phase '$ph' (cycle hit mem read holders, or none)" ;;
	esac
done
fp_cpus=${ZMC_BENCH_FOOTPRINT_CPUS-1 4 16}
for c in $fp_cpus; do
	[[ $c =~ ^[1-9][0-9]*$ ]] || die "ZMC_BENCH_FOOTPRINT_CPUS: '$c' is not a CPU count"
done
fp_zombies=${ZMC_BENCH_FOOTPRINT_ZOMBIES:-64}
hreps=${ZMC_BENCH_HOLDERS_REPS:-$d_hreps}
hfiles=${ZMC_BENCH_HOLDERS_FILES:-$d_hfiles}
hzombies=${ZMC_BENCH_HOLDERS_ZOMBIES:-1000}
hfill=${ZMC_BENCH_HOLDERS_FILL_PCT:-60}
peer=${ZMC_BENCH_PEER:-1}
# bookworm's bpftrace 0.17 (libbpf 1.1) may not read a 7.x kernel's BTF:
# sid's bpftrace for those.
case $kernel in 7*) d_suite=sid ;; *) d_suite=bookworm ;; esac
suite=${ZMC_BENCH_BPFTRACE_SUITE:-$d_suite}
tool_rows=${ZMC_BENCH_TOOL_ROWS:-100000}
tool_reps=${ZMC_BENCH_TOOL_REPS:-$d_toolreps}
stamp=$(date -u +%Y%m%d-%H%M%S)
out=${ZMC_BENCH_OUT:-$ZMC_REPO/results/bench-$stamp-$kernel}
mkdir -p "$out"
out=$(cd "$out" && pwd)
t_all=$(date +%s)

ZMC_HOST_DEPS+=(python3:python3 gzip:gzip)
zmc_host_deps
log "bench: kernel $kernel, phases: $phases; $rounds rounds x $cycles cycles, zombies: $zombies; results in $out"

# Host load while we run: the machine is shared, the report says how busy.
loadlog=$out/host-load.txt
(
	while :; do
		echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg) $(head -n1 /proc/stat)"
		sleep 5
	done
) >"$loadlog" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

# ---------------------------------------------------------------- builds
"$ZMC_VM_DIR/kernels.sh" "$kernel"
kb=$ZMC_BUILD_DIR/$kernel
mkdir -p "$kb" "$ZMC_BUILD_DIR/bin"
modsrc=${ZMC_BENCH_MODULE_SRC:-$ZMC_REPO}
"$ZMC_VM_DIR/build-module.sh" "$kernel" "$modsrc" "$kb/ko" >"$kb/build-module.log" 2>&1 || {
	tail -n 40 "$kb/build-module.log" >&2
	die "module build failed (log: $kb/build-module.log)"
}
# Static guest programs: the tool and zmcbench.
make -C "$ZMC_REPO/tools" STATIC=1 O="$ZMC_BUILD_DIR/tools" -j"${ZMC_JOBS:-$(nproc)}" \
	>"$ZMC_BUILD_DIR/tools.log" 2>&1 || { tail -n 30 "$ZMC_BUILD_DIR/tools.log" >&2; die "tool build failed"; }
cp "$ZMC_BUILD_DIR/tools/zombiememcgstat" "$ZMC_BUILD_DIR/bin/"
gcc -O2 -Wall -Wextra -static -o "$ZMC_BUILD_DIR/bin/zmcbench" "$here/zmcbench.c"
"$ZMC_VM_DIR/mkinitramfs.sh" "$kernel" "$kb/base.cpio.gz" 2>"$kb/initramfs.log" || {
	cat "$kb/initramfs.log" >&2
	die "initramfs failed"
}

# The bench's own archive, appended: /bench/{run.sh,config,zmc_peer.bt}.
ov=$kb/bench-overlay
rm -rf "$ov"
mkdir -p "$ov/bench"
install -m 0755 "$here/guest/run.sh" "$ov/bench/run.sh"
cp "$here/zmc_peer.bt" "$ov/bench/"
{
	printf 'ROUNDS=%q\nCYCLES=%q\nZOMBIES=%q\nMEM_N=%q\nPHASES=%q\nPEER=%q\n' \
		"$rounds" "$cycles" "$zombies" "$mem_n" "$phases" "$peer"
	printf 'READ_REPS=%q\nTOOL_REPS=3\nLAT_N=%q\nHIT_N=%q\n' \
		"${ZMC_BENCH_READ_REPS:-$d_readreps}" "${ZMC_BENCH_LAT_N:-$d_lat}" "${ZMC_BENCH_HIT_N:-$d_hit}"
	printf 'LOAD_REPS=%q\n' "${ZMC_BENCH_LOAD_REPS:-3}"
	printf 'HOLDERS_REPS=%q\nHOLDERS_FILES=%q\nHOLDERS_ZOMBIES=%q\nHOLDERS_FILL_PCT=%q\n' \
		"$hreps" "$hfiles" "$hzombies" "$hfill"
	[[ $quick == 1 ]] && printf 'MEM_REPS=1\nWARMUP=50\n'
} >"$ov/bench/config"
(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$kb/bench-overlay.cpio.gz"
parts=("$kb/base.cpio.gz")
if [[ $peer == 1 ]]; then
	"$here/bpftrace-root.sh" "$suite" "$ZMC_BUILD_DIR/bpftrace-$suite.cpio.gz"
	parts+=("$ZMC_BUILD_DIR/bpftrace-$suite.cpio.gz")
fi
parts+=("$kb/bench-overlay.cpio.gz")
cat "${parts[@]}" >"$kb/bench.cpio.gz"

# The footprint boots' archive: /bench/{run.sh,config,footprint_test}, the
# selftest built as vm/build-userspace.sh does (static, OUTPUT=); its
# /etc/zombiememcg-test-vm and /lib/zombiememcg/zombiememcg.ko are base's.
if [[ -n ${fp_cpus// /} ]]; then
	fpb=$ZMC_BUILD_DIR/fp-selftests
	ksft=$(zmc_ksft_dir)
	make -C "$ZMC_REPO/selftests" OUTPUT="$fpb" KSFT_DIR="$ksft" "$fpb/footprint_test" >"$ZMC_BUILD_DIR/fp-selftests.log" 2>&1 ||
		{ tail -n 30 "$ZMC_BUILD_DIR/fp-selftests.log" >&2; die "footprint_test build failed"; }
	fov=$kb/fp-overlay
	rm -rf "$fov"
	mkdir -p "$fov/bench"
	install -m 0755 "$here/guest/run.sh" "$fov/bench/run.sh"
	install -m 0755 "$fpb/footprint_test" "$fov/bench/footprint_test"
	printf 'PHASES=footprint\nPEER=0\nFP_ZOMBIES=%q\n' "$fp_zombies" >"$fov/bench/config"
	(cd "$fov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$kb/fp-overlay.cpio.gz"
	cat "$kb/base.cpio.gz" "$kb/fp-overlay.cpio.gz" >"$kb/fp.cpio.gz"
fi

# ---------------------------------------------------------------- the VM
# Time limit: generous for the phases asked (TCG; about 1 ms per cycle).
if [[ -z ${ZMC_TIMEOUT:-} ]]; then
	z=0
	for l in $zombies; do ((l > z)) && z=$l; done
	# holders: 4 configurations of hreps + 1 scans (a few s each) and
	# hzombies more zombies
	ZMC_TIMEOUT=$((900 + rounds * cycles * 3 * 6 / 1000 + z * 3 / 100 + mem_n * 12 / 100 +
		hreps * 40 + hzombies * 3 / 100))
fi
export ZMC_TIMEOUT
((main_boot)) && log "booting the bench VM (timeout ${ZMC_TIMEOUT}s)"
t_vm=$(date +%s)
vmrc=0
icount=${ZMC_BENCH_ICOUNT:-shift=0,sleep=off}
extra=${ZMC_QEMU_EXTRA:-}
[[ $icount == 0 ]] || extra="$extra -icount $icount"
if ((main_boot)); then
	ZMC_QEMU_EXTRA=$extra ZMC_INITRD=$kb/bench.cpio.gz ZMC_MEM=${ZMC_BENCH_VM_MEM:-4G} \
		ZMC_STREAM=${ZMC_STREAM:-1} "$ZMC_VM_DIR/boot.sh" "$kernel" bench || vmrc=$?
else # ZMC_BENCH_PHASES=none: empty logs in place of the boot's
	rm -rf "$kb/vm-bench" && mkdir -p "$kb/vm-bench"
	: >"$kb/vm-bench/output.log" && : >"$kb/vm-bench/console.log"
	echo "skipped (ZMC_BENCH_PHASES=none)" >"$kb/vm-bench/status"
fi
vm_secs=$(zmc_since "$t_vm")
vmdir=$kb/vm-bench
cp "$vmdir/output.log" "$out/guest.log"
cp "$vmdir/console.log" "$out/console.log"
cp "$vmdir/dmesg.log" "$out/dmesg.log" 2>/dev/null || true
((vmrc == 0)) || log "warning: the VM run failed ($(cat "$vmdir/status" 2>/dev/null)); reporting what it measured"

# ---------------------------------------------------------------- footprint
# FOOTPRINT against the traced truth, one short boot per vCPU count: plain
# TCG (bytes, not time: no -icount, much faster at 16 vCPUs), PHASES=footprint
# only, each in its own build dir so that no boot overwrites another's
# vm-bench/ (nor the main boot's); guest output to guest-footprint-N.log.
fp_meta="" fpfail=0
for c in $fp_cpus; do
	fp_tmo=${ZMC_BENCH_FOOTPRINT_TIMEOUT:-$((600 + 45 * c))}
	log "footprint boot: $c vCPUs (timeout ${fp_tmo}s)"
	t_fp=$(date +%s)
	fprc=0
	ZMC_BUILD_DIR=$ZMC_BUILD_DIR/footprint-$c ZMC_SMP=$c ZMC_TIMEOUT=$fp_tmo \
		ZMC_QEMU_EXTRA=${ZMC_QEMU_EXTRA:-} ZMC_INITRD=$kb/fp.cpio.gz \
		ZMC_MEM=${ZMC_BENCH_FOOTPRINT_MEM:-2G} ZMC_STREAM=${ZMC_STREAM:-1} \
		"$ZMC_VM_DIR/boot.sh" "$kernel" bench || fprc=$?
	fpdir=$ZMC_BUILD_DIR/footprint-$c/$kernel/vm-bench
	cp "$fpdir/output.log" "$out/guest-footprint-$c.log" 2>/dev/null || : >"$out/guest-footprint-$c.log"
	cp "$fpdir/console.log" "$out/console-footprint-$c.log" 2>/dev/null || true
	cp "$fpdir/dmesg.log" "$out/dmesg-footprint-$c.log" 2>/dev/null || true
	fp_meta+="footprint_status_$c=$(cat "$fpdir/status" 2>/dev/null || echo missing)"$'\n'
	fp_meta+="footprint_secs_$c=$(zmc_since "$t_fp")"$'\n'
	((fprc == 0)) || { fpfail=1; log "warning: the $c-vCPU footprint boot failed ($(cat "$fpdir/status" 2>/dev/null))"; }
done

# ---------------------------------------------------------------- host tool
log "tool: $tool_rows-row snapshot, $tool_reps runs per mode"
make -C "$ZMC_REPO/tools" O="$ZMC_BUILD_DIR/host-tool" -j"${ZMC_JOBS:-$(nproc)}" \
	>"$ZMC_BUILD_DIR/host-tool.log" 2>&1 || { tail -n 30 "$ZMC_BUILD_DIR/host-tool.log" >&2; die "host tool build failed"; }
python3 "$here/toolbench.py" "$ZMC_BUILD_DIR/host-tool/zombiememcgstat" "$tool_rows" "$tool_reps" \
	"$out/tool.csv"

kill $sampler 2>/dev/null || true
# ---------------------------------------------------------------- report
{
	echo "kernel_id=$kernel"
	echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "host_cpus=$(nproc)"
	echo "host_kernel=$(uname -r)"
	echo "qemu=$(qemu-system-x86_64 --version | head -n1)"
	echo "vm_smp=${ZMC_SMP:-2}"
	echo "vm_mem=${ZMC_BENCH_VM_MEM:-4G}"
	echo "icount=$icount"
	echo "vm_status=$(cat "$vmdir/status" 2>/dev/null || echo missing)"
	echo "vm_secs=$vm_secs"
	echo "total_secs=$(zmc_since "$t_all")"
	echo "rounds=$rounds"
	echo "cycles=$cycles"
	echo "quick=$quick"
	echo "phases=$phases"
	echo "footprint_cpus=$fp_cpus"
	echo "footprint_mem=${ZMC_BENCH_FOOTPRINT_MEM:-2G}"
	printf '%s' "$fp_meta"
	[[ $modsrc == "$ZMC_REPO" ]] || echo "module_src=$modsrc"
	echo "commit=$(git -C "$ZMC_REPO" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$ZMC_REPO" diff --quiet HEAD -- module 2>/dev/null || echo '+module-changes')"
} >"$out/meta.txt"
python3 "$here/report.py" "$out"
log "bench done in $(zmc_since "$t_all") s: $out/report.md"
((vmrc == 0 && fpfail == 0))
