#!/usr/bin/python3
"""Prints the benchmark table from the files tests/bench/run.sh collected.

    report.py RESULTS_DIR

RESULTS_DIR holds datapath.txt, callgrind-*.out/txt and tunnel/ (the
scenario's result directory: results.txt, iperf-*.json, ping-*.txt,
strace-*.txt, tls-stat-*.txt).
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
                # Kernel work is charged to whichever process's system call
                # or softirq happens to run it, so the whole machine's CPU
                # (both ends) is the fair figure between channels or kernels.
                "machine_per_gb": int(kv["busy_ticks"]) / hz / (b / 1e9),
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

def ping_rtts(client, d):
    """Every RTT (ms) ping measured across the tunnel during client's iperf3 runs."""
    rtts = []
    for name in sorted(os.listdir(tun)):
        if re.match(r"ping-%s-%s-\d+\.txt$" % (client, d), name):
            with open(os.path.join(tun, name)) as f:
                rtts += [float(m.group(1)) for m in re.finditer(r"time=([0-9.]+) ms", f.read())]
    return rtts


def percentile(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def ktls_engaged(client):
    """What /proc/net/tls_stat said after the client's last dial."""
    try:
        with open(os.path.join(tun, "tls-stat-%s.txt" % client)) as f:
            kv = dict(line.split() for line in f if len(line.split()) == 2)
        return "tx %s rx %s" % (kv.get("TlsCurrTxSw", "?"), kv.get("TlsCurrRxSw", "?"))
    except OSError:
        return "no tls.ko"


clients = [c for c in ("plugin", "alt", "sstpc") if any(k[0] == c for k in runs)]
names = {"plugin": "pppd-sstp", "alt": "alt", "sstpc": "sstpc"}
compare = "alt" in clients and "plugin" in clients
print()
print("== tunnel, user-mode-linux (1 virtual CPU), iperf3 TCP, medians of %d rounds"
      % max((len(v) for v in runs.values()), default=0))
if "alt" in clients:
    print("alt: %s; env: %s; kTLS sessions after its dial: %s" % (
        os.environ.get("SSTP_BENCH_ALT_PLUGIN") or "the same sstp.so",
        os.environ.get("SSTP_BENCH_ALT_ENV") or "-", ktls_engaged("alt")))
print("%-34s" % "" + "".join("%12s" % names[c] for c in clients)
      + ("%11s" % "alt/pppd" if compare else "")
      + ("%11s  %s" % ("pppd/sstpc", "target") if "sstpc" in clients else ""))
ok = {}
for d, label in (("up", "upload (client -> server)"), ("down", "download (server -> client)")):
    rawm = median(raw[d])

    def med(c, key):
        return median([x[key] for x in runs.get((c, d), [])])

    mbps = {c: med(c, "mbps") for c in clients}
    sysc = {c: strace(c, d) for c in clients}
    rtts = {c: ping_rtts(c, d) for c in clients}

    def row(title, vals, spec, target=None, test=None, rspec="%.2fx", key=None):
        line = "  %-32s" % title + "".join("%12s" % fmt(vals[c], spec) for c in clients)
        if compare:
            line += "%11s" % (fmt(ratio(vals["alt"], vals["plugin"]), rspec) if rspec else "")
        if "sstpc" in clients and "plugin" in clients and target:
            r = ratio(vals["plugin"], vals["sstpc"])
            ok[key + "-" + d] = r is not None and test(r)
            line += "%11s  %s" % (fmt(r, rspec), target)
        print(line)

    print(label)
    row("throughput Mbit/s", mbps, "%.1f", ">= 3x", lambda r: r >= 3, key="tput")
    share = {c: 100 * ratio(mbps[c], rawm) if ratio(mbps[c], rawm) else None for c in clients}
    row("  %% of raw TLS (%s Mbit/s)" % fmt(rawm, "%.0f"), share, "%.0f%%", rspec=None)
    if "plugin" in clients:
        r = ratio(mbps["plugin"], rawm)
        ok["raw-" + d] = r is not None and r >= 0.5
    row("client CPU s/GB (pppd+helper)", {c: med(c, "cpu_per_gb") for c in clients}, "%.2f",
        "<= 0.25x", lambda r: r <= 0.25, key="cpu")
    row("machine CPU s/GB (both ends)", {c: med(c, "machine_per_gb") for c in clients}, "%.2f")
    row("system calls per MB", {c: sysc[c][0] for c in clients}, "%.0f", "<= 0.1x",
        lambda r: r <= 0.1, key="sys")
    row("ping RTT p50 under load, ms", {c: percentile(rtts[c], 50) for c in clients}, "%.2f")
    row("ping RTT p99 under load, ms", {c: percentile(rtts[c], 99) for c in clients}, "%.2f")
    row("ping replies", {c: len(rtts[c]) for c in clients}, "%d", rspec=None)
    row("server CPU share of the run", {c: 100 * med(c, "srv_share") for c in clients}, "%.0f%%",
        rspec=None)
    row("machine busy", {c: 100 * med(c, "busy") for c in clients}, "%.0f%%", rspec=None)
    for c in clients:
        print("  syscalls/MB, top, %-10s %s" % (names[c] + ":", sysc[c][1]))
    print("  rounds, Mbit/s: " + "; ".join(
        "%s %s" % (names[c], " ".join("%.0f" % x["mbps"] for x in runs.get((c, d), [])))
        for c in clients) + "; raw %s" % " ".join("%.0f" % x for x in raw[d]))
    print("  rounds, client CPU s/GB: " + "; ".join(
        "%s %s" % (names[c], " ".join("%.2f" % x["cpu_per_gb"] for x in runs.get((c, d), [])))
        for c in clients))
print()
if ok:
    print("targets met: %s" % ", ".join("%s %s" % (k, "yes" if v else "NO")
                                        for k, v in sorted(ok.items())))
