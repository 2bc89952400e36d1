#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make deb`: the Debian packages zombiememcg-dkms and zombiememcgstat,
# built with debhelper (debian/) from a copy of the tree, so that no build
# output lands in it:
#   scripts/deb.sh [OUTDIR]      default build/deb (OUTDIR/zombiememcg-VERSION
#                                is the copy; the .deb, .dsc, .tar.xz,
#                                .buildinfo and .changes land in OUTDIR)
# The copy holds what git would: tracked and new files, not ignored ones,
# as they are in the working tree. Then lintian runs on the .changes
# (ZMC_LINTIAN=0: not), its output on stdout; the exit status is lintian's
# (errors and warnings fail; --fail-on error,warning).
# Env: ZMC_DEB_INSTALL_DEPS=1  apt-get install the build tools when missing
#      (as root; default 1 as root, 0 otherwise).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$repo/build/deb}" && cd "${1:-$repo/build/deb}" && pwd)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")
[[ -n $version ]] || { echo "deb.sh: no PACKAGE_VERSION in $repo/dkms.conf" >&2; exit 1; }
src=$out/zombiememcg-$version

# What the build needs (debian/control's Build-Depends and the tools).
need=()
command -v dpkg-buildpackage >/dev/null || need+=(dpkg-dev)
command -v dh >/dev/null || need+=(debhelper)
[[ -e /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm ]] || need+=(dh-dkms)
# dpkg-checkbuilddeps wants the package itself, not just gcc and make (a
# minimal system may have those from elsewhere, as a trixie host has them
# from the VM harness's own needs).
[[ $(dpkg-query -W -f='${Status}' build-essential 2>/dev/null) == "install ok installed" ]] ||
	need+=(build-essential)
if [[ ${ZMC_LINTIAN:-1} == 1 ]] && ! command -v lintian >/dev/null; then need+=(lintian); fi
if ((${#need[@]})); then
	if [[ ${ZMC_DEB_INSTALL_DEPS:-$([[ $(id -u) == 0 ]] && echo 1 || echo 0)} == 1 ]]; then
		echo "deb.sh: installing ${need[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 ||
			{ apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
	else
		echo "deb.sh: missing ${need[*]} (apt-get install ${need[*]})" >&2
		exit 1
	fi
fi

rm -rf "$src" "$out"/zombiememcg*_"$version"*
mkdir -p "$src"
# shellcheck disable=SC2016 # expanded by the inner sh
(cd "$repo" && git ls-files -co --exclude-standard -z |
	xargs -0 -r sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -C "$src" -xf -

# Source and binary packages, unsigned; -nc would leave the copy's tools/
# outputs in the source tarball: dpkg-buildpackage cleans first.
(cd "$src" && dpkg-buildpackage -us -uc --build=full) >&2
changes=$out/zombiememcg_${version}_$(dpkg --print-architecture).changes
echo "deb.sh: built $(cd "$out" && echo ./*.deb) in $out" >&2
rm -rf "$src"
[[ ${ZMC_LINTIAN:-1} == 1 ]] || exit 0
lintian --pedantic --info --display-experimental --fail-on error,warning "$changes"
