#!/bin/sh
# contrib/azure-p2s-import on a hand-made Azure point-to-site profile zip
# laid out as Microsoft documents it (Generic/VpnSettings.xml with
# /VpnProfile/VpnServer, VpnType, Routes and CaCert; Generic/VpnServerRoot.cer)
# and a client .pfx: checks the peers file, the eaptls-client line, the PEM
# files made from the .pfx, and the ip-up script's routes; pppd parses the
# generated peers file. Also: a wrong .pfx password and a zip without the
# Generic folder fail with one clear line.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
script=$top_srcdir/contrib/azure-p2s-import
for tool in python3 openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

work=$top_builddir/tests/azure-import
rm -rf "$work"
mkdir -p "$work/profile/Generic" "$work/bin"
cd "$work" || exit 99

# The gateway's root CA and a client certificate signed by the user's root,
# exported as a password-protected .pfx, as Windows would.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Gateway Root" \
	-keyout gw-root.key -out gw-root.pem 2>/dev/null || exit 99
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=P2SRootCert" \
	-keyout user-root.key -out user-root.pem 2>/dev/null || exit 99
openssl req -newkey rsa:2048 -nodes -subj "/O=Contoso/CN=alice-laptop" \
	-keyout client.key -out client.csr 2>/dev/null || exit 99
openssl x509 -req -in client.csr -CA user-root.pem -CAkey user-root.key -CAcreateserial \
	-days 30 -out client.pem 2>/dev/null || exit 99
openssl pkcs12 -export -in client.pem -inkey client.key -certfile user-root.pem \
	-passout pass:pfx-Passw0rd -out alice.pfx || exit 99
printf 'pfx-Passw0rd\n' >pfx-password

gw=azuregateway-01234567-89ab-cdef-0123-456789abcdef-0123456789ab.vpn.azure.com
ca_b64=$(openssl x509 -in gw-root.pem -outform DER | base64 -w0)
cat >profile/Generic/VpnSettings.xml <<EOF
<?xml version="1.0"?>
<VpnProfile xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/">
  <CaCert>$ca_b64</CaCert>
  <CustomDnsServers i:nil="true" />
  <Routes>10.1.0.0/16,10.2.0.0/24 fd00:1::/64</Routes>
  <VpnServer>$gw</VpnServer>
  <VpnType>Sstp</VpnType>
</VpnProfile>
EOF
openssl x509 -in gw-root.pem -outform DER -out profile/Generic/VpnServerRoot.cer
# zip(1) in Python: the test needs nothing beyond what the script needs.
mkzip() { # mkzip ZIP DIR FILE...: FILEs, named relative to DIR
	python3 -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1], "w")
for f in sys.argv[3:]:
    z.write(os.path.join(sys.argv[2], f), f)' "$@"
}
mkzip vpnclientconfiguration.zip profile Generic/VpnSettings.xml Generic/VpnServerRoot.cer || exit 99

out=$(python3 "$script" --peer work --out staged --pfx-password-file pfx-password \
	vpnclientconfiguration.zip alice.pfx 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $rc = 0 ] && pass "azure-p2s-import exits 0" || fail "azure-p2s-import exited $rc"
printf '%s\n' "$out" | grep -q "route 'fd00:1::/64' skipped" &&
	pass "the IPv6 prefix is named as skipped" || fail "no note about the IPv6 prefix"

peers=staged/etc/ppp/peers/work
for line in "plugin sstp.so" "sstp-server $gw" "sstp-ca-file /etc/ppp/azure/work-ca.pem" \
	"name alice-laptop" "remotename $gw" refuse-pap refuse-chap refuse-mschap \
	refuse-mschap-v2 noauth noccp nodefaultroute "ipparam work"; do
	grep -qxF "$line" "$peers" && pass "peers/work has '$line'" || fail "peers/work lacks '$line'"
done

# client server client-cert server-cert ca-cert client-key (pppd's order)
want="alice-laptop $gw /etc/ppp/azure/work-client.pem - /etc/ppp/azure/work-ca.pem /etc/ppp/azure/work-client-key.pem"
[ "$(cat staged/eaptls-client)" = "$want" ] && pass "eaptls-client line: $want" ||
	fail "eaptls-client line is '$(cat staged/eaptls-client)', not '$want'"

