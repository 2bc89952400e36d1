#!/usr/bin/env bash
# Build the guest's static user-space binaries on the host (kernel-independent):
#   $ZMC_BUILD_DIR/bin/zombiememcgstat   from tools/      (make STATIC=1 O=...)
#   $ZMC_BUILD_DIR/selftests/            from selftests/  (make OUTPUT=...),
#                                        must hold run.sh (TAP on stdout);
#                                        the kernel's kselftest.h from
#                                        scripts/ksrc.sh (KSFT_DIR=)
# ZMC_SELFTESTS=helpers builds only the selftests' helpers (zmc_pin: the
# demo's pinner), which need no kernel source file.
# A top-level `make vm-userspace BUILD_DIR=...` target, if the Makefile has
# one, replaces both steps.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

zmc_host_deps
b=$ZMC_BUILD_DIR
if grep -qE '^vm-userspace:' "$ZMC_REPO/Makefile" 2>/dev/null; then
	exec make -C "$ZMC_REPO" vm-userspace BUILD_DIR="$b"
fi
mkdir -p "$b/bin"
if [[ -f $ZMC_REPO/tools/Makefile ]]; then
	make -C "$ZMC_REPO/tools" STATIC=1 O="$b/tools" -j"${ZMC_JOBS:-$(nproc)}"
	cp "$b/tools/zombiememcgstat" "$b/bin/"
else
	log "warning: no tools/Makefile: no zombiememcgstat in the guest"
fi
if [[ -f $ZMC_REPO/selftests/Makefile ]]; then
	rm -rf "$b/selftests"
	if [[ ${ZMC_SELFTESTS:-all} == helpers ]]; then
		make -C "$ZMC_REPO/selftests" OUTPUT="$b/selftests" helpers
	else
		ksft=$(zmc_ksft_dir)
		make -C "$ZMC_REPO/selftests" OUTPUT="$b/selftests" KSFT_DIR="$ksft" -j"${ZMC_JOBS:-$(nproc)}"
		[[ -x $b/selftests/run.sh ]] || die "selftests build left no $b/selftests/run.sh"
	fi
else
	log "warning: no selftests/Makefile: the guest has only what is in $b/selftests"
fi
