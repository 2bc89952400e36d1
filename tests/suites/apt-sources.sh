#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host suite: the archive URIs the harness takes from a system's apt sources
# (vm/lib.sh: zmc_system_sources, zmc_pick_mirrors), TAP on stdout. Each
# case is a sample /etc/apt (sources.list and sources.list.d/, one-line and
# deb822), read by the host's own apt through a private APT_CONFIG (no
# lists, no network), and the ZMC_MIRROR, ZMC_SEC_MIRROR it must give for
# a release. Needs apt only; runs as any user.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/zmc-apt-sources.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The cases: NAME, RELEASE, the expected "MIRROR SEC_MIRROR", then the
# files as FILE=CONTENT (FILE under etc/apt/).
cases=()
add() { cases+=("$(printf '%s\037' "$@")"); }

add "Debian 13 minimal: one line, no security line" trixie \
	"http://deb.debian.org/debian http://deb.debian.org/debian-security" \
	"sources.list=deb http://deb.debian.org/debian trixie main"
add "one line on another mirror, no security line: security.debian.org" trixie \
	"http://ftp.fr.debian.org/debian http://security.debian.org/debian-security" \
	"sources.list=deb http://ftp.fr.debian.org/debian/ trixie main contrib"
add "Debian 12 sources.list: comments, deb-src, options, security" bookworm \
	"http://mirror.example.org/debian http://security.debian.org/debian-security" \
	"sources.list=# deb http://old.example.org/debian bookworm main
deb-src http://src.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian bookworm main
deb http://mirror.example.org/debian bookworm-updates main
   # deb http://commented.example.org/debian-security bookworm-security main
deb http://security.debian.org/debian-security bookworm-security main"
add "Debian 13 installer: deb822 debian.sources, several Suites and URIs" trixie \
	"http://ftp.de.debian.org/debian http://deb.debian.org/debian-security" \
	"sources.list.d/debian.sources=Types: deb deb-src
URIs: http://ftp.de.debian.org/debian/ http://deb.debian.org/debian/
Suites: trixie trixie-updates
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# Types: deb
# URIs: http://commented.example.org/debian-security
Types: deb
URIs: http://deb.debian.org/debian-security/
Suites: trixie-security
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
add "deb822: a disabled stanza, deb-src only, no security" trixie \
	"http://mirror.example.org/debian http://security.debian.org/debian-security" \
	"sources.list.d/a.sources=Types: deb
URIs: http://disabled.example.org/debian
Suites: trixie
Components: main
Enabled: no

Types: deb-src
URIs: http://src.example.org/debian
Suites: trixie
Components: main" \
	"sources.list.d/b.sources=Types: deb
URIs: http://mirror.example.org/debian
Suites: trixie
Components: main"
add "Debian 12 debian.sources (this machine's kind) with a third-party .list" bookworm \
	"http://deb.debian.org/debian http://deb.debian.org/debian-security" \
	"sources.list.d/debian.sources=Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main" \
	"sources.list.d/vendor.list=deb https://packages.example.com/apt stable main"
add "the suite alias 'stable' and stable-security" trixie \
	"http://mirror.example.org/debian http://mirror.example.org/debian-security" \
	"sources.list=deb http://mirror.example.org/debian stable main
deb http://mirror.example.org/debian-security stable-security main"
add "another release's line only: not the release's archive, deb.debian.org" trixie \
	"http://deb.debian.org/debian http://deb.debian.org/debian-security" \
	"sources.list=deb http://old.example.org/debian bookworm main"
add "no source at all (apt without sources, or not Debian): deb.debian.org" "" \
	"http://deb.debian.org/debian http://deb.debian.org/debian-security"

echo "1..${#cases[@]}"
i=0
for c in "${cases[@]}"; do
	i=$((i + 1))
	IFS=$'\037' read -r -d '' -a f <<<"$c"
	name=${f[0]} rel=${f[1]} want=${f[2]}
	d=$T/$i
	mkdir -p "$d/etc/sources.list.d" "$d/etc/apt.conf.d" "$d/lists/partial"
	: >"$d/etc/sources.list"
	for file in "${f[@]:3}"; do
		[[ $file == *=* ]] || continue
		printf '%s\n' "${file#*=}" >"$d/etc/${file%%=*}"
	done
	cat >"$d/apt.conf" <<-EOF
		Dir::State::Lists "$d/lists";
		Dir::Etc::SourceList "$d/etc/sources.list";
		Dir::Etc::SourceParts "$d/etc/sources.list.d";
		Dir::Etc::Parts "$d/etc/apt.conf.d";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; };
	EOF
	got=$(APT_CONFIG=$d/apt.conf zmc_system_sources | zmc_pick_mirrors "$rel")
	if [[ $(head -n1 <<<"$got") == "$want" ]]; then
		tap ok "$name: ${rel:-no release}: $(sed -n 2p <<<"$got")"
	else
		tap not-ok "$name: ${rel:-no release}: want '$want', got '$(head -n1 <<<"$got")'"
		echo "# sources apt read: $(APT_CONFIG=$d/apt.conf zmc_system_sources | paste -sd, -)"
	fi
done
