#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: `make demo` as a newcomer runs it (TAP on stdout, details on
# stderr). The tree under test is cloned (git clone) into a temporary folder,
# its uncommitted changes to tracked files applied on top (git diff HEAD) and
# its new files (untracked, not ignored) copied in, so that what runs is what
# is in the tree. `make demo` runs in that clone with the clone's own build/
# (ZMC_BUILD_DIR and the other ZMC_* knobs unset, so the default kernel 6.12)
# but the shared kernel cache (ZMC_CACHE), so nothing is downloaded twice.
# The tree the other suites build in is never written to. Checks:
#  - make demo exits 0;
#  - its output ends the demo: the guest's "demo done" line;
#  - zombiememcgstat's table (`zombiememcgstat -o 5 --path 1 1` in
#    vm/guest/demo.sh) has one row per zombie the demo makes, with its
#    creator's COMM (logrotate's predates the module: COMM "-"), and no other;
#  - the temporary clone is removed afterwards.
# When the demo cannot run here (no git, not a git clone, host packages
# missing and not root, kernel 6.12 not fetchable) every check is a skip with
# the reason. Passed on to make demo: ZMC_CACHE, ZMC_JOBS, ZMC_MIRROR,
# ZMC_SEC_MIRROR, ZMC_APT_MAX_AGE, ZMC_TIMEOUT, ZMC_GUEST_TIMEOUT.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

kernel=6.12 # make demo's default
checks=("make demo exited 0" "$demo_check_marker" "$demo_check_table" "temporary clone removed")
echo "1..${#checks[@]}"

skip_all() { # skip_all REASON
	local c
	for c in "${checks[@]}"; do skip "$c" "$1"; done
	exit 0
}

# ---------------------------------------------------------------- can it run?
command -v git >/dev/null 2>&1 || skip_all "no git (apt-get install git)"
top=$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null) || top=
[[ -n $top && $(cd "$top" && pwd -P) == $(cd "$repo" && pwd -P) ]] ||
	skip_all "$repo is not a git clone: nothing to clone a newcomer's tree from"
if ! deps=$( (zmc_host_deps) 2>&1); then
	skip_all "host packages: $(grep -m1 'error:' <<<"$deps" | sed 's/^\[zmc\] error: //')"
fi
suite_kernel "$kernel" || skip_all "$reason"

# ---------------------------------------------------------------- the clone
T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-demo.XXXXXX")
trap 'rm -rf "$T"' EXIT
clone=$T/zombiememcg
out=$T/make-demo.out
clone_tree "$clone" "$T"

# ---------------------------------------------------------------- make demo
if [[ -z $setup_err ]]; then
	# A newcomer's environment: none of the harness's knobs but the shared
	# cache and the machine's own settings; no make of ours around it.
	env_args=(-u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u MAKEOVERRIDES)
	keep=" ZMC_CACHE ZMC_JOBS ZMC_MIRROR ZMC_SEC_MIRROR ZMC_APT_MAX_AGE ZMC_TIMEOUT ZMC_GUEST_TIMEOUT "
	while IFS= read -r v; do
		[[ $v == ZMC_* && $keep != *" $v "* ]] && env_args+=(-u "$v")
	done < <(compgen -e)
	log "make demo in a fresh clone of the tree: $clone"
	t0=$(date +%s)
	rc=0
	(cd "$clone" && timeout -k 30 $((${ZMC_TIMEOUT:-600} + 900)) env "${env_args[@]}" make demo) \
		>"$out" 2>&1 </dev/null || rc=$?
	secs=$(zmc_since "$t0")
	tr -d '\r' <"$out" >"$out.clean"
	cat "$out.clean" >&2
	echo "# make demo: exit $rc after ${secs}s"
	if ((rc == 0)); then
		tap ok "${checks[0]} in a fresh clone (${secs}s)"
	else
		tap not-ok "${checks[0]}: exit $rc after ${secs}s$( ((rc == 124)) && echo " (killed by the suite's timeout)")"
		tail -n 25 "$out.clean" | sed 's/^/# /'
		vmdir=$clone/build/$kernel/vm-demo
		[[ -f $vmdir/console.log ]] && { echo "--- $vmdir/console.log (tail)"; tail -n 40 "$vmdir/console.log"; } >&2
	fi

	demo_output_checks "$out.clean" "$T"
else
	tap not-ok "${checks[0]}: $setup_err"
	tap not-ok "${checks[1]}: make demo did not run"
	tap not-ok "${checks[2]}: make demo did not run"
fi

# ---------------------------------------------------------------- clean up
rm -rf "$T"
if [[ ! -e $T ]]; then
	tap ok "${checks[3]} ($T)"
else
	tap not-ok "${checks[3]}: $T is still there ($(find "$T" | head -n 3 | paste -sd' ' -))"
fi
