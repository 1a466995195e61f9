#!/bin/sh
# Run one interoperability scenario (tests/interop/scenarios/NAME.sh) with
# tests/system/run-scenario.sh, against the servers t-interop-build.sh built:
#
#   run-interop.sh NAME
#
# Reads tests/interop/interop.env. Without the server tarballs: SKIP (77),
# or 99 in CI (see common.sh); without a finished build: the same, pointing
# at t-interop-build.log.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/interop/common.sh"
name=$1

interop_require_servers_dir
envfile=$top_builddir/tests/interop/interop.env
[ -f "$envfile" ] ||
	interop_unavailable "the servers are not built: $envfile is missing (see tests/interop/t-interop-build.log)"
# shellcheck disable=SC1090
. "$envfile"
SSTP_RESULT_DIR=$top_builddir/tests/interop/$name.log.d
# Each scenario dials several times; UML makes every call slow.
SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-240}
export top_srcdir top_builddir SSTP_INTEROP_ACCEL_PPP SSTP_INTEROP_SSTPD \
	SSTP_RESULT_DIR SSTP_SCENARIO_TIMEOUT
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/interop/scenarios/$name.sh"
