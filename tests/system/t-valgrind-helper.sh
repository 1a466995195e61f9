#!/bin/sh
# System test: see tests/system/scenarios/valgrind-helper.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
# Everything under valgrind is many times slower, more so inside UML.
SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-300}
export SSTP_SCENARIO_TIMEOUT
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/valgrind-helper.sh"
