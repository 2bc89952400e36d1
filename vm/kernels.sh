#!/usr/bin/env bash
# Fetch and unpack Debian kernels (image + headers + kbuild) into the cache.
#   vm/kernels.sh [KERNEL...]      default: $ZMC_KERNELS, else the matrix
#                                  ($ZMC_DEFAULT_KERNELS in lib.sh)
# KERNEL is a matrix id:
#   6.1         newest bookworm 6.1.0-N   (linux-image-6.1.0-N-amd64-unsigned)
#   6.12        newest 6.12.X+deb12       (bookworm-security / -backports)
#   6.12-deb13  newest 6.12.X+deb13       (trixie-security / trixie: Debian 13)
#   7.2         newest 7.2.X+deb14        (sid: linux-binary-unsigned-* + linux-base-*)
#   canary      newest kernel of any suite (e.g. experimental's 7.3-rc); an
#               error (so a skip where it is optional) when it is one of the
#               kernels above: nothing new to test
#   X.Y         newest X.Y build found anywhere
# With several KERNELs each is fetched on its own; one of $ZMC_OPTIONAL
# (default canary) that cannot be fetched is only logged, any other fails.
# Package names are resolved at run time from the project's own apt lists.
# Per kernel it writes $ZMC_CACHE/kernels/<id>/env (see zmc_load_kernel);
# a stamp holding the resolved version makes a warm cache skip the fetch,
# but not the build env (host or sid chroot, build_env): decided on this
# system at every run, in one log line.
# Beside it, <id>/modules/ holds the few of the kernel's own modules the
# test VM loads ($ZMC_VM_MODULES: brd, a RAM disk for the guest's swap;
# ext4 with crc16, crc32c (before 7.x), mbcache and jbd2, holders_test's
# disk file system; virtio_blk and, where the kernel has them as modules,
# the virtio core and PCI transport: reclaim_test's disk, vm/boot.sh's
# scratch drive),
# uncompressed, from the package that ships them (linux-image-*-unsigned
# before 7.x, linux-modules-* from 7.x), with a stamp of its own.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

abi_regex() {
	case $1 in
	6.1) echo '6\.1\.0-[0-9]+' ;;
	6.12) echo '6\.12\.[0-9]+\+deb12' ;;
	6.12-deb13) echo '6\.12\.[0-9]+\+deb13' ;;
	7.2) echo '7\.2\.[0-9]+\+deb14' ;;
	canary) echo '[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+)?(\+deb[0-9]+)?' ;;
	[0-9]*.[0-9]*) echo "${1//./\\.}(\\.[0-9]+)?(-[0-9]+)?(\\+deb[0-9]+)?" ;;
	*) die "unknown kernel id '$1' (use 6.1, 6.12, 6.12-deb13, 7.2, canary or X.Y)" ;;
	esac
}

