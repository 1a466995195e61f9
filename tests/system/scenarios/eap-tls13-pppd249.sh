# EAP-TLS over TLS 1.3 with pppd 2.4.9 as the client (pppd 2.5 as the
# server): max-tls-version 1.3 on both pppds. pppd derives the TLS 1.3 keys
# with the label EXPORTER_EAP_TLS_Key_Material; the plugin makes the same
# export from pppd's session, and the test server verifies the Compound MAC
# with the server pppd's own keys.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
setup_eap_tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_PPPD_EXTRA='max-tls-version 1.3'
start_server --hash sha256 --expect-host sstp.test
write_peers main max-tls-version 1.3
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK hash=SHA-256 hlak=eap-tls auth=EAP( |$)' 10
assert_log "$CLIENT_LOG" 'Finished: TLS 1\.3 \(experimental\)'
assert_log "$CLIENT_LOG" 'EAP-TLS PRF label = EXPORTER_EAP_TLS_Key_Material'
assert_log "$SERVER_PPPD_LOG" 'EAP-TLS PRF label = EXPORTER_EAP_TLS_Key_Material'
assert_log "$CLIENT_LOG" "sstp: watching pppd's EAP-TLS handshake for the binding keys"
assert_log "$CLIENT_LOG" 'sstp: authentication done \(EAP-TLS\), binding with EAP keys'
assert_not_log "$CLIENT_LOG" 'cannot compute a correct crypto binding'
ping_both_ways
assert_verdicts_ok
stop_client 20
assert_client_rc 5 # EXIT_USER_REQUEST
IGNORE_SERVER=1 assert_no_leftovers 10
