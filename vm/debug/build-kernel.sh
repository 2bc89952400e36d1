#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel (KASAN, lockdep, kmemleak, KUnit, failslab...) from
# Debian's linux-source-SERIES, or find it in the cache.
#   vm/debug/build-kernel.sh [SERIES]        SERIES: 6.12 (default)
# Source: the newest linux-source-SERIES in the project's apt lists (bookworm,
# -security, -backports; see vm/lib.sh), fetched with `apt-get download` and
# unpacked with dpkg-deb and tar; ZMC_DEBUG_SRC_VERSION pins a version.
# Config: allnoconfig with every fragment of vm/debug/config/*.config and
# vm/debug/config/SERIES/*.config forced (KCONFIG_ALLCONFIG); a fragment
# line missing from the result is an error.
# Cache: $ZMC_CACHE/debug/kernels/KEY/ with KEY a hash of the fragments, the
# source version, the host gcc and this recipe: a warm run builds nothing.
# It holds bzImage, config, System.map, build.log, kbuild/ (the kernel's
# scripts/package/install-extmod-build tree, to build modules against) and
# keys/ (the module signing key the build made, certs/signing_key.pem and
# its certificate, for kbuild/scripts/sign-file).
# Then writes $ZMC_CACHE/kernels/debug-SERIES/env, so that the harness's
# scripts take "debug-SERIES" as a kernel id (build-module.sh, mkinitramfs.sh,
# boot.sh).
# Exit: 0 ready; 1 error; 3 not enough disk space (the caller may skip).
# Env: ZMC_JOBS (make -j, default nproc), ZMC_DEBUG_MIN_FREE_MB (6000),
#      ZMC_DEBUG_KEEP_WORK=1 (keep the source and object trees of the build;
#      kept anyway for the series of ZMC_DEBUG_BUILTIN, default 6.12, where
#      vm/debug/build-builtin.sh builds the module into them)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# Bump when the steps below change what they produce.
RECIPE=2
series=${1:-6.12}
id=debug-$series
pkg=linux-source-$series
dbg=$ZMC_CACHE/debug
frag_dir=$ZMC_VM_DIR/debug/config
jobs=${ZMC_JOBS:-$(nproc)}

zmc_host_deps
mkdir -p "$dbg/kernels" "$dbg/debs"
# One build per series at a time; a cached series never waits for another.
exec 8>"$dbg/.lock-$series"
flock 8
zmc_lock
zmc_apt_update
flock -u 9

