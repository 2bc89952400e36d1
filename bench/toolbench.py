#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host half of `make bench`: zombiememcgstat's parse+format throughput.

    toolbench.py TOOL ROWS REPS OUT.csv

Writes a ROWS-row snapshot in the module's current /proc/zombiememcg
layout (MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH, as
module/procfs.c prints it; the tool ignores columns it does not know) with
systemd-like paths and some escaped bytes, then runs `TOOL -f SNAPSHOT -o 0`
in each output mode REPS times with stdout to /dev/null.  Each run is a whole
process: exec, read, parse, select/sort, format.  rows/s = ROWS / the
fastest run (the least disturbed by other load), the median is kept too.
An empty snapshot (header only) gives the fixed cost of a run.
"""
import csv
import os
import random
import statistics
import subprocess
import sys
import time

MODES = [
    ("table", []),
    ("table --path", ["--path"]),
    ("table --charged --footprint", ["--charged", "--footprint"]),
    ("table -s charged", ["-s", "charged"]),
    ("table -s path", ["-s", "path"]),
    ("--summary", ["--summary"]),
    ("--json", ["--json"]),
    ("--json --summary", ["--json", "--summary"]),
    ("--prometheus", ["--prometheus"]),
]

COMMS = ["systemd", "containerd-shim", "cron", "sshd", "kubelet", "runc:[2:INIT]",
         "dockerd", "conmon", "(sd-pam)", "my\\040app"]


def snapshot(path, rows, seed=6):
    rnd = random.Random(seed)
    with open(path, "w") as f:
        f.write("MEMCG ID PID COMM AGE CHARGED SWAP FOOTPRINT FLAGS PATH\n")
        for i in range(rows):
            kind = rnd.random()
            if kind < 0.5:
                p = "/system.slice/docker-%064x.scope" % rnd.getrandbits(256)
            elif kind < 0.8:
                p = "/user.slice/user-%d.slice/session-%d.scope" % (
                    rnd.randint(1000, 1010), rnd.randint(1, 99999))
            elif kind < 0.95:
                p = "/kubepods.slice/kubepods-burstable.slice/pod%08x/cri-%d" % (
                    rnd.getrandbits(32), i)
            else:
                p = "/system.slice/a\\040b-%d.service" % i
            f.write("%016x %d %d %s %d %d %d %d %s %s\n" % (
                0xffff888000000000 + i * 4096, 1000 + i, rnd.randint(1, 4000000),
                rnd.choice(COMMS), rnd.randint(0, 10 ** 6),
                rnd.choice([0, 4096, 8192, 1 << 20, rnd.randint(0, 1 << 30) & ~4095]),
                rnd.choice([0, 0, 0, 65536]), 16616, rnd.choice(["-", "-", "p"]), p))


def run(tool, args, snap, reps):
    times = []
    devnull = open(os.devnull, "w")
    for _ in range(reps):
        t0 = time.perf_counter()
        rc = subprocess.call([tool, "-f", snap, "-o", "0"] + args, stdout=devnull)
        t = time.perf_counter() - t0
        if rc != 0:
            sys.exit("toolbench: %s %s exited %d" % (tool, " ".join(args), rc))
        times.append(t)
    return min(times), statistics.median(times)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    tool, rows, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    d = os.environ.get("TMPDIR", "/tmp")
    snap = os.path.join(d, "zmc-toolbench-%d-%d.txt" % (os.getpid(), rows))
    empty = os.path.join(d, "zmc-toolbench-%d-0.txt" % os.getpid())
    snapshot(snap, rows)
    snapshot(empty, 0)
    size = os.path.getsize(snap)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "rows", "bytes", "reps", "min_s", "median_s",
                    "empty_min_s", "rows_per_s", "rows_per_s_median", "ns_per_row"])
        for name, args in MODES:
            tmin, tmed = run(tool, args, snap, reps)
            emin, _ = run(tool, args, empty, reps)
            w.writerow([name, rows, size, reps, "%.6f" % tmin, "%.6f" % tmed,
                        "%.6f" % emin, "%.0f" % (rows / tmin), "%.0f" % (rows / tmed),
                        "%.1f" % (tmin / rows * 1e9)])
            print("toolbench: %-28s %8.1f ms  %10.0f rows/s" % (name, tmin * 1e3, rows / tmin),
                  file=sys.stderr)
    os.unlink(snap)
    os.unlink(empty)


if __name__ == "__main__":
    main()
