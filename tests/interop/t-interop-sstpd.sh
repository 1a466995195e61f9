#!/bin/sh
# Interoperability test: see tests/interop/scenarios/sstpd.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/sh "$top_srcdir/tests/interop/run-interop.sh" sstpd
