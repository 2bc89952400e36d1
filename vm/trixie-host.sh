#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A throwaway Debian 13 (trixie) system to run the project in, as a
# newcomer's minimal trixie host (issue 18):
#   vm/trixie-host.sh tree DIR          a fresh tree in DIR (must not exist)
#   vm/trixie-host.sh enter DIR CMD...  run CMD as root in it
# tree: mmdebstrap --variant=minbase of trixie plus make, with the apt
# sources of such a system: the one line "deb ZMC_MIRROR trixie main", no
# security line, no lists downloaded (mmdebstrap removes them). Built once
# into $ZMC_CACHE/trixie-host/KEY.tar (KEY hashes this script, the mirror
# and the Date of trixie's InRelease in the project's lists: a new point
# release, a new tree; older ones are removed), unpacked per run.
# enter: in a private mount namespace and a PID namespace of its own, the
# tree bind-mounted onto itself (so that / is a mount point inside, as on a
# real host, in a container or under systemd-nspawn, not a plain chroot),
# /proc, /sys, /dev and the host's resolv.conf; then chroot with a clean
# environment (PATH, HOME=/root, LANG). Every mount goes with the
# namespace, and every process with its PID 1, however CMD ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 tree DIR | enter DIR CMD..."; }
(($# >= 2)) || usage
[[ $(id -u) == 0 ]] || die "a trixie tree needs root (mmdebstrap --mode=root, chroot, mounts)"

case $1 in
tree)
	dir=$2
	[[ ! -e $dir ]] || die "$dir exists"
	ZMC_HOST_DEPS+=(mmdebstrap:mmdebstrap)
	zmc_host_deps
	zmc_mirrors
	(zmc_lock && zmc_apt_update)
	top=$ZMC_CACHE/trixie-host
	mkdir -p "$top"
	rel=$(grep -m1 '^Date:' "$ZMC_APT_DIR"/lists/*_dists_trixie_InRelease 2>/dev/null || true)
	key=$({
		cat "$0"
		echo "$ZMC_MIRROR $rel"
	} | sha256sum | cut -c1-16)
	tar=$top/$key.tar
	exec 8>"$top/.lock"
	flock 8
	if [[ -f $tar ]]; then
		log "trixie tree $key is cached"
	else
		t0=$(date +%s)
		log "building the trixie tree $key (mmdebstrap minbase + make), log $top/build.log"
		rm -f "$top"/*.tar.tmp
		if ! mmdebstrap --mode=root --variant=minbase --keyring="$ZMC_KEYRING" \
			--aptopt='Acquire::Languages "none"' --include=make --format=tar \
			trixie "$tar.tmp" "deb $ZMC_MIRROR trixie main" >"$top/build.log" 2>&1; then
			tail -n 30 "$top/build.log" >&2
			die "mmdebstrap of the trixie tree failed (log: $top/build.log)"
		fi
		mv "$tar.tmp" "$tar"
		for old in "$top"/*.tar; do [[ $old == "$tar" ]] || rm -f "$old"; done
		log "trixie tree $key ready in $(zmc_since "$t0") s ($(du -sh "$tar" | cut -f1))"
	fi
	mkdir -p "$dir"
	tar -C "$dir" -xpf "$tar"
	# What mmdebstrap's own apt needed is not the system's: the sources
	# are the report's one line, the lists never downloaded.
	rm -f "$dir"/etc/apt/apt.conf.d/99mmdebstrap "$dir"/etc/apt/sources.list.d/*
	echo "deb $ZMC_MIRROR trixie main" >"$dir/etc/apt/sources.list"
	rm -rf "$dir"/var/lib/apt/lists/*
	;;
enter)
	dir=$(realpath "$2")
	shift 2
	(($#)) || usage
	[[ -x $dir/usr/bin/apt-get ]] || die "$dir is not a trixie tree ($0 tree $dir)"
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	# shellcheck disable=SC2016 # expanded by the inner bash
	exec unshare --mount --pid --fork --kill-child --propagation private -- bash -euo pipefail -c '
		r=$1; shift
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
	' zmc-trixie-host "$dir" "$@"
	;;
*) usage ;;
esac
