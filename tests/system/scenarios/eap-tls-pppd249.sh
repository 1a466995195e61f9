# EAP-TLS with pppd 2.4.9 as the client (pppd 2.5 as the server), TLS 1.2
# inside EAP (pppd's default maximum). pppd 2.4.9 keeps only 16 bytes of
# each key; the plugin exports the whole MSK from pppd's own TLS session at
# the end of its handshake and binds with MSK[0..31]. The test server
# verifies the Compound MAC with the server pppd's own keys.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
setup_eap_tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-tls
basic_call sha256 SHA-256 eap-tls EAP
assert_log "$CLIENT_LOG" 'Finished: TLS 1\.2$'
assert_log "$CLIENT_LOG" 'EAP-TLS PRF label = client EAP encryption'
assert_log "$SERVER_PPPD_LOG" 'EAP-TLS PRF label = client EAP encryption'
assert_log "$CLIENT_LOG" "sstp: watching pppd's EAP-TLS handshake for the binding keys"
assert_log "$CLIENT_LOG" 'EAP authentication succeeded'
assert_log "$CLIENT_LOG" 'sstp: authentication done \(EAP-TLS\), binding with EAP keys'
assert_not_log "$CLIENT_LOG" 'cannot compute a correct crypto binding'