pkg_exists() { [[ -n $(zmc_apt apt-cache show --no-all-versions "$1" 2>/dev/null | head -n1) ]]; }
pkg_field() { zmc_apt apt-cache show --no-all-versions "$1" | awk -v f="$2:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'; }

# The ABIs (6.1.0-N, 6.12.X+deb13, 7.3...) of the amd64 kernel images whose
# ABI matches the extended regex $1, oldest first.
abis() {
	zmc_apt apt-cache search --names-only \
		"^linux-(image-($1)-amd64-unsigned|binary-unsigned-($1)-amd64)\$" |
		awk '{print $1}' |
		sed -E 's/^linux-image-(.*)-amd64-unsigned$/\1/; s/^linux-binary-unsigned-(.*)-amd64$/\1/' |
		sort -uV
}

# Sets ABI, VERSION, PKGS (name=version ...), KBUILD_LIBC for kernel id $1.
resolve() {
	local id=$1 re img series kbuild
	re=$(abi_regex "$id")
	ABI=$(abis "$re" | tail -n1)
	[[ -n $ABI ]] || return 1
	if pkg_exists "linux-binary-unsigned-$ABI-amd64"; then
		img=(linux-binary-unsigned-"$ABI"-amd64 linux-base-"$ABI"-amd64)
	else
		img=(linux-image-"$ABI"-amd64-unsigned)
	fi
	VERSION=$(pkg_field "${img[0]}" Version)
	series=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$ABI")
	kbuild=linux-kbuild-$ABI
	pkg_exists "$kbuild" || kbuild=linux-kbuild-$series
	local p
	PKGS=()
	for p in "${img[@]}" "linux-headers-$ABI-amd64" "linux-headers-$ABI-common" "$kbuild"; do
		PKGS+=("$p=$VERSION")
	done
	KBUILD_LIBC=$(zmc_apt apt-cache show "$kbuild=$VERSION" |
		sed -nE 's/^Depends:.*libc6 \(>= ([^)]*)\).*/\1/p' | head -n1)
}

# The kernel's own modules the test VM loads, in load order.
default_modules="brd crc16 crc32c_generic mbcache jbd2 ext4"
default_modules+=" virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"

# fetch_modules ID KDIR STAMP: KDIR/modules/NAME.ko for each of
# $ZMC_VM_MODULES, from the package of kernel ID (resolved) that ships them.
# A module the package lacks is only logged: the tests needing it skip.
fetch_modules() {
	local id=$1 mdir=$2/modules stamp="$3 ${ZMC_VM_MODULES:-$default_modules}" pkg tmp m ko absent=()
	[[ $(cat "$mdir/stamp" 2>/dev/null) == "$stamp" ]] && return 0
	pkg=linux-image-$ABI-amd64-unsigned
	pkg_exists "linux-modules-$ABI-amd64" && pkg=linux-modules-$ABI-amd64
	tmp=$2/modules.tmp
	rm -rf "$mdir" "$tmp"
	mkdir -p "$tmp/debs" "$tmp/root" "$mdir"
	(cd "$tmp/debs" && zmc_apt apt-get download -q "$pkg=$VERSION" >/dev/null) ||
		die "kernel $id: apt-get download $pkg=$VERSION failed"
	dpkg-deb --fsys-tarfile "$tmp"/debs/*.deb |
		tar -x -C "$tmp/root" --wildcards '*/kernel/drivers/*' '*/kernel/fs/*' '*/kernel/lib/*' \
			'*/kernel/crypto/*'
	for m in ${ZMC_VM_MODULES:-$default_modules}; do
		ko=$(find "$tmp/root" -name "$m.ko*" | head -n1)
		case $ko in
		'') absent+=("$m"); continue ;;
		*.ko) cp "$ko" "$mdir/$m.ko" ;;
		*.ko.xz) xz -dc "$ko" >"$mdir/$m.ko" ;;
		*.ko.zst) zstd -qdc "$ko" >"$mdir/$m.ko" ;;
		*.ko.gz) gzip -dc "$ko" >"$mdir/$m.ko" ;;
		*) die "kernel $id: cannot unpack $ko" ;;
		esac
	done
	rm -rf "$tmp"
	echo "$stamp" >"$mdir/stamp"
	log "kernel $id: VM modules from $pkg: $(cd "$mdir" && echo *.ko)"
	((${#absent[@]} == 0)) ||
		log "kernel $id: not in $pkg (built in, or the tests needing them skip): ${absent[*]}"
}

# Turn absolute symlinks inside $1 into relative ones within $1.
fix_symlinks() {
	local root=$1 l target
	while IFS= read -r -d '' l; do
		target=$(readlink "$l")
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$root$target")" "$l"
	done < <(find "$root" -type l -lname '/*' -print0)
}

fetch() {
	local id=$1 kdir stamp debs root t0
	kdir=$(zmc_kernel_dir "$id")
	if ! resolve "$id"; then
		die "kernel $id: no package matching linux-image-<$id…>-amd64-unsigned or linux-binary-unsigned-<$id…>-amd64 in the project's apt lists"
	fi
	# The canary is there to test what the fixed ids do not: the same ABI
	# as one of them (no rc in experimental, or sid caught up) is an error.
	if [[ $id == canary ]]; then
		local other all
		all=$(abis "$(abi_regex canary)")
		for other in 6.1 6.12 6.12-deb13 7.2; do
			[[ $(grep -xE "$(abi_regex "$other")" <<<"$all" | tail -n1) == "$ABI" ]] &&
				die "kernel canary: resolves to $ABI ($VERSION), the same kernel as $other: nothing newer in the archive"
		done
	fi
	stamp="$ABI $VERSION ${PKGS[*]}"
	if [[ -f $kdir/env && $(cat "$kdir/stamp" 2>/dev/null) == "$stamp" ]]; then
		log "kernel $id: $ABI ($VERSION) cached"
		fetch_modules "$id" "$kdir" "$stamp"
		return 0
	fi
	t0=$(date +%s)
	log "kernel $id: fetching $ABI ($VERSION): ${PKGS[*]%=*}"
	rm -rf "$kdir"
	debs=$kdir/debs root=$kdir/root
	mkdir -p "$debs" "$root"
	(cd "$debs" && zmc_apt apt-get download -q "${PKGS[@]}" >/dev/null) ||
		die "kernel $id: apt-get download ${PKGS[*]} failed"
	local deb
	for deb in "$debs"/*.deb; do
		case ${deb##*/} in
		linux-image-*) # only /boot is needed: the modules are not used
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" ./boot ;;
		*) dpkg-deb -x "$deb" "$root" ;;
		esac
	done
	rm -rf "$debs"
	fix_symlinks "$root"

	local kver=$ABI-amd64 vmlinuz hdr common gccmaj
	vmlinuz=$(find "$root" -maxdepth 5 -type f \( -name "vmlinuz-$kver" -o -name vmlinuz.unsigned \) |
		head -n1)
	hdr=$root/usr/src/linux-headers-$kver
	common=$root/usr/src/linux-headers-$ABI-common
	[[ -n $vmlinuz ]] || die "kernel $id: no vmlinuz in ${PKGS[0]}"
	[[ -f $hdr/.config && -f $common/Makefile ]] || die "kernel $id: headers tree incomplete in $root"
	[[ -e $hdr/scripts/Makefile.build ]] || die "kernel $id: $hdr/scripts does not resolve (linux-kbuild missing?)"
	gccmaj=$(sed -nE 's/^CONFIG_GCC_VERSION=([0-9]+)[0-9]{4}$/\1/p' "$hdr/.config")
	[[ -n $gccmaj ]] || die "kernel $id: cannot read CONFIG_GCC_VERSION from $hdr/.config"
	{
		printf 'ZMC_K_ID=%q\n' "$id"
		printf 'ZMC_K_ABI=%q\n' "$ABI"
		printf 'ZMC_K_VERSION=%q\n' "$VERSION"
		printf 'ZMC_KVER=%q\n' "$kver"
		printf 'ZMC_K_ROOT=%q\n' "$root"
		printf 'ZMC_VMLINUZ=%q\n' "$vmlinuz"
		printf 'ZMC_KHDR=%q\n' "$hdr"
		printf 'ZMC_KHDR_COMMON=%q\n' "$common"
		printf 'ZMC_K_GCC_MAJOR=%q\n' "$gccmaj"
		printf 'ZMC_K_BUILD_ENV=%q\n' host
	} >"$kdir/env"
	echo "$stamp" >"$kdir/stamp"
	fetch_modules "$id" "$kdir" "$stamp"
	log "kernel $id: $kver ready in $(zmc_since "$t0") s (gcc-$gccmaj, $(du -sh "$root" | cut -f1))"
}

