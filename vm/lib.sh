# shellcheck shell=bash
# Shared helpers of the VM harness. Sourced, never run.
#
# Environment (all optional):
#   ZMC_CACHE        cache folder (apt lists, .debs, unpacked kernels, sid chroot)
#                    default ${XDG_CACHE_HOME:-$HOME/.cache}/zombiememcg
#   ZMC_BUILD_DIR    build outputs, default <repo>/build
#   ZMC_MIRROR       Debian archive URI, default: the one the system's apt
#                    uses for its own release (bookworm, trixie), see zmc_mirrors
#   ZMC_SEC_MIRROR   security archive URI, default: the system's for
#                    <release>-security, else the standard one

ZMC_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ZMC_REPO=$(cd "$ZMC_VM_DIR/.." && pwd)
ZMC_CACHE=${ZMC_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/zombiememcg}
ZMC_BUILD_DIR=${ZMC_BUILD_DIR:-$ZMC_REPO/build}
ZMC_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# shellcheck disable=SC2034 # used by the scripts that source this file
ZMC_DEFAULT_KERNELS="6.1 6.12 6.12-deb13 7.2 canary"
export ZMC_CACHE ZMC_BUILD_DIR

# Kernel lines that fail a run, wherever they appear (console or dmesg dump).
# A caller may set its own (the debug tier: its kmemleak prints a banner).
# shellcheck disable=SC2034
ZMC_KERNEL_BAD_RE=${ZMC_KERNEL_BAD_RE:-'WARNING:|BUG:|Oops|Kernel panic|general protection|UBSAN|kmemleak'}

log() { printf '[zmc %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[zmc] error: %s\n' "$*" >&2; exit 1; }

# Serialise cache-mutating steps between concurrent runs (fd 9 is ours).
zmc_lock() {
	mkdir -p "$ZMC_CACHE"
	exec 9>"$ZMC_CACHE/.lock"
	flock 9
}

# ---------------------------------------------------------------- host tools
# Packages the harness needs on the host (bookworm's or trixie's: the same
# names), as "command:package".
ZMC_HOST_DEPS=(
	qemu-system-x86_64:qemu-system-x86
	/bin/busybox:busybox-static
	debootstrap:debootstrap
	pahole:dwarves
	cpio:cpio
	xz:xz-utils
	zstd:zstd
	modinfo:kmod
	gcc:gcc
	make:make
	bc:bc
	flex:flex
	bison:bison
	/usr/include/libelf.h:libelf-dev
	/usr/include/openssl/ssl.h:libssl-dev
	/usr/lib/x86_64-linux-gnu/libc.a:libc6-dev
	unshare:util-linux
	flock:util-linux
	timeout:coreutils
	dpkg-deb:dpkg
	apt-get:apt
	"$ZMC_KEYRING":debian-archive-keyring
)

