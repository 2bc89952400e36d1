#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the sid chroot (vm/sid-chroot.sh) has some packages, installing
# the missing ones with the chroot's own apt (sid packages, no recommends).
#   scripts/sid-chroot-pkgs.sh PACKAGE...      e.g. sparse dkms
# Used for kernels whose modules build in the chroot (7.x: gcc-16): sparse
# for `C=1`, dkms for the DKMS round trip. Idempotent; a warm chroot that
# has them returns at once. Nothing is installed on the host.
set -euo pipefail
# shellcheck source=../vm/lib.sh
source "$(dirname "$0")/../vm/lib.sh"

(($#)) || die "usage: $0 PACKAGE..."
"$ZMC_VM_DIR/sid-chroot.sh"

missing=()
for p in "$@"; do
	# shellcheck disable=SC2016 # dpkg-query's own ${Status}
	zmc_in_chroot dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
((${#missing[@]})) || exit 0

zmc_lock
log "adding to the sid chroot: ${missing[*]}"
cp /etc/resolv.conf "$ZMC_CHROOT/etc/resolv.conf" 2>/dev/null || true
# Try with the lists the chroot has first (no upgrade of what other builds
# use), then with fresh lists.
if ! zmc_in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	zmc_in_chroot apt-get update -qq
	zmc_in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
zmc_in_chroot apt-get clean
