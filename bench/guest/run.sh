#!/bin/sh
# The bench VM's program (zmc.mode=bench, started by vm/guest/init), packed
# by bench/bench.sh as /bench/run.sh with /bench/config, /bench/zmc_peer.bt,
# /bin/zmcbench and bpftrace.  Every result is one line on stdout:
#   BENCH phase=NAME key=value ...
# which the host turns into the report; everything else is a log.
# Phases, in this order:
#   info     kernel, CPUs, memory, bpftrace version
#   cycle    rounds of mkdir+rmdir cycles (plain, charged) per configuration,
#            interleaved none, module, fprobe, peer, none, module, ...
#            (fprobe: the module loaded with probe=fprobe, where it loads so)
#   hit      per-hit cost of the handlers: the module's through the
#            function_graph tracer, the peer's through BPF run-time stats
#   mem      kernel memory of N zombies: sockets alone (control), zombies
#            without the module, zombies with it; short and long paths
#   read     1k/10k/50k zombies: reading /proc/zombiememcg, the tool, and
#            the free probe's time (zmc_lock) while a reader loops; the
#            module's load (insmod) timed with no zombie and with the most
#   holders  one scan of /proc/zombiememcg_holders (one per open), timed on
#            one vCPU: no zombie past the threshold (base), one zombie,
#            one zombie + HOLDERS_FILES open files, one zombie with
#            HOLDERS_FILL_PCT % of the memory in use (full), HOLDERS_ZOMBIES
#            zombies
#   footprint  the FOOTPRINT selftest (/bench/footprint_test, built from
#            selftests/footprint_test.c): FOOTPRINT against the bytes the
#            kernel's allocation tracepoints see freed per zombie; run alone,
#            in extra boots at 1, 4 and 16 vCPUs (not in the default list)
set -u
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu

# Defaults; /bench/config (written by the host) overrides them.
ROUNDS=5 CYCLES=1000 WARMUP=100 HIT_N=300 MEM_N=3000 MEM_REPS=2
ZOMBIES="1000 10000 50000" READ_REPS=5 TOOL_REPS=3 LAT_N=400 PEER=1 LOAD_REPS=3
FPROBE=1                 # 0: no fprobe configuration in the cycle phase
HOLDERS_REPS=9 HOLDERS_FILES=100000 HOLDERS_ZOMBIES=1000 HOLDERS_FILL_PCT=60
PHASES="cycle hit mem read holders"
CYCLE_CPUS=1             # CPUs online during the cycle and hit phases
# shellcheck disable=SC1091
[ -r /bench/config ] && . /bench/config

CG=/sys/fs/cgroup
P=$CG/zb                 # parent of the cycled cgroups (no zombie stays there)
Z=$CG/zz                 # parent of the pinned zombies (read and mem phases)
KO=/lib/zombiememcg/zombiememcg.ko
DBG=/sys/kernel/debug/zombiememcg
T=/sys/kernel/debug/tracing
KPL=/sys/kernel/debug/kprobes/list
BT=/bench/zmc_peer.bt
PEERPID=
FAILS=0

say() { echo "# $*"; }
result() { echo "BENCH $*"; }
fail() { echo "# ERROR: $*"; result "phase=error msg=\"$*\""; FAILS=$((FAILS + 1)); }

settle() { # no dying cgroups left, then a short pause
	zmcbench dying $P 120 >/dev/null || fail "dying cgroups did not go away"
	sleep 1
}

# ------------------------------------------------------------ configurations
nprobes() { # kprobes registered on the three functions, by anyone
	c=$(grep -c -E 'mem_cgroup_css_(online|offline|free)\+' $KPL 2>/dev/null)
	echo "${c:-0}"
}

module_on() { # module_on [PARAM=VALUE...]
	insmod $KO "$@" || { fail "insmod $* failed"; return 1; }
	echo 0 >$DBG/older_than_secs
}

