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

# ---------------------------------------------------------------- make demo
# What the suites that run `make demo` share (demo.sh, trixie-host.sh).
# The zombies of vm/guest/demo.sh, as "COMM PATH" rows of the tool's table.
demo_zombies=(
	"containerd-shim /system.slice/docker-4f1c2a.scope"
	"containerd-shim /system.slice/docker-9b7e3d.scope"
	"cron /system.slice/cron-job-backup.scope"
	"sshd /user.slice/user-1000.slice/session-3.scope"
	"- /system.slice/logrotate.service"
)
demo_check_marker="make demo's output has the demo's end marker 'demo done'"
demo_check_table="zombiememcgstat's table lists the demo's zombies"

# clone_tree CLONE WORK: the tree under test as a newcomer gets it, in
# CLONE: git clone, its uncommitted changes to tracked files applied on top
# (git diff HEAD) and its new files (untracked, not ignored) copied in, so
# that what runs is what is in the tree; WORK holds the logs. Prints a
# "# tree under test" line; on failure sets setup_err to why, returns 1.
clone_tree() {
	local clone=$1 w=$2
	setup_err=
	if ! git clone -q "$repo" "$clone" >"$w/clone.log" 2>&1 ||
		! git -C "$clone" checkout -q --detach "$(git -C "$repo" rev-parse HEAD)" >>"$w/clone.log" 2>&1; then
		setup_err="git clone $repo failed: $(tail -n1 "$w/clone.log")"
	elif ! git -C "$repo" diff --no-color --no-ext-diff --binary HEAD >"$w/tree.diff" 2>"$w/diff.err"; then
		setup_err="git diff HEAD in $repo failed: $(tail -n1 "$w/diff.err")"
	elif [[ -s $w/tree.diff ]] && ! git -C "$clone" apply --whitespace=nowarn "$w/tree.diff" 2>"$w/apply.err"; then
		setup_err="the tree's uncommitted changes do not apply to a clone of HEAD: $(tail -n1 "$w/apply.err")"
	elif ! (cd "$repo" && git ls-files -z -o --exclude-standard >"$w/untracked" &&
		tar --null -T "$w/untracked" --ignore-failed-read -cf - 2>"$w/tar.err") | tar -C "$clone" -xf - 2>>"$w/tar.err"; then
		setup_err="cannot copy the tree's new (untracked) files to the clone: $(tail -n1 "$w/tar.err")"
	fi
	echo "# tree under test: $(git -C "$repo" rev-parse --short HEAD)$([[ -s $w/tree.diff ]] &&
		echo " + uncommitted changes to $(grep -c '^diff --git ' "$w/tree.diff") tracked file(s)")$([[ -s $w/untracked ]] &&
		echo " + $(tr -cd '\0' <"$w/untracked" | wc -c) new file(s): $(tr '\0' ' ' <"$w/untracked" | sed 's/ $//')")"
	[[ -z $setup_err ]]
}

# demo_output_checks OUT WORK: the checks of make demo's output OUT (its
# CRs removed): the guest's "demo done" line; zombiememcgstat's table
# (`zombiememcgstat -o 5 --path 1 1` in vm/guest/demo.sh) has one row per
# zombie the demo makes, with its creator's COMM (logrotate's predates the
# module: COMM "-"), and no other. WORK holds the scratch files.
demo_output_checks() {
	local out=$1 w=$2 bad=() norow stray
	if grep -qx 'demo done' "$out"; then
		tap ok "$demo_check_marker"
	else
		tap not-ok "$demo_check_marker"
	fi
	# The table the tool printed: from its command line to the next command
	# or section of the demo.
	awk '/^\$ zombiememcgstat -o [0-9]+ --path 1 1$/ { on = 1; next }
		on && (/^\$ / || /^### /) { exit }
		on' "$out" >"$w/table"
	if [[ ! -s $w/table ]]; then
		bad+=("the output has no 'zombiememcgstat -o N --path 1 1' table")
	elif ! grep -qE '^MEMCG +COMM +PID +AGE\(secs\) +PATH$' "$w/table"; then
		bad+=("no 'MEMCG COMM PID AGE(secs) PATH' header")
	fi
	# Rows: MEMCG (0x...), COMM, PID, AGE, PATH.
	awk '$1 ~ /^0x[0-9a-f]+$/ && NF == 5 { print $2, $5 }' "$w/table" | LC_ALL=C sort >"$w/rows"
	printf '%s\n' "${demo_zombies[@]}" | LC_ALL=C sort >"$w/want"
	norow=$(LC_ALL=C comm -23 "$w/want" "$w/rows" | paste -sd, -)
	stray=$(LC_ALL=C comm -13 "$w/want" "$w/rows" | paste -sd, -)
	[[ -z $norow ]] || bad+=("no row for: $norow")
	[[ -z $stray ]] || bad+=("rows that are not the demo's zombies (or twice): $stray")
	if ((${#bad[@]} == 0)); then
		tap ok "$demo_check_table: $(wc -l <"$w/rows") rows, COMM and PATH of each ($(paste -sd, "$w/want"))"
	else
		tap not-ok "$demo_check_table: $(IFS=';'; echo "${bad[*]}" | sed 's/;/; /g')"
		sed 's/^/#   table: /' "$w/table"
	fi
}
