#!/bin/sh
# System test: see tests/system/scenarios/redial-soak.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# 51 calls, a few seconds each under user-mode-linux.
SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-600}
export SSTP_SCENARIO_TIMEOUT
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/redial-soak.sh"
