#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The real-host suite, inside the Debian 13 VM (vm/realhost/): run at every
# boot by the image's zmc-realhost.service (systemd is PID 1) from the data
# disk mounted at /run/zmc-data, output on ttyS1. Prints "ok - DESC" /
# "not ok - DESC" lines (the host numbers them) and "# ..." diagnostics.
#   boot 1: apt installs the project's .debs (DKMS builds the module for
#           the running kernel, as on a user's machine); dkms status;
#           modprobe; zombies made by real systemd units; the tool in every
#           mode; the textfile timer and node_exporter's scrape; then the
#           modules-load.d snippet is linked and the machine reboots;
#   boot 2: the snippet loaded the module at boot; apt purge of both
#           packages leaves nothing behind.
# ZMC_PLAN is the number of checks of both boots (the host reads it).
# shellcheck disable=SC2034 # read by tests/suites/realhost-trixie.sh
ZMC_PLAN=23
set -u
export LC_ALL=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
data=/run/zmc-data
state=/var/lib/zmc-realhost
mkdir -p $state
boot=$(($(cat $state/boot 2>/dev/null || echo 0) + 1))
echo $boot >$state/boot
kver=$(uname -r)
ver=$(cat $data/version)

res() { # res RC DESC
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}
diag() { sed 's/^/#   /'; }
now() { date +%s; }
# wait_for SECS CMD...: until CMD succeeds, at most SECS seconds.
wait_for() {
	local end=$(($(now) + $1))
	shift
	until "$@"; do
		[ "$(now)" -lt $end ] || return 1
		sleep 1
	done
}
# The kernel log since boot, for the host (its WARNING/BUG/... check).
dump_kernel_log() {
	echo "ZMC-DMESG-BEGIN boot $boot"
	dmesg
	echo "ZMC-DMESG-END"
}
finish() { # finish reboot|poweroff
	dump_kernel_log
	[ "$1" = reboot ] && : >/run/zmc-reboot
	[ "$1" = poweroff ] && echo "ZMC-SENTINEL done boot $boot"
	exit 0
}

# /proc/zombiememcg as "memcg id pid comm charged path" lines (the columns
# found by the header's names), one per zombie.
proc_rows() {
	awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["MEMCG"], $c["ID"], $c["PID"], $c["COMM"], $c["CHARGED"], $c["PATH"] }' /proc/zombiememcg
}

echo "# boot $boot: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $kver, $(systemctl --version | head -n1)"
# The system is up, with systemd as PID 1 (multi-user.target reached).
wait_for 120 sh -c 'case $(systemctl is-system-running) in running|degraded) exit 0;; esac; exit 1'
sysstate=$(systemctl is-system-running)
[ "$sysstate" = running ] || systemctl --failed --no-legend | diag

