#!/bin/sh
# Run one system-test scenario with pppd 2.5 and the plugin built against it
# on the client side (the server side keeps the system's pppd):
#
#   run-pppd25.sh SCENARIO_NAME      (a file in tests/system/scenarios/)
#
# Reads tests/pppd/pppd25.env, which t-pppd25.sh writes once pppd 2.5 and the
# 2.5 plugin build passed their checks.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
name=$1
envfile=$top_builddir/tests/pppd/pppd25.env
if [ ! -f "$envfile" ]; then
	echo "SKIP: pppd 2.5 is not available: $envfile is missing (see tests/pppd/t-pppd25.log)"
	exit 77
fi
# shellcheck disable=SC1090
. "$envfile"
SSTP_RESULT_DIR=$top_builddir/tests/system/pppd25-$name.log.d
export top_srcdir top_builddir SSTP_CLIENT_PPPD SSTP_PLUGIN SSTP_RESULT_DIR
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/$name.sh"
