#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug kernel with the module built in (CONFIG_ZOMBIEMEMCG=y), for the
# debug tier's "builtin" boot, or find it in the cache.
#   vm/debug/build-builtin.sh [SERIES]       SERIES: 6.12 (default)
# Prints the bzImage's path on stdout; progress goes to stderr.
# Needs the debug kernel of SERIES (vm/debug/build-kernel.sh, run first).
# The module goes into that kernel's source tree as mm/zombiememcg/ by
# scripts/intree.sh (module/Kconfig's ZOMBIEMEMCG), the debug kernel's
# config gets CONFIG_ZOMBIEMEMCG=y, and the kernel is built again: same
# release, same module signing key, so the tier's modules load into it too.
# It builds in the source and object trees build-kernel.sh keeps for this
# series, $ZMC_CACHE/debug/work-KEY (KEY: the debug kernel's), so that the
# first build, and a later change to the module, rebuild mm/zombiememcg/ and
# the link only; without them it unpacks the source there and builds the
# whole kernel once.
# Cache: $ZMC_CACHE/debug/kernels/KEY/builtin/BKEY/ (bzImage, config,
# build.log), BKEY a hash of the module's sources, intree.sh and this recipe.
# Exit: 0 ready; 1 error; 3 not enough disk space.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

RECIPE=1
series=${1:-6.12}
id=debug-$series
dbg=$ZMC_CACHE/debug
jobs=${ZMC_JOBS:-$(nproc)}

zmc_load_kernel "$id"
key=$ZMC_K_DEBUG_KEY
kout=$ZMC_K_ROOT
[[ -f $kout/done ]] || die "debug kernel $series ($key) is not built: run vm/debug/build-kernel.sh $series"
pkg=linux-source-$series
bkey=$({
	echo "recipe $RECIPE kernel $key"
	(cd "$ZMC_REPO" && find module -type f \( -name Kbuild -o -name Kconfig -o -name '*.[ch]' -o -name '*.mk' \) \
		! -name '*.mod.c' | LC_ALL=C sort | xargs sha256sum)
	sha256sum <"$ZMC_REPO/scripts/intree.sh"
} | sha256sum | cut -c1-16)
out=$kout/builtin/$bkey

exec 8>"$dbg/.lock-builtin-$series"
flock 8
if [[ -f $out/done ]]; then
	log "debug kernel $series with the module built in: cached ($bkey)" >&2
	echo "$out/bzImage"
	exit 0
fi

t0=$(date +%s)
# build-kernel.sh's own trees, where it built them (see there). A cache
# from before it kept them has none: unpack the source, a whole kernel build.
work=$dbg/work-$key
if [[ ! -f $work/ready ]]; then
	if [[ -f $work/obj/arch/x86/boot/bzImage ]]; then
		log "debug kernel $series: building into the trees build-kernel.sh kept" >&2
	else
		rm -rf "$work"
		zmc_debug_room "$dbg" "the built-in debug kernel"
		deb=$dbg/debs/${pkg}_${ZMC_K_VERSION/*:/}_all.deb
		[[ -f $deb ]] || die "no $deb: run vm/debug/build-kernel.sh $series"
		log "debug kernel $series: unpacking ${deb##*/} for the built-in build (a whole kernel build)" >&2
		mkdir -p "$work/src" "$work/obj"
		zmc_unpack_linux_source "$deb" "$pkg" "$work/src"
		cp "$kout/config" "$work/obj/.config"
	fi
	touch "$work/ready"
fi

src=$work/src obj=$work/obj
kmake=(make -C "$src" O="$obj" ARCH=x86_64 -j"$jobs")
"$ZMC_REPO/scripts/intree.sh" "$src" mm/zombiememcg >&2
"$src/scripts/config" --file "$obj/.config" -e ZOMBIEMEMCG
"${kmake[@]}" -s olddefconfig >&2
grep -qx 'CONFIG_ZOMBIEMEMCG=y' "$obj/.config" ||
	die "CONFIG_ZOMBIEMEMCG=y not taken (module/Kconfig: depends on MEMCG && KPROBES)"
# Nothing else may differ from the debug kernel's config.
if ! diff <(grep -v '^CONFIG_ZOMBIEMEMCG=' "$obj/.config") <(grep -v '^# CONFIG_ZOMBIEMEMCG ' "$kout/config") >"$work/config.diff"; then
	cat "$work/config.diff" >&2
	die "the built-in kernel's config differs from the debug kernel's beyond CONFIG_ZOMBIEMEMCG"
fi
log "debug kernel $series: building it with the module built in ($bkey)" >&2
mkdir -p "$out"
if ! "${kmake[@]}" all >"$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -n 20 >&2
	die "built-in debug kernel build failed (log: $out/build.log)"
fi
[[ $(cat "$obj/include/config/kernel.release") == "$ZMC_KVER" ]] ||
	die "the built-in kernel's release $(cat "$obj/include/config/kernel.release") is not $ZMC_KVER"
grep -q ' zmc_init$' "$obj/System.map" || die "no zmc_init in the built-in kernel's System.map: the module is not in it"
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
cp "$obj/.config" "$out/config"
cp "$obj/System.map" "$out/System.map"
# Only the newest built-in image is kept.
for d in "$kout"/builtin/*/; do
	d=${d%/}
	[[ $d == "$out" ]] || rm -rf "$d"
done
touch "$out/done"
log "debug kernel $series with the module built in: ready in $(zmc_since "$t0")s" >&2
echo "$out/bzImage"
