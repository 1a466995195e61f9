#!/bin/sh
# Run one system-test scenario with pppd 2.5 and the plugin built against it
# on the client side (the server side keeps the system's pppd):
#
#   run-pppd25.sh SCENARIO_NAME      (a file in tests/system/scenarios/)
#
# or with the system's pppd and plugin on the client side, for scenarios that
# need pppd 2.5 only as the server (SSTP_SERVER_PPPD25, EAP-TLS):
#
#   run-pppd25.sh --server-only SCENARIO_NAME
#
# Reads tests/pppd/pppd25.env, which t-pppd25.sh writes once pppd 2.5 and the
# 2.5 plugin build passed their checks.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
server_only=
if [ "$1" = --server-only ]; then
	server_only=1
	shift
fi
name=$1
envfile=$top_builddir/tests/pppd/pppd25.env
if [ ! -f "$envfile" ]; then
	echo "SKIP: pppd 2.5 is not available: $envfile is missing (see tests/pppd/t-pppd25.log)"
	exit 77
fi
# shellcheck disable=SC1090
. "$envfile"
export top_srcdir top_builddir SSTP_SERVER_PPPD25 SSTP_SERVER_KEYS_PLUGIN
if [ -z "$server_only" ]; then
	SSTP_RESULT_DIR=$top_builddir/tests/system/pppd25-$name.log.d
	export SSTP_CLIENT_PPPD SSTP_PLUGIN SSTP_RESULT_DIR
else
	unset SSTP_CLIENT_PPPD SSTP_PLUGIN
fi
exec /bin/bash "$top_srcdir/tests/system/run-scenario.sh" "$top_srcdir/tests/system/scenarios/$name.sh"