# fprobe_ok: the module loads with probe=fprobe here (built with fprobe
# support for this kernel: CONFIG_FPROBE); one result line either way
fprobe_ok() {
	if out=$(insmod $KO probe=fprobe 2>&1); then
		p=$(cat /sys/module/zombiememcg/parameters/probe 2>/dev/null)
		rmmod zombiememcg || fail "rmmod failed"
		result "phase=fprobe available=1 param=${p:-?}"
		return 0
	fi
	why=$(dmesg | sed -n 's/.*zombiememcg: \(probe=fprobe.*\)/\1/p' | tail -n1)
	[ -n "$why" ] || why=$(echo "$out" | head -n1)
	result "phase=fprobe available=0 why=\"$(echo "$why" | tr '"' "'")\""
	return 1
}
module_off() { rmmod zombiememcg || fail "rmmod failed"; }

peer_on() { # start bpftrace, wait until its three kprobes are registered
	[ "$(nprobes)" = 0 ] || { fail "kprobes present before the peer"; return 1; }
	# newer bpftrace (0.2x) has clang write its BPF object to /dev/fd/N
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	bpftrace $BT >/tmp/peer.out 2>&1 &
	PEERPID=$!
	i=0
	while [ "$(nprobes)" -lt 3 ]; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $PEERPID 2>/dev/null; then
			cat /tmp/peer.out
			fail "bpftrace did not attach"
			return 1
		fi
		sleep 0.1
	done
	result "phase=peerstart secs=$((i / 10))"
}

peer_off() { # stop it; its END prints the event counts
	[ -n "$PEERPID" ] || return 0
	kill -INT $PEERPID
	wait $PEERPID
	PEERPID=
	on=$(sed -n 's/^@n_online: //p' /tmp/peer.out)
	off=$(sed -n 's/^@n_offline: //p' /tmp/peer.out)
	fr=$(sed -n 's/^@n_free: //p' /tmp/peer.out)
	result "phase=peercheck online=${on:-0} offline=${off:-0} free=${fr:-0}"
	grep -i -E 'error|warn|lost' /tmp/peer.out | head -n 5
}

cfg_on() {
	case $1 in
	none) : ;;
	module) module_on ;;
	fprobe) module_on probe=fprobe ;;
	peer) peer_on ;;
	esac
}
cfg_off() {
	case $1 in
	none) : ;;
	module | fprobe) module_off ;;
	peer) peer_off ;;
	esac
}

# ------------------------------------------------------------ info
phase_info() {
	bv=$(bpftrace --version 2>/dev/null || echo none)
	result "phase=info kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)" \
		"mem_kB=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)" \
		"cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)\"" \
		"bpftrace=\"$bv\" btf=$([ -r /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
	echo +memory >$CG/cgroup.subtree_control
	mkdir -p $P $Z
	echo +memory >$P/cgroup.subtree_control
	echo +memory >$Z/cgroup.subtree_control
}

