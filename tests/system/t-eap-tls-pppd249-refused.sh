#!/bin/sh
# System test with pppd 2.5 as the server only: see tests/system/scenarios/eap-tls-pppd249-refused.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec /bin/sh "$top_srcdir/tests/pppd/run-pppd25.sh" --server-only eap-tls-pppd249-refused
