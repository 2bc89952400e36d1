#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: `make install`, `make dkms-install`, `make uninstall` staged with
# DESTDIR against each cached kernel's headers (TAP on stdout, details on
# stderr). Nothing is installed for real: a copy of the sources is built in
# a temporary folder, inside scripts/with-kernel.sh's private namespace
# (headers at /lib/modules/KVER/build; /usr/lib, /usr/sbin, /etc, /var
# copy-on-write), and the test checks that nothing was written outside
# DESTDIR. Kernels that build in the sid chroot (6.12-deb13, 7.x) install
# the module only: the tool is the same on every kernel and is built on the
# host.
# Env: ZMC_KERNELS (default the matrix, vm/lib.sh), ZMC_OPTIONAL (absent = skip).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

per_kernel=6
echo "1..$((per_kernel * ${#kernels[@]}))"

T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-install.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The project's sources (tracked and new, not ignored), without build outputs.
# shellcheck disable=SC2016 # expanded by the inner sh
(cd "$repo" && git ls-files -co --exclude-standard -z 2>/dev/null |
	xargs -0 -r sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -C "$T" --one-top-level=src -xf - ||
	{ echo "Bail out! cannot copy the sources to $T/src"; exit 1; }

cat >"$T/inner.sh" <<'EOF'
set -u
T=$1 V=$2 what=$3 KVER=$ZMC_KVER
src=$T/src-$KVER stage=$T/stage-$KVER log=$T/log-$KVER
kdir=/lib/modules/$KVER/build
res() { if [[ $1 == 0 ]]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
run() { echo "+ $*" >>"$log"; "$@" >>"$log" 2>&1; }
outside() { # what a stray install would have touched
	ls -la /usr/local/sbin /usr/local/share/man/man8 /usr/src 2>&1
	find "/lib/modules/$KVER" -mindepth 1 -maxdepth 1 ! -name build 2>&1
}
rm -rf "$src" && cp -a "$T/src" "$src"
outside >"$T/outside-before-$KVER"
common=(-C "$src" KDIR="$kdir" DESTDIR="$stage" PREFIX=/usr)

if [[ $what == all ]]; then
	run make "${common[@]}" install; rc=$?
	res $rc "$KVER: make install DESTDIR=... PREFIX=/usr KDIR=$kdir"
else
	run make "${common[@]}" install-module; rc=$?
	res $rc "$KVER: make install-module DESTDIR=... KDIR=$kdir (the tool: on the host kernels)"
fi
[[ $rc == 0 ]] || tail -n 20 "$log" | sed 's/^/#   /'

ko=$(cd "$stage" 2>/dev/null && ls lib/modules/"$KVER"/*/module/zombiememcg.ko* 2>/dev/null | head -n1)
vm=$( [[ -n $ko ]] && modinfo -F vermagic "$stage/$ko" 2>/dev/null)
[[ -n $ko && $vm == "$KVER "* ]] && grep -q "${ko#lib/modules/$KVER/}" "$stage/lib/modules/$KVER/modules.dep" 2>/dev/null
res $? "$KVER: staged ${ko:-(no lib/modules/$KVER/*/module/zombiememcg.ko*)}, vermagic '${vm%% *}', in the staged modules.dep"

if [[ $what == all ]]; then
	[[ -x $stage/usr/sbin/zombiememcgstat ]] && "$stage/usr/sbin/zombiememcgstat" --help >/dev/null 2>&1 &&
		grep -q '^\.TH' "$stage/usr/share/man/man8/zombiememcgstat.8" 2>/dev/null
	res $? "$KVER: staged usr/sbin/zombiememcgstat (runs) and usr/share/man/man8/zombiememcgstat.8"
else
	echo "ok - $KVER: tool and man page # SKIP built and staged on the host kernels (kernel-independent)"
fi

run make -C "$src" DESTDIR="$stage" dkms-install
[[ -f $stage/usr/src/zombiememcg-$V/dkms.conf && -f $stage/usr/src/zombiememcg-$V/module/Kbuild ]]
res $? "$KVER: make dkms-install DESTDIR=... stages usr/src/zombiememcg-$V"

run make "${common[@]}" uninstall; rc=$?
left=$(cd "$stage" && find . \( -type f -o -type l \) ! -path "./lib/modules/$KVER/modules.*" | sort)
[[ $rc == 0 && -z $left ]]
res $? "$KVER: make uninstall leaves only depmod's index files in DESTDIR${left:+ (left: $(echo $left))}"

outside >"$T/outside-after-$KVER"
cmp -s "$T/outside-before-$KVER" "$T/outside-after-$KVER"
res $? "$KVER: nothing written outside DESTDIR (/usr/local, /usr/src, /lib/modules/$KVER)"
diff "$T/outside-before-$KVER" "$T/outside-after-$KVER" | sed 's/^/#   /'
exit 0
EOF

for k in "${kernels[@]}"; do
	log "=== install on kernel $k"
	out=()
	if suite_kernel "$k"; then
		what=all
		[[ $ZMC_K_BUILD_ENV == chroot ]] && what=module
		mapfile -t out < <("$repo/scripts/with-kernel.sh" -b "$T" "$k" bash "$T/inner.sh" "$T" "$version" "$what" 2>>"$T/ns-$k.err")
		cat "$T/log-$ZMC_KVER" >&2 2>/dev/null
		cat "$T/ns-$k.err" >&2
		(cd "$T/stage-$ZMC_KVER" 2>/dev/null && find . | sort) | sed "s|^|staged after uninstall ($k): |" >&2
	fi
	relay "$k" install "$per_kernel" "${out[@]}"
done
