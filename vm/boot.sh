#!/usr/bin/env bash
# Boot one kernel of the matrix in QEMU (TCG) with the packed initramfs.
#   vm/boot.sh KERNEL MODE       MODE: check | demo | shell
# Writes to $ZMC_BUILD_DIR/KERNEL/vm-MODE/:
#   console.log   ttyS0: the kernel console
#   ttyS1.log     the guest's own output (raw)
#   output.log    ttyS1 up to the kernel log dump (the TAP in mode check)
#   dmesg.log     the kernel log the guest dumped at the end
#   status        "ok" or "fail: <reason>"
#   disk.img      the guest's scratch drive while it runs (a sparse, empty
#                 raw file of ZMC_DISK_MB, default 128, on virtio-blk:
#                 /dev/vda in the guest; removed after the boot)
# Exit 0 only if the guest printed its sentinel and no kernel line matched
# WARNING/BUG/Oops/panic/...; QEMU's own exit code is never trusted.
# Env: ZMC_TIMEOUT (host timeout, s, default 600)  ZMC_GUEST_TIMEOUT (default
#      ZMC_TIMEOUT-120)  ZMC_SMP (2)  ZMC_MEM (1G)  ZMC_QEMU_CPU (qemu64,+rdrand)
#      ZMC_APPEND (extra kernel args)  ZMC_INITRD  ZMC_DISK_MB (128)
#      ZMC_STREAM=1 (print the guest output live)  ZMC_QEMU_EXTRA (extra
#      QEMU args, blank-separated)
#      ZMC_KERNEL_IMAGE (another bzImage of the same kernel release, e.g. the
#      debug tier's one with the module built in)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

(($# == 2)) || die "usage: $0 KERNEL check|demo|shell"
kernel=$1 mode=$2
zmc_load_kernel "$kernel"
zmc_host_deps
initrd=${ZMC_INITRD:-$ZMC_BUILD_DIR/$kernel/initramfs.cpio.gz}
[[ -f $initrd ]] || die "no initramfs $initrd (vm/mkinitramfs.sh $kernel)"
tmo=${ZMC_TIMEOUT:-600}
gtmo=${ZMC_GUEST_TIMEOUT:-$((tmo > 240 ? tmo - 120 : tmo / 2))}

dir=$ZMC_BUILD_DIR/$kernel/vm-$mode
rm -rf "$dir"
mkdir -p "$dir"
: >"$dir/ttyS1.log"
truncate -s "${ZMC_DISK_MB:-128}M" "$dir/disk.img"

console=(-serial "file:$dir/console.log")
[[ $mode == shell ]] && console=(-serial mon:stdio)
qemu=(qemu-system-x86_64 -accel "tcg,thread=single" -m "${ZMC_MEM:-1G}" -smp "${ZMC_SMP:-2}"
	-display none -vga none -nic none -no-reboot
	"${console[@]}" -serial "file:$dir/ttyS1.log"
	-drive "file=$dir/disk.img,if=virtio,format=raw,cache=unsafe"
	-kernel "${ZMC_KERNEL_IMAGE:-$ZMC_VMLINUZ}" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 zmc.mode=$mode zmc.timeout=$gtmo ${ZMC_APPEND:-}")
# RDRAND seeds the guest's crng at boot: without it getrandom() blocks and
# %p/%pK print "(____ptrval____)".
qemu+=(-cpu "${ZMC_QEMU_CPU:-qemu64,+rdrand}")
# Extra QEMU arguments, split on blanks (bench/bench.sh: -icount).
read -ra extra <<<"${ZMC_QEMU_EXTRA:-}"
qemu+=("${extra[@]}")
if [[ $mode == shell ]]; then # interactive, on this terminal; no verdict
	log "shell on ttyS0 here (Ctrl-A X quits QEMU); guest output in $dir/ttyS1.log"
	exec "${qemu[@]}"
fi
qemu+=(-monitor none)

# Guest output without CRs, up to the kernel log dump.
guest_output() { sed -u -e 's/\r//g' -e '/^ZMC-DMESG-BEGIN/Q'; }

t0=$(date +%s)
log "booting $kernel ($ZMC_KVER) mode=$mode smp=${ZMC_SMP:-2} timeout=${tmo}s"
streamer=
if [[ ${ZMC_STREAM:-0} == 1 ]]; then
	tail -n +1 -f "$dir/ttyS1.log" | guest_output &
	streamer=$!
fi
qrc=0
timeout -k 10 "$tmo" "${qemu[@]}" </dev/null || qrc=$?
[[ -n $streamer ]] && { sleep 1; kill "$streamer" 2>/dev/null || true; wait "$streamer" 2>/dev/null || true; }
secs=$(zmc_since "$t0")
rm -f "$dir/disk.img"

tr -d '\r' <"$dir/ttyS1.log" >"$dir/ttyS1.clean"
guest_output <"$dir/ttyS1.clean" >"$dir/output.log"
sed -n '/^ZMC-DMESG-BEGIN/,/^ZMC-DMESG-END/p' "$dir/ttyS1.clean" >"$dir/dmesg.log"
touch "$dir/console.log"
tr -d '\r' <"$dir/console.log" >"$dir/console.tmp" && mv "$dir/console.tmp" "$dir/console.log"

reason=
if ! grep -q '^ZMC-SENTINEL done' "$dir/ttyS1.clean"; then
	if ((qrc == 124 || qrc == 137)); then
		reason="no sentinel: VM killed after the ${tmo}s timeout"
	else
		reason="no sentinel: VM stopped early (qemu exit $qrc)"
	fi
fi
bad=$(cat "$dir/console.log" "$dir/dmesg.log" | grep -E "$ZMC_KERNEL_BAD_RE" | sort -u | head -n 5 || true)
if [[ -n $bad ]]; then
	reason="${reason:+$reason; }kernel reported: $(head -n1 <<<"$bad")"
fi

if [[ -z $reason ]]; then
	echo ok >"$dir/status"
	log "$kernel mode=$mode: sentinel seen after ${secs}s"
	exit 0
fi
echo "fail: $reason" >"$dir/status"
{
	echo "=== $kernel mode=$mode FAILED after ${secs}s: $reason"
	[[ -n $bad ]] && { echo "--- matching kernel lines:"; echo "$bad"; }
	if [[ -n $bad ]]; then
		echo "--- console around the first one:"
		grep -n -E -m1 -B 15 -A 30 "$ZMC_KERNEL_BAD_RE" "$dir/console.log" || true
	else
		echo "--- console.log tail:"
		tail -n 40 "$dir/console.log"
	fi
	echo "--- guest output tail:"
	tail -n 20 "$dir/ttyS1.clean"
	echo "--- logs in $dir"
} >&2
exit 1
