#!/bin/sh
# System test with pppd 2.5 on the client: see tests/system/scenarios/pap-zero-hlak.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/sh "$top_srcdir/tests/pppd/run-pppd25.sh" pap-zero-hlak