# cpus_online N: only CPUs 0..N-1 online (N=0: all)
cpus_online() {
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		i=${c##*cpu}
		[ -w $c/online ] || continue
		if [ "$1" = 0 ] || [ "$i" -lt "$1" ]; then v=1; else v=0; fi
		[ "$(cat $c/online)" = $v ] || echo $v >$c/online || fail "cpu$i online=$v"
	done
	result "phase=cpus online=$(grep -c ^processor /proc/cpuinfo)"
}

# ------------------------------------------------------------ cycles
phase_cycle() {
	cpus_online "$CYCLE_CPUS"
	cfgs="none module"
	[ "$FPROBE" = 1 ] && fprobe_ok && cfgs="$cfgs fprobe"
	[ "$PEER" = 1 ] && cfgs="$cfgs peer"
	say "cycle: $ROUNDS rounds of $CYCLES cycles, configurations: $cfgs"
	r=0
	while [ $r -le "$ROUNDS" ]; do # round 0 is the warm-up, not counted
		n=$CYCLES
		[ $r = 0 ] && n=$WARMUP
		for cfg in $cfgs; do
			cfg_on $cfg || continue
			settle
			for kind in plain charged; do
				out=$(zmcbench cycles "$n" $kind $P) || fail "cycles $cfg $kind: $out"
				result "phase=cycle round=$r cfg=$cfg $out"
			done
			cfg_off $cfg
		done
		r=$((r + 1))
	done
	settle
	cpus_online 0
}

# ------------------------------------------------------------ per hit
# graph_stats FUNC: count, median, p99, max duration (us) of FUNC in the trace
graph_stats() {
	grep " $1 \[zombiememcg\]()\| $1();" $T/trace |
		sed -n 's/.*[^0-9.]\([0-9][0-9]*\.[0-9]*\) us.*/\1/p' | sort -n |
		awk '{ v[NR] = $1; s += $1 } END {
			if (!NR) { print "n=0"; exit }
			k = int(NR * 0.99); if (k < 1) k = 1
			printf "n=%d mean_us=%.3f p50_us=%.3f p99_us=%.3f max_us=%.3f\n",
				NR, s / NR, v[int((NR + 1) / 2)], v[k], v[NR]
		}'
}

graph_on() { # graph_on FUNC...: function_graph on these functions only
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	echo "$*" >$T/set_ftrace_filter || return 1
	echo 4096 >$T/buffer_size_kb
	echo function_graph >$T/current_tracer
	echo >$T/trace
	echo 1 >$T/tracing_on
}
graph_off() {
	echo 0 >$T/tracing_on
}
graph_reset() {
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	echo >$T/trace
}

