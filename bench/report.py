#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a `make bench` run into its report.

    report.py RESULTS_DIR

Reads RESULTS_DIR/{guest.log, meta.txt, tool.csv, host-load.txt}, writes
RESULTS_DIR/{report.md, cycles.csv, hits.csv, read.csv, lock.csv, mem.csv,
holders.csv, goals.csv} and prints the report.  Goals are judged on the figures as
measured; nothing is tuned or dropped (every round counts, including
outliers: the spread is shown next to each figure).
"""
import csv
import math
import os
import re
import shlex
import statistics as st
import sys
from collections import defaultdict

GOAL_RATIO = 0.99        # module/none cycles/s
GOAL_FLAT = 1.25         # largest per-row read cost / smallest, 1k..50k
GOAL_RECORD_BYTES = 160
GOAL_TOOL_RPS = 1_000_000
GOAL_PFN_INSNS = 60      # holders scan: instructions per page frame
HOST_RATE = 3e9          # instructions/s assumed for a host (1 per cycle at 3 GHz)
PFNS_PER_GIB = (1 << 30) // 4096


def parse_guest(path):
    recs = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("BENCH "):
                continue
            d = {}
            try:
                toks = shlex.split(line[6:])
            except ValueError:
                toks = line[6:].split()
            for t in toks:
                if "=" in t:
                    k, v = t.split("=", 1)
                    d[k] = v
            recs.append(d)
    return recs


def num(v, default=None):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def fmt(v, digits=1):
    if v is None:
        return "n/a"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "n/a"
    return ("%%.%df" % digits) % v


def mean_ci(xs):
    """mean and half-width of a 95% confidence interval (t quantiles)."""
    n = len(xs)
    if n == 0:
        return None, None
    m = st.mean(xs)
    if n < 2:
        return m, None
    t = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 7: 2.45, 8: 2.36, 9: 2.31,
         10: 2.26, 11: 2.23, 12: 2.20, 13: 2.18, 14: 2.16, 15: 2.14}.get(n, 2.0)
    return m, t * st.stdev(xs) / math.sqrt(n)


def cv(xs):
    return 100 * st.stdev(xs) / st.mean(xs) if len(xs) > 1 and st.mean(xs) else None


def table(rows, header, align=None):
    out = ["| " + " | ".join(header) + " |"]
    out.append("|" + "|".join((" ---: " if (align and align[i] == "r") else " --- ")
                              for i in range(len(header))) + "|")
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def host_load(path):
    """load average and CPU busy share over the run, from the 5 s samples."""
    loads, stats = [], []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) < 8:
                    continue
                loads.append(float(p[1]))
                vals = [int(x) for x in p[5:]]
                stats.append((sum(vals), vals[3] + (vals[4] if len(vals) > 4 else 0)))
    except OSError:
        pass
    busy = None
    if len(stats) >= 2:
        dt = stats[-1][0] - stats[0][0]
        didle = stats[-1][1] - stats[0][1]
        busy = 100.0 * (dt - didle) / dt if dt else None
    return loads, busy


def verdict_ratio(ratios, goal):
    m, h = mean_ci(ratios)
    if m is None:
        return "not measured", m, h
    if h is None:
        return ("met" if m >= goal else "missed"), m, h
    if m - h >= goal:
        return "met", m, h
    if m + h < goal:
        return "missed", m, h
    return "not resolved (95%% CI straddles %.0f%%)" % (goal * 100), m, h


def verdict_max(xs, goal):
    """met if the whole 95% CI of the mean is at or below goal, missed if above."""
    m, h = mean_ci(xs)
    if m is None:
        return "not measured", m, h
    if h is None:
        return ("met" if m <= goal else "missed"), m, h
    if m + h <= goal:
        return "met", m, h
    if m - h > goal:
        return "missed", m, h
    return "not resolved (95%% CI straddles %g)" % goal, m, h


def pm(m, h, digits=1):
    return fmt(m, digits) + (" ± %s" % fmt(h, digits) if h is not None else "")


def holders_section(A, by, goals, info, meta, d):
    """The cost of one scan of /proc/zombiememcg_holders."""
    A("## 6. Holders scan (/proc/zombiememcg_holders)")
    A("")
    hs = {r.get("cfg"): r for r in by["holders"] if r.get("ns")}
    if "one" not in hs:
        A("Not measured in this run.")
        A("")
        return
    ts = {c: [int(x) for x in r["ns"].split(",") if x] for c, r in hs.items()}
    cnt = {c: {k: int(num(r.get(k), 0)) for k in ("zombies", "pfns", "files", "procs",
                                                    "scan_ms")} for c, r in hs.items()}
    paged = hs["one"].get("pages") == "yes" and cnt["one"]["pfns"] > 0
    hm = by["holdersmem"][0] if by["holdersmem"] else {}
    present = num(hm.get("present"), 0)
    fill = by["holdersfill"][0] if by["holdersfill"] else {}

    def in_use(free):  # share of the present frames not free, in %
        free = num(free)
        return 100.0 * (present - free) / present if present and free is not None else None
    idle_use, full_use = in_use(hm.get("free")), in_use(fill.get("free"))
    if fill:
        full_text = ("*full*: the one zombie again, with %s %% of MemTotal (%s MiB, %s frames of "
                     "4 KiB) written to a file on a tmpfs (huge=never) by a process in a live "
                     "cgroup, so charged there (memory.current %s MiB; Shmem +%s MiB; swap %s kB): "
                     "%s %% of the present frames in use, against %s %% idle; freed after" % (
                         fill.get("pct", "?"), fill.get("fill_MiB", "?"), fill.get("fill_frames", "?"),
                         fmt(num(fill.get("memcg_bytes"), 0) / 2**20, 0),
                         fmt((num(fill.get("shmem_kB"), 0) - num(fill.get("shmem_kB_before"), 0))
                             / 1024, 0), fill.get("swap_kB", "?"), fmt(full_use, 1),
                         fmt(idle_use, 1)))
    else:
        full_text = "*full* (memory filled): not run"
    A("One open of the file is one scan (the read prints its result, the close frees it). "
      "Timed from the guest: open+read+close, CLOCK_MONOTONIC, on one vCPU%s, after one "
      "untimed warm-up; %s repetitions per case. The guest "
      "clock is QEMU's instruction counter (-icount %s), so 1 ns = 1 guest instruction "
      "(the scan's, and those of the interrupts it takes). Cases, in one boot (%s MiB of "
      "guest RAM): *base*: no zombie past older_than_secs, so the open does not scan "
      "(syscalls and the zombie walk only); *one*: one zombie, pinned by a TCP socket; "
      "*files*: the same plus a process holding %s more open files (dup()s of /dev/null); "
      "%s; "
      "*zombies*: %s zombies, each pinned by a socket of one process. The counts are the "
      "footer's: %s; open files and processes are those the file table walk visited." % (
          " (the other taken offline)" if num(info.get("cpus"), 2) > 1 else " (the VM's only one)",
          len(ts["one"]), meta.get("icount", "?"), int(num(info.get("mem_kB"), 0) // 1024),
          cnt["files"]["files"] - cnt["one"]["files"] if "files" in cnt else "?",
          full_text,
          cnt["zombies"]["zombies"] if "zombies" in cnt else "(not run)",
          "page frames are every pfn of each online node's span, holes included (free "
          "blocks and compound pages stepped over whole, pfn_to_online_page() once per "
          "subsection)" if paged else
          "no page frames, as this kernel reparents user pages at offline and the module "
          "skips the page walk"))
    A("")
    rows, csv_rows = [], []
    for c in ("base", "one", "files", "full", "zombies"):
        if c not in ts:
            continue
        x, k = ts[c], cnt[c]
        rows.append([c, k["zombies"], k["pfns"], k["files"], k["procs"], k["scan_ms"],
                     fmt(st.median(x) / 1e6, 3), "%s .. %s" % (fmt(min(x) / 1e6, 3),
                                                             fmt(max(x) / 1e6, 3)),
                     fmt(cv(x), 2)])
        for i, v in enumerate(x):
            csv_rows.append([c, i, v, k["zombies"], k["pfns"], k["files"], k["procs"],
                             hs[c].get("pages"), k["scan_ms"]])
    write_csv(os.path.join(d, "holders.csv"), ["case", "rep", "ns", "zombies", "page_frames",
                                               "open_files", "processes", "pages_scanned",
                                               "footer_ms"], csv_rows)
    A(table(rows, ["case", "zombies", "page frames", "open files", "processes",
                   "footer ms (jiffies)", "M instructions (median)", "min .. max", "CV %"],
            "lrrrrrrrr"))
    A("")
    base = ts.get("base")
    nb = st.median(base) if base else 0

    def bi(i):
        return base[i] if base and i < len(base) else nb
    # Per open file: the files case minus the one case, repetition by repetition.
    per_file = []
    if "files" in ts and cnt["files"]["files"] > cnt["one"]["files"]:
        df = cnt["files"]["files"] - cnt["one"]["files"]
        per_file = [(b - a) / df for a, b in zip(ts["one"], ts["files"])]
    pf_m, pf_h = mean_ci(per_file)
    pf_med = st.median(per_file) if per_file else None

    def pf(i):
        return per_file[i] if i < len(per_file) else (pf_med or 0)

    def rest(c):  # the scan minus base and its open files, per repetition
        return [t - bi(i) - cnt[c]["files"] * pf(i) for i, t in enumerate(ts[c])]
    drows = []
    drows.append(["open+read+close, no scan (base)", fmt(nb / 1e3, 1) + " k", "",
                  "median of base"])
    drows.append(["per open file visited", pm(pf_m, pf_h, 1), fmt(pf_med, 1),
                  "(files − one) / (their open files' difference), per repetition"
                  if per_file else "not measured (no files case)"])
    one_rest = rest("one")
    verdict = "not applicable (pages not scanned)"
    measured = "not applicable (pages not scanned: this kernel reparents them at offline)"
    if paged:
        pfns = cnt["one"]["pfns"]

        def use(u):
            return " (%s %% of present frames in use)" % fmt(u, 0) if u is not None else ""
        per_pfn = [r / pfns for r in one_rest]
        m, h = mean_ci(per_pfn)
        med = st.median(per_pfn)
        drows.append(["per page frame, 1 zombie, idle%s" % use(idle_use), pm(m, h, 2), fmt(med, 2),
                      "(one − base − one's files × per file) / page frames: an upper bound "
                      "(the per-process and per-zombie work is in it); memory almost all "
                      "free, its blocks stepped over whole: information only"])
        # Per GiB of memory: the scan over the guest's present page frames
        # (holes, which the walk also steps over, taken as free: for a large
        # host, where they are a small share, this is the upper bound).
        if present:
            pp = [r / present for r in one_rest]
            ppm, pph = mean_ci(pp)
            drows.append(["per present page frame, 1 zombie, idle", pm(ppm, pph, 2),
                          fmt(st.median(pp), 2),
                          "the same over the %d present frames of the zones (/proc/zoneinfo; "
                          "the footer's %d include the holes of the node span)" % (present, pfns)])
        else:
            ppm = m
        # The goal and the extrapolation: the filled case, memory in use
        # being what a host has and what the walk pays for.
        full = "full" in ts and cnt["full"]["pfns"] > 0
        if full:
            full_rest = rest("full")
            fp = [r / cnt["full"]["pfns"] for r in full_rest]
            verdict, m, h = verdict_max(fp, GOAL_PFN_INSNS)
            med = st.median(fp)
            drows.append(["per page frame, memory filled%s" % use(full_use),
                          "**%s**" % pm(m, h, 2), fmt(med, 2),
                          "(full − base − full's files × per file) / page frames: the same "
                          "upper bound, %s MiB of 4 KiB pages in use and charged to a live "
                          "cgroup (each read, its memcg pointer filtered)" % fill.get("fill_MiB", "?")])
            if present:
                fpp = [r / present for r in full_rest]
                ppm, pph = mean_ci(fpp)
                drows.append(["per present page frame, memory filled", "**%s**" % pm(ppm, pph, 2),
                              fmt(st.median(fpp), 2),
                              "the same over the %d present frames" % present])
            else:
                ppm = m
            # What a frame put in use adds: full − one over the frames no
            # longer free (dd's pages and what came with them).
            used = num(fill.get("free_before"), 0) - num(fill.get("free"), 0)
            if used > 0:
                mg = [(b - a) / used for a, b in zip(ts["one"], ts["full"])]
                mgm, mgh = mean_ci(mg)
                drows.append(["per frame put in use", pm(mgm, mgh, 2), fmt(st.median(mg), 2),
                              "(full − one) / the %d frames no longer free after the fill "
                              "(nr_free_pages): the walk's cost of a 4 KiB page in use, about "
                              "the figure per frame of a host whose every frame is in use"
                              % used])
            basis = "memory filled"
        else:
            verdict = "not measured (no filled-memory case: the idle figure steps over free " \
                "memory and says nothing of a host in use)"
            basis = "idle (no filled case)"
        if "zombies" in ts and cnt["zombies"]["pfns"]:
            zp = [r / cnt["zombies"]["pfns"] for r in rest("zombies")]
            zm, zh = mean_ci(zp)
            drows.append(["per page frame, %d zombies" % cnt["zombies"]["zombies"], pm(zm, zh, 2),
                          fmt(st.median(zp), 2),
                          "the same for the zombies case (one lookup among %d per charged "
                          "page; their pinning, sort and output lines included)"
                          % cnt["zombies"]["zombies"]])
        gib = ppm * PFNS_PER_GIB
        drows.append(["whole scan per GiB of memory", "%s M instructions" % fmt(gib / 1e6, 2),
                      "", "per %spage frame, %s, × 2^30 / 4096 = %s ms at %s G instructions/s" % (
                          "present " if present else "", basis, fmt(1e3 * gib / HOST_RATE, 2),
                          fmt(HOST_RATE / 1e9, 0))])
        drows.append(["64 GiB host", "%s G instructions" % fmt(64 * gib / 1e9, 3), "",
                      "%s s of CPU at %s G instructions/s (goal: well under 1 s)" % (
                          fmt(64 * gib / HOST_RATE, 3), fmt(HOST_RATE / 1e9, 0))])
        idle_m = mean_ci(per_pfn)[0]
        if full:
            measured = "memory filled (%s %% of present frames in use): %s instructions/page " \
                "frame (median %s, 95%% CI of the mean over %d repetitions; %s per present " \
                "frame); %s ms/GiB, %s s for 64 GiB at %s G instructions/s; idle: %s" % (
                    fmt(full_use, 0), pm(m, h, 2), fmt(med, 2), len(fp), fmt(ppm, 2),
                    fmt(1e3 * gib / HOST_RATE, 2), fmt(64 * gib / HOST_RATE, 3),
                    fmt(HOST_RATE / 1e9, 0), fmt(idle_m, 2))
        else:
            measured = "idle only: %s instructions/page frame (median %s); no filled case" % (
                pm(m, h, 2), fmt(med, 2))
    else:
        fm, fh = mean_ci(one_rest)
        drows.append(["per page frame", "not applicable (pages not scanned)", "",
                      "this kernel reparents user pages at offline; the module skips the walk"])
        drows.append(["scan of 1 zombie, its files aside", pm(fm / 1e3 if fm is not None else None,
                                                              fh / 1e3 if fh is not None else None,
                                                              1) + " k",
                      fmt(st.median(one_rest) / 1e3, 1) + " k",
                      "one − base − one's files × per file: pinning, %d processes' tables, "
                      "output" % cnt["one"]["procs"]])
        if "full" in ts:
            fr = rest("full")
            frm, frh = mean_ci(fr)
            drows.append(["scan of 1 zombie, memory filled, files aside",
                          pm(frm / 1e3, frh / 1e3 if frh is not None else None, 1) + " k",
                          fmt(st.median(fr) / 1e3, 1) + " k",
                          "full − base − full's files × per file, %s MiB in use: no page walk, "
                          "so about the same as idle" % fill.get("fill_MiB", "?")])
        if "zombies" in ts:
            zr = rest("zombies")
            zm, zh = mean_ci(zr)
            nz = cnt["zombies"]["zombies"]
            drows.append(["scan of %d zombies, files aside" % nz,
                          pm(zm / 1e3, zh / 1e3 if zh is not None else None, 1) + " k",
                          fmt(st.median(zr) / 1e3, 1) + " k",
                          "the same for the zombies case: %s k per zombie" % fmt(
                              st.median(zr) / nz / 1e3, 2)])
        drows.append(["whole scan per GiB of memory", "not applicable", "",
                      "no page walk: the scan's cost does not grow with memory"])
    A("Derived, in guest instructions (k = thousands), mean ± 95% CI over the "
      "repetitions, each repetition of a case paired with the same repetition of the others:")
    A("")
    A(table(drows, ["figure", "mean ± 95% CI", "median", "method"], "lrrl"))
    A("")
    goals.append(["holders scan: <= %d instructions per page frame, memory in use" % GOAL_PFN_INSNS,
                  measured, verdict])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    recs = parse_guest(os.path.join(d, "guest.log"))
    meta = {}
    with open(os.path.join(d, "meta.txt")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    by = defaultdict(list)
    for r in recs:
        by[r.get("phase")].append(r)
    info = by["info"][0] if by["info"] else {}
    md = []
    goals = []
    A = md.append

    kernel = info.get("kernel", meta.get("kernel_id", "?"))
    A("# zombiememcg bench: %s, %s" % (kernel, meta.get("date", "")))
    A("")
    loads, busy = host_load(os.path.join(d, "host-load.txt"))
    A(table([
        ["guest kernel", "%s (Debian; id %s)" % (kernel, meta.get("kernel_id"))],
        ["guest CPUs / RAM", "%s vCPUs (%s), %s MiB" % (
            info.get("cpus", "?"), info.get("cpu", "?"),
            int(num(info.get("mem_kB"), 0) // 1024))],
        ["emulation", "%s, TCG thread=single (no KVM): absolute times mean little, "
         "ratios measured in the same boot do" % meta.get("qemu", "qemu")],
        ["host", "%s x %s (%s), Linux %s" % (meta.get("host_cpus"), meta.get("host_cpu"),
                                             "shared with other jobs", meta.get("host_kernel"))],
        ["host load during the run", "load average min %s / mean %s / max %s; CPU busy %s%% of %s cores "
         "(QEMU's TCG thread is about one core of it)" % (
             fmt(min(loads), 2) if loads else "?", fmt(st.mean(loads), 2) if loads else "?",
             fmt(max(loads), 2) if loads else "?", fmt(busy, 0), meta.get("host_cpus"))],
        ["BPF peer", "%s, BTF %s" % (info.get("bpftrace", "none"), info.get("btf", "?"))],
        ["run", "phases %s; %s rounds x %s cycles per kind and configuration%s; VM %s s, total %s s; "
         "status %s" % (
             meta.get("phases", "cycle hit mem read"), meta.get("rounds"), meta.get("cycles"),
             " (quick)" if meta.get("quick") == "1" else "",
             meta.get("vm_secs"), meta.get("total_secs"), meta.get("vm_status"))],
        ["source", meta.get("commit", "?") + (
            "; module built from %s" % meta["module_src"] if meta.get("module_src") else "")],
    ], ["", ""]))
    A("")
    errs = by["error"]
    if errs:
        A("**Errors in the VM run:** " + "; ".join(e.get("msg", "?") for e in errs))
        A("")

    # ------------------------------------------------------------ cycles
    A("## 1. Create/destroy overhead (mkdir+rmdir cycles, one boot, interleaved rounds)")
    A("")
    A("A cycle is mkdir + rmdir of a child cgroup with the memory controller; *charged* "
      "also moves the process in, writes one tmpfs page (charged to the memcg), moves back "
      "and deletes the page after the rmdir, so the memcg goes online, offline with a charge, "
      "and is freed when the page goes. The clock stops when the parent has no dying "
      "descendant left: the asynchronous offline and free work, and the probes on it, are "
      "inside the time. Round 0 is a warm-up and not counted. Configurations: none (no "
      "probe), module (zombiememcg.ko loaded), peer (bpftrace, bench/zmc_peer.bt).")
    A("")
    cyc = {"cpu": defaultdict(dict), "wall": defaultdict(dict)}  # basis -> kind -> round -> cfg -> cps
    cyc_rows = []
    for r in by["cycle"]:
        if "total_ns" not in r:
            continue
        rnd = int(r["round"])
        n = int(r["n"])
        wall = n / (int(r["total_ns"]) / 1e9)
        busy = int(r.get("busy_ns", 0))
        cpu = n / (busy / 1e9) if busy else None
        cyc_rows.append([rnd, r["cfg"], r["kind"], n, r["loop_ns"], r["total_ns"], busy,
                         "%.1f" % wall, "%.1f" % cpu if cpu else ""])
        if rnd > 0:
            cyc["wall"][r["kind"]].setdefault(rnd, {})[r["cfg"]] = wall
            if cpu:
                cyc["cpu"][r["kind"]].setdefault(rnd, {})[r["cfg"]] = cpu
    write_csv(os.path.join(d, "cycles.csv"),
              ["round", "cfg", "kind", "n", "loop_ns", "total_ns", "busy_ns",
               "wall_cycles_per_s", "cpu_cycles_per_s"], cyc_rows)
    A("Two measures per round: **CPU** = cycles per second of CPU time the guest spent "
      "running tasks (schedstat rq_cpu_time, kworkers and probes included, idle excluded): "
      "the cost, and the throughput of a CPU-bound create/destroy loop; **wall** = cycles "
      "per second of elapsed time, which also holds idle waits (RCU grace periods, timer "
      "ticks) and is noisier. The guest clock is QEMU's instruction counter (-icount "
      "%s): 1 ns = 1 guest instruction, so host load does not enter. The cycle and hit "
      "phases run with %s." % (meta.get("icount", "?"),
                               "one vCPU online (the other is taken offline for them)"
                               if any(c.get("online") == "1" for c in by["cpus"]) else "all vCPUs"))
    A("")
    rows = []
    ratio_rows = []
    for kind in ("plain", "charged"):
        for basis in ("cpu", "wall"):
            rounds = cyc[basis].get(kind, {})
            for cfg in ("none", "module", "peer"):
                xs = [v[cfg] for v in rounds.values() if cfg in v]
                if not xs:
                    continue
                rows.append([kind, basis, cfg, len(xs), fmt(st.median(xs)), fmt(1e6 / st.median(xs), 1),
                             "%s .. %s" % (fmt(min(xs)), fmt(max(xs))), fmt(cv(xs), 2)])
            for num_cfg, den_cfg, goal in (("module", "none", GOAL_RATIO), ("peer", "none", None),
                                           ("module", "peer", 1.0)):
                rs = [v[num_cfg] / v[den_cfg] for v in rounds.values()
                      if num_cfg in v and den_cfg in v]
                if not rs:
                    continue
                m, h = mean_ci(rs)
                ratio_rows.append([kind, basis, "%s/%s" % (num_cfg, den_cfg), len(rs),
                                   fmt(100 * st.median(rs), 2) + "%",
                                   fmt(100 * m, 2) + "%" + (" ± %s" % fmt(100 * h, 2) if h else ""),
                                   "%s .. %s" % (fmt(100 * min(rs), 2) + "%", fmt(100 * max(rs), 2) + "%")])
                if goal is None:
                    continue
                v, m, h = verdict_ratio(rs, goal)
                what = ("module >= 99% of none" if den_cfg == "none" else "module ahead of the BPF peer")
                goals.append(["mkdir+rmdir throughput, %s cycles, %s: %s" % (kind, basis, what),
                              "%s/%s %s%% (median %s%%, 95%% CI ± %s)" % (
                                  num_cfg, den_cfg, fmt(100 * m, 2), fmt(100 * st.median(rs), 2),
                                  fmt(100 * h, 2) if h else "n/a"), v])
    A(table(rows, ["kind", "basis", "config", "rounds", "cycles/s (median)", "µs/cycle",
                   "min .. max cycles/s", "CV %"], "lllrrrrr"))
    A("")
    A("Ratios, computed per round (each round runs none, module, peer back to back) so that "
      "drift cancels; 95% CI of the mean over rounds:")
    A("")
    A(table(ratio_rows, ["kind", "basis", "ratio", "rounds", "median", "mean ± 95% CI",
                         "min .. max"], "lllrrrr"))
    A("")
    der = []
    for kind in ("plain", "charged"):
        rounds = cyc["cpu"].get(kind, {})
        for cfg in ("module", "peer"):
            ds = [1e6 / v[cfg] - 1e6 / v["none"] for v in rounds.values() if cfg in v and "none" in v]
            if ds:
                der.append([kind, cfg, fmt(st.median(ds) * 1000, 0), fmt(1e3 * 1e6 / st.median(
                    [v["none"] for v in rounds.values() if "none" in v]), 0)])
    if der:
        A("Extra CPU per cycle against none (median over rounds, in guest instructions: "
          "1 ns of the icount clock = 1 instruction; a cycle fires the three probes once "
          "each, so this is the sum of three hits, kprobe dispatch included):")
        A("")
        A(table(der, ["kind", "config", "extra instructions/cycle", "none instructions/cycle"],
                "llrr"))
        A("")
    pc = by["peercheck"]
    if pc:
        A("The peer saw every event: " + "; ".join(
            "online %s, offline %s, free %s" % (p.get("online"), p.get("offline"), p.get("free"))
            for p in pc[:3]) + (" ..." if len(pc) > 3 else "") +
          " (per peer round, warm-up included).")
        A("")
    ps = [num(p.get("secs"), 0) for p in by["peerstart"]]
    if ps:
        A("bpftrace took %s s of guest clock (median) from start to its three kprobes "
          "registered; that time is outside the measurements." % fmt(st.median(ps), 0))
        A("")

    # ------------------------------------------------------------ hits
    A("## 2. Per-hit cost of the probe handlers")
    A("")
    A("Charged cycles cut in stages (mkdir all, rmdir all, release all) so each handler "
      "is attributed. Module: `function_graph` on its three kprobe handlers "
      "(zmc_online_pre, zmc_offline_pre, zmc_free_pre), so the tracer's own entry/exit cost "
      "is included. Peer: BPF run-time statistics (`kernel.bpf_stats_enabled`, run_time_ns / "
      "run_cnt from the programs' fdinfo), which time the program alone. Neither includes the "
      "kprobe's ftrace trampoline, which both pay alike. `none` is the probed kernel function "
      "itself under function_graph, for scale. Times in µs of the icount clock, i.e. "
      "thousands of guest instructions (with ZMC_BENCH_ICOUNT=0: µs of TCG wall time).")
    A("")
    hit_rows = []
    csv_rows = []
    for h in by["hit"]:
        hit_rows.append([h.get("probe"), h.get("cfg"), h.get("tool"), h.get("n"),
                         h.get("mean_us", "n/a"), h.get("p50_us", "–"), h.get("p99_us", "–"),
                         h.get("max_us", "–")])
        csv_rows.append([h.get("probe"), h.get("cfg"), h.get("tool"), h.get("n"),
                         h.get("mean_us"), h.get("p50_us"), h.get("p99_us"), h.get("max_us"),
                         h.get("insns")])
    hit_rows.sort(key=lambda r: (["online", "offline", "free"].index(r[0])
                                 if r[0] in ("online", "offline", "free") else 9, r[1]))
    write_csv(os.path.join(d, "hits.csv"), ["probe", "cfg", "tool", "n", "mean_us", "p50_us",
                                            "p99_us", "max_us", "bpf_insns"], csv_rows)
    if hit_rows:
        A(table(hit_rows, ["probe", "config", "measured by", "hits", "mean", "p50", "p99", "max"],
                "lllrrrrr"))
    else:
        A("Not measured in this run.")
    A("")
    pm = by["peermap"]
    if pm:
        A("The peer's maps (from their fdinfo): " + "; ".join(
            "type %s, key %s B, value %s B, %s entries max, memlock %s B" % (
                m.get("map_type"), m.get("key_size"), m.get("value_size"), m.get("max_entries"),
                m.get("memlock")) for m in pm) + ". bpftrace preallocates its hash maps "
          "(type 1) with 4096 entries by default: past 4096 live memcgs the peer drops "
          "records unless BPFTRACE_MAP_KEYS_MAX is raised, and it pays memlock for the "
          "whole map whether used or not.")
        A("")

    # ------------------------------------------------------------ read scaling
    A("## 3. Read scaling")
    A("")
    A("Zombies made by processes that each open a TCP socket inside every cgroup they "
      "create, then remove it (RLIMIT_NOFILE raised); `older_than_secs` 0. *proc*: reading "
      "all of /proc/zombiememcg (1 MiB reads), min of the repetitions; *tool*: "
      "`zombiememcgstat -o 0 1 1` (table) and `--json`, whole process, min of the runs.")
    A("")
    rd = defaultdict(dict)
    for r in by["read"]:
        lvl = int(r["level"])
        w = r["what"]
        if w == "proc":
            rd[lvl]["rows"] = int(r["rows"])
            rd[lvl]["proc_min"] = int(r["min_ns"]) / 1e6
            rd[lvl]["proc_med"] = int(r["med_ns"]) / 1e6
            rd[lvl]["bytes"] = int(r["bytes"])
        else:
            rd[lvl].setdefault(w, []).append(int(r["ns"]) / 1e6)
    for m in by["make"]:
        lvl = int(m["level"])
        rd[lvl]["make_s"] = int(m.get("make_ns", 0)) / 1e9
        rd[lvl]["added"] = int(m.get("added", 0))
    rows, csv_rows, per_row = [], [], []
    for lvl in sorted(rd):
        x = rd[lvl]
        n = x.get("rows") or lvl
        tool = min(x.get("tool", [float("nan")]))
        tj = min(x.get("tool_json", [float("nan")]))
        us_row = 1000 * x.get("proc_min", float("nan")) / n if n else float("nan")
        per_row.append(us_row)
        rows.append([lvl, n, fmt(x.get("proc_min"), 2), fmt(x.get("proc_med"), 2), fmt(us_row, 2),
                     fmt(tool, 1), fmt(1000 * tool / n if n else None, 2), fmt(tj, 1),
                     fmt(x.get("make_s"), 1)])
        csv_rows.append([lvl, n, x.get("bytes"), x.get("proc_min"), x.get("proc_med"), us_row,
                         tool, tj, x.get("make_s")])
    write_csv(os.path.join(d, "read.csv"), ["zombies", "rows", "bytes", "proc_min_ms",
                                            "proc_median_ms", "proc_us_per_row", "tool_min_ms",
                                            "tool_json_min_ms", "make_s"], csv_rows)
    if rows:
        A(table(rows, ["zombies", "rows read", "proc ms (min)", "proc ms (median)", "proc µs/row",
                       "tool ms", "tool µs/row", "tool --json ms", "made in s"], "rrrrrrrrr"))
        A("")
        good = [v for v in per_row if not math.isnan(v)]
        if len(good) >= 2:
            spread = max(good) / min(good)
            flat = "met" if spread <= GOAL_FLAT else "missed"
            goals.append(["per-row read cost flat from %d to %d zombies (largest/smallest <= %.2f)" % (
                min(rd), max(rd), GOAL_FLAT),
                "%s µs/row; largest/smallest %.2f" % (" / ".join(fmt(v, 2) for v in per_row), spread),
                flat])
            if max(rd) < 50000:
                goals[-1][2] += " (only up to %d zombies in this run)" % max(rd)
    else:
        A("Not measured in this run.")
        A("")
    lk = by["lock"]
    if lk:
        A("The module's lock (`zmc_lock`): only the probes take it (readers walk the kernel's "
          "css tree and look records up under RCU), the free probe once per free. The free probe (`zmc_free_pre`) timed by function_graph over plain "
          "mkdir+rmdir cycles, with no reader (idle) and while `zmcbench readloop` walks "
          "/proc/zombiememcg over and over (walking). Its time is the lookup, the wait for "
          "`zmc_lock`, the removal and call_rcu: an upper bound of the wait. mkdir+rmdir "
          "latency is shown too (the free probe runs later, in a kworker, so it is not in it). "
          "Two vCPUs, round-robin in one QEMU thread: a vCPU preempted by QEMU while it holds "
          "the lock makes the other spin until its turn, which is an emulation artefact "
          "that inflates the maxima; the medians and p99 are the figures to compare.")
        A("")
        rows, csv_rows = [], []
        for r in lk:
            rows.append([r.get("level"), r.get("reader"), r.get("n"), r.get("p50_us"),
                         r.get("p99_us"), r.get("max_us"),
                         fmt(num(r.get("lat_p50_ns"), 0) / 1000, 0),
                         fmt(num(r.get("lat_p99_ns"), 0) / 1000, 0),
                         fmt(num(r.get("lat_max_ns"), 0) / 1000, 0),
                         r.get("reader_passes", "–")])
            csv_rows.append([r.get("level"), r.get("reader"), r.get("n"), r.get("mean_us"),
                             r.get("p50_us"), r.get("p99_us"), r.get("max_us"),
                             r.get("lat_p50_ns"), r.get("lat_p99_ns"), r.get("lat_max_ns"),
                             r.get("reader_passes"), r.get("reader_rows")])
        write_csv(os.path.join(d, "lock.csv"), ["zombies", "reader", "free_hits", "free_mean_us",
                                                "free_p50_us", "free_p99_us", "free_max_us",
                                                "lat_p50_ns", "lat_p99_ns", "lat_max_ns",
                                                "reader_passes", "reader_rows"], csv_rows)
        A(table(rows, ["zombies", "reader", "free hits", "free p50 µs", "free p99 µs",
                       "free max µs", "mkdir+rmdir p50 µs", "p99 µs", "max µs", "reader passes"],
                "rlrrrrrrrr"))
        A("")

    # ------------------------------------------------------------ memory
    A("## 4. Memory")
    A("")
    A("N zombies per pass, each pinned by a TCP socket. Passes: *control* (N sockets, no "
      "cgroup), *none* (N zombies, module not loaded), *module* (N zombies, module loaded "
      "while they were made: one record each). Kernel memory is /proc/meminfo's SUnreclaim "
      "+ SReclaimable + Percpu + VmallocUsed (kmalloc of more than 2 pages, e.g. the hash "
      "table's bucket array, is counted in SUnreclaim), before and after; the kmalloc "
      "caches from /proc/slabinfo. Short paths: /zb/mNNNN (8-12 bytes); long: "
      "/system.slice/docker-<64 hex>-NNNN (86-90 bytes).")
    A("")
    mem = defaultdict(lambda: defaultdict(list))  # (style) -> pass -> [delta dicts]
    cur = {}
    for r in by["mem"]:
        key = (r["rep"], r["style"], r["pass"])
        if r["when"] == "before":
            cur[key] = r
            continue
        b = cur.get(key)
        if not b:
            continue
        dlt = {"n": int(r["n"])}
        for k, v in r.items():
            if k.endswith("_kB") or k.startswith("kmalloc-"):
                dlt[k] = (num(v, 0) - num(b.get(k), 0)) * (1024 if k.endswith("_kB") else 1)
        dlt["kernel"] = sum(dlt.get(k, 0) for k in ("SUnreclaim_kB", "SReclaimable_kB",
                                                     "Percpu_kB", "VmallocUsed_kB"))
        if r.get("module_footprint_bytes") and num(r.get("module_zombies")):
            dlt["module_footprint"] = num(r["module_footprint_bytes"]) / num(r["module_zombies"])
        dlt["module_zombies"] = num(r.get("module_zombies"))
        mem[r["style"]][r["pass"]].append(dlt)
    rows, csv_rows = [], []
    rec_bytes_all = []
    for style in ("short", "long"):
        p = mem.get(style)
        if not p or not p.get("none") or not p.get("module"):
            continue
        n = p["none"][0]["n"]

        def avg(pas, key):
            xs = [x.get(key, 0) for x in p.get(pas, [])]
            return st.mean(xs) if xs else float("nan")
        # The record: the kmalloc cache that grew by about one object per
        # record with the module and not without (slabinfo counts objects,
        # so this is exact up to a few objects of other users).
        caches = sorted({k for x in p["module"] + p["none"] for k in x if k.startswith("kmalloc-")})
        deltas = {c: (avg("module", c) - avg("none", c)) / n for c in caches}
        plain = {c: v for c, v in deltas.items() if not c.startswith(("kmalloc-cg-", "kmalloc-rcl-"))}
        rec_cache = max(plain, key=plain.get) if plain else None
        rec_slab = plain.get(rec_cache, float("nan")) if rec_cache else float("nan")
        # The bucket array: rhashtable doubles past 75% load; a table of
        # SIZE buckets is one allocation of ~8*SIZE bytes, rounded up to a
        # power-of-two number of pages (kvmalloc above 8 KiB).
        size = 64
        while n > size * 3 // 4:
            size *= 2
        alloc = 64 + 8 * size
        alloc_pg = 4096
        while alloc_pg < alloc:
            alloc_pg *= 2
        buckets = alloc_pg / n
        rec = rec_slab + buckets
        tot_each = [(m["kernel"] - z["kernel"]) / n for m, z in zip(p["module"], p["none"])]
        zomb_each = [(z["kernel"] - c["kernel"]) / n for z, c in zip(p["none"], p.get("control", []))]
        zomb = st.mean(zomb_each) if zomb_each else float("nan")
        others = ", ".join("%s %+.0f" % (c, v) for c, v in deltas.items()
                           if c != rec_cache and abs(v) >= 4) or "–"
        mf = [x.get("module_footprint") for x in p["module"] if x.get("module_footprint")]
        rec_bytes_all.append((style, rec, rec_cache, rec_slab, buckets))
        rows.append([style, n, len(p["module"]), "%s %s" % (rec_cache, fmt(rec_slab, 0)),
                     fmt(buckets, 0), "**%s**" % fmt(rec, 0),
                     " / ".join(fmt(v, 0) for v in tot_each), others,
                     " / ".join(fmt(v, 0) for v in zomb_each),
                     fmt(st.mean(mf), 0) if mf else "n/a",
                     fmt(100 * rec / zomb, 2) + "%" if zomb > 0 else "n/a"])
        csv_rows.append([style, n, len(p["module"]), rec_cache, rec_slab, buckets, rec,
                         ";".join("%.0f" % v for v in tot_each), others,
                         zomb, ";".join("%.0f" % v for v in zomb_each),
                         st.mean(mf) if mf else None])
    write_csv(os.path.join(d, "mem.csv"), ["path_style", "n", "reps", "record_cache",
                                           "record_slab_bytes", "bucket_bytes_computed",
                                           "record_bytes", "meminfo_delta_per_record_by_rep",
                                           "other_kmalloc_deltas", "zombie_bytes_measured",
                                           "zombie_bytes_by_rep", "zombie_bytes_module_estimate"],
              csv_rows)
    if rows:
        A(table(rows, ["paths", "N", "reps", "record: slab cache, bytes", "bucket array (computed)",
                       "bytes/record", "meminfo Δ/N per rep (noisy)", "other kmalloc Δ/N",
                       "zombie bytes (measured, per rep)", "zombie bytes (module's FOOTPRINT)",
                       "record/zombie"],
                "lrrrrrrlrrr"))
        A("")
        A("bytes/record = the kmalloc cache that grew by one object per record (slabinfo "
          "counts objects: exact) + the rhashtable bucket array for N records, computed "
          "(the array is a page allocation outside slabinfo; rhashtable doubles past 75 % "
          "load). The meminfo totals (SUnreclaim + SReclaimable + Percpu + VmallocUsed) are "
          "shown as a cross-check only: slab pages and per-CPU chunks come and go by whole "
          "pages, so their Δ/N swings by hundreds of bytes per record between repetitions. "
          "The zombie bytes come from those same totals (none minus control), where a few "
          "hundred bytes are small against ~20 KB. A record is struct zmc_record (80 bytes on "
          "x86-64) + the path + 1, in the next kmalloc size class (96, 128, 192, 256 ...).")
        A("")
        for style, rec, cache, slab, bk in rec_bytes_all:
            goals.append(["<= %d bytes of kernel memory per record (%s paths)" % (
                GOAL_RECORD_BYTES, style), "%s bytes (%s %s + buckets %s)" % (
                fmt(rec, 0), cache, fmt(slab, 0), fmt(bk, 0)),
                "met" if rec <= GOAL_RECORD_BYTES else "missed"])
    else:
        A("Not measured in this run.")
        A("")

    # ------------------------------------------------------------ tool
    A("## 5. The tool on the host")
    A("")
    tool_rows = []
    try:
        with open(os.path.join(d, "tool.csv")) as f:
            tool_rows = list(csv.DictReader(f))
    except OSError:
        pass
    if tool_rows:
        A("`zombiememcgstat -f SNAPSHOT -o 0 MODE` over a %s-row snapshot (%s MB, the module's "
          "current columns, systemd/docker/kubepods paths), stdout to /dev/null; whole process "
          "(exec, read, parse, sort, format); fastest of %s runs, the host being shared." % (
              tool_rows[0]["rows"], fmt(int(tool_rows[0]["bytes"]) / 1e6, 1), tool_rows[0]["reps"]))
        A("")
        rows = []
        worst = None
        for t in tool_rows:
            rps = float(t["rows_per_s"])
            worst = rps if worst is None else min(worst, rps)
            rows.append([t["mode"], fmt(1000 * float(t["min_s"]), 1),
                         fmt(1000 * float(t["median_s"]), 1), "%.0f" % rps, t["ns_per_row"],
                         fmt(1000 * float(t["empty_min_s"]), 1)])
        A(table(rows, ["mode", "ms (min)", "ms (median)", "rows/s", "ns/row", "empty snapshot ms"],
                "lrrrrr"))
        A("")
        goals.append(["tool >= 1M rows/s on the host, every mode",
                      "slowest mode %.0f rows/s, fastest %.0f" % (
                          worst, max(float(t["rows_per_s"]) for t in tool_rows)),
                      "met" if worst >= GOAL_TOOL_RPS else "missed"])
    else:
        A("Not measured in this run.")
        A("")

    # ------------------------------------------------------------ holders
    holders_section(A, by, goals, info, meta, d)

    # ------------------------------------------------------------ goals
    A("## Goals")
    A("")
    A(table(goals, ["goal", "measured", "verdict"]))
    A("")
    write_csv(os.path.join(d, "goals.csv"), ["goal", "measured", "verdict"], goals)
    report = "\n".join(md) + "\n"
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    main()
