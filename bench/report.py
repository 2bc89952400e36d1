#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a `make bench` run into its report.

    report.py RESULTS_DIR

Reads RESULTS_DIR/{guest.log, meta.txt, tool.csv, host-load.txt}, writes
RESULTS_DIR/{report.md, cycles.csv, hits.csv, read.csv, load.csv, lock.csv, mem.csv,
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

GOAL_EXTRA_INSNS = 2000  # module's extra instructions per create/destroy cycle
GOAL_FLAT = 1.25         # largest per-row read cost / smallest, 1k..50k
GOAL_ROW_INSNS = 4500    # listing: instructions per row, every level
GOAL_RECORD_BYTES = 96
GOAL_TOOL_RPS = 1_000_000
GOAL_PFN_INSNS = 60      # holders scan: instructions per page frame
GOAL_FOOTPRINT_PCT = 15  # FOOTPRINT vs the traced truth (selftests/footprint_test.c)
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


def icount_on(meta):
    """whether the guest clock was QEMU's instruction counter (1 ns = 1 instruction)."""
    return meta.get("icount", "0") not in ("", "0")


def read_insns_goal(A, rd, goals, meta):
    """The listing's instructions per row at every level, against GOAL_ROW_INSNS."""
    lv = [(lvl, x) for lvl, x in sorted(rd.items()) if x.get("rows") and "proc_min" in x]
    if not lv:
        return
    # ms / rows * 1e6 = ns per row = instructions per row under icount
    per = [(lvl, 1e6 * x["proc_min"] / x["rows"], 1e6 * x["proc_med"] / x["rows"],
            1e6 * x["proc_max"] / x["rows"] if "proc_max" in x else None) for lvl, x in lv]
    has_max = all(p[3] is not None for p in per)
    reps = rd[lv[0][0]].get("reps", "?")
    A("Per row, in guest instructions (ns of the icount clock / rows; %s repetitions per level): "
      % reps + "; ".join("%d zombies: min %s, median %s%s" % (
          lvl, fmt(mn, 0), fmt(md, 0), ", max %s" % fmt(mx, 0) if mx is not None else "")
          for lvl, mn, md, mx in per) + ". The goal is <= %d a row at every level." % GOAL_ROW_INSNS)
    A("")
    measured = "%s %s/row (min / median%s of %s repetitions)" % (
        "; ".join("%d: %s / %s%s" % (lvl, fmt(mn, 0), fmt(md, 0),
                                     " / %s" % fmt(mx, 0) if mx is not None else "")
                  for lvl, mn, md, mx in per), "instructions" if icount_on(meta) else "ns",
        " / max" if has_max else "", reps)
    if not icount_on(meta):
        verdict = "not judged (no -icount: the times are TCG wall time, not instructions)"
    else:
        # every repetition at or under the goal: met; every one over at some
        # level: missed; else the repetitions straddle it
        hi = [mx if mx is not None else md for _, mn, md, mx in per]
        if any(mn > GOAL_ROW_INSNS for _, mn, _, _ in per):
            verdict = "missed"
        elif all(h <= GOAL_ROW_INSNS for h in hi):
            verdict = "met"
        else:
            verdict = "not resolved (repetitions straddle %d at %s zombies)" % (
                GOAL_ROW_INSNS, ", ".join(str(lvl) for (lvl, mn, md, mx), h in zip(per, hi)
                                          if h > GOAL_ROW_INSNS))
        verdict += "; basis: every repetition (min and %s)" % ("max" if has_max else "median")
        if max(rd) < 50000:
            verdict += " (only up to %d zombies in this run)" % max(rd)
    goals.append(["listing: <= %d instructions per row at every level" % GOAL_ROW_INSNS,
                  measured, verdict])


def load_section(A, by, goals, meta, d):
    """The module's load (insmod) with zombies present, against none."""
    lines = {int(r["level"]): r for r in by["load"] if r.get("insmod_ns")}
    A("### Loading with zombies present")
    A("")

    def pairs(v):  # "wall:busy,wall:busy" -> [(wall, busy)]
        out = []
        for t in (v or "").split(","):
            if ":" in t:
                w, b = t.split(":", 1)
                out.append((int(w), int(b or 0)))
        return out
    big = max((lv for lv in lines if lv > 0), default=None)
    if 0 not in lines or big is None:
        A("Not measured in this run.")
        A("")
        goals.append(["load with zombies present: load-time walk measured", "no load with "
                      "zombies in this run (read phase)", "not measured"])
        return
    A("In the read phase: the module loaded with no zombie of the bench's (first, the "
      "baseline) and with the %d zombies of the largest level present (last: rmmod, its "
      "records freed, then the same loads). Each: %s `insmod` runs, a `rmmod` between two, "
      "timed by `zmcbench time` (fork+exec+wait): *wall* is the guest clock, *CPU* "
      "schedstat's rq_cpu_time of all vCPUs meanwhile (the cycles' CPU measure), %s. After "
      "the last load: the module's stats (`records`, `zombies`, `predating_zombies`) and "
      "the rows /proc/zombiememcg lists (older_than_secs 0)." % (
          big, lines[big].get("reps", "?"),
          "1 ns = 1 guest instruction (-icount %s)" % meta.get("icount") if icount_on(meta)
          else "TCG wall time (no -icount)"))
    A("")
    rows, csv_rows, med = [], [], {}
    for lv in sorted(lines):
        r = lines[lv]
        ins, rms = pairs(r.get("insmod_ns")), pairs(r.get("rmmod_ns"))
        un = pairs(r.get("unload_ns"))
        med[lv] = (st.median(w for w, _ in ins), st.median(b for _, b in ins))
        rows.append([lv, r.get("zombies", "?"), r.get("records", "?"), r.get("predating", "?"),
                     r.get("rows", "?"), fmt(med[lv][0] / 1e6, 3),
                     "%s .. %s" % (fmt(min(w for w, _ in ins) / 1e6, 3),
                                   fmt(max(w for w, _ in ins) / 1e6, 3)),
                     fmt(med[lv][1] / 1e6, 3),
                     fmt(st.median(w for w, _ in rms) / 1e6, 3) if rms else "–",
                     fmt(un[0][0] / 1e6, 3) if un else "–"])
        for i, (w, b) in enumerate(ins):
            csv_rows.append([lv, "insmod", i, w, b, r.get("records"), r.get("zombies"),
                             r.get("predating"), r.get("rows")])
        for i, (w, b) in enumerate(rms):
            csv_rows.append([lv, "rmmod", i, w, b, "", "", "", ""])
        for w, b in un:
            csv_rows.append([lv, "rmmod_with_records", 0, w, b, "", "", "", ""])
    write_csv(os.path.join(d, "load.csv"), ["zombies", "what", "rep", "wall_ns", "busy_ns",
                                            "records", "stats_zombies", "predating", "rows"],
              csv_rows)
    A(table(rows, ["zombies made", "stats zombies", "records", "predating", "rows listed",
                   "insmod wall ms (median)", "wall min .. max", "insmod CPU ms (median)",
                   "rmmod wall ms (median)", "rmmod with the records, wall ms"], "rrrrrrrrrr"))
    A("")
    r = lines[big]
    recs, listed = int(num(r.get("records"), 0)), int(num(r.get("rows"), 0))
    per_w = (med[big][0] - med[0][0]) / big
    per_b = (med[big][1] - med[0][1]) / big
    bs = [b for _, b in pairs(r.get("insmod_ns"))]
    res = (max(bs) - min(bs)) / big  # the spread of the repetitions, per zombie
    unit = "instructions" if icount_on(meta) else "ns"
    walk = ("the load made %d records for them: a load-time walk" % recs if recs >= big // 2 else
            "the load made %d records (no load-time walk creating records: the zombies present "
            "are listed from the css tree, flagged p, creator unknown)" % recs)
    A("Per zombie present: (median with %d − median with none) / %d = %s %s of CPU "
      "(wall %s; the CPU times of the repetitions with %d spread over %s per zombie); %s; "
      "%d of %d rows listed after the reload." % (
          big, big, fmt(per_b, 1), unit, fmt(per_w, 1), big, fmt(res, 1), walk, listed, big))
    A("")
    goals.append(["load with %d zombies: load-time walk measured" % big,
                  "insmod %s ms CPU (%s ms wall) vs %s ms (%s) with none, medians: %s %s "
                  "per zombie (wall %s; repetitions' spread %s); records after load %d; "
                  "%d of %d listed" % (
                      fmt(med[big][1] / 1e6, 3), fmt(med[big][0] / 1e6, 3),
                      fmt(med[0][1] / 1e6, 3), fmt(med[0][0] / 1e6, 3), fmt(per_b, 1), unit,
                      fmt(per_w, 1), fmt(res, 1), recs, listed, big),
                  "measured" + ("" if listed >= big else " (rows missing after the reload)")])


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


def footprint_section(A, meta, goals, d):
    """FOOTPRINT against the truth of selftests/footprint_test.c, per vCPU count."""
    A("## 7. FOOTPRINT against the traced truth")
    A("")
    logs = {}
    for name in os.listdir(d):
        m = re.match(r"guest-footprint-(\d+)\.log$", name)
        if m:
            logs[int(m.group(1))] = parse_guest(os.path.join(d, name))
    asked = [int(c) for c in meta.get("footprint_cpus", "").split() if c.isdigit()]
    counts = sorted(set(asked) | set(logs))
    if not counts:
        A("Not measured in this run (no footprint boots: ZMC_BENCH_FOOTPRINT_CPUS empty, "
          "or a run from before they existed).")
        A("")
        goals.append(["FOOTPRINT within ±%d %% of the traced truth" % GOAL_FOOTPRINT_PCT,
                      "not measured (no footprint boots in this run)", "not measured"])
        return
    A("One short boot of the same kernel per vCPU count (plain TCG, no -icount: the "
      "figures are bytes; %s of guest RAM), running only the footprint phase: "
      "selftests/footprint_test.c with its zombies made and freed under the kernel's "
      "kmem and percpu tracepoints. The truth is the bytes allocated at mkdir and freed "
      "when the zombies went, per zombie (the allocator's sizes: a slab object's whole "
      "size, a per-CPU area times the possible CPUs); the module's own records are left "
      "out, and objects freed through kfree_rcu() in bulk are not traced. FOOTPRINT is "
      "the module's per-zombie estimate as listed. Error = (FOOTPRINT − truth) / truth; "
      "met within ±%d %%." % (meta.get("footprint_mem", "?"), GOAL_FOOTPRINT_PCT))
    A("")
    rows, csv_rows = [], []
    for c in counts:
        recs = [r for r in logs.get(c, []) if r.get("phase") == "footprint"]
        info = next((r for r in logs.get(c, []) if r.get("phase") == "info"), {})
        status = meta.get("footprint_status_%d" % c, "?")
        got = [r for r in recs if num(r.get("truth")) and num(r.get("footprint")) is not None]
        goal = "FOOTPRINT within ±%d %% of the traced truth, %d CPU%s" % (
            GOAL_FOOTPRINT_PCT, c, "" if c == 1 else "s")
        if not got:
            if recs and recs[0].get("skipped"):
                why = recs[0]["skipped"]
            else:
                why = "no footprint result%s; boot %s" % (
                    "" if c in logs else " (no guest-footprint-%d.log)" % c, status)
            rows.append([c, "–", "–", "–", "–", "not measured (%s)" % why, "–"])
            csv_rows.append([c, "", info.get("kernel", ""), "", "", "", "", "not measured",
                             "", "", "", status, why])
            goals.append([goal, "not measured (%s)" % why, "not measured"])
            continue
        for r in got:
            truth, fp = num(r["truth"]), num(r["footprint"])
            err = 100.0 * (fp - truth) / truth
            verdict = "met" if abs(err) <= GOAL_FOOTPRINT_PCT else "missed"
            rows.append(["%d%s" % (c, "" if r.get("possible") == str(c) else
                                   " (possible %s)" % r.get("possible", "?")), r.get("zombies", "?"),
                         "%.0f" % truth, "%.0f" % fp, "%+.1f" % err,
                         verdict + ("" if r.get("selftest") in ("ok", "not_ok") else
                                    " (selftest: %s)" % r.get("selftest", "?")),
                         r.get("left", "–")])
            csv_rows.append([c, r.get("possible"), info.get("kernel", ""), r.get("zombies"),
                             int(truth), int(fp), "%.2f" % err, verdict, r.get("left"),
                             r.get("sizes"), r.get("selftest"), status, ""])
            goals.append([goal, "FOOTPRINT %.0f B vs truth %.0f B (%+.1f %%)" % (fp, truth, err),
                          verdict])
    write_csv(os.path.join(d, "footprint.csv"),
              ["cpus", "possible_cpus", "kernel", "zombies", "truth_bytes", "footprint_bytes",
               "err_pct", "verdict", "not_seen_freed_bytes", "struct_sizes", "selftest",
               "boot_status", "not_measured_why"], csv_rows)
    A(table(rows, ["vCPUs", "zombies", "truth B/zombie", "FOOTPRINT B", "error %", "verdict",
                   "allocated, not seen freed B/zombie"], "rrrrrlr"))
    A("")
    A("The per-site breakdown of each truth is in guest-footprint-N.log (the selftest's "
      "output, lines `# | `).")
    A("")


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
      "probe), module (zombiememcg.ko loaded, kprobes), fprobe (the same module loaded with "
      "probe=fprobe, where the kernel has fprobe), peer (bpftrace, bench/zmc_peer.bt).")
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
            for cfg in ("none", "module", "fprobe", "peer"):
                xs = [v[cfg] for v in rounds.values() if cfg in v]
                if not xs:
                    continue
                rows.append([kind, basis, cfg, len(xs), fmt(st.median(xs)), fmt(1e6 / st.median(xs), 1),
                             "%s .. %s" % (fmt(min(xs)), fmt(max(xs))), fmt(cv(xs), 2)])
            for num_cfg, den_cfg in (("module", "none"), ("fprobe", "none"), ("peer", "none"),
                                     ("module", "peer"), ("fprobe", "module")):
                rs = [v[num_cfg] / v[den_cfg] for v in rounds.values()
                      if num_cfg in v and den_cfg in v]
                if not rs:
                    continue
                m, h = mean_ci(rs)
                ratio_rows.append([kind, basis, "%s/%s" % (num_cfg, den_cfg), len(rs),
                                   fmt(100 * st.median(rs), 2) + "%",
                                   fmt(100 * m, 2) + "%" + (" ± %s" % fmt(100 * h, 2) if h else ""),
                                   "%s .. %s" % (fmt(100 * min(rs), 2) + "%", fmt(100 * max(rs), 2) + "%")])
    A(table(rows, ["kind", "basis", "config", "rounds", "cycles/s (median)", "µs/cycle",
                   "min .. max cycles/s", "CV %"], "lllrrrrr"))
    A("")
    A("Ratios, computed per round (each round runs none, module, fprobe, peer back to back) so that "
      "drift cancels; 95% CI of the mean over rounds:")
    A("")
    A(table(ratio_rows, ["kind", "basis", "ratio", "rounds", "median", "mean ± 95% CI",
                         "min .. max"], "lllrrrr"))
    A("")
    der = []
    for kind in ("plain", "charged"):
        rounds = cyc["cpu"].get(kind, {})
        for cfg in ("module", "fprobe", "peer"):
            ds = [1e6 / v[cfg] - 1e6 / v["none"] for v in rounds.values() if cfg in v and "none" in v]
            if ds:
                der.append([kind, cfg, fmt(st.median(ds) * 1000, 0), fmt(1e3 * 1e6 / st.median(
                    [v["none"] for v in rounds.values() if "none" in v]), 0)])
    if der:
        A("Extra CPU per cycle against none (median over rounds, in guest instructions: "
          "1 ns of the icount clock = 1 instruction; a cycle fires the three probes once "
          "each, so this is the sum of three hits, kprobe or fprobe dispatch included):")
        A("")
        A(table(der, ["kind", "config", "extra instructions/cycle", "none instructions/cycle"],
                "llrr"))
        A("")
    # Goal 1, per round (none, module and peer run back to back): the
    # module's extra instructions against none, and against the peer's.
    icount_on = meta.get("icount", "0") != "0"
    for kind in ("plain", "charged"):
        rounds = cyc["cpu"].get(kind, {})
        mx = [1e9 / v["module"] - 1e9 / v["none"] for v in rounds.values()
              if "module" in v and "none" in v]
        if not mx:
            continue
        unit = "instructions" if icount_on else "ns of CPU (no -icount: not judged)"
        v, m, h = verdict_max(mx, GOAL_EXTRA_INSNS)
        goals.append(["<= %d extra instructions per create/destroy cycle, %s" % (
            GOAL_EXTRA_INSNS, kind), "%s %s (95%% CI, %d rounds)" % (pm(m, h, 0), unit, len(mx)),
            v if icount_on else "not judged"])
        both = [(1e9 / v["module"] - 1e9 / v["none"], 1e9 / v["peer"] - 1e9 / v["none"])
                for v in rounds.values() if "module" in v and "none" in v and "peer" in v]
        if not both:
            goals.append(["%s: the module's extra cost clear of the BPF peer's" % kind,
                          "no peer in this run", "not measured"])
            continue
        diffs = [p_ - m_ for m_, p_ in both]
        pmean, ph = mean_ci([p_ for _, p_ in both])
        dm, dh = mean_ci(diffs)
        if dh is None:
            vv = "met" if dm > 0 else "missed"
        elif dm - dh > 0:
            vv = "met"
        elif dm + dh < 0:
            vv = "missed"
        else:
            vv = "not resolved (95% CI of peer - module straddles 0)"
        ratio = st.mean(m_ for m_, _ in both) / pmean if pmean else float("nan")
        goals.append(["%s: the module's extra cost clear of the BPF peer's (about half)" % kind,
                      "module %s, peer %s, peer - module %s instructions (95%% CI); "
                      "module/peer %s" % (pm(*mean_ci([m_ for m_, _ in both]), digits=0),
                                          pm(pmean, ph, 0), pm(dm, dh, 0), fmt(ratio, 2)),
                      vv if icount_on else "not judged"])
    # kprobe (module) against fprobe, both against none per round; the
    # verdict from the per-round difference fprobe - kprobe (issue 14).
    fpa = by["fprobe"]
    for kind in ("plain", "charged"):
        rounds = cyc["cpu"].get(kind, {})
        what = "kprobe vs fprobe: extra instructions per cycle, %s" % kind
        both = [(1e9 / v["module"] - 1e9 / v["none"], 1e9 / v["fprobe"] - 1e9 / v["none"])
                for v in rounds.values() if "module" in v and "none" in v and "fprobe" in v]
        if not both:
            why = "no fprobe configuration in this run"
            if fpa and fpa[0].get("available") == "0":
                why = "fprobe not available: %s" % fpa[0].get("why", "?")
            if rounds:
                goals.append([what, why, "not measured"])
            continue
        km, kh = mean_ci([k_ for k_, _ in both])
        fm, fh = mean_ci([f_ for _, f_ in both])
        dm, dh = mean_ci([f_ - k_ for k_, f_ in both])
        if dh is None or dm - dh <= 0 <= dm + dh:
            vv = "not resolved"
        elif dm < 0:
            vv = "fprobe cheaper"
        else:
            vv = "kprobe cheaper"
        goals.append([what, "kprobe %s, fprobe %s, fprobe - kprobe %s %s (95%% CI, %d rounds)" % (
            pm(km, kh, 0), pm(fm, fh, 0), pm(dm, dh, 0),
            "instructions" if icount_on else "ns of CPU (no -icount)", len(both)), vv])
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
    pmaps = by["peermap"]
    if pmaps:
        A("The peer's maps (from their fdinfo): " + "; ".join(
            "type %s, key %s B, value %s B, %s entries max, memlock %s B" % (
                m.get("map_type"), m.get("key_size"), m.get("value_size"), m.get("max_entries"),
                m.get("memlock")) for m in pmaps) + ". bpftrace preallocates its hash maps "
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
            if r.get("max_ns"):
                rd[lvl]["proc_max"] = int(r["max_ns"]) / 1e6
            rd[lvl]["reps"] = r.get("reps", "?")
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
        read_insns_goal(A, rd, goals, meta)
    else:
        A("Not measured in this run.")
        A("")
    if by["load"] or rd:
        load_section(A, by, goals, meta, d)
    lk = by["lock"]
    if lk:
        A("The module's lock (`zmc_lock`): the probes take it to change the table, the "
          "readers to copy one record (a hash lookup and 48 bytes) per zombie row. The free probe (`zmc_free_pre`) timed by function_graph over plain "
          "mkdir+rmdir cycles, with no reader (idle) and while `zmcbench readloop` walks "
          "/proc/zombiememcg over and over (walking). Its time is the wait for `zmc_lock`, "
          "the lookup, the removal and the record's free: an upper bound of the wait. mkdir+rmdir "
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
            if k.endswith("_kB") or k.startswith(("kmalloc-", "zombiememcg_record")):
                dlt[k] = (num(v, 0) - num(b.get(k), 0)) * (1024 if k.endswith("_kB") else 1)
        dlt["kernel"] = sum(dlt.get(k, 0) for k in ("SUnreclaim_kB", "SReclaimable_kB",
                                                     "Percpu_kB", "VmallocUsed_kB"))
        if r.get("module_footprint_bytes") and num(r.get("module_zombies")):
            dlt["module_footprint"] = num(r["module_footprint_bytes"]) / num(r["module_zombies"])
        if num(r.get("module_records")):
            # The module's own count of its bytes: records (object size)
            # and the bucket array as kvmalloc() got it.
            dlt["stats_records"] = num(r["module_records"])
            dlt["stats_record"] = num(r.get("module_record_bytes"), 0) / dlt["stats_records"]
            dlt["stats_buckets"] = num(r.get("module_table_bytes"), 0) / dlt["stats_records"]
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
        caches = sorted({k for x in p["module"] + p["none"] for k in x
                         if k.startswith(("kmalloc-", "zombiememcg_record"))})
        deltas = {c: (avg("module", c) - avg("none", c)) / n for c in caches}
        plain = {c: v for c, v in deltas.items() if not c.startswith(("kmalloc-cg-", "kmalloc-rcl-"))}
        if "zombiememcg_record" in plain:
            # Its own cache (SLAB_NO_MERGE, 6.5+): the record's slab bytes.
            rec_cache = "zombiememcg_record"
        else:
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
        sx = [x for x in p["module"] if x.get("stats_records")]
        if sx:
            # The module's stats are the real bytes (slab objects and the
            # bucket array as allocated); slabinfo cross-checks the first.
            rec_slab = st.mean(x["stats_record"] for x in sx)
            buckets = st.mean(x["stats_buckets"] for x in sx)
            rec_cache = "stats (%s Δ %s)" % (rec_cache, fmt(plain.get(rec_cache, float("nan")), 0))
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
        A("bytes/record = the module's `stats`: record_bytes (records of the fixed-size "
          "object of the `zombiememcg_record` cache) + table_bytes (the rhashtable bucket "
          "array as kvmalloc got it: a page allocation outside slabinfo; rhashtable doubles "
          "past 75 % load), over its records; the slabinfo Δ per zombie of that cache "
          "(merged with another cache of its size before 6.5: then the kmalloc cache that "
          "grew most) is shown beside it. Without those stats lines (older runs): the cache "
          "that grew by one object per record + the array computed for N. The meminfo totals (SUnreclaim + SReclaimable + Percpu + VmallocUsed) are "
          "shown as a cross-check only: slab pages and per-CPU chunks come and go by whole "
          "pages, so their Δ/N swings by hundreds of bytes per record between repetitions. "
          "The zombie bytes come from those same totals (none minus control), where a few "
          "hundred bytes are small against ~20 KB. A record is struct zmc_record (48 bytes on "
          "x86-64, whatever the path: the path is built when the listing is read).")
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

    # ------------------------------------------------------------ footprint
    footprint_section(A, meta, goals, d)

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