# fdinfo of the peer's BPF programs: "run_cnt run_time_ns" per program
peer_progs() {
	for f in /proc/$PEERPID/fdinfo/*; do
		grep -q '^prog_id:' "$f" 2>/dev/null || continue
		awk '/^prog_id:/ { id = $2 } /^run_cnt:/ { c = $2 } /^run_time_ns:/ { t = $2 }
			/^verified_insns:/ { i = $2 } END { print id, c + 0, t + 0, i + 0 }' "$f"
	done | sort -n
}

phase_hit() {
	cpus_online "$CYCLE_CPUS"
	n=$HIT_N
	say "hit: per-hit cost over $n charged cycles, stage by stage"
	# The module, through function_graph on its three kprobe handlers.
	if module_on; then
		settle
		if graph_on zmc_online_pre zmc_offline_pre zmc_free_pre; then
			zmcbench stage mkdir "$n" $P >/dev/null &&
				zmcbench stage rmdir "$n" $P >/dev/null && sleep 2 &&
				zmcbench stage release "$n" $P >/dev/null || fail "stages (module)"
			graph_off
			for f in online offline free; do
				result "phase=hit cfg=module probe=$f tool=function_graph $(graph_stats zmc_${f}_pre)"
			done
			graph_reset
		else
			fail "function_graph cannot trace the module's handlers"
		fi
		module_off
	fi
	# The same stages with no probe at all, through function_graph on the
	# probed functions themselves (what the kernel does without anyone).
	settle
	if graph_on mem_cgroup_css_online mem_cgroup_css_offline mem_cgroup_css_free; then
		zmcbench stage mkdir "$n" $P >/dev/null && zmcbench stage rmdir "$n" $P >/dev/null &&
			sleep 2 && zmcbench stage release "$n" $P >/dev/null || fail "stages (none)"
		graph_off
		for f in online offline free; do
			result "phase=hit cfg=none probe=$f tool=function_graph_callee $(graph_stats mem_cgroup_css_$f)"
		done
		graph_reset
	fi
	# The peer, through BPF run-time statistics; each program is named
	# by the stage in which its run count grew.
	if [ "$PEER" = 1 ]; then
		settle
		echo 1 >/proc/sys/kernel/bpf_stats_enabled
		if peer_on; then
			peer_progs >/tmp/p0
			zmcbench stage mkdir "$n" $P >/dev/null
			peer_progs >/tmp/p1
			zmcbench stage rmdir "$n" $P >/dev/null
			sleep 2
			peer_progs >/tmp/p2
			zmcbench stage release "$n" $P >/dev/null
			peer_progs >/tmp/p3
			# per program: the stage with the largest run count increase
			awk -v n="$n" '
				FILENAME == "/tmp/p0" { c0[$1] = $2; t0[$1] = $3; next }
				FILENAME == "/tmp/p1" { d1[$1] = $2 - c0[$1]; next }
				FILENAME == "/tmp/p2" { d2[$1] = $2 - c0[$1] - d1[$1]; next }
				{ d3 = $2 - c0[$1] - d1[$1] - d2[$1]
				  probe = "free"; if (d1[$1] >= d2[$1] && d1[$1] >= d3) probe = "online"
				  else if (d2[$1] >= d3) probe = "offline"
				  runs = $2 - c0[$1]; if (runs <= 0) next
				  printf "phase=hit cfg=peer probe=%s tool=bpf_stats n=%d mean_us=%.3f insns=%d\n",
					probe, runs, ($3 - t0[$1]) / runs / 1000, $4 }' \
				/tmp/p0 /tmp/p1 /tmp/p2 /tmp/p3 | while read -r l; do result "$l"; done
			# the peer's maps: memory the kernel reports for them
			for f in /proc/$PEERPID/fdinfo/*; do
				grep -q '^map_type:' "$f" 2>/dev/null || continue
				result "phase=peermap $(awk '/^(map_type|key_size|value_size|max_entries|memlock):/ { sub(":", "", $1); printf "%s=%s ", $1, $2 }' "$f")"
			done
			peer_off
		fi
		echo 0 >/proc/sys/kernel/bpf_stats_enabled
	fi
	settle
	cpus_online 0
}

# ------------------------------------------------------------ memory
# start_pinner LOG N PARENT PREFIX: zmcbench zombies in the background;
# sets PINPID, and MADE to what it printed ("n=... make_ns=...")
start_pinner() {
	# Not a ready line left by an earlier pinner of the same log: the
	# grep below could read it before the new pinner truncates the file.
	rm -f "$1"
	zmcbench zombies "$2" "$3" "$4" >"$1" 2>&1 &
	PINPID=$!
	until grep -q '^ready' "$1" 2>/dev/null; do
		kill -0 $PINPID 2>/dev/null || { cat "$1"; fail "pinner $1 died"; return 1; }
		sleep 0.5
	done
	MADE=$(sed -n 's/^ready //p' "$1")
}
stop_pinner() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

phase_mem() {
	n=$MEM_N
	long=docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-
	mkdir -p $CG/system.slice
	echo +memory >$CG/system.slice/cgroup.subtree_control
	say "mem: $n zombies per pass, $MEM_REPS repetitions, short and long paths"
	rep=1
	while [ $rep -le "$MEM_REPS" ]; do
		for style in short long; do
			if [ $style = short ]; then parent=$Z prefix=m; else parent=$CG/system.slice prefix=$long; fi
			for pass in control none module; do
				[ $pass = module ] && { module_on || continue; }
				settle
				b=$(zmcbench memstat)
				if [ $pass = control ]; then
					start_pinner /tmp/pin.mem $n - x || continue
				elif ! start_pinner /tmp/pin.mem $n $parent $prefix; then
					[ $pass = module ] && module_off
					continue
				fi
				sleep 2
				a=$(zmcbench memstat)
				st=
				[ $pass = module ] && st="module_zombies=$(sed -n 's/^zombies //p' $DBG/stats) module_footprint_bytes=$(sed -n 's/^footprint_bytes //p' $DBG/stats) module_records=$(sed -n 's/^records //p' $DBG/stats) module_record_bytes=$(sed -n 's/^record_bytes //p' $DBG/stats) module_table_bytes=$(sed -n 's/^table_bytes //p' $DBG/stats)"
				result "phase=mem rep=$rep style=$style pass=$pass n=$n when=before $b"
				result "phase=mem rep=$rep style=$style pass=$pass n=$n when=after $MADE $st $a"
				stop_pinner $PINPID
				zmcbench dying $Z 120 >/dev/null
				zmcbench dying $CG/system.slice 120 >/dev/null
				[ $pass = module ] && module_off
			done
		done
		rep=$((rep + 1))
	done
	settle
}

# ------------------------------------------------------------ read scaling
# load_time LEVEL [EXTRA]: the module's load with LEVEL zombies present (0:
# none made by the bench), the module not loaded on entry: LOAD_REPS timed
# insmods, a timed rmmod between two (each "ns:busy_ns", zmcbench time); left
# loaded, with older_than_secs 0.  Then its stats (records, zombies,
# predating_zombies) and the rows /proc/zombiememcg lists.  One result line.
load_time() {
	ins='' rms='' i=1
	while [ $i -le "$LOAD_REPS" ]; do
		t=$(zmcbench time insmod $KO)
		case $t in *status=0*) ;; *) fail "insmod ($1 zombies): $t"; return 1 ;; esac
		ins="$ins${ins:+,}$(echo "$t" | sed -n 's/^ns=\([0-9]*\) .*busy_ns=\([0-9]*\).*/\1:\2/p')"
		if [ $i -lt "$LOAD_REPS" ]; then
			t=$(zmcbench time rmmod zombiememcg)
			case $t in *status=0*) ;; *) fail "rmmod ($1 zombies): $t"; return 1 ;; esac
			rms="$rms${rms:+,}$(echo "$t" | sed -n 's/^ns=\([0-9]*\) .*busy_ns=\([0-9]*\).*/\1:\2/p')"
		fi
		i=$((i + 1))
	done
	echo 0 >$DBG/older_than_secs
	result "phase=load level=$1 reps=$LOAD_REPS insmod_ns=$ins rmmod_ns=${rms:--}" \
		"records=$(sed -n 's/^records //p' $DBG/stats)" \
		"zombies=$(sed -n 's/^zombies //p' $DBG/stats)" \
		"predating=$(sed -n 's/^predating_zombies //p' $DBG/stats)" \
		"rows=$(($(wc -l </proc/zombiememcg) - 1)) ${2:-}"
}

