# accel-ppp's own checks of the client, against our client:
# - host-name=sstp.test: it requires the TLS SNI and the HTTP Host to be
#   sstp.test. Dialled as sstp.test, the call comes up; dialled by the IP
#   address the certificate also lists (no SNI for IP literals, RFC 6066 3),
#   accel-ppp refuses the TLS handshake.
# - a TLS man-in-the-middle that the client trusts (sstp-cert-pin of the
#   relay's key, sstp-cert-pin-only): the tunnel's PPP reaches accel-ppp,
#   but our Crypto Binding carries the hash of the relay's certificate, and
#   accel-ppp refuses the call (MS-SSTP 3.2.5.4).
. "$top_srcdir/tests/interop/lib.sh"
prepare_sstp
start_accel_ppp sstp.test

note "--- host-name=sstp.test, dialled as sstp.test"
write_peers main
accel_call_as_sstp_test main 30
IGNORE_SERVER=1 assert_no_leftovers 10
save_client_log right-name

note "--- host-name=sstp.test, dialled as $SRV_IP4 (a name the certificate lists too)"
write_peers by-address --server "$SRV_IP4"
run_client by-address
wait_client_exit 30 || fail "client pppd still running 30s after dialling $SRV_IP4"
assert_client_rc 8 # EXIT_CONNECT_FAILED
assert_log "$ACCEL_LOG" 'recv \[SSL <no SNI>\]'
assert_log "$CLIENT_LOG" "^sstp: TLS .*${SRV_IP4//./\\.}.*fail"
if ppp_has_addr cli "$PPP_CLIENT_IP" "$PPP_SERVER_IP"; then fail "client ppp0 came up"; fi
pass "accel-ppp refused the call without the SNI sstp.test"
IGNORE_SERVER=1 assert_no_leftovers 10
save_client_log by-address

mitm_call "$ACCEL_LOG" 'sstp: invalid SHA256 Cert Hash' accel-ppp
if [ "$(accel_cmd show sessions username 2>&1 | grep -c -w "$PPP_USER")" != 0 ]; then
    fail "accel-ppp still lists a session for $PPP_USER"
fi
pass "accel-ppp refused the man-in-the-middle's call, and has no session"
IGNORE_SERVER=1 assert_no_leftovers 10
