#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the Debian packages (TAP on stdout, details on stderr).
# scripts/deb.sh (`make deb`) builds zombiememcg-dkms and zombiememcgstat
# from a copy of the tree into a temporary folder; then:
#   - lintian --pedantic on the .changes (source and binaries): no error,
#     no warning;
#   - zombiememcg-dkms: Architecture all, depends on dkms, holds in
#     /usr/src/zombiememcg-VERSION exactly what `make dkms-install` stages,
#     the top-level dkms.conf unchanged, and maintainer scripts that run
#     DKMS's common.postinst and `dkms remove`;
#   - zombiememcgstat: the binary (runs), the man page, the textfile
#     service and timer (the timer enabled and started by postinst, the
#     service not), the textfile writer, the modules-load.d snippet outside
#     /etc (the administrator links it), and the postrm that drops that link
#     on purge;
#   - the packaged textfile writer, on a fixture: writes the metrics
#     atomically (0644, no temporary file left), keeps the old file when the
#     tool fails, removes it when the module is not loaded;
#   - the source tree: no build output left in it.
# The build tools (dpkg-dev, debhelper, dh-dkms, lintian) are installed with
# apt-get if missing (as root); otherwise every test is skipped, saying so.
# Installing, upgrading and purging the packages needs a system whose kernel
# headers DKMS can build for: the Debian 13 VM image of issue 15, not here.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

tests=(
	"make deb builds zombiememcg-dkms and zombiememcgstat"
	"lintian --pedantic: no error, no warning"
	"zombiememcg-dkms: Architecture all, Depends dkms, version $version"
	"zombiememcg-dkms: /usr/src/zombiememcg-$version holds exactly make dkms-install's files, dkms.conf unchanged"
	"zombiememcg-dkms: postinst runs DKMS's common.postinst, prerm dkms remove"
	"zombiememcgstat: binary, man page, units, textfile writer, modules-load.d snippet"
	"zombiememcgstat: postinst enables and starts the timer only; postrm purges it, the snippet's link and the metrics file"
	"textfile writer: atomic write, old file kept on failure, removed without the module"
	"source tree: no build output left in it"
)
echo "1..${#tests[@]}"

T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-deb.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$repo" || exit 1
# Not counting the files other people edit meanwhile: only what a package
# build could leave (debian/ and tools/, the ignored files included).
tree_state() { git status --porcelain --ignored -- debian tools; ls -a "$repo"; }
tree_state >"$T/tree-before"

check() { # check I CONDITION...: test I (from 0) passes if the command does
	local i=$1
	shift
	if "$@"; then tap ok "${tests[$i]}"; else tap not-ok "${tests[$i]}"; fi
}