phase_read() {
	say "read: zombies at $ZOMBIES"
	# the load with no zombie, the baseline of the one with the most below
	load_time 0 || return
	have=0 pins=
	for level in $ZOMBIES; do
		add=$((level - have))
		[ $add -gt 0 ] || continue
		start_pinner /tmp/pin.$level $add $Z z${level}_ || break
		pins="$pins $PINPID"
		have=$level
		rows=$(($(wc -l </proc/zombiememcg) - 1))
		result "phase=make level=$level added=$add rows=$rows $(echo "$MADE" | sed 's/n=/made=/')"
		out=$(zmcbench read /proc/zombiememcg "$READ_REPS")
		result "phase=read level=$level what=proc $out"
		i=0
		while [ $i -lt "$TOOL_REPS" ]; do
			out=$(zmcbench time zombiememcgstat -o 0 1 1)
			result "phase=read level=$level what=tool rep=$i $out"
			out=$(zmcbench time zombiememcgstat -o 0 --json 1 1)
			result "phase=read level=$level what=tool_json rep=$i $out"
			i=$((i + 1))
		done
		# The free probe (the only probe path that takes zmc_lock) timed
		# by function_graph over LAT_N plain cycles: idle, then while a
		# reader walks /proc/zombiememcg in a loop.
		for reader in idle walking; do
			rm -f /tmp/stop.reader
			if [ $reader = walking ]; then
				zmcbench readloop /proc/zombiememcg /tmp/stop.reader >/tmp/readloop.out &
				rpid=$!
				sleep 1
			fi
			graph_on zmc_free_pre || { fail "function_graph on zmc_free_pre"; break; }
			lat=$(zmcbench lat "$LAT_N" $P | sed 's/\([a-z0-9_]*=\)/lat_\1/g')
			graph_off
			if [ $reader = walking ]; then
				touch /tmp/stop.reader
				wait $rpid
				rl=$(sed 's/\([a-z0-9_]*=\)/reader_\1/g' /tmp/readloop.out)
			else
				rl=
			fi
			result "phase=lock level=$level reader=$reader $(graph_stats zmc_free_pre) $lat $rl"
			graph_reset
		done
	done
	# The load with the most zombies present: unload (its records go),
	# then the timed loads as with none.
	if [ "$have" -gt 0 ]; then
		t=$(zmcbench time rmmod zombiememcg)
		un=$(echo "$t" | sed -n 's/^ns=\([0-9]*\) .*busy_ns=\([0-9]*\).*/\1:\2/p')
		load_time "$have" "unload_ns=$un" || [ -d /sys/module/zombiememcg ] || module_on
	fi
	for p in $pins; do stop_pinner $p; done
	zmcbench dying $Z 300 >/dev/null || fail "zombies not freed after their pinners exited"
	module_off
	settle
}

