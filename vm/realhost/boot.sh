#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the real-host image (vm/realhost/image.sh) in QEMU (TCG) and run the
# in-guest suite (vm/realhost/guest/run.sh) with the given .debs:
#   vm/realhost/boot.sh IMAGEDIR DEBDIR [check|shell]
# The cached image is never written: each run boots a fresh qcow2 overlay
# on it. The .debs and run.sh go on a second disk (/dev/vdb, a small ext4
# image, read-only), which the image's zmc-realhost.service runs at every
# boot. The guest reboots itself once (run.sh: the modules-load.d check);
# each boot is its own QEMU process (-no-reboot), on the same overlay.
# Mode shell: the same disks, a root login on this terminal (ttyS0), the
# suite still running on ttyS1 (its log in OUT/ttyS1-1.log).
# Writes to $ZMC_BUILD_DIR/realhost/ (OUT):
#   console-N.log  ttyS0 of boot N: the kernel and systemd
#   ttyS1-N.log    the suite's output in boot N
#   output.log     the suite's lines of every boot, kernel logs cut out
#   dmesg.log      the kernel logs the guest dumped at the end of each boot
#   status         "ok" or "fail: <reason>"; times: seconds per boot
# Exit 0 only if the last boot printed the sentinel and no kernel line
# matched ZMC_KERNEL_BAD_RE.
# Env: ZMC_REALHOST_TIMEOUT (host timeout per boot, s, default 1500)
#      ZMC_REALHOST_SMP (2)  ZMC_REALHOST_MEM (2G)
#      ZMC_REALHOST_TCG_THREAD (multi: both vCPUs on their own host thread,
#      for DKMS's make -j; single: as vm/boot.sh)  ZMC_QEMU_CPU (qemu64,+rdrand)
#      ZMC_REALHOST_APPEND (extra kernel command line)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

(($# == 2 || $# == 3)) || die "usage: $0 IMAGEDIR DEBDIR [check|shell]"
img=$1 debs=$2 mode=${3:-check}
# shellcheck source=/dev/null
source "$img/env"
zmc_host_deps
out=$ZMC_BUILD_DIR/realhost
tmo=${ZMC_REALHOST_TIMEOUT:-1500}
rm -rf "$out"
mkdir -p "$out/data/debs"

# The data disk: run.sh, the .debs, the version, the guest's own timeout.
cp "$here/guest/run.sh" "$out/data/run.sh"
cp "$debs"/zombiememcg-dkms_*_all.deb "$debs"/zombiememcgstat_*_amd64.deb "$out/data/debs/"
sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ZMC_REPO/dkms.conf" >"$out/data/version"
echo $((tmo - 60)) >"$out/data/timeout"
mke2fs -q -t ext4 -L zmcdata -d "$out/data" "$out/data.img" 64M >/dev/null
qemu-img create -q -f qcow2 -F raw -b "$ZMC_RH_IMAGE" "$out/overlay.qcow2"

qemu=(qemu-system-x86_64 -accel "tcg,thread=${ZMC_REALHOST_TCG_THREAD:-multi}"
	-m "${ZMC_REALHOST_MEM:-2G}" -smp "${ZMC_REALHOST_SMP:-2}" -cpu "${ZMC_QEMU_CPU:-qemu64,+rdrand}"
	-display none -vga none -nic none -no-reboot
	-drive "file=$out/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe"
	-drive "file=$out/data.img,if=virtio,format=raw,readonly=on"
	-kernel "$ZMC_RH_VMLINUZ" -initrd "$ZMC_RH_INITRD"
	-append "root=/dev/vda rw console=ttyS0 panic=-1 ${ZMC_REALHOST_APPEND:-}")

if [[ $mode == shell ]]; then
	log "shell: root on ttyS0 here, no password (Ctrl-A X quits QEMU); the suite's output in $out/ttyS1-1.log"
	exec "${qemu[@]}" -serial mon:stdio -serial "file:$out/ttyS1-1.log"
fi

reason=
: >"$out/times"
for b in 1 2 3; do
	t0=$(date +%s)
	log "real-host boot $b ($ZMC_RH_KVER, image $ZMC_RH_KEY, timeout ${tmo}s)"
	qrc=0
	timeout -k 10 "$tmo" "${qemu[@]}" -monitor none \
		-serial "file:$out/console-$b.log" -serial "file:$out/ttyS1-$b.log" </dev/null || qrc=$?
	echo "boot$b $(zmc_since "$t0")" >>"$out/times"
	for f in "$out/console-$b.log" "$out/ttyS1-$b.log"; do
		touch "$f" && tr -d '\r' <"$f" >"$f.tmp" && mv "$f.tmp" "$f"
	done
	log "boot $b ended after $(zmc_since "$t0") s (qemu exit $qrc)"
	grep -q '^ZMC-RUNNER reboot' "$out/ttyS1-$b.log" && continue
	if ! grep -q '^ZMC-SENTINEL done' "$out/ttyS1-$b.log"; then
		if ((qrc == 124 || qrc == 137)); then reason="boot $b: no sentinel: VM killed after the ${tmo}s timeout"
		else reason="boot $b: no sentinel: VM stopped early (qemu exit $qrc)"; fi
	fi
	break
done
for f in "$out"/ttyS1-*.log; do
	# Up to the runner's last words (the shutdown's own noise after them);
	# a line that is neither a result nor a diagnostic becomes one.
	sed -e '/^ZMC-RUNNER /,$d' -e '/^ZMC-DMESG-BEGIN/,/^ZMC-DMESG-END/d' -e '/^ZMC-SENTINEL /d' \
		-e '/^\(ok - \|not ok - \|#\|Bail out!\)/!s/^/# /' "$f"
done >"$out/output.log"
for f in "$out"/ttyS1-*.log; do sed -n '/^ZMC-DMESG-BEGIN/,/^ZMC-DMESG-END/p' "$f"; done >"$out/dmesg.log"
bad=$(cat "$out"/console-*.log "$out/dmesg.log" | grep -E "$ZMC_KERNEL_BAD_RE" | sort -u | head -n 5 || true)
[[ -z $bad ]] || reason="${reason:+$reason; }kernel reported: $(head -n1 <<<"$bad")"
if [[ -z $reason ]]; then
	echo ok >"$out/status"
	exit 0
fi
echo "fail: $reason" >"$out/status"
{
	echo "=== real-host VM FAILED: $reason"
	[[ -n $bad ]] && { echo "--- matching kernel lines:"; echo "$bad"; }
	echo "--- console tail:"
	tail -n 30 "$(ls "$out"/console-*.log | tail -n1)"
	echo "--- guest output tail:"
	tail -n 20 "$(ls "$out"/ttyS1-*.log | tail -n1)"
	echo "--- logs in $out"
} >&2
exit 1
