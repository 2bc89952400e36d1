#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The real-host suite's Debian 13 system image, built once per content:
#   vm/realhost/image.sh        prints the image's folder on stdout
# mmdebstrap --variant=minbase of trixie + trixie-security (the project's
# mirrors, ZMC_MIRROR / ZMC_SEC_MIRROR) with the packages of
# image/packages (systemd-sysv, linux-image-amd64, linux-headers-amd64, dkms,
# build-essential, prometheus-node-exporter, ...), no recommends, then
# packed with mke2fs -d into an ext4 file system without partition table
# (booted with -kernel/-initrd taken from its /boot, root=/dev/vda).
# The image holds the suite's runner unit (image/zmc-realhost.service): at
# every boot it runs run.sh from a second disk, so the test itself can
# change without rebuilding the image.
# Cache: $ZMC_CACHE/realhost/KEY/{rootfs.img,vmlinuz,initrd.img,env,
# manifest} where KEY hashes this recipe (this script, image/*) and the
# versions apt resolves for it; a warm run reuses the folder as it is (the
# suite boots a qcow2 overlay on it, never the image itself). Older keys
# are removed once a new image is built. The .debs mmdebstrap fetched are
# kept in $ZMC_CACHE/realhost/debs for the next build.
# Env: ZMC_REALHOST_SIZE (file system size, default 6G)
#      ZMC_REALHOST_KEEP=1 (keep the unpacked tree, for debugging)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

[[ $(id -u) == 0 ]] || die "building the real-host image needs root (mmdebstrap --mode=root, mke2fs -d)"
ZMC_HOST_DEPS+=(mmdebstrap:mmdebstrap mke2fs:e2fsprogs qemu-img:qemu-utils)
zmc_host_deps
top=$ZMC_CACHE/realhost
mkdir -p "$top"

# The shared package lists: refreshed under the shared lock, briefly.
(zmc_lock && zmc_apt_update)
zmc_mirrors

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/image/packages")

# A trixie-only view of the project's lists (same lists folder, only the
# trixie sources): what mmdebstrap will install, with versions.
rdir=$top/apt
mkdir -p "$rdir/etc/sources.list.d" "$rdir/etc/preferences.d" "$rdir/etc/apt.conf.d" "$rdir/cache/archives/partial"
: >"$rdir/status"
sb="[signed-by=$ZMC_KEYRING]"
printf 'deb %s %s trixie main\ndeb %s %s trixie-security main\n' \
	"$sb" "$ZMC_MIRROR" "$sb" "$ZMC_SEC_MIRROR" >"$rdir/etc/sources.list"
sed -e "s|^Dir::State \".*\";|Dir::State \"$rdir\";|" \
	-e "s|^Dir::State::status .*|Dir::State::status \"$rdir/status\";|" \
	-e "s|^Dir::Cache .*|Dir::Cache \"$rdir/cache\";|" \
	-e "s|^Dir::Etc::\([A-Za-z]*\) \"$ZMC_APT_DIR/etc/|Dir::Etc::\1 \"$rdir/etc/|" \
	"$APT_CONFIG_ZMC" >"$rdir/apt.conf"
rapt() { APT_CONFIG=$rdir/apt.conf "$@"; }
mapfile -t essential < <(rapt apt-cache dumpavail 2>/dev/null |
	awk '/^Package:/ { p = $2 } /^Essential: yes/ { print p }' | sort -u)
