# EAP-TLS with pppd 2.5 on both ends: the client pppd keeps the 32-byte keys
# EAP-TLS yields, and the plugin binds with the first 32 bytes of the key
# material (its MPPE send key). The test server cannot see inside the EAP-TLS
# session; it takes the HLAK from the server pppd's own derivation (its
# receive key, written by tests/server/server-keys-plugin.c) and verifies the
# Compound MAC with it.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
setup_eap_tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-tls
basic_call sha256 SHA-256 eap-tls EAP
assert_log "$SERVER_PPPD_LOG" 'EAP-TLS generating MPPE keys'
assert_log "$CLIENT_LOG" 'EAP authentication succeeded'
assert_log "$CLIENT_LOG" 'sstp: authentication done \(EAP-TLS\), binding with EAP keys'
