#!/bin/sh
# System test with pppd 2.5 on both ends: see tests/system/scenarios/tls-client-cert.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/sh "$top_srcdir/tests/pppd/run-pppd25.sh" tls-client-cert
