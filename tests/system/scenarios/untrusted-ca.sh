# The client trusts only an unrelated CA: the TLS handshake must fail, pppd
# must exit with EXIT_CONNECT_FAILED (8) within seconds, say why, and the
# server must never see the HTTP request. The message gives the key pin and
# the options that would trust it.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256
write_peers main --ca "$OTHER_CA_CERT"
run_client main
wait_client_exit 15 || fail "client pppd still running 15s after start (untrusted server certificate)"
assert_client_rc 8 # EXIT_CONNECT_FAILED
assert_log "$CLIENT_LOG" '^sstp: server certificate for sstp\.test is not trusted: The certificate issuer is unknown; its public key is sha256:'
assert_log "$CLIENT_LOG" '^sstp: to trust this server by its key alone .*: sstp-cert-pin sha256:[A-Za-z0-9+/=]{44} sstp-cert-pin-only \(for a private CA, add sstp-ca-file'
assert_log "$SERVER_LOG" 'EVENT tcp accepted from 192\.0\.2\.2' 5
assert_not_log "$SERVER_LOG" 'http-check|http-header|VERDICT'
if ppp_has_addr cli "$PPP_CLIENT_IP" "$PPP_SERVER_IP"; then fail "client ppp0 came up"; fi
kill -0 "$SERVER_PID" 2>/dev/null || fail "test server died after the failed handshake"
pass "test server still running"
IGNORE_SERVER=1 assert_no_leftovers 10
