#!/bin/sh
# Interoperability test: see tests/interop/scenarios/accel-ppp-proxy.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/sh "$top_srcdir/tests/interop/run-interop.sh" accel-ppp-proxy