# Install whatever is missing (the system's own release's packages only,
# from its own apt sources). Not root and something missing: say what, fail.
zmc_host_deps() {
	local dep cmd pkg missing=()
	for dep in "${ZMC_HOST_DEPS[@]}"; do
		cmd=${dep%%:*} pkg=${dep#*:}
		if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue
		else command -v "$cmd" >/dev/null 2>&1 && continue; fi
		[[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	if [[ $(id -u) != 0 ]]; then
		die "missing host packages: ${missing[*]} (run as root, or: apt-get install --no-install-recommends ${missing[*]})"
	fi
	log "installing host packages: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- apt
# The project's own apt configuration: private sources, lists, cache and an
# empty dpkg status, so the system's /etc/apt and dpkg database are never used.
ZMC_APT_DIR=$ZMC_CACHE/apt
export APT_CONFIG_ZMC=$ZMC_APT_DIR/apt.conf

# "URI SUITE" of each binary (deb) source of the system's apt, in apt's
# order, one-line (sources.list, *.list) and deb822 (*.sources) alike, as apt
# itself reads them: no comment, disabled stanza or deb-src line; --no-release-info
# so that lists never downloaded (debootstrap, images) still count.
zmc_system_sources() {
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	apt-get indextargets --no-release-info --format '$(SITE) $(RELEASE) $(CREATED_BY)' 2>/dev/null |
		awk '$3 == "Packages" && $1 ~ /^https?:\/\// && !seen[$1 " " $2]++ { print $1, $2 }'
}

# zmc_pick_mirrors CODENAME [MIRROR [SEC_MIRROR]] < "URI SUITE" lines:
# prints "MIRROR SEC_MIRROR", then a line saying how each was chosen (those
# given, non-empty, are kept). The archive: the source of the release
# (CODENAME), else of an alias (stable, testing, unstable, sid), else
# http://deb.debian.org/debian, Debian's redirector (no Debian source: a
# system that is not Debian, whose archive is not Debian's, or apt without
# sources; deb.debian.org answers from anywhere, and a wrong guess fails at
# the first apt-get update with its error). The security archive: the
# source of CODENAME-security, else of any *-security suite, else the
# standard URI, deb.debian.org/debian-security beside a deb.debian.org
# archive, security.debian.org/debian-security otherwise (minimal systems
# and containers often have no security line, and the project's lists need
# one whatever the release: 6.12.X+deb12 is in bookworm-security only).
zmc_pick_mirrors() {
	awk -v r="$1" -v m="${2:-}" -v s="${3:-}" '
		BEGIN { if (m != "") mwhy = "ZMC_MIRROR"; if (s != "") swhy = "ZMC_SEC_MIRROR" }
		$2 == r && mr == "" { mr = $1 }
		$2 ~ /^(stable|testing|unstable|sid)$/ && ma == "" { ma = $1; mas = $2 }
		$2 == r "-security" && sr == "" { sr = $1 }
		$2 ~ /-security$/ && sa == "" { sa = $1; sas = $2 }
		END {
			sys = "the system" sprintf("%c", 39) "s "
			if (m != "") ;
			else if (r != "" && mr != "") { m = mr; mwhy = sys r " source" }
			else if (ma != "") { m = ma; mwhy = sys mas " source" }
			else { m = "http://deb.debian.org/debian"; mwhy = "Debian" sprintf("%c", 39) "s redirector: no " (r == "" ? "Debian release" : r) " source in " sys "apt" }
			if (s != "") ;
			else if (r != "" && sr != "") { s = sr; swhy = sys r "-security source" }
			else if (sa != "") { s = sa; swhy = sys sas " source" }
			else {
				s = m ~ /^https?:\/\/deb\.debian\.org\// ? "http://deb.debian.org/debian-security" : "http://security.debian.org/debian-security"
				swhy = "the standard URI: no " (r == "" ? "" : r "-") "security source in " sys "apt"
			}
			print m, s
			print "archive " m " (" mwhy "), security archive " s " (" swhy ")"
		}'
}

# The archive URIs (ZMC_MIRROR, ZMC_SEC_MIRROR) unless both are set, from
# the system's apt sources for its release (no network), in one log line;
# exported, so the scripts this one runs take them as they are.
zmc_mirrors() {
	local codename='' picked
	[[ -n ${ZMC_MIRROR:-} && -n ${ZMC_SEC_MIRROR:-} ]] && return 0
	# shellcheck disable=SC1091
	[[ $(. /etc/os-release 2>/dev/null && echo "${ID:-}") == debian ]] &&
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	picked=$(zmc_system_sources | zmc_pick_mirrors "$codename" "${ZMC_MIRROR:-}" "${ZMC_SEC_MIRROR:-}")
	read -r ZMC_MIRROR ZMC_SEC_MIRROR <<<"$picked"
	export ZMC_MIRROR ZMC_SEC_MIRROR
	log "Debian archive URIs for ${codename:-a system that is not Debian}: $(sed -n 2p <<<"$picked")"
}

zmc_apt_setup() {
	local d=$ZMC_APT_DIR
	zmc_mirrors
	mkdir -p "$d"/lists/partial "$d"/cache/archives/partial "$d"/etc/sources.list.d \
		"$d"/etc/preferences.d "$d"/etc/apt.conf.d
	: >"$d/status.tmp" && mv "$d/status.tmp" "$d/status"
	local sb="[signed-by=$ZMC_KEYRING]"
	cat >"$d/etc/sources.list.new" <<-EOF
		deb $sb $ZMC_MIRROR bookworm main
		deb $sb $ZMC_SEC_MIRROR bookworm-security main
		deb $sb $ZMC_MIRROR bookworm-backports main
		deb $sb $ZMC_MIRROR trixie main
		deb $sb $ZMC_SEC_MIRROR trixie-security main
		deb $sb $ZMC_MIRROR sid main
		deb $sb $ZMC_MIRROR experimental main
	EOF
	if ! cmp -s "$d/etc/sources.list.new" "$d/etc/sources.list"; then
		mv "$d/etc/sources.list.new" "$d/etc/sources.list"
		rm -f "$d/updated"
	fi
	rm -f "$d/etc/sources.list.new"
	cat >"$APT_CONFIG_ZMC" <<-EOF
		Dir::State "$d";
		Dir::State::Lists "$d/lists";
		Dir::State::status "$d/status";
		Dir::Cache "$d/cache";
		Dir::Etc::SourceList "$d/etc/sources.list";
		Dir::Etc::SourceParts "$d/etc/sources.list.d";
		Dir::Etc::Preferences "$d/etc/preferences";
		Dir::Etc::PreferencesParts "$d/etc/preferences.d";
		Dir::Etc::Parts "$d/etc/apt.conf.d";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; };
		APT::Sandbox::User "root";
		Acquire::Check-Valid-Until "false";
		Acquire::Languages "none";
	EOF
}

zmc_apt() { APT_CONFIG=$APT_CONFIG_ZMC "$@"; }

# Refresh the project's package lists unless refreshed in the last
# ZMC_APT_MAX_AGE minutes (default 60); with old lists present a failed
# refresh only warns (a warm cache keeps working offline).
zmc_apt_update() {
	zmc_apt_setup
	local stamp=$ZMC_APT_DIR/updated
	if [[ -n $(find "$stamp" -mmin -"${ZMC_APT_MAX_AGE:-60}" 2>/dev/null) ]]; then
		return 0
	fi
	if zmc_apt apt-get update -qq >"$ZMC_APT_DIR/update.log" 2>&1; then
		touch "$stamp"
	else
		if compgen -G "$ZMC_APT_DIR/lists/*_Packages*" >/dev/null; then
			log "warning: apt-get update failed, using the package lists already cached"
		else
			cat "$ZMC_APT_DIR/update.log" >&2
			die "apt-get update with the project's apt configuration failed"
		fi
	fi
}

# ---------------------------------------------------------------- kernels
zmc_kernel_dir() { echo "$ZMC_CACHE/kernels/$1"; }

# Load the env file written by kernels.sh for kernel id $1.
zmc_load_kernel() {
	local env
	env="$(zmc_kernel_dir "$1")/env"
	[[ -r $env ]] || die "kernel $1 is not fetched (run vm/kernels.sh $1)"
	# shellcheck disable=SC1090
	source "$env"
}

# ---------------------------------------------------------------- debug tier
# Whether the debug tier of series $1 has the builtin boot (ZMC_DEBUG_BUILTIN,
# default 6.12): vm/debug/check.sh plans it, and vm/debug/build-kernel.sh
# keeps the trees that vm/debug/build-builtin.sh builds the module into.
zmc_debug_builtin() { [[ " ${ZMC_DEBUG_BUILTIN-6.12} " == *" $1 "* ]]; }

# Room in $1 for a debug kernel's unpacked source (~1.7 GB), objects and
# .deb (ZMC_DEBUG_MIN_FREE_MB, 6000), or exit 3 saying so: building $2.
zmc_debug_room() {
	local need=${ZMC_DEBUG_MIN_FREE_MB:-6000} free
	free=$(df -Pm "$1" | awk 'NR == 2 { print $4 }')
	if ((free < need)); then
		echo "not enough disk space to build $2: ${free} MB free in $1, ${need} MB needed" >&2
		exit 3
	fi
}

# Unpack Debian's linux-source .deb $1 (package $2) into the directory $3.
zmc_unpack_linux_source() {
	dpkg-deb --fsys-tarfile "$1" | tar -xO "./usr/src/$2.tar.xz" | xz -dc -T0 |
		tar -x -C "$3" --strip-components=1
	[[ -f $3/Makefile ]] || die "$2: no kernel tree in $1"
}

# The directory of the kernel's kselftest.h and kselftest_harness.h, which
# scripts/ksrc.sh takes from linux-source-6.12 (fetching it if need be).
zmc_ksft_dir() {
	local d
	d=$("$ZMC_REPO/scripts/ksrc.sh") || return 1
	echo "$d/tools/testing/selftests"
}

# ---------------------------------------------------------------- sid chroot
ZMC_CHROOT=$ZMC_CACHE/sid-chroot

# Die unless this system can make private mount namespaces (what
# zmc_in_chroot and scripts/with-kernel.sh run in), saying what needs one
# ($1). unshare --propagation private makes / private, which fails
# ("cannot change root filesystem propagation: Invalid argument") when / is
# not a mount point: a plain chroot. There the namespace's bind mounts
# could not be kept from the parent's, so nothing is tried.
zmc_need_private_mounts() {
	unshare --mount --propagation private true 2>/dev/null && return 0
	die "$1 needs a private mount namespace, and unshare --mount --propagation private fails here: is / not a mount point (a plain chroot)? Enter the system with / a mount point (mount --bind DIR DIR before chroot DIR, or systemd-nspawn, a container, a VM)"
}

# Run a command in the sid chroot, in a private mount namespace: the bind
# mounts disappear with the namespace however the command ends. Each
# directory in ZMC_CHROOT_BINDS (space separated) is bound at the same path
# inside, so absolute paths stay valid on both sides.
zmc_in_chroot() {
	[[ -x $ZMC_CHROOT/usr/bin/make ]] || die "sid chroot missing (vm/sid-chroot.sh)"
	zmc_need_private_mounts "the sid chroot"
	# shellcheck disable=SC2016 # expanded by the inner bash
	ZMC_CHROOT_BINDS=${ZMC_CHROOT_BINDS:-} \
	unshare --mount --propagation private -- bash -euo pipefail -c '
		root=$1; shift
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		for d in $ZMC_CHROOT_BINDS; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"
	' zmc-chroot "$ZMC_CHROOT" "$@"
}

# ---------------------------------------------------------------- misc
# Seconds since $1 (an epoch taken with `date +%s`).
zmc_since() { echo $(($(date +%s) - $1)); }
