# EAP-TLS with pppd 2.4.9 as the client (pppd 2.5 as the server), TLS 1.2
# inside EAP (pppd's default maximum). pppd 2.4.9 keeps only 16 bytes of
# each key; the plugin exports the whole MSK from pppd's own TLS session at
# the end of its handshake and binds with MSK[0..31]. The test server
# verifies the Compound MAC with the server pppd's own keys. pppd makes a
# new TLS session for each call: the server drops the first call, and the
# redialled call must bind with its own session's keys.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
setup_eap_tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-tls
OK_VERDICT='VERDICT call-connected OK hash=SHA-256 hlak=eap-tls auth=EAP( |$)'
start_server --hash sha256 --expect-host sstp.test --drop-after 6 --drop-calls 1 --max-calls 2
write_peers main persist holdoff 1 maxfail 0
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" "$OK_VERDICT" 10 1
assert_log "$CLIENT_LOG" 'Finished: TLS 1\.2$'
assert_log "$CLIENT_LOG" 'EAP-TLS PRF label = client EAP encryption'
assert_log "$SERVER_PPPD_LOG" 'EAP-TLS PRF label = client EAP encryption'
assert_log "$CLIENT_LOG" "sstp: watching pppd's EAP-TLS handshake for the binding keys"
assert_log "$CLIENT_LOG" 'EAP authentication succeeded'
assert_log "$CLIENT_LOG" 'sstp: authentication done \(EAP-TLS\), binding with EAP keys'
ping_both_ways
# the redial: a new EAP-TLS session, watched again, bound again
assert_log "$SERVER_LOG" 'EVENT drop: closing TCP abruptly' 20
assert_log "$SERVER_LOG" "$OK_VERDICT" 40 2
assert_log "$CLIENT_LOG" "sstp: watching pppd's EAP-TLS handshake for the binding keys" 5 2
assert_log "$CLIENT_LOG" 'sstp: authentication done \(EAP-TLS\), binding with EAP keys' 5 2
wait_ip_up 20
ping_both_ways
assert_verdicts_ok
assert_not_log "$CLIENT_LOG" 'cannot compute a correct crypto binding'
stop_client 20
assert_client_rc 5 # EXIT_USER_REQUEST
IGNORE_SERVER=1 assert_no_leftovers 10
