#!/bin/sh
# Set-up of the interoperability tests: builds accel-ppp and sstp-server
# (sstpd), two SSTP servers this project did not write, from their tarballs
# (build-servers.sh, cached by the tarballs' sha256), checks that they and
# what their scenarios need are usable, and writes tests/interop/interop.env
# for the t-interop-*.sh scenarios. A separate test so that the build's time
# shows in its own log.
#
# Without the tarball directory: SKIP (77), or 99 in CI (see common.sh).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/interop/common.sh"

out=$top_builddir/tests/interop
envfile=$out/interop.env
mkdir -p "$out"
rm -f "$envfile"

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "PASS: $*"; }

interop_require_servers_dir
servers=$(cd "$(interop_servers_dir)" && pwd)
echo "# server tarballs in $servers"
for f in "$servers"/*.tar.xz; do
	[ -f "$f" ] && echo "#   $(basename "$f") sha256 $(sha256sum "$f" | cut -c1-16)..."
done

# The build tools and what the scenarios run (tests/install-deps.sh).
for tool in cmake gcc make flock /usr/bin/python3-config iperf3; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (run tests/install-deps.sh)"
done
pppd_version=$(/usr/sbin/pppd --version 2>&1 | sed -n 's/^pppd version //p')
sstp_api_plugin=/usr/lib/pppd/$pppd_version/sstp-pppd-plugin.so
[ -f "$sstp_api_plugin" ] ||
	fail "$sstp_api_plugin not found: sstpd checks the Compound MAC only with it (package sstp-client)"
pass "build tools, iperf3 and sstp-client's $sstp_api_plugin are installed"

start=$(date +%s)
vars=$("$top_srcdir/tests/interop/build-servers.sh" "$servers" 2>"$out/build-servers.err")
rc=$?
sed 's/^/# /' "$out/build-servers.err"
[ $rc = 0 ] || fail "building the servers failed (exit $rc)"
pass "servers built or cached in $(($(date +%s) - start))s"
eval "$vars"
: "${SSTP_INTEROP_ACCEL_PPP:?}" "${SSTP_INTEROP_SSTPD:?}"

# accel-pppd loads its modules from the prefix; the SSTP one must be there.
for m in libsstp.so libauth_mschap_v2.so libchap-secrets.so libippool.so liblog_file.so; do
	[ -n "$(find "$SSTP_INTEROP_ACCEL_PPP" -name "$m" -path '*/accel-ppp/*')" ] ||
		fail "accel-ppp module $m is missing below $SSTP_INTEROP_ACCEL_PPP"
done
version=$("$SSTP_INTEROP_ACCEL_PPP/sbin/accel-pppd" --version 2>&1) ||
	fail "accel-pppd --version failed: $version"
"$SSTP_INTEROP_ACCEL_PPP/bin/accel-cmd" --help >/dev/null 2>&1 || fail "accel-cmd --help failed"
pass "accel-ppp ($version) in $SSTP_INTEROP_ACCEL_PPP: accel-pppd, accel-cmd and the SSTP modules"

help=$(cd /tmp && PYTHONPATH=$SSTP_INTEROP_SSTPD /usr/bin/python3 -m sstpd --help 2>&1) ||
	fail "sstpd does not start with /usr/bin/python3: $help"
echo "$help" | grep -q -- '--pppd-config' || fail "sstpd --help does not show --pppd-config: $help"
pass "sstpd in $SSTP_INTEROP_SSTPD runs with $(/usr/bin/python3 --version 2>&1)"

cat >"$envfile" <<ENV
# written by tests/interop/t-interop-build.sh: the servers of the t-interop-*.sh tests
SSTP_INTEROP_ACCEL_PPP=$SSTP_INTEROP_ACCEL_PPP
SSTP_INTEROP_SSTPD=$SSTP_INTEROP_SSTPD
ENV
pass "wrote $envfile"
