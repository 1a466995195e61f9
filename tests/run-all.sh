#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine: installs what the
# build and the tests need, builds out of tree, runs `make check` (unit
# tests, their sanitizer builds, and the system tests with real pppd inside
# user-mode-linux), then `make distcheck`. Must run as root (pppd, netns).
# Ends with one line: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"

"$top/tests/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

cd "$top" && autoreconf -fi >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$build" && cd "$build" || exit 1
"$top/configure" --quiet || { echo "0 passed, 1 failed"; exit 1; }
make -j"$(nproc)" >/dev/null || { make; echo "0 passed, 1 failed"; exit 1; }

# A system test that cannot run is a failure here, never a silent skip.
SSTP_REQUIRE_SYSTEM_TESTS=1 make -j1 check
check_status=$?
for log in tests/unit/*.log tests/system/*.log; do
	case "$log" in *test-suite.log) continue ;; esac
	if grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "${log%.log}.trs" 2>/dev/null; then
		echo "==== $log"
		tail -n 60 "$log"
	fi
done

# Every C file as .clang-format lays it out.
make check-format >format.log 2>&1
format_status=$?
[ "$format_status" -eq 0 ] || { head -n 40 format.log; echo "make check-format failed; see $build/format.log"; }

# distcheck proves the tarball builds out of tree, installs, uninstalls and
# carries what the tests need; every test already ran above, so inside it a
# quick subset will do: the unit tests and one real tunnel.
SSTP_REQUIRE_SYSTEM_TESTS=1 make distcheck \
	TESTS='$(DISTCHECK_TESTS)' \
	>distcheck.log 2>&1
distcheck_status=$?
tail -n 4 distcheck.log

count() { sed -n "s/^# $1: *//p" test-suite.log | head -n 1; }
passed=$(count PASS)
failed=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) ))
skipped=$(count SKIP)
if [ "$distcheck_status" -eq 0 ]; then
	passed=$((passed + 1))
else
	echo "make distcheck failed; see $build/distcheck.log"
	failed=$((failed + 1))
fi
if [ "$format_status" -eq 0 ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
[ "$check_status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
