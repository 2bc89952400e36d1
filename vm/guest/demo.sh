#!/bin/sh
# The demo run in the VM by `make demo` (zmc.mode=demo): load the module, build
# a systemd-like tree of slices and scopes, let three "services" create cgroups
# that keep memory charged, remove the cgroups as systemd would when the units
# stop, wait past a short threshold and show what the module and the tool see.
# Output goes to ttyS1, which vm/demo.sh prints on the terminal.
set -eu
cg=/sys/fs/cgroup
dbg=/sys/kernel/debug/zombiememcg
pin=/selftests/zmc_pin
threshold=5

say() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

for f in /lib/zombiememcg/zombiememcg.ko $pin /bin/zombiememcgstat; do
	[ -e "$f" ] || { echo "demo: $f is missing from the initramfs"; exit 1; }
done

say "A systemd-like cgroup tree"
echo +memory >$cg/cgroup.subtree_control
for d in system.slice user.slice user.slice/user-1000.slice; do
	mkdir -p $cg/$d
	echo +memory >$cg/$d/cgroup.subtree_control
done
mkdir -p $cg/user.slice/user-1000.slice/user@1000.service   # stays alive

# Three creators, each with its own command name: they create their scopes,
# charge memory there (a TCP socket, and 4 MiB of tmpfs for two of them), go
# back to the root cgroup and keep the memory alive.
mkdir -p /tmp/pins
pids=
start() { # start LOG ARGS...: run zmc_pin in the background, wait for "ready"
	log=$1; shift
	$pin "$@" >"/tmp/pins/$log" 2>&1 &
	pids="$pids $!"
	i=0
	until grep -q ready "/tmp/pins/$log"; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "/tmp/pins/$log"; exit 1; }
		sleep 0.1
	done
}
# A zombie older than the module: logrotate's unit ran and was removed
# before anyone loaded zombiememcg.
start old -c logrotate -s $cg/system.slice/logrotate.service
run rmdir $cg/system.slice/logrotate.service

say "Load the module and set a short threshold ($threshold s; the default is 30)"
run insmod /lib/zombiememcg/zombiememcg.ko
run sh -c "echo $threshold > $dbg/older_than_secs"
say "The zombie that predates the module is found at load (FLAGS p, creator unknown)"
run sh -c "echo 0 > $dbg/older_than_secs; cat /proc/zombiememcg; echo $threshold > $dbg/older_than_secs"

start shim -c containerd-shim -s -f /tmp/pins -b 4194304 \
	$cg/system.slice/docker-4f1c2a.scope $cg/system.slice/docker-9b7e3d.scope
start cron -c cron -s $cg/system.slice/cron-job-backup.scope
start sshd -c sshd -s -f /tmp/pins -b 4194304 \
	$cg/user.slice/user-1000.slice/session-3.scope
run sh -c "find $cg -name '*.scope' -o -name '*.service' | sort"

say "The units stop: their cgroups are removed, but the memory is still charged"
for d in system.slice/docker-4f1c2a.scope system.slice/docker-9b7e3d.scope \
	system.slice/cron-job-backup.scope user.slice/user-1000.slice/session-3.scope; do
	run rmdir $cg/$d
done
run grep dying $cg/cgroup.stat

say "At once, nothing is older than the threshold yet"
run cat /proc/zombiememcg

say "After $((threshold + 1)) s: the zombies, their creators and what they still hold"
sleep $((threshold + 1))
run cat /proc/zombiememcg

say "The same through the tool"
run zombiememcgstat -o $threshold --path 1 1
run zombiememcgstat -o $threshold --summary 1 1 || true

say "What holds each one, and what would free it"
run cat /proc/zombiememcg_holders
run zombiememcgstat -o $threshold --why 1 1

say "A zombie held by page cache alone, freed by dropping exactly its own pages"
# ext2 on a RAM disk (the kernel's brd and ext4 modules): a report job reads
# a 4 MiB file inside its unit, which is then removed.
disk=/tmp/disk
for m in brd crc16 crc32c_generic mbcache jbd2 ext4; do
	[ -f /lib/modules-vm/$m.ko ] && insmod /lib/modules-vm/$m.ko rd_nr=1 rd_size=16384 2>/dev/null
done
if mkdir -p $disk && mke2fs -q -b 4096 /dev/ram0 >/dev/null 2>&1 &&
	mount -t ext2 /dev/ram0 $disk; then
	dd if=/dev/urandom of=$disk/report.csv bs=1M count=4 2>/dev/null
	sync
	# Its data out of the cache; its inode and block map read back here,
	# so that only its data is charged to the job.
	echo 1 >/proc/sys/vm/drop_caches
	dd if=$disk/report.csv of=/dev/null bs=4096 skip=1023 count=1 2>/dev/null
	job=$cg/system.slice/report.service
	mkdir $job
	id=$(stat -c %i $job)
	sh -c "echo \$\$ >$job/cgroup.procs; cat $disk/report.csv >/dev/null; echo \$\$ >$cg/cgroup.procs"
	run rmdir $job
	sleep $((threshold + 1))
	run zombiememcgstat --free "$id"
	run zombiememcgstat --free "$id" --yes
	run cat /proc/zombiememcg_reclaim
	umount $disk
else
	echo "(skipped: no RAM disk with ext2 in this VM)"
fi

say "For scripts and monitoring: JSON, and Prometheus' textfile format"
run zombiememcgstat -o $threshold --json 1 1
run sh -c "zombiememcgstat -o $threshold --prometheus 1 1 | grep -v -e '^# HELP' -e '_bucket'"

say "The module's own counters"
run cat $dbg/stats

say "Release the pins (kill the creators, delete their files): the zombies are freed"
# shellcheck disable=SC2086 # a list of pids
kill $pids
rm -f /tmp/pins/[0-9]*
echo 3 >/proc/sys/vm/drop_caches
i=0
while [ "$(wc -l </proc/zombiememcg)" -gt 1 ] && [ $i -lt 100 ]; do
	i=$((i + 1)); sleep 0.2
done
run cat /proc/zombiememcg
run grep dying $cg/cgroup.stat

say "Unload"
run rmmod zombiememcg
echo
echo "demo done"
