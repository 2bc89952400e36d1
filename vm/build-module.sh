#!/usr/bin/env bash
# Build an out-of-tree kbuild directory against one kernel of the matrix.
#   vm/build-module.sh KERNEL SRCDIR OUTDIR
# The sources are copied to $ZMC_BUILD_DIR/KERNEL/src (so builds for different
# kernels never collide), built there (on the host, or in the sid chroot when
# the kernel needs a newer gcc/glibc), and every .ko is copied flat to OUTDIR.
# Env: ZMC_KBUILD_ARGS  extra kbuild arguments, e.g. "W=1" or "C=1"
#      ZMC_JOBS         parallel jobs (default: nproc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

(($# == 3)) || die "usage: $0 KERNEL SRCDIR OUTDIR"
kernel=$1 srcdir=$(realpath "$2") outdir=$3
[[ -d $srcdir ]] || die "no such directory: $srcdir"
zmc_load_kernel "$kernel"

src=$ZMC_BUILD_DIR/$kernel/src
rm -rf "$src"
mkdir -p "$src" "$outdir"
# Copy what kbuild needs: if SRCDIR's Kbuild names subdirectories
# (obj-m += module/), its top-level files and those directories only (so
# tools/, build/ ... of a repo are left out), else the whole tree; never VCS
# data, hidden files or objects of other builds.
mapfile -t subdirs < <(sed -nE 's/^[[:space:]]*obj-[my][[:space:]]*[:+]?=(.*)$/\1/p' "$srcdir/Kbuild" 2>/dev/null |
	tr -s ' \t' '\n' | grep '/$' || true)
if ((${#subdirs[@]})); then
	paths=("${subdirs[@]}")
	while IFS= read -r -d '' f; do paths+=("${f#"$srcdir"/}"); done < <(find "$srcdir" -maxdepth 1 -type f ! -name '.*' -print0)
else
	paths=(.)
fi
tar -C "$srcdir" --exclude='.*' --exclude=./build --exclude='*.o' --exclude='*.ko' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude=Module.symvers --exclude=modules.order \
	-cf - "${paths[@]}" | tar -C "$src" -xf -

read -ra extra <<<"${ZMC_KBUILD_ARGS:-}"
cmd=(make -C "$ZMC_KHDR" -f "$ZMC_KHDR_COMMON/Makefile" KBUILD_OUTPUT="$ZMC_KHDR"
	M="$src" -j"${ZMC_JOBS:-$(nproc)}" "${extra[@]}" modules)

t0=$(date +%s)
log "building $srcdir for $kernel ($ZMC_KVER, ${ZMC_K_BUILD_ENV}, gcc-$ZMC_K_GCC_MAJOR)"
if [[ $ZMC_K_BUILD_ENV == chroot ]]; then
	"$ZMC_VM_DIR/sid-chroot.sh" "$ZMC_K_GCC_MAJOR"
	# shellcheck disable=SC2153 # ZMC_K_ROOT comes from the kernel env file
	ZMC_CHROOT_BINDS="$ZMC_K_ROOT $src" zmc_in_chroot "${cmd[@]}"
else
	"${cmd[@]}"
fi

mapfile -t kos < <(find "$src" -name '*.ko' -type f)
((${#kos[@]})) || die "build for $kernel produced no .ko"
rm -f "$outdir"/*.ko
cp "${kos[@]}" "$outdir"/
log "built for $kernel in $(zmc_since "$t0") s: $(cd "$outdir" && echo ./*.ko)"
