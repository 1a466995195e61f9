#!/bin/sh
# One command, from a clean checkout, as root:
#
#     tests/bench/run.sh
#
# Installs what the build and the benchmark need, builds out of tree (in
# ./build, or $SSTP_BENCH_BUILD), runs the data-path micro-benchmark natively,
# then the tunnel benchmark inside the system-test harness (user-mode-linux
# where the kernel has no /dev/ppp): pppd-sstp and Debian's sstpc against the
# same fast bench server, iperf3 through each tunnel both ways in alternating
# rounds with ping across the tunnel meanwhile (latency under load), raw TLS
# over the same path, strace -c in a separate round. Prints one table with
# medians and the ratios the performance targets are stated in.
#
# Knobs: SSTP_BENCH_ROUNDS (3), SSTP_BENCH_SECONDS (10), SSTP_BENCH_BUILD,
# SSTP_BENCH_CLIENTS (plugin sstpc), SSTP_BENCH_PING_INTERVAL (0.1 s);
# for quick iterations SSTP_BENCH_CLIENTS=plugin SSTP_BENCH_RAW=0.
# To measure an experiment against pppd-sstp in the same run, add "alt" to
# SSTP_BENCH_CLIENTS: pppd-sstp again, with the sstp.so at the absolute path
# SSTP_BENCH_ALT_PLUGIN (another build) and/or SSTP_BENCH_ALT_ENV ("VAR=value
# ...", put into its pppd's environment). The table gets an alt/pppd column.
# Not part of make check: it takes about 6 minutes and measures, it does not
# pass or fail.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${SSTP_BENCH_BUILD:-$top/build}

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: must run as root (pppd, network namespaces, user-mode-linux)" >&2
	exit 1
fi
"$top/tests/install-deps.sh"
# Benchmark-only packages: the reference client, the load generator, the tracers.
missing=
for p in sstp-client iperf3 strace valgrind; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "run.sh: installing:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || "$top/configure" --quiet
make -j"$(nproc)" >/dev/null

results=$build/bench-results
mkdir -p "$results"

echo "== data-path micro-benchmark (native, one core)"
"$build/tests/bench/datapath-bench" | tee "$results/datapath.txt"
for dir in to-server to-pppd to-pppd-accm0; do
	valgrind --tool=callgrind --callgrind-out-file="$results/callgrind-$dir.out" \
		--collect-atstart=no --toggle-collect=run_to_server --toggle-collect=run_to_pppd \
		"$build/tests/bench/datapath-bench" --one $dir 1500 16 \
		>"$results/callgrind-$dir.txt" 2>"$results/callgrind-$dir.log"
done

echo "== tunnel benchmark (this takes a few minutes)"
rc=0
top_srcdir=$top top_builddir=$build SSTP_PLUGIN=$build/plugin/.libs/sstp.so \
	SSTP_BENCH_SERVER=$build/tests/bench/sstp-bench-server \
	SSTP_RESULT_DIR=$results/tunnel SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-1500} \
	"$top/tests/system/run-scenario.sh" "$top/tests/bench/bench-scenario.sh" \
	>"$results/scenario.out" 2>&1 || rc=$?
if [ $rc != 0 ]; then
	tail -n 60 "$results/scenario.out"
	echo "run.sh: the tunnel benchmark failed (exit $rc); logs in $results/tunnel"
	exit 1
fi
python3 "$top/tests/bench/report.py" "$results" | tee "$results/report.txt"
