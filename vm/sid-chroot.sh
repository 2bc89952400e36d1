#!/usr/bin/env bash
# Make (once) the minimal sid chroot that builds modules for kernels whose
# headers need a newer gcc / glibc than bookworm has (7.x: gcc-16; trixie's
# 6.12.X+deb13: gcc-14, added from sid; both: glibc >= 2.38).
#   vm/sid-chroot.sh [GCC_MAJOR...]   default: 16
# Cached in $ZMC_CACHE/sid-chroot; a warm cache returns at once. A gcc major
# that the chroot lacks is added with the chroot's own apt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

majors=("$@")
((${#majors[@]})) || majors=(16)

base_pkgs=make,libc6-dev,libelf1t64,libssl3t64,zlib1g,pahole
stamp=$ZMC_CHROOT/.zmc-stamp

zmc_lock
[[ $(id -u) == 0 ]] || die "the sid chroot (for kernels needing gcc-${majors[0]}) needs root: debootstrap, chroot, bind mounts"
# Before debootstrap, not after it: builds in the chroot need its mounts.
zmc_need_private_mounts "the sid chroot (for kernels needing gcc-${majors[0]})"
if [[ ! -f $stamp ]]; then
	zmc_host_deps
	t0=$(date +%s)
	tmp=$ZMC_CHROOT.tmp
	rm -rf "$tmp" "$ZMC_CHROOT"
	zmc_mirrors
	log "debootstrap sid (minbase + gcc-${majors[0]}) into $ZMC_CHROOT"
	if ! debootstrap --variant=minbase --keyring="$ZMC_KEYRING" \
		--include="$base_pkgs,gcc-${majors[0]}" \
		sid "$tmp" "$ZMC_MIRROR" >"$ZMC_CACHE/debootstrap.log" 2>&1; then
		tail -n 30 "$ZMC_CACHE/debootstrap.log" >&2
		[[ -f $tmp/debootstrap/debootstrap.log ]] && tail -n 30 "$tmp/debootstrap/debootstrap.log" >&2
		die "debootstrap of the sid chroot failed (log: $ZMC_CACHE/debootstrap.log)"
	fi
	# The archive may be a frozen snapshot; never install recommends.
	cat >"$tmp/etc/apt/apt.conf.d/99zmc" <<-EOF
		Acquire::Check-Valid-Until "false";
		Acquire::Languages "none";
		APT::Install-Recommends "false";
	EOF
	rm -rf "$tmp"/var/cache/apt/archives/*.deb
	echo "sid minbase $base_pkgs" >"$tmp/.zmc-stamp"
	mv "$tmp" "$ZMC_CHROOT"
	log "sid chroot ready in $(zmc_since "$t0") s ($(du -sh "$ZMC_CHROOT" | cut -f1))"
fi

for m in "${majors[@]}"; do
	[[ -x $ZMC_CHROOT/usr/bin/gcc-$m ]] && continue
	log "adding gcc-$m to the sid chroot"
	cp /etc/resolv.conf "$ZMC_CHROOT/etc/resolv.conf" 2>/dev/null || true
	zmc_in_chroot apt-get update -qq
	zmc_in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "gcc-$m" >/dev/null
	zmc_in_chroot apt-get clean
done