# The tools, as scripts/deb.sh installs them (root) or says what is missing.
out=$T/out
if ! "$repo/scripts/deb.sh" "$out" >"$T/lintian" 2>"$T/build.log"; then
	rc=$?
	cat "$T/build.log" >&2
	if grep -q '^deb.sh: missing' "$T/build.log"; then
		reason=$(grep -m1 '^deb.sh: missing' "$T/build.log" | sed 's/^deb.sh: //')
		for d in "${tests[@]}"; do skip "$d" "$reason, and not root"; done
		exit 0
	fi
	# Built, but lintian failed (its exit status): go on with the checks.
	ls "$out"/*.changes >/dev/null 2>&1 || {
		tap not-ok "${tests[0]}: scripts/deb.sh exited $rc"
		tail -n 20 "$T/build.log" | sed 's/^/# /'
		for d in "${tests[@]:1}"; do tap not-ok "$d: no packages"; done
		exit 0
	}
fi
cat "$T/build.log" >&2
arch=$(dpkg --print-architecture)
dkms_deb=$out/zombiememcg-dkms_${version}_all.deb
stat_deb=$out/zombiememcgstat_${version}_$arch.deb
check 0 test -s "$dkms_deb" -a -s "$stat_deb" -a -s "$out/zombiememcg_${version}_$arch.changes"

# 2: lintian (scripts/deb.sh ran it: --pedantic --info, fail on error or
# warning); its tags as diagnostics.
sed 's/^/# lintian: /' "$T/lintian"
if [[ -s $T/lintian ]]; then
	echo "# (lintian $(lintian --version 2>/dev/null | awk '{print $2}'), tags above)"
fi
! grep -qE '^[EW]: ' "$T/lintian" && [[ -s $dkms_deb ]] &&
	lintian --pedantic --fail-on error,warning "$out/zombiememcg_${version}_$arch.changes" >/dev/null 2>&1
r=$?
check 1 test $r = 0

# 3-5: zombiememcg-dkms.
f() { dpkg-deb -f "$1" "$2" 2>/dev/null; }
[[ $(f "$dkms_deb" Architecture) == all && $(f "$dkms_deb" Depends) == *dkms* &&
	$(f "$dkms_deb" Version) == "$version" ]] && rt=0 || rt=1
check 2 test $rt = 0
mkdir -p "$T/dkms" "$T/stage"
dpkg-deb -x "$dkms_deb" "$T/dkms" && dpkg-deb -e "$dkms_deb" "$T/dkms/DEBIAN" 2>/dev/null
make -s -C "$repo" dkms-install DESTDIR="$T/stage" >&2
want=$(cd "$T/stage/usr/src/zombiememcg-$version" 2>/dev/null && find . -type f | sort)
got=$(cd "$T/dkms/usr/src/zombiememcg-$version" 2>/dev/null && find . -type f | sort)
others=$(cd "$T/dkms" && find . ! -type d ! -path './usr/src/*' ! -path './DEBIAN/*' | sort | tr '\n' ' ')
[[ -n $want && $got == "$want" ]] && cmp -s "$repo/dkms.conf" "$T/dkms/usr/src/zombiememcg-$version/dkms.conf" &&
	[[ $others == "./usr/share/doc/zombiememcg-dkms/changelog.gz ./usr/share/doc/zombiememcg-dkms/copyright " ]]
if ! check 3 test $? = 0; then :; fi
[[ $got == "$want" ]] || diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
echo "# zombiememcg-dkms: $(wc -l <<<"$got") files in /usr/src/zombiememcg-$version; elsewhere: $others"
grep -q "common.postinst" "$T/dkms/DEBIAN/postinst" 2>/dev/null &&
	grep -q "^DKMS_NAME=zombiememcg$" "$T/dkms/DEBIAN/postinst" &&
	grep -q "^DKMS_VERSION=$version$" "$T/dkms/DEBIAN/postinst" &&
	grep -q 'dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all' "$T/dkms/DEBIAN/prerm" 2>/dev/null
check 4 test $? = 0

# 6-7: zombiememcgstat.
s=$T/stat
mkdir -p "$s"
dpkg-deb -x "$stat_deb" "$s" && dpkg-deb -e "$stat_deb" "$s/DEBIAN" 2>/dev/null
units=
for d in lib/systemd/system usr/lib/systemd/system; do
	[[ -f $s/$d/zombiememcgstat-textfile.timer ]] && units=$s/$d
done
bad=()
[[ -x $s/usr/sbin/zombiememcgstat ]] && "$s/usr/sbin/zombiememcgstat" --help >/dev/null 2>&1 || bad+=("usr/sbin/zombiememcgstat does not run")
zcat "$s/usr/share/man/man8/zombiememcgstat.8.gz" 2>/dev/null | grep -q '^\.TH' || bad+=("no man page")
if [[ -z $units ]]; then
	bad+=("no timer unit")
else
	grep -qx 'OnCalendar=minutely' "$units/zombiememcgstat-textfile.timer" &&
		grep -qx 'WantedBy=timers.target' "$units/zombiememcgstat-textfile.timer" || bad+=("timer: not minutely, or not WantedBy=timers.target")
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$units/zombiememcgstat-textfile.service" 2>/dev/null)
	[[ -n $exe && -x $s$exe ]] || bad+=("service: ExecStart '$exe' not in the package")
	grep -q '^\[Install\]' "$units/zombiememcgstat-textfile.service" && bad+=("service has an [Install] section")
	if command -v systemd-analyze >/dev/null 2>&1; then
		# ExecStart's program must exist for verify: the packaged tree as root.
		v=$(systemd-analyze verify --man=no --root="$s" "$units/zombiememcgstat-textfile.timer" "$units/zombiememcgstat-textfile.service" 2>&1 |
			grep -vE 'Unit [^ ]+\.target not found' || true)
		[[ -z $v ]] || { bad+=("systemd-analyze verify complains"); sed 's/^/#   /' <<<"$v"; }
	fi
fi
[[ $(sed -n '/^[^#]/p' "$s/usr/share/zombiememcgstat/modules-load.conf" 2>/dev/null) == zombiememcg ]] || bad+=("no modules-load.conf snippet")
[[ -e $s/etc/modules-load.d ]] && bad+=("ships /etc/modules-load.d: loads the module without the admin")
[[ $(f "$stat_deb" Architecture) == "$arch" ]] || bad+=("Architecture is not $arch")
((${#bad[@]})) && printf '#   %s\n' "${bad[@]}"
echo "# zombiememcgstat: $(cd "$s" && find . ! -type d ! -path './DEBIAN/*' | sort | tr '\n' ' ')"
check 5 test ${#bad[@]} = 0
pi=$s/DEBIAN/postinst pr=$s/DEBIAN/postrm
grep -q "deb-systemd-helper enable 'zombiememcgstat-textfile.timer'" "$pi" 2>/dev/null &&
	grep -q "deb-systemd-invoke \$_dh_action 'zombiememcgstat-textfile.timer'" "$pi" &&
	! grep -q "zombiememcgstat-textfile.service" "$pi" &&
	grep -q "deb-systemd-helper purge 'zombiememcgstat-textfile.timer'" "$pr" 2>/dev/null &&
	grep -q '/etc/modules-load.d/zombiememcg.conf' "$pr" &&
	grep -q 'rm -f /var/lib/prometheus/node-exporter/zombiememcg.prom' "$pr"
check 6 test $? = 0

# 8: the packaged writer on a fixture, with the packaged tool.
w=$s/usr/libexec/zombiememcgstat/zombiememcgstat-textfile
fx=$repo/tools/tests/fixtures/basic.txt
d=$T/textfile
mkdir -p "$d"
bad=()
if [[ -x $w ]]; then
	export ZOMBIEMEMCGSTAT=$s/usr/sbin/zombiememcgstat
	ZOMBIEMEMCG_PROC=$fx ZOMBIEMEMCGSTAT_OPTS="-f $fx" "$w" "$d" 2>>"$T/w.log" || bad+=("write failed")
	"$ZOMBIEMEMCGSTAT" -f "$fx" --prometheus 1 1 >"$T/want.prom" 2>/dev/null
	cmp -s "$T/want.prom" "$d/zombiememcg.prom" || bad+=("zombiememcg.prom differs from --prometheus")
	[[ $(stat -c %a "$d/zombiememcg.prom" 2>/dev/null) == 644 ]] || bad+=("zombiememcg.prom not 0644")
	echo old >"$d/zombiememcg.prom"
	ZOMBIEMEMCGSTAT=false ZOMBIEMEMCG_PROC=$fx "$w" "$d" 2>>"$T/w.log" && bad+=("a failing tool is not a failure")
	[[ $(cat "$d/zombiememcg.prom") == old ]] || bad+=("a failing tool replaced the old file")
	ZOMBIEMEMCG_PROC=$T/none "$w" "$d" 2>>"$T/w.log" || bad+=("no module: exit status not 0")
	[[ -e $d/zombiememcg.prom ]] && bad+=("no module: stale zombiememcg.prom kept")
	[[ -z $(ls -A "$d") ]] || bad+=("left in the directory: $(ls -A "$d" | tr '\n' ' ')")
	cat "$T/w.log" >&2
else
	bad+=("no $w")
fi
((${#bad[@]})) && printf '#   %s\n' "${bad[@]}"
check 7 test ${#bad[@]} = 0

# 9: nothing left in the source tree.
tree_state >"$T/tree-after"
cmp -s "$T/tree-before" "$T/tree-after"
if ! check 8 test $? = 0; then diff "$T/tree-before" "$T/tree-after" | sed 's/^/# /'; fi
exit 0
