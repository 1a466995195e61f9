# Smoke test of the system-test environment itself (no plugin, no SSTP server):
# certificates (checked with a real TLS handshake across the veth), network
# namespaces, the /etc/ppp and /etc/hosts bind mounts, and two plain pppd's
# (client in cli, server in srv, joined through a pty) with MS-CHAPv2 and
# pings through the link. Not part of SYSTEM_TESTS; run it by hand:
#   tests/system/run-scenario.sh tests/system/scenarios/smoke-pppd-pair.sh
. "$top_srcdir/tests/system/lib.sh"

# --- certificates ---------------------------------------------------------------
make_certs
out=$(certtool --verify --load-ca-certificate "$CA_CERT" --infile "$SERVER_CERT" 2>&1) ||
    fail "server certificate does not verify against the test CA: $out"
pass "server certificate verifies against the test CA"
if certtool --verify --load-ca-certificate "$OTHER_CA_CERT" --infile "$SERVER_CERT" >/dev/null 2>&1; then
    fail "server certificate verifies against the unrelated CA"
fi
pass "server certificate does not verify against the unrelated CA"
info=$(certtool -i --infile "$SERVER_CERT")
for want in 'DNSname: sstp.test' 'IPAddress: 192.0.2.1' 'IPAddress: 2001:db8::1' 'TLS WWW Server'; do
    [[ $info == *"$want"* ]] || fail "server certificate lacks '$want'"
done
pass "server certificate has DNS sstp.test, IP 192.0.2.1 and 2001:db8::1, serverAuth"
info=$(certtool -i --infile "$OTHER_NAME_CERT")
[[ $info == *'DNSname: other.test'* ]] || fail "other-name certificate lacks DNS other.test"
pass "other-name certificate is for other.test"

# --- network and files -------------------------------------------------------------
setup_net
pass "veth between netns srv and cli carries IPv4 and IPv6"
setup_etc_ppp
for ns in srv cli; do
    got=$(ip netns exec $ns getent hosts other.test | awk '{print $1}')
    [ "$got" = "$SRV_IP4" ] || fail "other.test resolves to '$got' in netns $ns"
done
pass "sstp.test and other.test resolve to $SRV_IP4 (also inside both namespaces)"

# --- real TLS across the veth with the generated certificates ------------------------
ip netns exec srv gnutls-serv --echo -p 443 --x509certfile "$SERVER_CERT" \
    --x509keyfile "$SERVER_KEY" >"$LOGDIR/gnutls-serv.log" 2>&1 &
tls_pid=$!
tls_listening() { [ -n "$(ip netns exec srv ss -H -ltn "sport = :443")" ]; }
wait_until 10 tls_listening ||
    fail "gnutls-serv did not start"
tls_client() { # tls_client CAFILE HOST [ADDRESS]
    local extra=()
    [ -z "${3:-}" ] || extra=(--verify-hostname "$2")
    echo | ip netns exec cli timeout 10 gnutls-cli --x509cafile "$1" -p 443 \
        "${extra[@]}" "${3:-$2}" >>"$LOGDIR/gnutls-cli.log" 2>&1
}
tls_client "$CA_CERT" sstp.test || fail "TLS to sstp.test with the test CA failed (see gnutls-cli.log)"
pass "TLS handshake to sstp.test verifies with the test CA"
tls_client "$CA_CERT" 2001:db8::1 || fail "TLS to [2001:db8::1] with the test CA failed"
pass "TLS handshake to [2001:db8::1] verifies (IP SAN)"
if tls_client "$OTHER_CA_CERT" sstp.test; then fail "TLS verified with the unrelated CA"; fi
pass "TLS handshake to sstp.test is rejected with the unrelated CA"
if tls_client "$CA_CERT" other.test; then fail "TLS to other.test verified against the sstp.test certificate"; fi
pass "TLS handshake to other.test is rejected (name mismatch)"
kill_wait $tls_pid 5
wait $tls_pid 2>/dev/null || true

# --- two pppd's over a pty, MS-CHAPv2 ------------------------------------------------
write_server_pppd_options mschapv2
require_etc_ppp
server_cmd="ip netns exec srv $PPPD file $SERVER_PPPD_OPTIONS notty nodetach"
cat >/etc/ppp/peers/smoke <<EOF
pty "$server_cmd"
user $PPP_USER
remotename $PPP_SERVER_NAME
refuse-pap refuse-chap refuse-eap refuse-mschap
noauth
noipdefault
nodefaultroute
noccp
nodetach
debug
logfile $CLIENT_LOG
EOF
run_client smoke
wait_ip_up 20
wait_until 5 ppp_has_addr srv "$PPP_SERVER_IP" "$PPP_CLIENT_IP" ||
    fail "server ppp0 lacks $PPP_SERVER_IP peer $PPP_CLIENT_IP"
pass "server ppp0 up: $PPP_SERVER_IP peer $PPP_CLIENT_IP (in netns srv)"
assert_log "$CLIENT_LOG" 'CHAP authentication succeeded'
assert_log "$SERVER_PPPD_LOG" 'sent \[CHAP Success id=0x[0-9a-f]+ "S=[0-9A-F]{40} M=Access granted"\]'
assert_log "$CLIENT_LOG" 'sent \[CHAP Response id=0x[0-9a-f]+ <[0-9a-f]{98}>'  # MS-CHAPv2: 49 bytes
ping_both_ways
stop_client 15
assert_client_rc 5
assert_log "$CLIENT_LOG" '^Terminating on signal 15'
assert_log "$CLIENT_LOG" '^Connection terminated' 5
assert_no_leftovers 10

# --- wrong password: the server must refuse -------------------------------------------
mv "$CLIENT_LOG" "$LOGDIR/client-pppd-good.log"
mv "$SERVER_PPPD_LOG" "$LOGDIR/server-pppd-good.log"
sed 's/^user .*/user alice\npassword wrong-password/' /etc/ppp/peers/smoke >/etc/ppp/peers/smoke-badpw
run_client smoke-badpw
wait_client_exit 30 || fail "client with the wrong password did not give up"
assert_client_rc 19 # EXIT_AUTH_TOPEER_FAILED
assert_log "$SERVER_PPPD_LOG" 'Peer alice failed CHAP authentication'
assert_no_leftovers 10
