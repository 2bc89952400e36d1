#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command as if a cached kernel's headers were installed the Debian way,
# without installing anything: in a private mount namespace, on the host (or
# in the sid chroot for kernels that build there, e.g. 7.x with gcc-16).
#
#   scripts/with-kernel.sh [-b DIR]... KERNEL CMD [ARG...]
#
# KERNEL is a matrix id fetched by vm/kernels.sh (6.1, 6.12, 7.2, ...). Inside:
#   /usr/src/linux-headers-KVER{,-common}  -> the cached headers
#   /usr/lib/linux-kbuild-*                -> the cached kbuild
#   /lib/modules/KVER/build                -> /usr/src/linux-headers-KVER
# so `dkms -k KVER`, `make -C /lib/modules/KVER/build` and `depmod KVER` work
# as on a machine with linux-headers-KVER installed. /usr/lib, /usr/src,
# /usr/sbin, /etc and /var are copy-on-write overlays whose writes land in a
# temporary folder that is deleted afterwards: nothing the command writes
# there (/var/lib/dkms, /lib/modules/KVER, DKMS's MOK key...) survives, and
# the host's own files are untouched. modprobe, insmod and rmmod are replaced
# by a stub that refuses: nothing can be loaded into the running kernel.
# -b DIR: also visible in the chroot, at the same path (work dirs). The chroot
# gets a fresh /tmp; the host's /tmp is the host's.
# The command's environment: the caller's on the host; in the chroot a clean
# one (PATH, HOME, LANG) plus ZMC_KVER.
set -euo pipefail
# shellcheck source=../vm/lib.sh
source "$(dirname "$0")/../vm/lib.sh"

binds=()
while (($#)); do
	case $1 in
	-b) binds+=("$(realpath "$2")"); shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
(($# >= 2)) || die "usage: $0 [-b DIR]... KERNEL CMD [ARG...]"
kernel=$1
shift
[[ $(id -u) == 0 ]] || die "$0 needs root (private mount namespace, overlays)"
zmc_need_private_mounts "$0"
zmc_load_kernel "$kernel"

root=
if [[ $ZMC_K_BUILD_ENV == chroot ]]; then
	"$ZMC_VM_DIR/sid-chroot.sh" "$ZMC_K_GCC_MAJOR"
	root=$ZMC_CHROOT
fi

links=()
for d in "$ZMC_KHDR" "$ZMC_KHDR_COMMON"; do
	links+=("/usr/src/${d##*/}=$d")
done
# shellcheck disable=SC2153 # ZMC_K_ROOT comes from the kernel env file
while IFS= read -r -d '' d; do
	links+=("/usr/lib/${d##*/}=$d")
done < <(find "$ZMC_K_ROOT/usr/lib" -maxdepth 1 -name 'linux-kbuild-*' -print0)

ovl=$(mktemp -d "${TMPDIR:-/tmp}/zmc-ns.XXXXXX")
trap 'rm -rf "$ovl"' EXIT

# shellcheck disable=SC2016 # expanded by the inner bash
ZMC_NS_ROOT=$root ZMC_NS_OVL=$ovl ZMC_NS_KVER=$ZMC_KVER ZMC_NS_KROOT=$ZMC_K_ROOT \
ZMC_NS_LINKS="${links[*]}" ZMC_NS_BINDS="${binds[*]}" \
unshare --mount --propagation private -- bash -euo pipefail -c '
	r=$ZMC_NS_ROOT
	for d in /usr/lib /usr/src /usr/sbin /etc /var; do
		k=${d//\//_}
		mkdir -p "$ZMC_NS_OVL/u$k" "$ZMC_NS_OVL/w$k"
		mount -t overlay overlay \
			-o "lowerdir=$r$d,upperdir=$ZMC_NS_OVL/u$k,workdir=$ZMC_NS_OVL/w$k" "$r$d"
	done
	for l in $ZMC_NS_LINKS; do
		ln -sfn "${l#*=}" "$r${l%%=*}"
	done
	mkdir -p "$r/usr/lib/modules/$ZMC_NS_KVER"
	ln -sfn "/usr/src/linux-headers-$ZMC_NS_KVER" "$r/usr/lib/modules/$ZMC_NS_KVER/build"
	for t in modprobe insmod rmmod; do
		rm -f "$r/usr/sbin/$t"
		printf "#!/bin/sh\necho \"%s: refused: no module is loaded or unloaded here (scripts/with-kernel.sh)\" >&2\nexit 1\n" "$t" >"$r/usr/sbin/$t"
		chmod 0755 "$r/usr/sbin/$t"
	done
	if [[ -z $r ]]; then
		export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
		export ZMC_KVER=$ZMC_NS_KVER
		exec "$@"
	fi
	mount -t proc proc "$r/proc"
	mount --rbind /dev "$r/dev"
	mount -t tmpfs tmpfs "$r/tmp"
	for d in "$ZMC_NS_KROOT" $ZMC_NS_BINDS; do
		mkdir -p "$r$d"
		mount --bind "$d" "$r$d"
	done
	exec chroot "$r" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 ZMC_KVER="$ZMC_NS_KVER" "$@"
' zmc-with-kernel "$@"