# The system's release (bookworm, trixie...): where a missing gcc-N is
# looked for before the sid chroot.
release=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")

# in_suite PKG SUITE: whether the project's lists have PKG in SUITE.
in_suite() {
	zmc_apt apt-cache madison "$1" 2>/dev/null | grep -q " $2/main "
}

# build_env ID: where kernel ID's modules build, decided on this system at
# every run (a cached kernel may come from another release's run), written
# to its env file and told in one log line. On the host if it has the
# kernel's gcc-N (its headers' CC, from CONFIG_GCC_VERSION) and a glibc new
# enough for the kbuild helpers (modpost, objtool...); a gcc-N the host
# lacks but its own release has is installed there (trixie has bookworm's
# gcc-12); otherwise in the sid chroot (vm/sid-chroot.sh), when sid has gcc-N.
build_env() {
	local id=$1 env gcc libc have benv=host why
	env=$(zmc_kernel_dir "$id")/env
	gcc=gcc-$(sed -n 's/^ZMC_K_GCC_MAJOR=//p' "$env")
	libc=$(dpkg-query -W -f='${Version}' libc6)
	if [[ -n $KBUILD_LIBC ]] && ! dpkg --compare-versions "$libc" ge "$KBUILD_LIBC"; then
		benv=chroot why="needs $gcc and glibc >= $KBUILD_LIBC for its kbuild tools, the host has glibc $libc"
	elif command -v "$gcc" >/dev/null 2>&1; then
		why="needs $gcc, the host has it"
	elif [[ -n $release ]] && in_suite "$gcc" "$release"; then
		[[ $(id -u) == 0 ]] ||
			die "kernel $id: needs $gcc, which the host lacks and $release has: apt-get install --no-install-recommends $gcc (or run as root)"
		have=$(compgen -c gcc- | grep -xE 'gcc-[0-9]+' | sort -uV | paste -sd' ' -)
		why="needs $gcc, the host had ${have:-no gcc-N} only: installed $release's $gcc"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$gcc" >/dev/null 2>&1 ||
			{ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$gcc" >/dev/null; } ||
			die "kernel $id: apt-get install $gcc failed"
	else
		benv=chroot why="needs $gcc, which the host lacks and ${release:-its release} does not have"
	fi
	if [[ $benv == chroot ]]; then
		in_suite "$gcc" sid || die "kernel $id: $why, and sid has no $gcc either"
		why+=": sid's, in the sid chroot"
	fi
	grep -qx "ZMC_K_BUILD_ENV=$benv" "$env" || sed -i "s/^ZMC_K_BUILD_ENV=.*/ZMC_K_BUILD_ENV=$benv/" "$env"
	log "kernel $id: build env $benv: $why"
}

read -ra kernels <<<"${*:-${ZMC_KERNELS:-$ZMC_DEFAULT_KERNELS}}"
if ((${#kernels[@]} > 1)); then
	zmc_mirrors # once, for all of them
	rc=0
	for k in "${kernels[@]}"; do
		"$0" "$k" && continue
		if [[ " ${ZMC_OPTIONAL:-canary} " == *" $k "* ]]; then
			log "kernel $k: not fetched (optional: skipped)"
		else
			rc=1
		fi
	done
	exit "$rc"
fi
zmc_host_deps
zmc_lock
zmc_apt_update
for k in "${kernels[@]}"; do
	fetch "$k"
	build_env "$k"
	zmc_load_kernel "$k"
	if [[ $ZMC_K_BUILD_ENV == chroot ]]; then
		flock -u 9
		"$ZMC_VM_DIR/sid-chroot.sh" "$ZMC_K_GCC_MAJOR"
		flock 9
	fi
done