d=staged/etc/ppp/azure
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null; }
[ -n "$(fp gw-root.pem)" ] && [ "$(fp $d/work-ca.pem)" = "$(fp gw-root.pem)" ] &&
	pass "work-ca.pem is the gateway's root CA" || fail "work-ca.pem is not the gateway root"
[ "$(fp $d/work-client.pem)" = "$(fp client.pem)" ] &&
	pass "work-client.pem is the client certificate (not its CA)" || fail "work-client.pem is wrong"
pub() { openssl pkey -in "$1" -pubout 2>/dev/null; }
[ -n "$(pub client.key)" ] && [ "$(pub $d/work-client-key.pem)" = "$(pub client.key)" ] &&
	pass "work-client-key.pem is the client's key, unencrypted for pppd" || fail "work-client-key.pem is wrong"
[ "$(stat -c %a $d/work-client-key.pem)" = 600 ] && pass "the key file is mode 600" ||
	fail "the key file is mode $(stat -c %a $d/work-client-key.pem)"

# The ip-up script, with a stand-in for ip(8) that records its arguments.
printf '#!/bin/sh\necho "ip $*" >>"%s/ip.log"\n' "$work" >bin/ip
chmod +x bin/ip
hook=staged/etc/ppp/ip-up.d/work-routes
[ -x "$hook" ] && pass "ip-up.d/work-routes is executable" || fail "ip-up.d/work-routes is not executable"
PATH=$work/bin:$PATH sh "$hook" ppp0 /dev/pts/3 0 10.3.0.2 10.3.0.1 work
want="ip route replace 10.1.0.0/16 dev ppp0
ip route replace 10.2.0.0/24 dev ppp0"
[ "$(cat ip.log 2>/dev/null)" = "$want" ] && pass "ip-up adds the VNet routes via ppp0" ||
	fail "ip-up ran: $(cat ip.log 2>/dev/null)"
rm -f ip.log
PATH=$work/bin:$PATH sh "$hook" ppp1 /dev/pts/4 0 10.9.0.2 10.9.0.1 other
[ ! -e ip.log ] && pass "ip-up leaves other peers (ipparam other) alone" || fail "ip-up acted for another peer"

# pppd itself parses the generated peers file (with this build's plugin).
pppd=${SSTP_CLIENT_PPPD:-/usr/sbin/pppd}
if [ -x "$pppd" ] && [ -n "${SSTP_PLUGIN:-}" ] && [ -f "$SSTP_PLUGIN" ] && [ "$(id -u)" = 0 ]; then
	sed "s|^plugin sstp.so$|plugin $SSTP_PLUGIN|; s|^persist$||" "$peers" >peers-local
	parsed=$("$pppd" file /dev/null file "$work/peers-local" nodetach dryrun 2>&1)
	if printf '%s\n' "$parsed" | grep -q "unrecognized option\|sstp-server:\|^[^ ]*pppd: sstp"; then
		fail "pppd rejects the generated peers file: $parsed"
	else
		pass "pppd parses the generated peers file"
	fi
else
	echo "# pppd, the plugin or root missing: peers file not parsed by pppd"
fi

# The unpacked directory works too; mistakes get one clear line.
python3 "$script" --peer dir --out staged-dir --pfx-password-file pfx-password profile alice.pfx \
	>/dev/null 2>&1 && grep -qxF "sstp-server $gw" staged-dir/etc/ppp/peers/dir &&
	pass "an unpacked profile directory works" || fail "the unpacked profile directory failed"
printf 'wrong\n' >wrong-password
msg=$(python3 "$script" --out bad --pfx-password-file wrong-password vpnclientconfiguration.zip alice.pfx 2>&1)
[ $? = 1 ] && printf '%s\n' "$msg" | grep -q "^azure-p2s-import: openssl cannot read alice.pfx (wrong password?)" &&
	pass "a wrong .pfx password: $msg" || fail "wrong password gave: $msg"
mkzip no-generic.zip profile/Generic VpnServerRoot.cer
msg=$(python3 "$script" --out bad --pfx-password-file pfx-password no-generic.zip alice.pfx 2>&1)
[ $? = 1 ] && printf '%s\n' "$msg" | grep -q "has no Generic/VpnSettings.xml" &&
	pass "a zip without Generic/VpnSettings.xml: $msg" || fail "zip without Generic/ gave: $msg"
exit $failed
