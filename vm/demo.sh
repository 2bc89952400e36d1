#!/usr/bin/env bash
# `make demo`: build everything for one kernel, boot it in QEMU in demo mode
# and show the demo's output (vm/guest/demo.sh) live on the terminal.
#   vm/demo.sh            Env: ZMC_KERNEL (default 6.12), and those of boot.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

kernel=${ZMC_KERNEL:-6.12}
t0=$(date +%s)
# The logs below go to $ZMC_BUILD_DIR and $ZMC_BUILD_DIR/KERNEL, which a fresh
# clone does not have yet.
mkdir -p "$ZMC_BUILD_DIR/$kernel"
zmc_host_deps
"$ZMC_VM_DIR/kernels.sh" "$kernel"
ZMC_SELFTESTS=helpers "$ZMC_VM_DIR/build-userspace.sh" >"$ZMC_BUILD_DIR/userspace.log" 2>&1 || {
	tail -n 30 "$ZMC_BUILD_DIR/userspace.log" >&2
	die "user-space build failed"
}
"$ZMC_VM_DIR/build-module.sh" "$kernel" "${ZMC_MODULE_SRC:-$ZMC_REPO}" "$ZMC_BUILD_DIR/$kernel/ko" \
	>"$ZMC_BUILD_DIR/$kernel/build-module.log" 2>&1 || {
	tail -n 40 "$ZMC_BUILD_DIR/$kernel/build-module.log" >&2
	die "module build failed"
}
"$ZMC_VM_DIR/mkinitramfs.sh" "$kernel"
log "ready to boot after $(zmc_since "$t0") s; the demo runs under TCG emulation"
rc=0
ZMC_STREAM=1 "$ZMC_VM_DIR/boot.sh" "$kernel" demo || rc=$?
out=$ZMC_BUILD_DIR/$kernel/vm-demo
if ! grep -q '^demo done' "$out/output.log"; then
	log "the demo did not finish: see $out/output.log and $out/console.log"
	rc=1
fi
exit "$rc"
