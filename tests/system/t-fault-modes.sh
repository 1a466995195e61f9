#!/bin/sh
# System test: see tests/system/scenarios/fault-modes.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# Four cases wait for the spec's 60 s timers (one of them twice).
SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-420}
export SSTP_SCENARIO_TIMEOUT
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/fault-modes.sh"
