#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmdebstrap customize hook of vm/realhost/image.sh: run on the host with
# the image's root as $1 and image/ as $2.
#   customize.sh ROOT IMAGEDIR
set -eu
root=$1 dir=$2

echo zmc-trixie >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tzmc-trixie\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# No partition table: the whole disk is the root file system.
printf '/dev/vda\t/\text4\terrors=remount-ro\t0\t1\n' >"$root/etc/fstab"
# A root login without password on the console (vm/realhost/boot.sh shell).
chroot "$root" passwd -qd root
# No network in the VM: what would wait for it or fetch from it is off.
ln -sf /dev/null "$root/etc/systemd/system/apt-daily.timer"
ln -sf /dev/null "$root/etc/systemd/system/apt-daily-upgrade.timer"
# The suite's runner, started after multi-user.target at every boot.
install -m 0755 "$dir/zmc-realhost-runner" "$root/usr/local/sbin/zmc-realhost-runner"
install -m 0644 "$dir/zmc-realhost.service" "$root/etc/systemd/system/zmc-realhost.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/zmc-realhost.service "$root/etc/systemd/system/multi-user.target.wants/zmc-realhost.service"
# The kernel's initramfs must find the root disk (virtio_pci, virtio_blk)
# and mount it (ext4): each one built in, or a module in the initramfs.
kver=$(ls "$root/lib/modules" | head -n1)
for m in virtio_pci virtio_blk ext4; do
	grep -q "/$m\.ko" "$root/lib/modules/$kver/modules.builtin" && continue
	chroot "$root" lsinitramfs "/boot/initrd.img-$kver" | grep -q "/$m\.ko" ||
		{ echo "customize.sh: $m is neither built into $kver nor in its initramfs" >&2; exit 1; }
done
