#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Drop the module into a kernel source tree, to build it in-tree.
#   scripts/intree.sh KSRC [DIR]      DIR: mm/zombiememcg (default) or
#                                     samples/zombiememcg, relative to KSRC
# Copies module/'s Kbuild, Kconfig, compat.mk and sources to KSRC/DIR, and hooks them in
# the parent directory: `source "DIR/Kconfig"` at the end of its Kconfig,
# `obj-$(CONFIG_ZOMBIEMEMCG) += zombiememcg/` at the end of its Makefile
# (each once: running it again refreshes the sources only). Then configure
# CONFIG_ZOMBIEMEMCG=y or m (it depends on MEMCG && KPROBES) and build the
# kernel as usual, or just this directory: make DIR/ (samples/ is only
# descended into with CONFIG_SAMPLES=y).
set -euo pipefail

(($# >= 1 && $# <= 2)) || { echo "usage: $0 KSRC [mm/zombiememcg|samples/zombiememcg]" >&2; exit 2; }
ksrc=$(realpath "$1")
dir=${2:-mm/zombiememcg}
dir=${dir%/}
repo=$(cd "$(dirname "$0")/.." && pwd)
parent=$ksrc/$(dirname "$dir")
name=$(basename "$dir")

[[ -f $ksrc/Makefile && -f $ksrc/Kconfig ]] || { echo "$0: $ksrc is not a kernel source tree" >&2; exit 1; }
[[ -f $parent/Kconfig && -f $parent/Makefile ]] ||
	{ echo "$0: $parent needs a Kconfig and a Makefile (use mm/ or samples/)" >&2; exit 1; }

rm -rf "${ksrc:?}/$dir"
mkdir -p "$ksrc/$dir"
(cd "$repo/module" && find . -type f \( -name Kbuild -o -name Kconfig -o -name '*.mk' -o -name '*.[ch]' \) ! -name '*.mod.c' -print0 |
	tar --null -T - -cf -) | tar -C "$ksrc/$dir" -xf -

src_line="source \"$dir/Kconfig\""
obj_line="obj-\$(CONFIG_ZOMBIEMEMCG) += $name/"
grep -qxF "$src_line" "$parent/Kconfig" || printf '\n%s\n' "$src_line" >>"$parent/Kconfig"
grep -qxF "$obj_line" "$parent/Makefile" || printf '%s\n' "$obj_line" >>"$parent/Makefile"
echo "zombiememcg: in $ksrc/$dir; hooked into $(dirname "$dir")/Kconfig and $(dirname "$dir")/Makefile"