# ------------------------------------------------------------ holders scan
# holders_time CFG: the timed reads of the holders file, one result line
holders_time() {
	out=$(zmcbench holders /proc/zombiememcg_holders "$HOLDERS_REPS") ||
		{ fail "holders read ($1): $out"; return 1; }
	result "phase=holders cfg=$1 $out"
}

# nr_free_pages: the free page frames (buddy allocator), from /proc/vmstat
nr_free() { sed -n 's/^nr_free_pages //p' /proc/vmstat; }
meminfo_kB() { sed -n "s/^$1: *\([0-9]*\).*/\1/p" /proc/meminfo; }

# holders_fill: memory in use, as on a busy host: a file of HOLDERS_FILL_PCT %
# of MemTotal on a tmpfs (4 KiB pages: huge=never), written by dd from a
# process in the cgroup $HF/w, so every page is charged there (a real memcg
# pointer, as in a container).  Capped so that HOLDERS_FILL_KEEP_MB stay
# available: tmpfs pages are not reclaimable without swap.  One result line.
HF=$CG/hf
HFILL=/tmp/hfill
HOLDERS_FILL_KEEP_MB=384
holders_fill() {
	total=$(meminfo_kB MemTotal) avail=$(meminfo_kB MemAvailable)
	mib=$((total * HOLDERS_FILL_PCT / 100 / 1024))
	cap=$((avail / 1024 - HOLDERS_FILL_KEEP_MB))
	[ $mib -gt $cap ] && mib=$cap
	[ $mib -gt 0 ] || { fail "holders fill: only $avail kB available"; return 1; }
	free0=$(nr_free) shmem0=$(meminfo_kB Shmem)
	mkdir -p $HFILL $HF/w && echo +memory >$HF/cgroup.subtree_control || {
		fail "holders fill: cgroup $HF/w"
		return 1
	}
	mount -t tmpfs -o size=$((mib + 16))m,huge=never none $HFILL 2>/dev/null ||
		mount -t tmpfs -o size=$((mib + 16))m none $HFILL || {
		fail "holders fill: tmpfs mount"
		return 1
	}
	t0=$(date +%s)
	# its messages through a pipe: a file of them would be a page charged
	# to $HF/w, and keep it from being freed after
	# shellcheck disable=SC2016
	if ! out=$(sh -c 'echo $$ >"$1/cgroup.procs" && exec dd if=/dev/zero of="$2" bs=1048576 count="$3"' \
		sh $HF/w $HFILL/fill $mib 2>&1); then
		echo "$out"
		fail "holders fill: dd of $mib MiB"
		return 1
	fi
	free1=$(nr_free)
	result "phase=holdersfill pct=$HOLDERS_FILL_PCT fill_MiB=$mib fill_frames=$((mib * 256))" \
		"free_before=$free0 free=$free1 shmem_kB_before=$shmem0 shmem_kB=$(meminfo_kB Shmem)" \
		"shmem_huge_kB=$(meminfo_kB ShmemHugePages) memcg_bytes=$(cat $HF/w/memory.current)" \
		"avail_kB=$(meminfo_kB MemAvailable) memfree_kB=$(meminfo_kB MemFree)" \
		"swap_kB=$(meminfo_kB SwapTotal) secs=$(($(date +%s) - t0))"
	# not too close to the OOM killer for the scans to come
	[ "$(meminfo_kB MemAvailable)" -gt $((HOLDERS_FILL_KEEP_MB * 1024 / 2)) ] || {
		fail "holders fill: only $(meminfo_kB MemAvailable) kB left available"
		return 1
	}
}

