#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the DKMS round trip with Debian's real dkms, per kernel of the
# matrix (TAP on stdout, details on stderr).
#
# `make dkms-install DESTDIR=<tmp>` stages the sources; then, per kernel,
# in scripts/with-kernel.sh's private mount namespace (the cached headers at
# /usr/src/linux-headers-KVER and /lib/modules/KVER/build, copy-on-write
# /usr/lib, /var, /etc: nothing lands on the host, nothing is loaded):
#   dkms add / build -k KVER / install -k KVER / status / remove --all
# with --sourcetree and --dkmstree in the temporary folder; the module file
# must be where DKMS puts it (/lib/modules/KVER/updates/dkms/), with KVER's
# vermagic, in modules.dep, and gone after remove. Then the refusals: a
# kernel without CONFIG_KPROBES and one older than 6.1 must be refused
# (dkms exit 77) with dkms.conf's message.
# Kernels 6.1 and 6.12 use bookworm's dkms on the host (installed if
# missing); 6.12-deb13 (gcc-14, glibc >= 2.38) and 7.x (gcc-16) build in
# the sid chroot with sid's dkms, which
# scripts/sid-chroot-pkgs.sh adds to the chroot.
# Env: ZMC_KERNELS (default the matrix, vm/lib.sh), ZMC_OPTIONAL (absent = skip).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

per_kernel=9
echo "1..$((3 + per_kernel * ${#kernels[@]}))"

T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-dkms.XXXXXX")
trap 'rm -rf "$T"' EXIT
snapshot() {
	{
		ls -la /var/lib/dkms /usr/src 2>&1
		find /lib/modules -maxdepth 3 2>&1 | sort | head -n 200
		ls -la /etc/dkms 2>&1
	} | sed '/^total /d'
}
# Bookworm's dkms on the host, for the kernels that build here.
if ! command -v dkms >/dev/null 2>&1; then
	if [[ $(id -u) == 0 ]]; then
		log "installing bookworm's dkms"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dkms >&2 ||
			{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dkms >&2; }
	fi
fi

snapshot >"$T/host-before"

# 1: dkms-install stages exactly the files DKMS builds from.
stage=$T/stage
make -s -C "$repo" dkms-install DESTDIR="$stage" >&2
src=$stage/usr/src/zombiememcg-$version
want=$(cd "$repo" && { printf '%s\n' dkms.conf Kbuild; find module -type f \( -name Kbuild -o -name '*.mk' -o -name '*.[ch]' \) ! -name '*.mod.c'; } | sort)
got=$( (cd "$src" 2>/dev/null && find . -type f | sed 's|^\./||' | sort))
if [[ -n $version && $got == "$want" ]]; then
	tap ok "make dkms-install stages exactly dkms.conf, Kbuild and module/**/{Kbuild,*.mk,*.c,*.h} in /usr/src/zombiememcg-$version"
else
	tap not-ok "make dkms-install stages exactly the DKMS sources (version '$version')"
	diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
fi

# 2: dkms.conf's own keys.
if grep -qE '^BUILD_EXCLUSIVE_CONFIG=".*CONFIG_MEMCG' "$repo/dkms.conf" &&
	grep -qE '^BUILD_EXCLUSIVE_CONFIG=".*CONFIG_KPROBES' "$repo/dkms.conf" &&
	grep -qE '^AUTOINSTALL="yes"' "$repo/dkms.conf"; then
	tap ok "dkms.conf: AUTOINSTALL, BUILD_EXCLUSIVE_CONFIG on CONFIG_MEMCG and CONFIG_KPROBES"
else
	tap not-ok "dkms.conf: AUTOINSTALL, BUILD_EXCLUSIVE_CONFIG on CONFIG_MEMCG and CONFIG_KPROBES"
fi