ver=${ZMC_DEBUG_SRC_VERSION:-$(zmc_apt apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')}
[[ -n $ver && $ver != "(none)" ]] || die "no $pkg in the project's apt lists ($ZMC_APT_DIR)"
shopt -s nullglob
# Every series' fragments, then those of this series alone (symbols that
# other series do not have: the check below would refuse them there).
frags=("$frag_dir"/*.config "$frag_dir/$series"/*.config)
((${#frags[@]})) || die "no config fragments in $frag_dir"
gccv=$(gcc -dumpfullversion)
key=$({
	echo "recipe $RECIPE series $series $pkg=$ver gcc $gccv"
	for f in "${frags[@]}"; do echo "== ${f#"$frag_dir"/}"; cat "$f"; done
} | sha256sum | cut -c1-16)
out=$dbg/kernels/$key

write_env() {
	local kdir krel
	kdir=$(zmc_kernel_dir "$id")
	krel=$(cat "$out/kernel.release")
	mkdir -p "$kdir"
	{
		printf 'ZMC_K_ID=%q\n' "$id"
		printf 'ZMC_K_ABI=%q\n' "$krel"
		printf 'ZMC_K_VERSION=%q\n' "$ver"
		printf 'ZMC_KVER=%q\n' "$krel"
		printf 'ZMC_K_ROOT=%q\n' "$out"
		printf 'ZMC_VMLINUZ=%q\n' "$out/bzImage"
		printf 'ZMC_KHDR=%q\n' "$out/kbuild"
		printf 'ZMC_KHDR_COMMON=%q\n' "$out/kbuild"
		printf 'ZMC_K_GCC_MAJOR=%q\n' "${gccv%%.*}"
		printf 'ZMC_K_BUILD_ENV=host\n'
		printf 'ZMC_K_DEBUG_KEY=%q\n' "$key"
	} >"$kdir/env.tmp"
	mv "$kdir/env.tmp" "$kdir/env"
	echo "$key" >"$kdir/stamp"
}

if [[ -f $out/done ]]; then
	log "debug kernel $series: $pkg $ver cached ($key, $(cat "$out/kernel.release"))"
	write_env
	exit 0
fi

zmc_debug_room "$dbg" "the debug kernel"

t0=$(date +%s)
work=$dbg/work-$key
rm -rf "$work" "$out"
mkdir -p "$work/src" "$work/obj"
deb=("$dbg/debs/${pkg}_${ver/*:/}_all.deb")
if [[ ! -f ${deb[0]} ]]; then
	log "debug kernel $series: fetching $pkg=$ver"
	rm -f "$dbg/debs/${pkg}_"*.deb
	(cd "$dbg/debs" && zmc_apt apt-get download -q "$pkg=$ver" >/dev/null) ||
		die "apt-get download $pkg=$ver failed"
	deb=("$dbg/debs/${pkg}_"*"_all.deb")
	[[ -f ${deb[0]} ]] || die "apt-get download $pkg=$ver left no .deb in $dbg/debs"
fi
log "debug kernel $series: unpacking ${deb[0]##*/}"
zmc_unpack_linux_source "${deb[0]}" "$pkg" "$work/src"

src=$work/src obj=$work/obj
kmake=(make -C "$src" O="$obj" ARCH=x86_64 -j"$jobs")
cat "${frags[@]}" >"$work/fragments.config"
"${kmake[@]}" -s KCONFIG_ALLCONFIG="$work/fragments.config" allnoconfig >"$work/config.log" 2>&1 ||
	{ cat "$work/config.log" >&2; die "allnoconfig with the fragments failed"; }
missing=()
while IFS= read -r line; do
	if [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		grep -q "^${BASH_REMATCH[1]}=" "$obj/.config" && missing+=("$line")
	elif [[ $line =~ ^CONFIG_ ]]; then
		grep -qxF "$line" "$obj/.config" || missing+=("$line")
	fi
done < <(cat "${frags[@]}")
((${#missing[@]} == 0)) || die "config lines the kernel did not take (a dependency is missing?): ${missing[*]}"

log "debug kernel $series: building $pkg $ver with -j$jobs ($key; log: $out/build.log)"
mkdir -p "$out"
if ! "${kmake[@]}" all >"$work/build.log" 2>&1; then
	cp "$work/build.log" "$out/build.log"
	grep -E 'error|Error' "$work/build.log" | head -n 20 >&2
	die "debug kernel build failed (log: $out/build.log)"
fi
t_build=$(zmc_since "$t0")
(cd "$obj" && srctree=$src SRCARCH=x86 CC=gcc HOSTCC=gcc MAKE=make \
	sh "$src/scripts/package/install-extmod-build" "$out/kbuild")
cp "$obj/.config" "$out/kbuild/.config"
# The signing key, so that modules built later can be signed as in-tree
# ones are (CONFIG_MODULE_SIG, vm/debug/config/secureboot.config).
if grep -q '^CONFIG_MODULE_SIG=y' "$obj/.config"; then
	mkdir -p "$out/keys" "$out/kbuild/scripts"
	cp "$obj/certs/signing_key.pem" "$obj/certs/signing_key.x509" "$out/keys/"
	chmod 0600 "$out/keys/signing_key.pem"
	[[ -x $out/kbuild/scripts/sign-file ]] || cp "$obj/scripts/sign-file" "$out/kbuild/scripts/"
fi
cp "$obj/.config" "$out/config"
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
cp "$obj/System.map" "$out/System.map"
cp "$obj/include/config/kernel.release" "$out/kernel.release"
cp "$work/build.log" "$out/build.log"
echo "$pkg=$ver" >"$out/source"
# The .deb stays (one version): scripts/ksrc.sh reuses it.
# The trees stay where they are built: their objects' command lines name
# them by absolute path, so a moved tree would be rebuilt whole.
[[ ${ZMC_DEBUG_KEEP_WORK:-0} == 1 ]] || zmc_debug_builtin "$series" || rm -rf "$work"
touch "$out/done"
# Only the newest debug kernel of each key is kept; others, and their
# trees, are stale.
for d in "$dbg/kernels"/*/; do
	d=${d%/}
	[[ $d == "$out" ]] && continue
	[[ $(cat "$d/series" 2>/dev/null) == "$series" ]] && rm -rf "$d" "$dbg/work-${d##*/}"
done
echo "$series" >"$out/series"
log "debug kernel $series: $(cat "$out/kernel.release") built in ${t_build}s, ready in $(zmc_since "$t0")s ($(du -sh "$out" | cut -f1) in $out)"
write_env
