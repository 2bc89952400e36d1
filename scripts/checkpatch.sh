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
# checkpatch.pl comes from Debian's linux-source-6.12 (bookworm-security):
# scripts/ksrc.sh takes it, spelling.txt and const_structs.checkpatch out of
# the source tarball into the project's cache. Nothing is installed on the
# host.
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

cp_pl=$("$ZMC_REPO/scripts/ksrc.sh")/scripts/checkpatch.pl
[[ -f $cp_pl ]] || die "no checkpatch.pl ($cp_pl)"
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