((${#essential[@]})) || die "no Essential packages in the trixie lists (apt: $rdir/apt.conf)"
if ! resolved=$(rapt apt-get install -s -qq --no-install-recommends "${essential[@]}" apt "${pkgs[@]}" 2>&1); then
	echo "$resolved" >&2
	die "apt cannot resolve the image's packages in trixie + trixie-security"
fi
versions=$(sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p' <<<"$resolved" | sort)
kver_pkg=$(awk '$1 ~ /^linux-image-[0-9].*-amd64$/ { print $1, $2 }' <<<"$versions")
key=$({
	cat "$0" "$here"/image/*
	echo "$ZMC_MIRROR $ZMC_SEC_MIRROR"
	echo "$versions"
} | sha256sum | cut -c1-16)
out=$top/$key

exec 8>"$top/.lock"
flock 8
if [[ -f $out/env ]]; then
	log "real-host image $key is cached ($kver_pkg)"
	echo "$out"
	exit 0
fi

t0=$(date +%s)
tmp=$top/$key.tmp
rm -rf "$top"/*.tmp
mkdir -p "$tmp" "$top/debs"
root=$tmp/root
log "building the real-host image $key: trixie minbase + ${#pkgs[@]} packages ($kver_pkg), log $tmp/build.log"
# mmdebstrap's own apt: the mirrors' lists, a snapshot mirror's old Release
# accepted, no recommends (the default of mmdebstrap's minbase). The .debs
# of the last build are synced in and the new ones out (mmdebstrap's
# documented cache hooks).
inc=$(IFS=,; echo "${pkgs[*]}")
if ! mmdebstrap --mode=root --variant=minbase --keyring="$ZMC_KEYRING" \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--aptopt='Acquire::Languages "none"' \
	--aptopt='APT::Install-Recommends "false"' \
	--include="$inc" \
	--skip=download/empty --skip=essential/unlink \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
	--setup-hook="sync-in $top/debs /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives $top/debs" \
	--customize-hook="$here/image/customize.sh \"\$1\" \"$here/image\"" \
	trixie "$root" \
	"deb $ZMC_MIRROR trixie main" "deb $ZMC_SEC_MIRROR trixie-security main" \
	>"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log" >&2
	die "mmdebstrap failed (log: $tmp/build.log)"
fi
rm -rf "$top/debs/lock" "$top/debs/partial"
t1=$(date +%s)

kver=$(cd "$root/lib/modules" && ls | head -n1)
[[ -f $root/boot/vmlinuz-$kver && -f $root/boot/initrd.img-$kver ]] || die "no /boot/vmlinuz-$kver or initrd.img-$kver in the image"
cp "$root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$tmp/initrd.img"
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$tmp/manifest"
# The .deb cache keeps only what this image holds (apt's file names:
# PACKAGE_VERSION_ARCH.deb, the epoch's colon as %3a).
while read -r p v; do echo "${p}_${v//:/%3a}"; done <"$tmp/manifest" >"$tmp/keep"
for f in "$top"/debs/*.deb; do
	b=$(basename "$f")
	grep -qxF "${b%_*}" "$tmp/keep" || rm -f "$f"
done
rm -f "$tmp/keep"
# Root file system: the tree, plus room for DKMS's build, logs, journal.
mke2fs -q -t ext4 -L zmcroot -d "$root" -E root_owner=0:0 "$tmp/rootfs.img" "${ZMC_REALHOST_SIZE:-6G}" >>"$tmp/build.log" 2>&1 ||
	die "mke2fs -d failed"
cat >"$tmp/env" <<-ENV
	ZMC_RH_KEY=$key
	ZMC_RH_KVER=$kver
	ZMC_RH_IMAGE=$out/rootfs.img
	ZMC_RH_VMLINUZ=$out/vmlinuz
	ZMC_RH_INITRD=$out/initrd.img
	ZMC_RH_BUILD_SECS=$(zmc_since "$t0")
ENV
[[ ${ZMC_REALHOST_KEEP:-0} == 1 ]] || rm -rf "$root"
# The new image replaces the old ones.
mv "$tmp" "$out"
for old in "$top"/*/env; do
	[[ $old == "$out/env" ]] || rm -rf "$(dirname "$old")"
done
log "real-host image $key ready in $(zmc_since "$t0") s (mmdebstrap $((t1 - t0)) s, kernel $kver, $(du -sh --apparent-size "$out/rootfs.img" | cut -f1) apparent, $(du -sh "$out/rootfs.img" | cut -f1) used)"
echo "$out"