# holders_unfill: the file, the mount and the cgroup gone
holders_unfill() {
	rm -f $HFILL/fill
	umount $HFILL 2>/dev/null
	if [ -d $HF ]; then
		rmdir $HF/w 2>/dev/null
		# the last pages dd wrote may wait in this CPU's LRU add batch
		# (a reference each, so still charged): push them out with new
		# pages of the root cgroup (the phase runs on one CPU)
		dd if=/dev/zero of=/tmp/hflush bs=4096 count=64 2>/dev/null
		rm -f /tmp/hflush
		out=$(zmcbench dying $HF 60) || fail "holders fill cgroup not freed: $out"
		rmdir $HF
	fi
	result "phase=holdersunfill free=$(nr_free) shmem_kB=$(meminfo_kB Shmem)"
}

phase_holders() {
	say "holders: $HOLDERS_REPS timed scans per configuration; files $HOLDERS_FILES, zombies $HOLDERS_ZOMBIES, fill $HOLDERS_FILL_PCT %"
	module_on || return
	[ -r /proc/zombiememcg_holders ] || { fail "no /proc/zombiememcg_holders"; module_off; return; }
	# One vCPU: the icount clock then counts the instructions of the scan
	# (and of the interrupts it takes), nothing of another CPU's.
	cpus_online 1
	settle
	zmcbench dying $Z 120 >/dev/null
	# the page frames of the zones: spanned (holes included), present, managed
	# (and the free ones, idle)
	result "phase=holdersmem $(awk '$1 == "spanned" { s += $2 } $1 == "present" { p += $2 }
		$1 == "managed" { m += $2 } END { printf "spanned=%d present=%d managed=%d", s, p, m }' /proc/zoneinfo)" \
		"free=$(nr_free)"
	# base: no zombie past the threshold, so the open does not scan
	echo 1000000000 >$DBG/older_than_secs
	holders_time base
	echo 0 >$DBG/older_than_secs
	# one: one zombie pinned by a TCP socket, the processes' few files
	if start_pinner /tmp/pin.h1 1 $Z h1_; then
		hpins=$PINPID
		holders_time one
		# files: the same plus a process holding HOLDERS_FILES files
		zmcbench fds "$HOLDERS_FILES" >/tmp/fds.out 2>&1 &
		fpid=$!
		until grep -q '^ready' /tmp/fds.out; do
			kill -0 $fpid 2>/dev/null || { cat /tmp/fds.out; fail "zmcbench fds died"; break; }
			sleep 0.5
		done
		grep -q '^ready' /tmp/fds.out && holders_time files
		stop_pinner $fpid
		# full: the same one zombie, most of the memory in use and charged
		if [ "$HOLDERS_FILL_PCT" -gt 0 ]; then
			holders_fill && holders_time full
			holders_unfill
		fi
		# zombies: HOLDERS_ZOMBIES zombies in all (their sockets are files)
		if [ "$HOLDERS_ZOMBIES" -gt 1 ] &&
			start_pinner /tmp/pin.hn $((HOLDERS_ZOMBIES - 1)) $Z hn_; then
			hpins="$hpins $PINPID"
			holders_time zombies
		fi
		for p in $hpins; do stop_pinner "$p"; done
	fi
	zmcbench dying $Z 300 >/dev/null || fail "holders zombies not freed after their pinners exited"
	module_off
	cpus_online 0
	settle
}

