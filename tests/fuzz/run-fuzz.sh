#!/bin/sh
# Builds one libFuzzer target with clang (plus ASan and UBSan) and fuzzes it
# for FUZZ_SECONDS (default 30), starting from its seed corpus. The working
# corpus is kept in the build directory, so later runs start where the last
# one stopped. A crash leaves its input as tests/fuzz/crash-TARGET-* there.
#
#   run-fuzz.sh TARGET            TARGET: sstp, http, hdlc or call
#   FUZZ_SECONDS=3600 run-fuzz.sh hdlc     a long run
set -u
target=$1
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
seconds=${FUZZ_SECONDS:-30}
cc=${FUZZ_CC:-clang}
src=$top_srcdir/plugin
work=$top_builddir/tests/fuzz
libs=
case $target in
sstp) sources="$src/sstp-codec.c $src/text.c" ;;
http) sources="$src/http.c $src/sanitize.c" ;;
hdlc) sources=$src/hdlc.c ;;
call)
	sources="$src/call.c $src/sstp-codec.c $src/text.c $src/crypto-binding.c $src/error.c"
	libs=$(pkg-config --libs gnutls 2>/dev/null || echo -lgnutls)
	;;
*) echo "unknown fuzz target $target" >&2; exit 99 ;;
esac

unavailable() {
	echo "fuzz-$target: $*"
	[ "${SSTP_REQUIRE_SYSTEM_TESTS:-0}" = 1 ] && exit 99
	exit 77
}
command -v "$cc" >/dev/null 2>&1 || unavailable "$cc not found (install clang and libclang-rt-14-dev)"

mkdir -p "$work/corpus-$target" || exit 99
binary=$work/fuzz-$target
# shellcheck disable=SC2086 # $sources and $libs are lists
"$cc" -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$src" -o "$binary" "$top_srcdir/tests/fuzz/fuzz-$target.c" $sources $libs ||
	unavailable "cannot build with $cc -fsanitize=fuzzer (is libclang-rt-14-dev installed?)"

"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/crash-$target-" \
	"$work/corpus-$target" "$top_srcdir/tests/fuzz/seeds/$target" >"$work/fuzz-$target.out" 2>&1
status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz-$target.out")
corpus=$(find "$work/corpus-$target" -type f | wc -l)
if [ "$status" -ne 0 ]; then
	tail -n 40 "$work/fuzz-$target.out"
	echo "fuzz-$target: FAILED after ${runs:-?} executions; input saved as $work/crash-$target-*"
	exit 1
fi
echo "fuzz-$target: ${runs:-?} executions in $seconds s, no crash, corpus $corpus inputs"
