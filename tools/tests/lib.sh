# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers shared by the test scripts (sourced).

# install_pkgs PKG... - install Debian packages if we are root and may
# (ZMC_NO_INSTALL unset). Never fails the caller: the caller checks again.
install_pkgs() {
	[ "$(id -u)" = 0 ] || return 1
	[ -z "${ZMC_NO_INSTALL:-}" ] || return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	echo "# installing $* from Debian" >&2
	export DEBIAN_FRONTEND=noninteractive
	timeout 600 apt-get install -y --no-install-recommends "$@" \
		>/dev/null 2>&1 && return 0
	timeout 600 apt-get update >/dev/null 2>&1
	timeout 600 apt-get install -y --no-install-recommends "$@" \
		>/dev/null 2>&1
}

# need CMD PKG... - CMD is there, or gets installed from PKG...
need() {
	local cmd=$1

	shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	install_pkgs "$@"
	command -v "$cmd" >/dev/null 2>&1
}
