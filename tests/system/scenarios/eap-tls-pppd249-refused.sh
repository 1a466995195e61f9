# EAP-TLS with pppd 2.4.9 as the client when the check of pppd's EAP-TLS
# session fails: the test-hooks build (sstp-test-eaptls-foreign) hands the
# key watch a wrong session pointer, as a pppd with another struct layout
# would. The plugin must not use that session; it says so in one line with
# what the user can do, binds with what pppd kept, and the server refuses
# the call.
. "$top_srcdir/tests/system/lib.sh"
SSTP_PLUGIN=$top_builddir/plugin/.libs/sstp-testhooks.so
prepare_sstp
setup_eap_tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-tls
start_server --hash sha256 --expect-host sstp.test
write_peers main sstp-test-eaptls-foreign
run_client main
wait_client_exit 60 || fail "client pppd still running 60 s after the refused binding"
assert_log "$CLIENT_LOG" 'EAP authentication succeeded'
assert_log "$CLIENT_LOG" "sstp: cannot watch pppd's EAP-TLS handshake: pppd's EAP-TLS session does not look as pppd 2\.4\.9 lays it out"
assert_not_log "$CLIENT_LOG" "sstp: watching pppd's EAP-TLS handshake"
assert_log "$CLIENT_LOG" "^sstp: cannot compute a correct crypto binding for EAP-TLS: pppd's EAP-TLS session does not look as pppd 2\.4\.9 lays it out, and pppd 2\.4\.9 keeps only 16 of the 32 key bytes it needs, so the server will refuse the call \(use pppd 2\.5, or MS-CHAPv2 / EAP-MSCHAPv2\)$"
assert_log "$SERVER_LOG" 'VERDICT call-connected MISMATCH compound-mac'
assert_log "$CLIENT_LOG" 'sstp: SSTP server sstp\.test aborted the call: INVALID_FRAME_RECEIVED'
assert_client_rc 16 # EXIT_HANGUP
IGNORE_SERVER=1 assert_no_leftovers 10