if [ "$boot" = 1 ]; then
	# ---------------------------------------------------------------- boot 1
	[ "$(cat /proc/1/comm)" = systemd ] && [ "$sysstate" = running ] && rt=0 || rt=1
	res $rt "systemd is PID 1 ($(readlink /proc/1/exe)), system $sysstate, multi-user.target reached in $(systemd-analyze 2>/dev/null | sed -n 's/^Startup finished in //p' | sed 's/ = .*//')"
	systemd-analyze 2>/dev/null | diag

	# Not loaded at boot while the modules-load.d snippet is not linked.
	! grep -q '^zombiememcg ' /proc/modules && [ ! -e /proc/zombiememcg ] && [ ! -e /etc/modules-load.d/zombiememcg.conf ] && rt=0 || rt=1
	res $rt "before installation: no zombiememcg module, no /proc/zombiememcg"

	# apt installs both packages from files, as a user would: DKMS builds
	# the module in zombiememcg-dkms's postinst, for the running kernel.
	mkdir -p /root/debs
	cp $data/debs/*.deb /root/debs/
	t0=$(now)
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		/root/debs/zombiememcg-dkms_"${ver}"_all.deb /root/debs/zombiememcgstat_"${ver}"_amd64.deb >/root/apt-install.log 2>&1
	rc=$?
	secs=$(($(now) - t0))
	echo $secs >$state/dkms-secs
	diag </root/apt-install.log
	st=$(dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' zombiememcg-dkms zombiememcgstat 2>&1)
	echo "$st" | diag
	[ $rc = 0 ] && [ "$(echo "$st" | grep -c " $ver ii ")" = 2 ] && rt=0 || rt=1
	res $rt "apt-get install ./zombiememcg-dkms_${ver}_all.deb ./zombiememcgstat_${ver}_amd64.deb: both installed, DKMS build included, in ${secs}s"
	if [ $rc != 0 ]; then
		find /var/lib/dkms -name make.log -exec tail -n 40 {} \; 2>/dev/null | diag
	fi

	# dkms status: built and installed for the running kernel.
	ds=$(dkms status 2>&1)
	echo "$ds" | sed 's/^/# dkms status: /'
	echo "$ds" | grep -qxF "zombiememcg/$ver, $kver, x86_64: installed"
	res $? "dkms status: zombiememcg/$ver, $kver, x86_64: installed"

	ko=$(modinfo -n zombiememcg 2>/dev/null)
	vm=$(modinfo -F vermagic zombiememcg 2>/dev/null)
	echo "# modinfo: $ko; vermagic $vm; signer: $(modinfo -F signer zombiememcg 2>/dev/null)"
	case $ko in /lib/modules/$kver/updates/dkms/zombiememcg.ko*|/usr/lib/modules/$kver/updates/dkms/zombiememcg.ko*) r=0 ;; *) r=1 ;; esac
	[ $r = 0 ] && [ "${vm%% *}" = "$kver" ] && rt=0 || rt=1
	res $rt "the module is in /lib/modules/$kver/updates/dkms (modules.dep), vermagic $kver"

	# Signed as on a Secure Boot host: DKMS made its MOK key pair on the
	# first build and signed the module with it (what mokutil --import
	# enrolls: README, "Secure Boot").
	signer=$(modinfo -F signer zombiememcg 2>/dev/null)
	[ -s /var/lib/dkms/mok.pub ] && [ -s /var/lib/dkms/mok.key ] && [ -n "$signer" ] && rt=0 || rt=1
	res $rt "DKMS signed the module with its own key (/var/lib/dkms/mok.pub; signer '$signer')"

	modprobe zombiememcg 2>&1 | diag
	[ -r /proc/zombiememcg ] && grep -q '^zombiememcg ' /proc/modules
	res $? "modprobe zombiememcg: loaded, /proc/zombiememcg present"
	dmesg | grep -i zombiememcg | diag

	# The packaged units: the timer enabled and started by postinst.
	systemctl is-enabled zombiememcgstat-textfile.timer >/dev/null 2>&1 &&
		systemctl is-active zombiememcgstat-textfile.timer >/dev/null 2>&1 &&
		systemctl is-active prometheus-node-exporter.service >/dev/null 2>&1
	res $? "zombiememcgstat-textfile.timer enabled and active, prometheus-node-exporter running"
	systemctl list-timers --all --no-pager zombiememcgstat-textfile.timer | diag

	# ------------------------------------------------ zombies from real units
	# A transient scope that leaves page cache: systemd (PID 1) creates
	# its cgroup, dd writes 16 MiB to an ext4 file, the scope empties and
	# systemd removes the cgroup; the page cache stays charged to it.
	systemd-run --quiet --expand-environment=no --scope --unit=zmc-pagecache -p MemoryAccounting=yes \
		sh -c 'cut -d: -f3 /proc/self/cgroup >/run/zmc-pagecache.cgroup
		dd if=/dev/zero of=/var/tmp/zmc-pagecache bs=1M count=16 conv=fsync status=none'
	rc1=$?
	# A transient service that creates a listening TCP socket, which
	# another transient service takes with pidfd_getfd(2) and keeps; then
	# the creator exits and systemd removes its cgroup: the socket, still
	# charged to it, is held by the other service.
	rm -f /run/zmc-sock /run/zmc-sock.taken
	systemd-run --quiet --expand-environment=no --unit=zmc-sock-holder -p MemoryAccounting=yes perl -e '
		for (1 .. 600) { last if -e "/run/zmc-sock"; select(undef, undef, undef, 0.1) }
		open(my $f, "<", "/run/zmc-sock") or die "no /run/zmc-sock";
		my ($pid, $fd) = split " ", <$f>;
		my $pidfd = syscall(434, $pid + 0, 0);          # pidfd_open
		die "pidfd_open: $!" if $pidfd < 0;
		my $new = syscall(438, $pidfd + 0, $fd + 0, 0); # pidfd_getfd
		die "pidfd_getfd: $!" if $new < 0;
		open(my $t, ">", "/run/zmc-sock.taken") and close $t;
		print "holding fd $new: fd $fd of pid $pid\n";
		sleep 100000;'
	systemd-run --quiet --expand-environment=no --unit=zmc-sock-creator -p MemoryAccounting=yes perl -MSocket -e '
		socket(my $s, AF_INET, SOCK_STREAM, 0) or die "socket: $!";
		setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
		bind($s, pack_sockaddr_in(9777, inet_aton("127.0.0.1"))) or die "bind: $!";
		listen($s, 8) or die "listen: $!";
		open(my $f, ">", "/run/zmc-sock.tmp") or die;
		printf $f "%d %d\n", $$, fileno($s);
		close $f;
		rename "/run/zmc-sock.tmp", "/run/zmc-sock";
		for (1 .. 600) { last if -e "/run/zmc-sock.taken"; select(undef, undef, undef, 0.1) }
		print "socket taken, exiting\n";'
	rc2=$?
	wait_for 60 test -e /run/zmc-sock.taken || rc2=1
	gone() { ! systemctl is-active --quiet "$1" && [ ! -e "/sys/fs/cgroup/system.slice/$1" ]; }
	wait_for 60 gone zmc-pagecache.scope && wait_for 60 gone zmc-sock-creator.service &&
		systemctl is-active --quiet zmc-sock-holder.service
	rc3=$?
	t_zombies=$(now)
	journalctl -b --no-pager -o short-monotonic -u zmc-pagecache.scope -u zmc-sock-creator.service -u zmc-sock-holder.service |
		grep -v 'Started zmc-' | diag
	pc_path=$(cat /run/zmc-pagecache.cgroup 2>/dev/null)
	sk_path=/system.slice/zmc-sock-creator.service
	echo "# page cache scope: $pc_path; socket creator: $sk_path; holder: $(systemctl show -P MainPID zmc-sock-holder.service) in /system.slice/zmc-sock-holder.service"
	grep -E 'nr_dying' /sys/fs/cgroup/cgroup.stat | diag
	[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ $rc3 = 0 ] && [ -n "$pc_path" ] && rt=0 || rt=1
	res $rt "systemd-run: the scope zmc-pagecache wrote 16 MiB and ended; zmc-sock-creator.service left its socket to zmc-sock-holder.service and ended; both cgroups removed"

	# Past the default threshold (30 s), both are listed, created by systemd, PID 1.
	listed() {
		proc_rows >/run/zmc-rows
		awk -v a="$pc_path" -v b="$sk_path" '$6 == a || $6 == b { n++ } END { exit n != 2 }' /run/zmc-rows
	}
	wait_for 120 listed
	echo "# /proc/zombiememcg $(($(now) - t_zombies)) s after the units ended:"
	sed 's/^/#   /' /proc/zombiememcg
	awk -v a="$pc_path" -v b="$sk_path" '($6 == a || $6 == b) && $3 == 1 && $4 == "systemd" { n++ } END { exit n != 2 }' /run/zmc-rows
	res $? "/proc/zombiememcg lists $pc_path and $sk_path, created by systemd, PID 1"
	pc_charged=$(awk -v a="$pc_path" '$6 == a { print $5 }' /run/zmc-rows)
	[ "${pc_charged:-0}" -ge $((16 << 20)) ] && rt=0 || rt=1
	res $rt "the page cache scope's zombie still has its 16 MiB charged (CHARGED $pc_charged)"

	# ------------------------------------------------ the tool in every mode
	# Each mode against the listing read just before and just after (the
	# textfile service itself leaves a zombie every minute: retried while
	# the listing changes under it).
	t=/run/zmc-tool
	mkdir -p $t
	snapshot() {
		proc_rows >$t/rows
		zombiememcgstat 1 1 >$t/default 2>&1
		zombiememcgstat --path 1 1 >$t/path 2>&1
		zombiememcgstat --charged -s charged 1 1 >$t/charged 2>&1
		zombiememcgstat --footprint --path 1 1 >$t/footprint 2>&1
		zombiememcgstat -p 1 --path 1 1 >$t/pid1 2>&1
		zombiememcgstat -c systemd --path 1 1 >$t/comm 2>&1
		zombiememcgstat -s path --path 1 1 >$t/sorted 2>&1
		zombiememcgstat --summary 1 1 >$t/summary 2>&1
		zombiememcgstat --json 1 1 >$t/json 2>&1
		zombiememcgstat --json --summary 1 1 >$t/jsonsum 2>&1
		zombiememcgstat --prometheus 1 1 >$t/prom 2>&1
		zombiememcgstat --why 1 1 >$t/why 2>&1
		proc_rows >$t/rows2
		cmp -s $t/rows $t/rows2
	}
	i=0
	until snapshot || [ $i -ge 5 ]; do i=$((i + 1)); sleep 2; done
	# "memcg pid comm path" of the tool's tables (0x dropped), sorted.
	table() { awk 'NF >= 5 && $1 ~ /^0x/ { sub(/^0x/, "", $1); print $1, $3, $2, $NF }' "$1" | sort; }
	want() { awk '{ print $1, $3, $4, $6 }' $t/rows | sort; }
	n=$(wc -l <$t/rows)
	# shellcheck disable=SC2034 # used in the eval'ed checks
	charged=$(awk '{ s += $5 } END { print s + 0 }' $t/rows)
	bad=
	chk() { eval "$2" || bad="$bad $1"; }
	chk default '[ "$(awk "NF >= 5 && \$1 ~ /^0x/" $t/default | wc -l)" = "$n" ] &&
		[ "$(awk "NF >= 5 && \$1 ~ /^0x/ { print substr(\$1, 3) }" $t/default | sort)" = "$(awk "{ print \$1 }" $t/rows | sort)" ]'
	chk path '[ "$(table $t/path)" = "$(want)" ]'
	# -s charged: the most charged first.
	chk charged '[ "$(awk "NF >= 6 && \$1 ~ /^0x/" $t/charged | wc -l)" = "$n" ] &&
		[ "$(awk "\$1 ~ /^0x/ { print substr(\$1, 3); exit }" $t/charged)" = "$(sort -k5,5nr $t/rows | awk "{ print \$1; exit }")" ]'
	chk footprint '[ "$(awk "NF >= 6 && \$1 ~ /^0x/" $t/footprint | wc -l)" = "$n" ]'
	chk pid1 '[ "$(table $t/pid1)" = "$(want | awk "\$2 == 1")" ] && table $t/pid1 | grep -q " $pc_path\$" && table $t/pid1 | grep -q " $sk_path\$"'
	chk comm '[ "$(table $t/comm)" = "$(want | awk "\$3 == \"systemd\"")" ]'
	chk sort-path '[ "$(awk "NF >= 5 && \$1 ~ /^0x/ { print \$NF }" $t/sorted)" = "$(awk "{ print \$6 }" $t/rows | LC_ALL=C sort)" ]'
	chk summary 'grep -qE "^Zombie memcgs: +$n\$" $t/summary && grep -qE "^Charged: .*\\($charged bytes\\)" $t/summary'
	chk json '[ "$(jq -r ".[] | \"\\(.memcg) \\(.pid) \\(.comm) \\(.path)\"" $t/json | sort)" = "$(want)" ] &&
		[ "$(jq "[.[].charged] | add // 0" $t/json)" = "$charged" ]'
	chk json-summary '[ "$(jq .zombies $t/jsonsum)" = "$n" ] && [ "$(jq .charged $t/jsonsum)" = "$charged" ]'
	chk prometheus 'grep -qx "zombiememcg_zombies $n" $t/prom && grep -qx "zombiememcg_charged_bytes $charged" $t/prom'
	# --why: one zombie's section (its line, then the indented ones).
	section() { awk -v p="$1" '$1 == p { on = 1; print; next } on && /^ / { print; next } { on = 0 }' $t/why; }
	# shellcheck disable=SC2034 # used in the eval'ed check
	holder=$(systemctl show -P MainPID zmc-sock-holder.service)
	chk why 'section $sk_path | grep -qE "^ +socket +held by perl \(pid $holder\): fd [0-9]+ tcp .*127\.0\.0\.1:9777" &&
		section $pc_path | grep -qE "^ +file +1[67](\.[0-9])?M of page cache of /var/tmp/zmc-pagecache \(ext4\)"'

	echo "# zombiememcgstat (default mode), $n zombies:"
	diag <$t/default
	echo "# zombiememcgstat --why, our two:"
	{ section $pc_path; section $sk_path; } | diag
	[ -n "$bad" ] && for f in $t/*; do echo "# --- $f"; diag <"$f"; done
	[ -z "$bad" ] && [ "$n" -ge 2 ] && rt=0 || rt=1
	res $rt "zombiememcgstat agrees with /proc/zombiememcg ($n zombies) in every mode: default, --path, --charged -s charged, --footprint, -p 1, -c systemd, -s path, --summary, --json, --json --summary, --prometheus, --why${bad:+ (differs:$bad)}"

	# ------------------------------------------------ timer and node_exporter
	# After the next run of the timer's service: node_exporter serves the
	# file it wrote, and its counts are the listing's.
	svc=zombiememcgstat-textfile.service
	prom=/var/lib/prometheus/node-exporter/zombiememcg.prom
	last=$(systemctl show -P ExecMainExitTimestampMonotonic $svc)
	# The listing, every second while waiting: the service writes what it
	# read at one of these moments (the zombies change around its runs: the
	# last run's own zombie goes when the next one charges on its CPU).
	mkdir -p $t/snap
	(while :; do cp /proc/zombiememcg $t/snap/.new && mv $t/snap/.new "$t/snap/$(date +%s%N)"; sleep 1; done) &
	snapper=$!
	fired() {
		local x
		x=$(systemctl show -P ExecMainExitTimestampMonotonic $svc)
		[ "${x:-0}" != 0 ] && [ "$x" != "$last" ] && [ -s $prom ]
	}
	wait_for 130 fired
	rc=$?
	sleep 1
	kill $snapper
	wait $snapper 2>/dev/null
	res_svc=$(systemctl show -P Result $svc) st_svc=$(systemctl show -P ExecMainStatus $svc)
	journalctl -b --no-pager -u zombiememcgstat-textfile.timer -u $svc | tail -n 6 | diag
	ls -l $prom 2>&1 | diag
	[ $rc = 0 ] && [ "$res_svc" = success ] && [ "$st_svc" = 0 ] &&
		[ "$(stat -c %a $prom 2>/dev/null)" = 644 ] && [ -z "$(find /var/lib/prometheus/node-exporter -mindepth 1 ! -name zombiememcg.prom)" ] && rt=0 || rt=1
	res $rt "the timer fired: $svc ran (Result=$res_svc, status $st_svc), wrote $prom (0644), no temporary file left"

	# Numeric values of the zombiememcg_* samples, "name{labels} value".
	samples() { awk '/^zombiememcg_/ { printf "%s %.17g\n", $1, $2 }' "$@" | sort; }
	# The ones that do not age: counts and bytes.
	stable() { samples "$@" | grep -E '^zombiememcg_(zombies|charged_bytes|creator_zombies|creator_charged_bytes)[ {]'; }
	scrape() {
		curl -fsS --max-time 20 http://127.0.0.1:9100/metrics >$t/metrics 2>$t/curl.err &&
			zombiememcgstat --prometheus 1 1 >$t/live
	}
	scrape
	echo "# curl http://127.0.0.1:9100/metrics | grep -e ^zombiememcg_ -e textfile:"
	grep -E '^(zombiememcg_|node_textfile)' $t/metrics | grep -v _bucket | diag
	cat $t/curl.err 2>/dev/null | diag
	[ "$(samples $t/metrics)" = "$(samples $prom)" ] && [ -n "$(samples $prom)" ] &&
		grep -q "^node_textfile_mtime_seconds{file=\"$prom\"}" $t/metrics && grep -qx 'node_textfile_scrape_error 0' $t/metrics
	res $? "curl http://127.0.0.1:9100/metrics: node_exporter serves every zombiememcg_* sample of $prom ($(samples $prom | wc -l) samples), no textfile scrape error"
	# The file's counts and bytes are those of the listing at one moment
	# of the service's run (the snapshots of its last 20 s).
	match=
	for f in $(ls $t/snap | tail -n 20); do
		zombiememcgstat -f "$t/snap/$f" --prometheus 1 1 >$t/snap.prom 2>/dev/null || continue
		[ "$(stable $t/snap.prom)" = "$(stable $prom)" ] || continue
		match=$f
		break
	done
	n_snap=$([ -n "$match" ] && echo $(($(wc -l <"$t/snap/$match") - 1)))
	stable $t/metrics | diag
	[ -n "$match" ] && [ "$(stable $t/metrics)" = "$(stable $prom)" ] && stable $t/metrics | grep -qx "zombiememcg_zombies $n_snap" &&
		grep -qE '^zombiememcg_creator_zombies\{comm="systemd"\} [0-9]' $t/metrics
	res $? "node_exporter's zombiememcg_zombies, _charged_bytes, _creator_zombies and _creator_charged_bytes equal /proc/zombiememcg when the service read it (${n_snap:-no matching listing of} zombies)"
	if [ -z "$match" ]; then
		echo "# the listings of the last 20 s:"
		for f in $(ls $t/snap | tail -n 20); do
			zombiememcgstat -f "$t/snap/$f" --prometheus 1 1 2>&1 | stable | tr '\n' ' ' | sed "s/^/# $f: /"
			echo
		done
	fi

	# Enable the snippet as the admin guide says, and reboot.
	rmmod zombiememcg
	ln -s /usr/share/zombiememcgstat/modules-load.conf /etc/modules-load.d/zombiememcg.conf
	echo "# ln -s /usr/share/zombiememcgstat/modules-load.conf /etc/modules-load.d/zombiememcg.conf; reboot"
	finish reboot
fi

# -------------------------------------------------------------------- boot 2
# systemd-modules-load.service runs before journald: its start and end (in
# µs since boot) must frame the module's first kernel line.
ml=systemd-modules-load.service
ml_start=$(systemctl show -P ExecMainStartTimestampMonotonic $ml)
ml_end=$(systemctl show -P ExecMainExitTimestampMonotonic $ml)
ko_line=$(dmesg | grep -m1 'zombiememcg: ')
ko_us=$(echo "$ko_line" | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]*\)\].*/\1\2/p')
echo "# $ml: ran from ${ml_start} to ${ml_end} us, result $(systemctl show -P Result $ml); first module line: $ko_line"
grep -q '^zombiememcg ' /proc/modules && [ -r /proc/zombiememcg ] && [ "$(systemctl show -P Result $ml)" = success ] &&
	[ -n "$ko_us" ] && [ "$ko_us" -ge "${ml_start:-0}" ] && [ "$ko_us" -le "${ml_end:-0}" ] && rt=0 || rt=1
