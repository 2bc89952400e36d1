#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the README's `make demo` on a Debian 13 (trixie) host, as a
# newcomer runs it there (issue 18), TAP on stdout, details on stderr.
# vm/trixie-host.sh makes a minimal trixie tree (mmdebstrap minbase + make,
# cached by content) whose apt has the one source line such systems have,
# "deb ZMC_MIRROR trixie main": no security line, no lists downloaded. The
# tree under test is cloned into its /root (tests/suites/lib.sh:
# clone_tree, as demo.sh does), and `make demo` runs there as root, entered
# with a mount and PID namespace of its own, / a mount point as on a real
# host, with a fresh HOME: nothing is shared with this host's cache, so the
# trixie side does all its own work (the system's apt sources read for
# the archive URIs, the host packages installed from trixie, the project's
# lists and kernel 6.12 downloaded, the build env decided: trixie's gcc-14
# is not the gcc-12 bookworm's 6.12 names, trixie's gcc-12 is installed).
# The mirror is fast enough that this costs about as much as sharing.
# Checks:
#  - the trixie tree;
#  - make demo exits 0;
#  - its log line on the archive URIs: the trixie source, and the standard
#    security URI as there is no security line;
#  - its log line on kernel 6.12's build env: the host, with trixie's gcc-12;
#  - the demo's end marker and the tool's table (as demo.sh checks them);
#  - the same tree entered as a plain chroot (/ not a mount point) refuses
#    a private mount namespace with the reason (zmc_need_private_mounts);
#  - nothing left: no process in the tree, no mount of it, the tree removed.
# Without root, disk space or the mirror (and no cached tree) every test is
# a skip with the reason; ZMC_TRIXIE_HOST=0 skips them too. Logs:
# $ZMC_BUILD_DIR/trixie-host/make-demo.log.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

checks=("Debian 13 tree (mmdebstrap minbase, one source line, no security line)"
	"make demo exited 0 on trixie"
	"archive URIs from the trixie source line, the standard security URI"
	"kernel 6.12's build env on trixie: the host, with trixie's gcc-12"
	"$demo_check_marker" "$demo_check_table"
	"a plain chroot of the tree refuses private mount namespaces, saying why"
	"nothing left: no process in the tree, no mount of it, the tree removed")
echo "1..${#checks[@]}"
skip_all() { # skip_all REASON
	local c
	for c in "${checks[@]}"; do skip "$c" "$1"; done
	exit 0
}
# about 3 min cold, 2 warm (apt in the tree, the builds, the demo's boot)
[[ ${ZMC_TRIXIE_HOST:-1} == 1 ]] || skip_all "ZMC_TRIXIE_HOST=0"
[[ $(id -u) == 0 ]] || skip_all "needs root (mmdebstrap --mode=root, chroot, mount namespaces)"
command -v git >/dev/null 2>&1 || skip_all "no git (apt-get install git)"
top=$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null) || top=
[[ -n $top && $(cd "$top" && pwd -P) == $(cd "$repo" && pwd -P) ]] ||
	skip_all "$repo is not a git clone: nothing to clone a newcomer's tree from"
tmp=${TMPDIR:-/tmp}
avail=$(df -Pk "$tmp" | awk 'NR == 2 { print int($4 / 1048576) }')
((avail >= 4)) || skip_all "only ${avail} GiB free in $tmp, 4 needed"

zmc_mirrors 2>/dev/null # the tree's source line has ZMC_MIRROR
logs=$ZMC_BUILD_DIR/trixie-host
mkdir -p "$logs"
T=$(mktemp -d "$tmp/zmc-trixie-host.XXXXXX")
trap 'rm -rf "$T"' EXIT
root=$T/root

# ---------------------------------------------------------------- the tree
t0=$(date +%s)
if ! "$repo/vm/trixie-host.sh" tree "$root" 2>"$T/tree.log"; then
	cat "$T/tree.log" >&2
	host=$(sed -E 's|^[a-z]+://([^/:]+).*|\1|' <<<"$ZMC_MIRROR")
	timeout 20 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null ||
		skip_all "the mirror $ZMC_MIRROR cannot be reached"
	tap not-ok "${checks[0]}: vm/trixie-host.sh tree failed: $(grep -m1 'error:' "$T/tree.log" | sed 's/^\[zmc\] error: //')"
	for c in "${checks[@]:1}"; do tap not-ok "$c: no trixie tree"; done
	exit 0
