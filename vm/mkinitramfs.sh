#!/usr/bin/env bash
# Pack the test VM's initramfs (gzip'ed newc cpio) for one kernel.
#   vm/mkinitramfs.sh KERNEL [OUT]     OUT default: $ZMC_BUILD_DIR/KERNEL/initramfs.cpio.gz
# Contents:
#   /bin/busybox + applet symlinks    (host's busybox-static)
#   /init, /demo.sh, ...              (every file of vm/guest/)
#   /lib/zombiememcg/*.ko             ($ZMC_KO_DIR, default $ZMC_BUILD_DIR/KERNEL/ko)
#   /lib/modules-vm/*.ko              (the kernel's own modules the tests load,
#                                      e.g. brd: vm/kernels.sh's <id>/modules/)
#   /bin/*                            ($ZMC_BUILD_DIR/bin/*: static binaries, e.g. zombiememcgstat)
#   /selftests/...                    ($ZMC_BUILD_DIR/selftests/, with run.sh printing TAP)
# Every ELF file must be statically linked (the guest has no libc).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

(($# >= 1)) || die "usage: $0 KERNEL [OUT]"
kernel=$1
out=${2:-$ZMC_BUILD_DIR/$kernel/initramfs.cpio.gz}
kodir=${ZMC_KO_DIR:-$ZMC_BUILD_DIR/$kernel/ko}
stage=$ZMC_BUILD_DIR/$kernel/initramfs
zmc_host_deps

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/zombiememcg,lib/modules-vm,dev,proc,sys,tmp,run,root,etc,selftests}
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[[ -e $stage/$applet ]] || ln -s /bin/busybox "$stage/$applet"
done
# Users for the tests that need a non-root reader.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
# The selftests run only where this file is (selftests/zmc_util.h).
echo "a zombiememcg test VM: the selftests may load modules and change kernel state here" >"$stage/etc/zombiememcg-test-vm"
if [[ $(id -u) == 0 ]]; then
	mknod -m 600 "$stage/dev/console" c 5 1
	mknod -m 666 "$stage/dev/null" c 1 3
fi

cp -a "$ZMC_VM_DIR"/guest/. "$stage"/
chmod +x "$stage/init"

shopt -s nullglob
kos=("$kodir"/*.ko)
((${#kos[@]})) || log "warning: no .ko in $kodir"
((${#kos[@]})) && cp "${kos[@]}" "$stage/lib/zombiememcg/"
vmkos=("$(zmc_kernel_dir "$kernel")"/modules/*.ko)
((${#vmkos[@]})) && cp "${vmkos[@]}" "$stage/lib/modules-vm/"
bins=("$ZMC_BUILD_DIR"/bin/*)
((${#bins[@]})) && cp -a "${bins[@]}" "$stage/bin/"
[[ -d $ZMC_BUILD_DIR/selftests ]] && cp -a "$ZMC_BUILD_DIR/selftests/." "$stage/selftests/"

# A dynamically linked binary would fail in the guest with a confusing ENOENT.
while IFS= read -r -d '' f; do
	[[ $(head -c4 "$f" | od -An -c | tr -d ' ') == 177ELF ]] || continue
	if LC_ALL=C readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		die "${f#"$stage"} is dynamically linked: link it with -static"
	fi
done < <(find "$stage/bin" "$stage/selftests" -type f -print0)

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
log "initramfs for $kernel: $out ($(du -h "$out" | cut -f1); ${#kos[@]} .ko, ${#vmkos[@]} kernel .ko, $(find "$stage/selftests" -type f | wc -l) selftest files)"
