#!/bin/sh
# System test with pppd 2.5 on the client: see tests/system/scenarios/mschapv2-sha256.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/sh "$top_srcdir/tests/pppd/run-pppd25.sh" mschapv2-sha256
