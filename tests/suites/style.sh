#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the style gates (TAP on stdout, details on stderr).
#  - checkpatch.pl --strict (Debian's linux-source-6.12, scripts/checkpatch.sh)
#    over module/ (every rule) and tools/ (documented user-space ignores):
#    any ERROR, WARNING or CHECK fails;
#  - the module built with W=1 C=1 (sparse) for every kernel of the matrix
#    through vm/build-module.sh (7.x in the sid chroot, with sid's sparse):
#    sparse must have run on every source and no line may warn;
#  - shellcheck -S warning over every shell script the project tracks.
# Env: ZMC_KERNELS (default the matrix, vm/lib.sh), ZMC_OPTIONAL (absent = skip).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

echo "1..$((3 + 2 * ${#kernels[@]}))"

T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-style.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ---------------------------------------------------------------- checkpatch
cd "$repo" || exit 1
mapfile -t kfiles < <(find module -type f \( -name '*.[ch]' -o -name Kconfig \) ! -name '*.mod.c' | sort)
mapfile -t ufiles < <(ls tools/*.[ch])
for group in kernel user; do
	if [[ $group == kernel ]]; then
		files=("${kfiles[@]}") desc="checkpatch --strict --no-tree: module sources clean (${kfiles[*]})"
	else
		files=("${ufiles[@]}") desc="checkpatch --strict --no-tree: tool sources clean, user-space ignores only (${ufiles[*]})"
	fi
	if "$repo/scripts/checkpatch.sh" "${files[@]}" >"$T/cp-$group" 2>"$T/cp-$group.err"; then
		tap ok "$desc"
	else
		tap not-ok "$desc"
		sed 's/^/# /' "$T/cp-$group" "$T/cp-$group.err"
	fi
	cat "$T/cp-$group.err" >&2
done

# ---------------------------------------------------------------- shellcheck
# Every tracked file whose first line names a shell, and the sourced *.sh.
mapfile -t scripts < <(git ls-files -co --exclude-standard | while read -r f; do
	[[ -f $f ]] || continue
	case $f in *.sh) echo "$f"; continue ;; esac
	head -c 64 "$f" | head -n1 | grep -qE '^#!.*\b(ba|da)?sh\b' && echo "$f"
done)
if ! command -v shellcheck >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >&2 ||
		{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >&2; }
fi
desc="shellcheck -S warning: ${#scripts[@]} shell scripts clean"
if ! command -v shellcheck >/dev/null 2>&1; then
	tap not-ok "$desc: shellcheck is not installed (apt-get install shellcheck)"
elif shellcheck -x -S warning "${scripts[@]}" >"$T/sc" 2>&1; then
	tap ok "$desc"
else
	tap not-ok "$desc"
	sed 's/^/# /' "$T/sc"
fi

# ---------------------------------------------------------------- W=1 C=1
# sparse on the host, for the kernels built here (bookworm's package).
if ! command -v sparse >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sparse >&2 ||
		{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sparse >&2; }
fi

# The test kbuild's scripts/checker-valid.sh runs (7.x), for headers that
# lack it (Debian's linux-headers-*-common do): prints 1 if the checker
# ($@) copes with __typeof_unqual__, as the kernel needs.
cat >"$T/checker-valid.c" <<'EOF'
static inline int u(const int *q)
{
	__typeof_unqual__(q) v = q;
	return *v;
}
EOF

nsrc=$(find "$repo/module" -maxdepth 1 -name '*.c' | wc -l)
for k in "${kernels[@]}"; do
	log "=== W=1 C=1 on kernel $k"
	if ! suite_kernel "$k" sparse; then
		absent "$k" "sparse ran" "$reason"
		absent "$k" "W=1 C=1 warning-free" "$reason"
		continue
	fi
	args="W=1 C=1"
	tolerate='^$'
	if grep -q 'scripts/checker-valid.sh' "$ZMC_KHDR_COMMON/Makefile" &&
		[[ ! -e $ZMC_KHDR_COMMON/scripts/checker-valid.sh ]]; then
		# The headers cannot tell whether sparse is fit: tell it ourselves
		# with the same test, and if so force sparse on; kbuild still says
		# it is "not available" (that one line is expected, nothing else).
		mkdir -p "$T/cv" && cp "$T/checker-valid.c" "$T/cv/"
		cv=$("$repo/scripts/with-kernel.sh" -b "$T/cv" "$k" sparse "$T/cv/checker-valid.c" 2>&1)
		if grep -q error <<<"$cv"; then
			tap not-ok "$k: sparse ran: $ZMC_K_BUILD_ENV's sparse cannot parse __typeof_unqual__ ($cv)"
			tap not-ok "$k: W=1 C=1 warning-free: no fit sparse"
			continue
		fi
		args+=" KBUILD_CHECKSRC=1"
		tolerate='C=1 specified, but sparse is not available or not up to date'
		echo "# $k: headers lack scripts/checker-valid.sh; sparse checked fit by hand, KBUILD_CHECKSRC=1"
	fi
	blog=$T/build-$k.log
	if ! ZMC_BUILD_DIR=$T/build ZMC_KBUILD_ARGS=$args \
		"$ZMC_VM_DIR/build-module.sh" "$k" "$repo" "$T/ko-$k" >"$blog" 2>&1; then
		cat "$blog" >&2
		tap not-ok "$k: sparse ran: build with $args failed"
		tap not-ok "$k: W=1 C=1 warning-free: build failed"
		sed -n '/error/p' "$blog" | head -n 20 | sed 's/^/# /'
		continue
	fi
	cat "$blog" >&2
	checked=$(grep -cE '^ *CHECK +(.*/)?module/[^/]+\.c$' "$blog")
	if ((checked == nsrc)); then
		tap ok "$k ($ZMC_KVER): sparse ran on all $nsrc module sources"
	else
		tap not-ok "$k ($ZMC_KVER): sparse ran on $checked of $nsrc module sources"
	fi
	# Any compiler, sparse, modpost or make warning/error/note line.
	warn=$(grep -vE "$tolerate" "$blog" | grep -iE '(warning|error|note):|^[^ ]*Makefile:[0-9]+: ' || true)
	if [[ -z $warn ]]; then
		tap ok "$k ($ZMC_KVER): make $args: no warning"
	else
		tap not-ok "$k ($ZMC_KVER): make $args: $(wc -l <<<"$warn") warning line(s)"
		head -n 40 <<<"$warn" | sed 's/^/# /'
	fi
done