fi
cat "$T/tree.log" >&2
tap ok "${checks[0]}: $(. "$root/etc/os-release" && echo "$PRETTY_NAME"), sources.list '$(cat "$root/etc/apt/sources.list")' ($(zmc_since "$t0") s)"

# ---------------------------------------------------------------- make demo
clone_tree "$root/root/zombiememcg" "$T"
out=$logs/make-demo.log
if [[ -z $setup_err ]]; then
	log "make demo in a fresh clone inside the trixie tree $root"
	t0=$(date +%s)
	rc=0
	timeout -k 30 $((${ZMC_TIMEOUT:-600} + 1500)) "$repo/vm/trixie-host.sh" enter "$root" \
		bash -c 'cd /root/zombiememcg && make demo' >"$out.raw" 2>&1 </dev/null || rc=$?
	secs=$(zmc_since "$t0")
	tr -d '\r' <"$out.raw" >"$out" && rm -f "$out.raw"
	cat "$out" >&2
	if ((rc == 0)); then
		tap ok "${checks[1]}: in a fresh clone, fresh HOME (${secs}s)"
	else
		tap not-ok "${checks[1]}: exit $rc after ${secs}s$( ((rc == 124)) && echo " (killed by the suite's timeout)")"
		tail -n 25 "$out" | sed 's/^/# /'
	fi
	line=$(grep -m1 'Debian archive URIs for ' "$out" | sed 's/^\[zmc [0-9:]*\] //')
	if [[ $line == *"archive $ZMC_MIRROR (the system's trixie source), security archive "*" (the standard URI: no trixie-security source in the system's apt)"* ]]; then
		tap ok "${checks[2]}: $line"
	else
		tap not-ok "${checks[2]}: ${line:-no such log line}"
	fi
	line=$(grep -m1 'kernel 6\.12: build env ' "$out" | sed 's/^\[zmc [0-9:]*\] //')
	if [[ $line == "kernel 6.12: build env host: needs gcc-12, the host had gcc-14 only: installed trixie's gcc-12" ]]; then
		tap ok "${checks[3]}: $line"
	else
		tap not-ok "${checks[3]}: ${line:-no such log line}"
	fi
	demo_output_checks "$out" "$T"
else
	tap not-ok "${checks[1]}: $setup_err"
	for c in "${checks[@]:2:4}"; do tap not-ok "$c: make demo did not run"; done
fi

# ---------------------------------------------------------------- plain chroot
# The reporter's set-up: chroot alone, / not a mount point (a private mount
# namespace of this suite around it, for /proc).
msg=$(unshare --mount --propagation private -- bash -c '
	mount -t proc proc "$1/proc"
	exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		bash -c "source /root/zombiememcg/vm/lib.sh && zmc_need_private_mounts \"the sid chroot\""
' zmc-plain-chroot "$root" 2>&1)
rc=$?
if ((rc != 0)) && [[ $msg == *"not a mount point"* ]]; then
	tap ok "${checks[6]}: $(sed 's/^\[zmc\] error: //' <<<"$msg" | head -n1 | cut -c1-160)..."
else
	tap not-ok "${checks[6]}: exit $rc: ${msg:-no message}"
fi

# ---------------------------------------------------------------- clean up
left=()
for p in /proc/[0-9]*; do
	[[ $(readlink "$p/root" 2>/dev/null) == "$root"* ]] && left+=("process ${p#/proc/} ($(cat "$p/comm" 2>/dev/null))")
done
grep -qF " $T" /proc/self/mountinfo && left+=("mounts: $(grep -cF " $T" /proc/self/mountinfo)")
rm -rf "$T"
[[ -e $T ]] && left+=("$T is still there")
if ((${#left[@]} == 0)); then
	tap ok "${checks[7]} ($T)"
else
	tap not-ok "${checks[7]}: ${left[*]}"
fi
