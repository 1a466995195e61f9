#!/bin/sh
# System test: see tests/system/scenarios/hello-data.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# The scenario holds the tunnel for 150 s.
SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-240}
export SSTP_SCENARIO_TIMEOUT
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/hello-data.sh"
