#!/usr/bin/python3
"""Prints the benchmark table from the files tests/bench/run.sh collected.

    report.py RESULTS_DIR

RESULTS_DIR holds datapath.txt, callgrind-*.out/txt and tunnel/ (the
scenario's result directory: results.txt, iperf-*.json, strace-*.txt).
"""
import json
import os
import re
import statistics
import sys

top = sys.argv[1]
tun = os.path.join(top, "tunnel")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def iperf_bytes_rate(path):
    try:
        with open(path) as f:
            j = json.load(f)
        s = j["end"]["sum_received"]
        return s["bytes"], s["bits_per_second"] / 1e6
    except (OSError, ValueError, KeyError):
        return None


hz = 100
runs = {}  # (client, dir) -> list of dicts
raw = {"up": [], "down": []}
with open(os.path.join(tun, "results.txt")) as f:
    for line in f:
        w = line.split()
        if not w:
            continue
        if w[0] == "hz":
            hz = int(w[1])
        elif w[0] == "tunnel":
            client, d, rnd = w[1], w[2], w[3]
            kv = dict(zip(w[4::2], w[5::2]))
            r = iperf_bytes_rate(os.path.join(tun, "iperf-%s-%s-%s.json" % (client, d, rnd)))
            if not r:
                continue
            b, mbps = r
            runs.setdefault((client, d), []).append({
                "mbps": mbps,
                "cpu_per_gb": int(kv["client_ticks"]) / hz / (b / 1e9),
                "srv_share": int(kv["server_ticks"]) / max(1, int(kv["all_ticks"])),
                "busy": int(kv["busy_ticks"]) / max(1, int(kv["all_ticks"])),
            })
        elif w[0] == "raw":
            m = re.search(r"mbit_s ([0-9.]+)", line)
            if m:
                raw[w[2]].append(float(m.group(1)))


def strace(client, d):
    path = os.path.join(tun, "strace-%s-%s.txt" % (client, d))
    r = iperf_bytes_rate(os.path.join(tun, "iperf-strace-%s-%s.json" % (client, d)))
    if not r or not os.path.exists(path):
        return None, ""
    mb = r[0] / 1e6
    rows = []
    total = None
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and re.match(r"^[0-9.]+$", w[0]) and w[-1] != "total":
                rows.append((int(w[3]), w[-1]))
            elif w and w[-1] == "total":
                total = int(w[3])
    rows.sort(reverse=True)
    top = " ".join("%s %.0f" % (name, n / mb) for n, name in rows[:4])
    return (total / mb if total is not None else None), top


def fmt(x, spec="%.1f"):
    return "-" if x is None or x != x else spec % x


def ratio(a, b):
    return None if not a or not b or a != a or b != b else a / b


print()
print("== data path, native, one core (tests/bench/datapath-bench)")
with open(os.path.join(top, "datapath.txt")) as f:
    print(f.read().rstrip())
for d, what in (("to-server", ""), ("to-pppd", ", accm all"), ("to-pppd-accm0", ", accm 0")):
    try:
        with open(os.path.join(top, "callgrind-%s.out" % d)) as f:
            ir = next(int(l.split()[1]) for l in f if l.startswith(("summary:", "totals:")))
        with open(os.path.join(top, "callgrind-%s.txt" % d)) as f:
            nbytes = int(f.read().split()[1])
        print("callgrind %-13s (1500-byte frames%s): %.2f instructions/byte" %
              (d, what, ir / nbytes))
    except (OSError, StopIteration, IndexError, ValueError):
        print("callgrind %s: no data" % d)

print()
print("== tunnel, user-mode-linux (1 virtual CPU), iperf3 TCP, medians of %d rounds"
      % max((len(v) for v in runs.values()), default=0))
print("%-34s %12s %12s %9s  %s" % ("", "pppd-sstp", "sstpc", "ratio", "target"))
ok = {}
for d, label in (("up", "upload (client -> server)"), ("down", "download (server -> client)")):
    p = runs.get(("plugin", d), [])
    s = runs.get(("sstpc", d), [])
    rawm = median(raw[d])
    pm, sm = median([x["mbps"] for x in p]), median([x["mbps"] for x in s])
    pc, sc = median([x["cpu_per_gb"] for x in p]), median([x["cpu_per_gb"] for x in s])
    psys, ptop = strace("plugin", d)
    ssys, stop_ = strace("sstpc", d)
    print(label)
    r = ratio(pm, sm)
    ok["tput-" + d] = r is not None and r >= 3
    print("  %-32s %12s %12s %9s  %s" % ("throughput Mbit/s", fmt(pm), fmt(sm), fmt(r, "%.2fx"), ">= 3x"))
    rr = ratio(pm, rawm)
    ok["raw-" + d] = rr is not None and rr >= 0.5
    print("  %-32s %12s %12s %9s  %s" % ("  raw TLS same path: %s Mbit/s" % fmt(rawm, "%.0f"),
                                         fmt(100 * rr if rr else None, "%.0f%%"),
                                         fmt(100 * ratio(sm, rawm) if ratio(sm, rawm) else None, "%.0f%%"),
                                         "", ">= 50%"))
    r = ratio(pc, sc)
    ok["cpu-" + d] = r is not None and r <= 0.25
    print("  %-32s %12s %12s %9s  %s" % ("client CPU s/GB (pppd+helper)", fmt(pc, "%.2f"), fmt(sc, "%.2f"),
                                         fmt(r, "%.2fx"), "<= 0.25x"))
    r = ratio(psys, ssys)
    ok["sys-" + d] = r is not None and r <= 0.1
    print("  %-32s %12s %12s %9s  %s" % ("system calls per MB", fmt(psys, "%.0f"), fmt(ssys, "%.0f"),
                                         fmt(r, "%.3fx"), "<= 0.1x"))
    print("  %-32s %12s %12s" % ("server CPU share of the run", fmt(100 * median([x["srv_share"] for x in p]), "%.0f%%"),
                                 fmt(100 * median([x["srv_share"] for x in s]), "%.0f%%")))
    print("  %-32s %12s %12s" % ("machine busy", fmt(100 * median([x["busy"] for x in p]), "%.0f%%"),
                                 fmt(100 * median([x["busy"] for x in s]), "%.0f%%")))
    print("  syscalls/MB, top: pppd-sstp: %s" % ptop)
    print("                    sstpc:     %s" % stop_)
    print("  rounds, Mbit/s: pppd-sstp %s; sstpc %s; raw %s" % (
        " ".join("%.0f" % x["mbps"] for x in p), " ".join("%.0f" % x["mbps"] for x in s),
        " ".join("%.0f" % x for x in raw[d])))
print()
print("targets met: %s" % ", ".join("%s %s" % (k, "yes" if v else "NO") for k, v in sorted(ok.items())))
