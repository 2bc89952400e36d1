#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the project on a real Debian 13 system (issue 15), TAP on
# stdout, details on stderr. vm/realhost/:
#   - `make deb`'s two packages (scripts/deb.sh, without lintian: deb.sh
#     runs it);
#   - a trixie system image from Debian packages (image.sh: mmdebstrap
#     minbase, systemd-sysv, trixie's 6.12 kernel and headers, dkms,
#     build-essential, prometheus-node-exporter), cached by content;
#   - booted in QEMU with systemd as PID 1 (boot.sh, a fresh overlay), where
#     guest/run.sh installs the .debs with apt (DKMS builds the module in
#     the VM), checks dkms status, modprobe, zombies of real systemd units
#     (creator systemd, PID 1), the tool in every mode, the textfile timer
#     and node_exporter's scrape, the modules-load.d snippet at the next
#     boot, and that apt purge leaves nothing.
# Without root, disk space or the mirror (and no cached image), every test
# is skipped with the reason. Logs: $ZMC_BUILD_DIR/realhost/.
# Env: those of vm/realhost/image.sh and boot.sh.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

rh=$repo/vm/realhost
plan=$(sed -n 's/^ZMC_PLAN=\([0-9]*\)$/\1/p' "$rh/guest/run.sh")
echo "1..$((plan + 3))"
skip_all() { # skip_all REASON: the tests not run yet are skipped
	local i
	skip "make deb: zombiememcg-dkms and zombiememcgstat" "$1"
	skip "Debian 13 system image (mmdebstrap)" "$1"
	for ((i = 1; i <= plan; i++)); do skip "real-host check $i" "$1"; done
	skip "real-host VM: sentinel, no kernel WARNING/BUG/Oops" "$1"
	exit 0
}
# about 10 min, image cold or warm (DKMS compiles under TCG); ZMC_REALHOST=0 skips it.
[[ ${ZMC_REALHOST:-1} == 1 ]] || skip_all "ZMC_REALHOST=0"
[[ $(id -u) == 0 ]] || skip_all "needs root (mmdebstrap --mode=root, mke2fs -d)"
need_gb() { # need_gb DIR GB: free space
	local dir=$1 avail
	mkdir -p "$dir"
	avail=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
	((avail >= $2)) || skip_all "only ${avail} GiB free in $dir, $2 needed"
}
[[ -d $ZMC_CACHE/realhost ]] && [[ -n $(ls "$ZMC_CACHE"/realhost/*/env 2>/dev/null) ]] || need_gb "$ZMC_CACHE" 4
need_gb "$ZMC_BUILD_DIR" 3

T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-realhost.XXXXXX")
trap 'rm -rf "$T"' EXIT

# 1: the packages.
t0=$(date +%s)
if ZMC_LINTIAN=0 "$repo/scripts/deb.sh" "$T/deb" >&2 2>"$T/deb.log" &&
	[[ -s $T/deb/zombiememcg-dkms_${version}_all.deb && -s $T/deb/zombiememcgstat_${version}_amd64.deb ]]; then
	tap ok "make deb: zombiememcg-dkms_${version}_all.deb, zombiememcgstat_${version}_amd64.deb ($(zmc_since "$t0") s)"
else
	cat "$T/deb.log" >&2
	if grep -q '^deb.sh: missing' "$T/deb.log"; then skip_all "$(grep -m1 '^deb.sh: missing' "$T/deb.log" | sed 's/^deb.sh: //')"; fi
	tap not-ok "make deb (scripts/deb.sh) failed"
	for ((i = 0; i <= plan + 1; i++)); do tap not-ok "real-host check $i: no packages"; done
	exit 0
fi

# 2: the image, built or cached.
t0=$(date +%s)
img=$("$rh/image.sh" 2>"$T/image.log")
rc=$?
cat "$T/image.log" >&2
if ((rc != 0)); then
	# Cannot reach the mirror (and nothing cached): a skip, not a failure.
	zmc_mirrors
	host=$(sed -E 's|^[a-z]+://([^/:]+).*|\1|' <<<"$ZMC_MIRROR")
	if ! timeout 20 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null; then
		skip "Debian 13 system image (mmdebstrap)" "the mirror $ZMC_MIRROR cannot be reached"
		for ((i = 1; i <= plan + 1; i++)); do skip "real-host check $i" "no image: the mirror $ZMC_MIRROR cannot be reached"; done
		exit 0
	fi
	tap not-ok "Debian 13 system image: vm/realhost/image.sh failed: $(grep -m1 'error:' "$T/image.log" | sed 's/^\[zmc\] error: //')"
	for ((i = 1; i <= plan + 1; i++)); do tap not-ok "real-host check $i: no image"; done
	exit 0
fi
# shellcheck source=/dev/null
source "$img/env"
built=$(grep -q 'is cached' "$T/image.log" && echo "cached" || echo "built in $(zmc_since "$t0") s")
tap ok "Debian 13 system image $ZMC_RH_KEY: trixie, kernel $ZMC_RH_KVER, $built"
for p in systemd linux-image-amd64 linux-headers-amd64 dkms gcc-14 prometheus-node-exporter; do
	grep "^$p " "$img/manifest" | sed 's/^/# image: /'
done

# 3..: the VM.
t0=$(date +%s)
"$rh/boot.sh" "$img" "$T/deb" >&2
reason=$(sed -n 's/^fail: //p' "$ZMC_BUILD_DIR/realhost/status" 2>/dev/null)
mapfile -t out <"$ZMC_BUILD_DIR/realhost/output.log"
# Every "ok - "/"not ok - " line numbered here; planned ones that did not
# run are failures (k is not optional: relay never skips them).
relay realhost "in-guest" "$plan" "${out[@]}"
if [[ -z $reason && -n $(ls "$ZMC_BUILD_DIR/realhost/status" 2>/dev/null) ]]; then
	tap ok "real-host VM: sentinel seen after the reboot, no kernel WARNING/BUG/Oops in $(ls "$ZMC_BUILD_DIR"/realhost/console-*.log | wc -l) boots"
else
	tap not-ok "real-host VM: ${reason:-vm/realhost/boot.sh wrote no status}"
fi
dk=$(sed -n 's/.*DKMS build included, in \([0-9]*\)s$/\1/p' "$ZMC_BUILD_DIR/realhost/output.log")
echo "# times: image $built; boots $(tr '\n' ' ' <"$ZMC_BUILD_DIR/realhost/times")(s); apt install + DKMS build ${dk:-?} s; VM total $(zmc_since "$t0") s"
exit 0
