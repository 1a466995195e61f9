#!/bin/sh
# The README's demo, from a fresh Debian 12 machine: installs what it needs,
# builds sstp.so, starts the bundled test SSTP server, dials it with a real
# pppd + sstp.so, pings across the tunnel both ways, shows what happened and
# tears everything down. Runs inside user-mode-linux when this kernel has no
# PPP support. Must run as root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"

"$top/tests/install-deps.sh"
cd "$top" && autoreconf -fi >/dev/null
mkdir -p "$build" && cd "$build"
[ -f Makefile ] || "$top/configure" --quiet
make -j"$(nproc)" >/dev/null

top_srcdir=$top top_builddir=$build SSTP_PLUGIN=$build/plugin/.libs/sstp.so \
	SSTP_REQUIRE_SYSTEM_TESTS=1 \
	exec "$top/tests/system/run-scenario.sh" "$top/tests/system/scenarios/demo.sh"