# ------------------------------------------------------------ footprint
# phase_footprint: FOOTPRINT (the module's per-zombie estimate) against the
# truth of selftests/footprint_test.c, which traces the kernel's kmem and
# percpu events while FP_ZOMBIES zombies are made and freed and counts the
# bytes freed with them.  The test loads and unloads the module itself.  One
# result line per truth it printed; "skipped" if it skipped or gave none.
FP_TEST=/bench/footprint_test
FP_ZOMBIES=${FP_ZOMBIES:-64}     # /bench/config may set it (read above)
FP_MARGIN_PCT=15         # the selftest's margin (issue 14)
phase_footprint() {
	cpus=$(grep -c ^processor /proc/cpuinfo)
	# possible CPUs (a per-CPU area is allocated on each): "0-15" is 16
	possible=$(awk -F- '{ print $NF + 1 }' /sys/devices/system/cpu/possible 2>/dev/null)
	say "footprint: $FP_TEST with $FP_ZOMBIES zombies on $cpus CPUs (possible: $possible)"
	if [ ! -x $FP_TEST ]; then
		result "phase=footprint cpus=$cpus skipped=\"no $FP_TEST in the VM\""
		return
	fi
	grep -q '^zombiememcg ' /proc/modules && module_off
	$FP_TEST $KO "$FP_ZOMBIES" >/tmp/fp.out 2>&1
	rc=$?
	sed 's/^/# | /' /tmp/fp.out
	# "#   NNN B  in all; FOOTPRINT NNN (+x.x %)": one per truth measured
	sed -n 's/^# *\([0-9][0-9]*\) B  in all; FOOTPRINT \([0-9][0-9]*\) .*/\1 \2/p' /tmp/fp.out >/tmp/fp.truth
	left=$(sed -n 's/^# *(allocated at mkdir and not seen freed: \([0-9]*\) B per zombie)/\1/p' /tmp/fp.out | head -n1)
	src=$(sed -n 's/^# footprint: .* (private struct sizes from \(.*\))$/\1/p' /tmp/fp.out | head -n1)
	st=$(awk '$1 == "ok" && $2 == 3 { print "ok" } $1 == "not" && $3 == 3 { print "not_ok" }' /tmp/fp.out)
	if [ -s /tmp/fp.truth ]; then
		while read -r truth fp; do
			result "phase=footprint cpus=$cpus possible=$possible zombies=$FP_ZOMBIES" \
				"truth=$truth footprint=$fp $(awk -v t="$truth" -v f="$fp" -v m=$FP_MARGIN_PCT 'BEGIN {
					e = t ? 100 * (f - t) / t : 0
					printf "err_pct=%.1f verdict=%s", e, (t && e <= m && e >= -m) ? "met" : "missed" }')" \
				"left=${left:-0} sizes=\"${src:-?}\" selftest=${st:-none} rc=$rc"
		done </tmp/fp.truth
		return
	fi
	# no truth: the test's skip reason, or the diagnostic before its failure
	why=$(sed -n 's/^ok [0-9]* .* # SKIP //p' /tmp/fp.out | head -n1)
	[ -n "$why" ] || why=$(awk '/^# / { d = substr($0, 3) } /^not ok / { print d; exit }' /tmp/fp.out)
	[ -n "$why" ] || why="footprint_test exited $rc without a result"
	result "phase=footprint cpus=$cpus possible=$possible skipped=\"$(echo "$why" | tr '"' "'")\" rc=$rc"
}

# ------------------------------------------------------------ main
phase_info
for ph in $PHASES; do
	t0=$(date +%s)
	"phase_$ph"
	result "phase=done name=$ph secs=$(($(date +%s) - t0))"
done
result "phase=end fails=$FAILS"
[ $FAILS = 0 ]
