#!/bin/sh
# System test: see tests/system/scenarios/ocsp-stapling.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." \&\& pwd)}"
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/ocsp-stapling.sh"
