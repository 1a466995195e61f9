#!/bin/sh
# System test: see tests/system/scenarios/tls-client-cert.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/tls-client-cert.sh"