# What runs inside the namespace, per kernel: one "ok|not ok - DESC" line
# per check ($per_kernel of them), details in $T/log-KVER.
cat >"$T/inner.sh" <<'EOF'
set -u
T=$1 V=$2 KVER=$ZMC_KVER
log=$T/log-$KVER
o=(--sourcetree "$T/stage/usr/src" --dkmstree "$T/dkms")
mkdir -p "$T/dkms"
res() { if [[ $1 == 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
run() { echo "+ $*" >>"$log"; "$@" >>"$log" 2>&1; }
dkms_v=$(dkms --version 2>/dev/null | head -n1)
echo "# $KVER: $dkms_v ($(. /etc/os-release; echo "$PRETTY_NAME"))"
# As if linux-image-KVER were installed: its modules.dep exists (dkms >= 3.1
# runs depmod only then).
[[ -e /lib/modules/$KVER/modules.dep ]] || run depmod -a "$KVER"

run dkms add "${o[@]}" "zombiememcg/$V"; res $? "$KVER: dkms add zombiememcg/$V ($dkms_v)"
run dkms build "${o[@]}" "zombiememcg/$V" -k "$KVER"; rc=$?
res $rc "$KVER: dkms build -k $KVER"
[[ $rc == 0 ]] || { find "$T/dkms" -name make.log -exec tail -n 30 {} \; | sed 's/^/#   /'; }
run dkms install "${o[@]}" "zombiememcg/$V" -k "$KVER"; res $? "$KVER: dkms install -k $KVER"
ko=$(ls /lib/modules/"$KVER"/updates/dkms/zombiememcg.ko* 2>/dev/null | head -n1)
vm=$( [[ -n $ko ]] && modinfo -F vermagic "$ko" 2>/dev/null)
[[ -n $ko && $vm == "$KVER "* ]]
res $? "$KVER: installed ${ko:-(no /lib/modules/$KVER/updates/dkms/zombiememcg.ko*)}, vermagic '${vm%% *}'"
grep -q 'updates/dkms/zombiememcg\.ko' "/lib/modules/$KVER/modules.dep" 2>/dev/null
res $? "$KVER: depmod ran: modules.dep lists updates/dkms/zombiememcg.ko"
st=$(dkms status "${o[@]}" "zombiememcg/$V" -k "$KVER" 2>>"$log")
echo "status: $st" >>"$log"
[[ $st == *"$KVER"*installed* ]]; res $? "$KVER: dkms status: ${st:-(empty)}"
run dkms remove "${o[@]}" "zombiememcg/$V" --all; rc=$?
left=$(ls /lib/modules/"$KVER"/updates/dkms/zombiememcg.ko* 2>/dev/null)
[[ $rc == 0 && -z $left && ! -e $T/dkms/zombiememcg ]] &&
	! grep -q zombiememcg "/lib/modules/$KVER/modules.dep" 2>/dev/null
res $? "$KVER: dkms remove --all: module file, modules.dep entry and DKMS tree entry gone"

# Refusals, on fake kernels next to the real one: no kprobes; too old.
real=/lib/modules/$KVER/build
fake() { # fake NAME [CONFIG_TO_DROP]: a headers dir that dkms accepts
	local d=/lib/modules/$1/build
	mkdir -p "$d/include/config"
	ln -sfn "$(readlink -f "$real")/Makefile" "$d/Makefile"
	# dkms 3.0 reads .config, 3.1+ include/config/auto.conf
	grep -v "^${2:-NONE}=" "$real/.config" >"$d/.config"
	grep -v "^${2:-NONE}=" "$real/include/config/auto.conf" >"$d/include/config/auto.conf"
}
run dkms add "${o[@]}" "zombiememcg/$V"
fake 6.12.0-zmc-nokprobes CONFIG_KPROBES
run dkms build "${o[@]}" "zombiememcg/$V" -k 6.12.0-zmc-nokprobes; rc=$?
[[ $rc == 77 ]] && grep -q 'kernel 6.12.0-zmc-nokprobes has no CONFIG_KPROBES=y' "$log" &&
	grep -q BUILD_EXCLUSIVE "$log" && [[ ! -e $T/dkms/zombiememcg/$V/6.12.0-zmc-nokprobes ]]
res $? "$KVER's dkms refuses a kernel without CONFIG_KPROBES (exit $rc, 'has no CONFIG_KPROBES=y')"
fake 5.10.0-zmc-old
run dkms build "${o[@]}" "zombiememcg/$V" -k 5.10.0-zmc-old; rc=$?
[[ $rc == 77 && ! -e $T/dkms/zombiememcg/$V/5.10.0-zmc-old ]]
res $? "$KVER's dkms refuses a kernel older than 6.1 (exit $rc)"
run dkms remove "${o[@]}" "zombiememcg/$V" --all
exit 0
EOF

for k in "${kernels[@]}"; do
	log "=== dkms on kernel $k"
	out=()
	if suite_kernel "$k" dkms; then
		mapfile -t out < <("$repo/scripts/with-kernel.sh" -b "$T" "$k" bash "$T/inner.sh" "$T" "$version" 2>>"$T/ns-$k.err")
		cat "$T/log-$ZMC_KVER" >&2 2>/dev/null
		cat "$T/ns-$k.err" >&2
	fi
	relay "$k" dkms "$per_kernel" "${out[@]}"
done

# Last: the host is as it was (no dkms tree, /lib/modules, /usr/src entry).
snapshot >"$T/host-after"
if cmp -s "$T/host-before" "$T/host-after"; then
	tap ok "host untouched: /var/lib/dkms, /usr/src, /lib/modules, /etc/dkms as before"
else
	tap not-ok "host untouched: /var/lib/dkms, /usr/src, /lib/modules, /etc/dkms as before"
	diff "$T/host-before" "$T/host-after" | sed 's/^/# /'
fi