res $rt "after reboot: systemd-modules-load.service loaded zombiememcg at boot (/etc/modules-load.d/zombiememcg.conf)"
dkms status 2>&1 | sed 's/^/# dkms status: /'

# Purge both, the module still loaded (as an admin would).
DEBIAN_FRONTEND=noninteractive apt-get purge -y zombiememcg-dkms zombiememcgstat >/root/apt-purge.log 2>&1
rc=$?
diag </root/apt-purge.log
left=$(dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' zombiememcg-dkms zombiememcgstat 2>/dev/null | grep -v ' un *$' | tr '\n' ' ')
[ $rc = 0 ] && [ -z "$left" ] && rt=0 || rt=1
res $rt "apt-get purge zombiememcg-dkms zombiememcgstat${left:+ (left: $left)}"
mods=$({ find /lib/modules /usr/lib/modules -name 'zombiememcg*' 2>/dev/null; grep -l zombiememcg /lib/modules/*/modules.dep 2>/dev/null; } | tr '\n' ' ')
[ -z "$mods" ] && rt=0 || rt=1
res $rt "nothing left in /lib/modules${mods:+: $mods}"
src=$({ find /usr/src /var/lib/dkms -maxdepth 1 -name 'zombiememcg*' 2>/dev/null; dkms status 2>/dev/null | grep zombiememcg; } | tr '\n' ' ')
[ -z "$src" ] && rt=0 || rt=1
res $rt "nothing left in /usr/src and /var/lib/dkms, dkms status empty${src:+: $src}"
units=$({
	find /etc/systemd /lib/systemd /usr/lib/systemd /run/systemd/system -name 'zombiememcg*' 2>/dev/null
	systemctl list-unit-files --no-legend 'zombiememcg*' 2>/dev/null
	systemctl list-units --all --no-legend 'zombiememcg*' 2>/dev/null | grep -v 'not-found'
} | tr '\n' ' ')
[ -z "$units" ] && rt=0 || rt=1
res $rt "no unit left: no zombiememcgstat-textfile.{service,timer} file, link or loaded unit${units:+: $units}"
other=$(ls -d /etc/modules-load.d/zombiememcg.conf /usr/share/zombiememcgstat /usr/sbin/zombiememcgstat \
	/usr/libexec/zombiememcgstat /etc/default/zombiememcgstat 2>/dev/null | tr '\n' ' ')
[ -z "$other" ] && rt=0 || rt=1
res $rt "no modules-load.d link, tool or writer left${other:+: $other}"
curl -fsS --max-time 20 http://127.0.0.1:9100/metrics >/run/metrics-after 2>&1
stale=$({ grep -c '^zombiememcg_' /run/metrics-after | sed 's/$/ zombiememcg_* samples,/'; ls /var/lib/prometheus/node-exporter/zombiememcg.prom 2>/dev/null; } | grep -v '^0 ' | tr '\n' ' ')
[ -z "$stale" ] && rt=0 || rt=1
res $rt "node_exporter shows no zombiememcg_* metric after the purge${stale:+: stale $stale}"
rmmod zombiememcg
res $? "rmmod zombiememcg after the purge"
finish poweroff
