#!/bin/sh
# The plugin this tree built loads into the pppd it was configured for: pppd
# compares its own version with the plugin's pppd_version string and refuses
# a mismatch, so "Plugin ... loaded." proves the exact version. Also checks
# that configure chose the API that matches that pppd.
set -u
: "${top_builddir:?}" "${SSTP_PLUGIN:?}"

pppd=${SSTP_CLIENT_PPPD:-/usr/sbin/pppd}
if [ ! -x "$pppd" ]; then
	echo "SKIP: $pppd not installed (package ppp)"
	exit 77
fi
[ -f "$SSTP_PLUGIN" ] || { echo "ERROR: $SSTP_PLUGIN not built"; exit 99; }

version=$("$pppd" --version 2>&1 | sed -n 's/^pppd version //p')
built_for=$(sed -n 's/^#define SSTP_PPPD_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
api=$(sed -n 's/^#define SSTP_PPPD_API \(.*\)$/\1/p' "$top_builddir/config.h")
echo "# $pppd is version $version; the plugin is built for $built_for (API $api)"
if [ "$version" != "$built_for" ]; then
	echo "SKIP: this build is for pppd $built_for, not for $pppd ($version)"
	exit 77
fi
case $version in
2.4.*) want_api=24 ;;
*) want_api=25 ;;
esac
[ "$api" = "$want_api" ] || { echo "FAIL: pppd $version needs API $want_api, configure chose $api"; exit 1; }
echo "PASS: configure chose API $api for pppd $version"

# dryrun: parse the options (which loads the plugin) and stop. pppd goes on to
# check for kernel PPP support and may complain about it: irrelevant here.
out=$("$pppd" file /dev/null plugin "$SSTP_PLUGIN" sstp-server sstp.test noauth nodetach dryrun 2>&1)
echo "$out" | sed 's/^/# pppd: /'
if echo "$out" | grep -q "^Plugin $SSTP_PLUGIN loaded\.$"; then
	echo "PASS: pppd $version loaded $SSTP_PLUGIN"
else
	echo "FAIL: pppd $version did not load $SSTP_PLUGIN"
	exit 1
fi
if echo "$out" | grep -q "unrecognized option 'sstp-server'"; then
	echo "FAIL: the plugin's options are not registered"
	exit 1
fi
echo "PASS: sstp-server is a known option"
