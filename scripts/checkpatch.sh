#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make style`: the kernel's checkpatch.pl --strict over the module's and the
# tool's sources. Exit 1 on any ERROR, WARNING or CHECK.
#
#   scripts/checkpatch.sh            module/ and tools/ (the default set)
#   scripts/checkpatch.sh FILE...    those files (kernel rules; tools/* get
#                                    the user-space ignores below)
#   scripts/checkpatch.sh --path     print the cached checkpatch.pl's path
#
# checkpatch.pl comes from Debian's linux-source-6.12 (bookworm-security),
# through the project's apt configuration (vm/lib.sh): only
# scripts/checkpatch.pl, scripts/spelling.txt and
# scripts/const_structs.checkpatch are taken out of the source tarball, into
# $ZMC_CACHE/checkpatch/VERSION/. A linux-source-6.12 .deb already in the
# cache (vm/debug/ fetches one for the debug kernel) is reused when its
# SHA256 matches the archive's; otherwise it is downloaded (~150 MB) to
# $ZMC_CACHE/checkpatch/debs/. Nothing is installed on the host.
#
# Module sources (module/**/*.[ch], module/Kconfig): every checkpatch rule,
# as for a kernel patch (--strict --no-tree).
# Tool sources (tools/*.[ch]): user-space C, so these kernel-only rules are
# ignored, each a false positive for a program built against glibc:
#   STRCPY, STRLCPY, STRNCPY   "Prefer strscpy": libc has no strscpy
#   PREFER_DEFINED_ATTRIBUTE_MACRO  "Prefer __printf(...)" and the like: kernel
#                              macros from <linux/compiler_attributes.h>
#   BIT_MACRO                  "Prefer using the BIT macro": a kernel macro
#   PREFER_KERNEL_TYPES        "Prefer kernel type 'u64'": kernel typedefs
#   SSCANF_TO_KSTRTO           "Prefer kstrto<type>": kernel functions
#   VOLATILE                   ISO C requires `volatile sig_atomic_t` for a
#                              flag set by a signal handler
#   EMBEDDED_FUNCTION_NAME     usage() prints "usage: ...", not __func__
#   LONG_LINE_STRING           (a CHECK) messages for people are whole
#                              sentences, kept on one line to stay greppable
#                              as coding-style.rst asks; lines that are long
#                              for any other reason still count
set -euo pipefail
# shellcheck source=../vm/lib.sh
source "$(dirname "$0")/../vm/lib.sh"

TOOLS_IGNORE=STRCPY,STRLCPY,STRNCPY,PREFER_DEFINED_ATTRIBUTE_MACRO,BIT_MACRO,PREFER_KERNEL_TYPES,SSCANF_TO_KSTRTO,VOLATILE,EMBEDDED_FUNCTION_NAME,LONG_LINE_STRING
PKG=linux-source-6.12
FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
cp_root=$ZMC_CACHE/checkpatch

# A cached checkpatch, or "" (newest version first).
cached() {
	local d
	for d in $(find "$cp_root" -mindepth 1 -maxdepth 1 -type d ! -name ".*" ! -name debs 2>/dev/null | sort -rV); do
		[[ -f $d/.stamp && -f $d/checkpatch.pl ]] && { echo "${d%/}/checkpatch.pl"; return; }
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
		mkdir -p "$cp_root/debs"
		log "downloading $PKG=$ver (~150 MB) into $cp_root/debs"
		(cd "$cp_root/debs" && zmc_apt apt-get download -q "$PKG=$ver" >/dev/null) ||
			die "apt-get download $PKG=$ver failed"
		deb=$(find "$cp_root/debs" -name "${PKG}_*_all.deb" | sort -V | tail -n1)
		deb_ok "$deb" || die "downloaded $deb does not match the archive's SHA256"
	fi
	log "extracting ${FILES[*]} from $deb ($DEB_VERSION)"
	mkdir -p "$cp_root"
	tmp=$(mktemp -d "$cp_root/.tmp.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$PKG.tar.xz" |
		xz -dc | tar -xf - -C "$tmp" --wildcards "${FILES[@]/#/*/}"
	mkdir -p "$tmp/out"
	for f in "${FILES[@]}"; do
		mv "$tmp"/*/"$f" "$tmp/out/" || die "$f missing from $PKG $DEB_VERSION"
	done
	echo "$PKG $DEB_VERSION $deb" >"$tmp/out/.stamp"
	rm -rf "${cp_root:?}/$DEB_VERSION"
	mv "$tmp/out" "$cp_root/$DEB_VERSION"
	log "checkpatch.pl from $PKG $DEB_VERSION cached in $cp_root/$DEB_VERSION"
}

cp_pl=$(cached)
if [[ -z $cp_pl ]]; then
	fetch >&2
	cp_pl=$(cached)
fi
[[ -n $cp_pl ]] || die "no checkpatch.pl"
if [[ ${1:-} == --path ]]; then
	echo "$cp_pl"
	exit 0
fi

cd "$ZMC_REPO"
if (($#)); then
	files=("$@")
else
	mapfile -t files < <(find module -type f \( -name '*.[ch]' -o -name Kconfig \) ! -name '*.mod.c' | sort
		ls tools/*.[ch])
fi

# checkpatch over one group: prints its findings, returns 1 if any.
check() { # check LABEL IGNORES FILE...
	local label=$1 ignore=$2 out
	shift 2
	(($#)) || return 0
	out=$(perl "$cp_pl" --strict --no-tree --file --terse --show-types --no-summary \
		--color=never ${ignore:+--ignore "$ignore"} "$@" 2>&1) || true
	if [[ -n $out ]]; then
		printf '%s\n' "$out"
		echo "checkpatch ($label): $(grep -c ': \(ERROR\|WARNING\|CHECK\):' <<<"$out") finding(s) in $# file(s)" >&2
		return 1
	fi
	echo "checkpatch ($label): clean, $# file(s)${ignore:+ (ignoring $ignore)}" >&2
}

kfiles=() ufiles=()
for f in "${files[@]}"; do
	case $f in
	tools/* | */tools/*) ufiles+=("$f") ;;
	*) kfiles+=("$f") ;;
	esac
done
rc=0
check "kernel rules: ${kfiles[*]}" "" "${kfiles[@]}" || rc=1
check "user-space rules: ${ufiles[*]}" "$TOOLS_IGNORE" "${ufiles[@]}" || rc=1
exit $rc
