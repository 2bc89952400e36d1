#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The few files of the kernel's own source tree that the project builds or
# checks with, taken at build time from Debian's linux-source-6.12
# (bookworm-security), never copied into this repository:
#   scripts/checkpatch.pl, scripts/spelling.txt,
#   scripts/const_structs.checkpatch            scripts/checkpatch.sh
#   tools/testing/selftests/kselftest.h,
#   tools/testing/selftests/kselftest_harness.h  selftests/ (KSFT_DIR)
#
#   scripts/ksrc.sh          print the directory that holds them (the paths
#                            above, relative to it), fetching them first if
#                            they are not cached; progress goes to stderr
#
# They are cached in $ZMC_CACHE/ksrc/VERSION/, with VERSION the package's.
# A linux-source-6.12 .deb already in the cache (vm/debug/ fetches one for
# the debug kernel) is reused when its SHA256 matches the archive's, through
# the project's apt configuration (vm/lib.sh); otherwise it is downloaded
# (~150 MB) to $ZMC_CACHE/ksrc/debs/. Nothing is installed on the host.
set -euo pipefail
# shellcheck source=../vm/lib.sh
source "$(dirname "$0")/../vm/lib.sh"

PKG=linux-source-6.12
FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest_harness.h)
root=$ZMC_CACHE/ksrc
# A cache entry lists what it holds: one made for another FILES is stale.
want_stamp="files ${FILES[*]}"

# The newest cached directory that holds every file, or "".
cached() {
	local d
	for d in $(find "$root" -mindepth 1 -maxdepth 1 -type d ! -name ".*" ! -name debs 2>/dev/null | sort -rV); do
		[[ -f $d/.stamp ]] && grep -qxF "$want_stamp" "$d/.stamp" && { echo "${d%/}"; return; }
	done
}

# Verify a .deb against the project's apt lists: sets DEB_VERSION if valid.
deb_ok() {
	local deb=$1 ver want
	ver=$(dpkg-deb -f "$deb" Version 2>/dev/null) || return 1
	want=$(zmc_apt apt-cache show "$PKG=$ver" 2>/dev/null | awk '$1 == "SHA256:" { print $2; exit }')
	[[ -n $want && $(sha256sum "$deb" | cut -d' ' -f1) == "$want" ]] || return 1
	DEB_VERSION=$ver
}

fetch() {
	local deb="" cand ver tmp f
	zmc_host_deps
	zmc_lock
	[[ -n $(cached) ]] && return 0
	zmc_apt_update
	# Reuse a .deb someone already put in the cache (newest first).
	while IFS= read -r cand; do
		if deb_ok "$cand"; then deb=$cand; break; fi
		log "ignoring $cand: not the archive's $PKG (SHA256 mismatch or unknown version)"
	done < <(find "$ZMC_CACHE" -name "${PKG}_*_all.deb" -type f 2>/dev/null | sort -rV)
	if [[ -z $deb ]]; then
		ver=$(zmc_apt apt-cache policy "$PKG" | awk '$1 == "Candidate:" { print $2 }')
		[[ -n $ver && $ver != "(none)" ]] || die "no $PKG in the project's apt lists"
		mkdir -p "$root/debs"
		log "downloading $PKG=$ver (~150 MB) into $root/debs"
		(cd "$root/debs" && zmc_apt apt-get download -q "$PKG=$ver" >/dev/null) ||
			die "apt-get download $PKG=$ver failed"
		deb=$(find "$root/debs" -name "${PKG}_*_all.deb" | sort -V | tail -n1)
		deb_ok "$deb" || die "downloaded $deb does not match the archive's SHA256"
	fi
	log "extracting ${FILES[*]} from $deb ($DEB_VERSION)"
	mkdir -p "$root"
	tmp=$(mktemp -d "$root/.tmp.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$PKG.tar.xz" |
		xz -dc | tar -xf - -C "$tmp" --wildcards "${FILES[@]/#/*/}"
	mkdir -p "$tmp/out"
	for f in "${FILES[@]}"; do
		mkdir -p "$tmp/out/$(dirname "$f")"
		mv "$tmp/$PKG/$f" "$tmp/out/$f" || die "$f missing from $PKG $DEB_VERSION"
	done
	printf '%s\n' "$PKG $DEB_VERSION $deb" "$want_stamp" >"$tmp/out/.stamp"
	rm -rf "${root:?}/$DEB_VERSION"
	mv "$tmp/out" "$root/$DEB_VERSION"
	log "${FILES[*]##*/} from $PKG $DEB_VERSION cached in $root/$DEB_VERSION"
}

(($# == 0)) || { echo "usage: $0   (prints the directory of the kernel source files)" >&2; exit 2; }
dir=$(cached)
if [[ -z $dir ]]; then
	fetch >&2
	dir=$(cached)
fi
[[ -n $dir ]] || die "no kernel source files in $root"
echo "$dir"
