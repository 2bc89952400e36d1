#!/usr/bin/env bash
# Build (once, cached) the BPF peer's user space for the bench VM: bpftrace
# and the shared libraries it loads, from Debian's archive, packed as a cpio
# that is appended to the bench initramfs (the kernel unpacks concatenated
# archives in order, so this one only adds files).
#   bench/bpftrace-root.sh SUITE OUT.cpio.gz      SUITE: bookworm (default) | sid
# How: the project's apt configuration (vm/lib.sh, empty dpkg status) resolves
# bpftrace's Depends closure for SUITE ("apt-get install -s"), downloads those
# .debs ("apt-get download"), unpacks them ("dpkg-deb -x") into
# $ZMC_CACHE/bench/bpftrace-SUITE/root; nothing is installed on the host.
# Only bpftrace, the dynamic loader and the ELF libraries that bpftrace needs
# (ld.so --list, run on the unpacked tree) go into the cpio.
set -euo pipefail
source "$(dirname "$0")/../vm/lib.sh"

(($# == 2)) || die "usage: $0 bookworm|sid OUT.cpio.gz"
suite=$1 out=$2
case $suite in bookworm | sid) ;; *) die "suite must be bookworm or sid, not '$suite'" ;; esac
dir=$ZMC_CACHE/bench/bpftrace-$suite
root=$dir/root

zmc_host_deps
zmc_lock
zmc_apt_update
# The closure, at the suite's versions (the project's sources also list sid
# and experimental: pin the suite wanted).
mapfile -t pkgs < <(zmc_apt apt-get -o APT::Default-Release="$suite" install -s \
	--no-install-recommends bpftrace 2>/dev/null |
	sed -nE 's/^Inst ([^ ]+) \(([^ ]+) .*/\1=\2/p' | sort)
((${#pkgs[@]})) || die "cannot resolve bpftrace's dependencies in $suite with the project's apt lists"
stamp="${pkgs[*]}"
if [[ ! -f $dir/stamp || $(cat "$dir/stamp") != "$stamp" ]]; then
	log "bpftrace ($suite): fetching ${#pkgs[@]} packages"
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$root"
	(cd "$dir/debs" && zmc_apt apt-get download -q "${pkgs[@]}" >/dev/null) ||
		die "apt-get download of bpftrace's closure failed"
	for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
	rm -rf "$dir/debs"
	echo "$stamp" >"$dir/stamp"
fi
flock -u 9
if [[ -s $out && $out -nt $dir/stamp && $out -nt $0 ]]; then
	log "bpftrace overlay ($suite): $out cached"
	exit 0
fi

bin=$root/usr/bin/bpftrace
[[ -x $bin ]] || die "no usr/bin/bpftrace in $root"
ldso=$(find "$root" -name 'ld-linux-x86-64.so.2' \( -type f -o -type l \) | head -n1)
[[ -n $ldso ]] || die "no dynamic loader in $root"
libpath=$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu
# Libraries bpftrace needs, as paths inside $root (resolving symlinks).
mapfile -t libs < <("$ldso" --library-path "$libpath" --list "$bin" |
	sed -nE 's/.*=> ([^ ]+) \(0x.*/\1/p')
((${#libs[@]})) || die "ld.so --list $bin found no libraries"
stage=$dir/stage
rm -rf "$stage"
mkdir -p "$stage/usr/bin" "$stage/lib64" "$stage/usr/lib/x86_64-linux-gnu"
cp "$bin" "$stage/usr/bin/bpftrace"
for l in "${libs[@]}"; do
	case $l in "$root"/*) ;; *) die "bpftrace resolved $l outside $root" ;; esac
	cp -L "$l" "$stage/usr/lib/x86_64-linux-gnu/$(basename "$l")"
done
cp -L "$ldso" "$stage/lib64/ld-linux-x86-64.so.2"
ver=$(LD_LIBRARY_PATH=$libpath "$ldso" "$bin" --version 2>/dev/null || echo "bpftrace ?")
echo "$ver ($suite)" >"$stage/usr/bin/bpftrace.version"
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
log "bpftrace overlay: $out ($ver, ${#libs[@]} libraries, $(du -sh "$stage" | cut -f1) unpacked, $(du -h "$out" | cut -f1) packed)"
