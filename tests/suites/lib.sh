# SPDX-License-Identifier: GPL-2.0
# What the host suites share; sourced, never run (vm/check.sh runs every
# executable file in this folder, so this one must stay non-executable).
# Sets: repo, kernels (ZMC_KERNELS, default the matrix), optional (the
# kernels whose absence is a skip, ZMC_OPTIONAL), n (TAP counter).
# shellcheck shell=bash disable=SC2034 # the variables are for the suites

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../vm/lib.sh
source "$repo/vm/lib.sh"

read -ra kernels <<<"${ZMC_KERNELS:-$ZMC_DEFAULT_KERNELS}"
optional=" ${ZMC_OPTIONAL:-canary} "
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")

n=0
tap() { # tap ok|not-ok DESC
	n=$((n + 1))
	if [[ $1 == ok ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
skip() { # skip DESC REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
# absent K DESC REASON: a check that could not run on kernel K; a skip if K
# is optional, a failure otherwise.
absent() {
	if [[ $optional == *" $1 "* ]]; then skip "$1: $2" "$3"; else tap not-ok "$1: $2: $3"; fi
}

# suite_kernel K [PKG]: fetch kernel K if it is not cached and load its
# environment (vm/lib.sh's ZMC_K*); with PKG, make sure the Debian package
# PKG's command is where K's modules build (the sid chroot for 7.x, added
# there by scripts/sid-chroot-pkgs.sh; the host otherwise, where it must be
# installed already). Returns 1 with the variable reason set when K cannot
# be used.
suite_kernel() {
	reason=
	if ! [[ -r $(zmc_kernel_dir "$1")/env ]] && ! "$ZMC_VM_DIR/kernels.sh" "$1" >&2; then
		reason="kernel $1 could not be fetched (vm/kernels.sh $1)"
		return 1
	fi
	zmc_load_kernel "$1"
	[[ -n ${2:-} ]] || return 0
	if [[ $ZMC_K_BUILD_ENV == chroot ]]; then
		"$repo/scripts/sid-chroot-pkgs.sh" "$2" >&2 ||
			reason="cannot add $2 to the sid chroot (scripts/sid-chroot-pkgs.sh $2)"
	elif ! command -v "$2" >/dev/null 2>&1; then
		reason="the host's $2 is not installed (apt-get install --no-install-recommends $2)"
	fi
	[[ -z $reason ]]
}

# relay K WHAT COUNT [LINE...]: pass on the "ok - ..." / "not ok - ..." lines
# that a check inside scripts/with-kernel.sh printed for kernel K, numbered
# in this suite's plan, and the other lines as they are; then account for the
# COUNT checks planned for K that did not report (skipped if K is optional
# and reason says why, failed otherwise).
relay() {
	local k=$1 what=$2 count=$3 got=0 line
	shift 3
	for line; do
		case $line in
		"ok - "*) n=$((n + 1)); echo "ok $n - ${line#ok - }"; got=$((got + 1)) ;;
		"not ok - "*) tap not-ok "${line#not ok - }"; got=$((got + 1)) ;;
		*) echo "$line" ;;
		esac
	done
	while ((got < count)); do
		got=$((got + 1))
		if [[ -n $reason && $optional == *" $k "* ]]; then
			skip "$k: $what check $got" "$reason"
		else
			tap not-ok "$k: $what check $got did not run${reason:+: $reason}"
		fi
	done
}
