#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check zombiememcgstat output against a fixture, independently of the C code.

  check_output.py json FIXTURE OUTPUT      --json -o 0 rows == fixture rows
  check_output.py jsonsum FIXTURE OUTPUT   --json --summary -o 0 totals
  check_output.py prom FIXTURE OUTPUT      --prometheus -o 0: valid exposition
                                           format, totals and comm labels
  check_output.py count OUTPUT N           --json output has N rows

Exit 0 if good; otherwise print why on stdout and exit 1.
"""
import json
import re
import sys

NUMERIC = ("ID", "PID", "AGE", "CHARGED", "SWAP", "FOOTPRINT")


def unescape(tok):
    """The kernel's \\ooo escapes, byte-wise."""
    out = bytearray()
    i = 0
    while i < len(tok):
        if tok[i] == 0x5C:
            out.append(int(tok[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(tok[i])
            i += 1
    return bytes(out)


def load_fixture(path):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    cols = [c.decode() for c in lines[0].replace(b"\t", b" ").split()]
    rows = []
    for line in lines[1:]:
        toks = line.replace(b"\t", b" ").split(b" ")
        toks = [t for t in toks if t]
        row = {}
        for name, tok in zip(cols, toks):
            if name in NUMERIC:
                row[name] = int(tok)
            elif name in ("COMM", "PATH"):
                row[name] = unescape(tok)
            else:
                row[name] = tok.decode()
        rows.append(row)
    return cols, rows


def text(b):
    # the tool writes each byte that is not UTF-8 as U+FFFD
    return b.decode("utf-8", "replace")


def fail(msg):
    print(msg)
    sys.exit(1)


def check_json(fixture, output):
    cols, rows = load_fixture(fixture)
    with open(output, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, list) or len(doc) != len(rows):
        fail("json: %d rows, fixture has %d" % (len(doc), len(rows)))
    ages = [o["age"] for o in doc]
    if ages != sorted(ages, reverse=True):
        fail("json: not sorted oldest first")
    want = {}
    for r in rows:
        o = {"memcg": r["MEMCG"], "pid": r["PID"], "comm": text(r["COMM"]),
             "age": r["AGE"], "path": text(r["PATH"]),
             "name": text(r["PATH"].rsplit(b"/", 1)[-1] or r["PATH"]),
             "predates_load": "p" in r.get("FLAGS", "")}
        for c in ("ID", "CHARGED", "SWAP", "FOOTPRINT", "FLAGS"):
            if c in cols:
                o[c.lower()] = r[c]
        want[(r["MEMCG"], o["path"], o["age"])] = o
    for o in doc:
        key = (o.get("memcg"), o.get("path"), o.get("age"))
        if key not in want:
            fail("json: unexpected row %r" % o)
        if want[key] != o:
            fail("json: row %r, want %r" % (o, want[key]))
        for k, v in o.items():
            if k in ("id", "pid", "age", "charged", "swap", "footprint") \
                    and type(v) is not int:
                fail("json: %s is not a number in %r" % (k, o))
        del want[key]
    if want:
        fail("json: missing rows %r" % list(want))


def check_json_summary(fixture, output):
    cols, rows = load_fixture(fixture)
    with open(output, encoding="utf-8") as f:
        doc = json.load(f)
    if doc["zombies"] != len(rows):
        fail("jsonsum: zombies %r, want %d" % (doc["zombies"], len(rows)))
    for c in ("CHARGED", "SWAP", "FOOTPRINT"):
        if c in cols and doc[c.lower()] != sum(r[c] for r in rows):
            fail("jsonsum: %s total wrong" % c)
        if c not in cols and c.lower() in doc:
            fail("jsonsum: %s total without the column" % c)
    if sum(b["zombies"] for b in doc["by_comm"]) != len(rows):
        fail("jsonsum: by_comm does not add up")
    if sum(b["count"] for b in doc["age_hist"]) != len(rows):
        fail("jsonsum: age_hist does not add up")


LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def labels(s):
    out = {}
    pos = 0
    while pos < len(s):
        m = LABEL.match(s, pos)
        if not m:
            fail("prom: bad labels {%s}" % s)
        out[m.group(1)] = re.sub(r'\\(.)', lambda x: {"n": "\n"}.get(
            x.group(1), x.group(1)), m.group(2))
        pos = m.end()
    return out


def check_prom(fixture, output):
    cols, rows = load_fixture(fixture)
    with open(output, "rb") as f:
        data = f.read().decode("utf-8")   # must be UTF-8
    types, seen, samples = {}, set(), {}
    for line in data.split("\n")[:-1]:
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4:
                fail("prom: bad line %r" % line)
            if line.startswith("# TYPE "):
                if parts[2] in types:
                    fail("prom: TYPE twice for %s" % parts[2])
                types[parts[2]] = parts[3]
            continue
        m = LINE.match(line)
        if not m:
            fail("prom: bad line %r" % line)
        name, lab, value = m.group(1), labels(m.group(3) or ""), m.group(4)
        fam = re.sub(r"_(bucket|sum|count)$", "", name) \
            if name not in types else name
        if fam not in types:
            fail("prom: sample before its TYPE: %r" % line)
        key = (name, tuple(sorted(lab.items())))
        if key in seen:
            fail("prom: duplicate series %r" % line)
        seen.add(key)
        float(value)
        samples.setdefault(name, []).append((lab, float(value)))
    if samples["zombiememcg_zombies"][0][1] != len(rows):
        fail("prom: zombiememcg_zombies wrong")
    if "CHARGED" in cols and samples["zombiememcg_charged_bytes"][0][1] != \
            sum(r["CHARGED"] for r in rows):
        fail("prom: zombiememcg_charged_bytes wrong")
    comms = {}
    for r in rows:
        c = r["COMM"].decode("utf-8", "surrogateescape")
        c = "".join("\\%03o" % (ord(ch) - 0xDC00)
                    if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in c)
        comms[c] = comms.get(c, 0) + 1
    got = {lab["comm"]: v for lab, v in
           samples.get("zombiememcg_creator_zombies", [])}
    if got != comms:
        fail("prom: per-comm zombies %r, want %r" % (got, comms))
    buckets = samples["zombiememcg_age_seconds_bucket"]
    les = [float(lab["le"]) for lab, _ in buckets]
    counts = [v for _, v in buckets]
    if les != sorted(les) or counts != sorted(counts) or \
            les[-1] != float("inf") or counts[-1] != len(rows):
        fail("prom: bad age histogram")
    if samples["zombiememcg_age_seconds_count"][0][1] != len(rows) or \
            samples["zombiememcg_age_seconds_sum"][0][1] != \
            sum(r["AGE"] for r in rows):
        fail("prom: bad histogram count or sum")


def main():
    mode = sys.argv[1]
    if mode == "json":
        check_json(sys.argv[2], sys.argv[3])
    elif mode == "jsonsum":
        check_json_summary(sys.argv[2], sys.argv[3])
    elif mode == "prom":
        check_prom(sys.argv[2], sys.argv[3])
    elif mode == "count":
        with open(sys.argv[2], encoding="utf-8") as f:
            n = len(json.load(f))
        if n != int(sys.argv[3]):
            fail("count: %d rows, want %s" % (n, sys.argv[3]))
    else:
        fail("unknown mode " + mode)


if __name__ == "__main__":
    main()
