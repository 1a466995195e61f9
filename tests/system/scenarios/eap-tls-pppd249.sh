# EAP-TLS with pppd 2.4.9 as the client (pppd 2.5 as the server): pppd 2.4.9
# keeps only 16 of the 32 key bytes the binding needs, so no correct Compound
# MAC is possible. The plugin must say so in the log, naming the cause and
# the way out, and the server must refuse the call; the client exits.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
setup_eap_tls
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-tls
start_server --hash sha256 --expect-host sstp.test
write_peers main
run_client main
wait_client_exit 60 || fail "client pppd still running 60 s after the refused binding"
assert_log "$CLIENT_LOG" 'EAP authentication succeeded'
assert_log "$CLIENT_LOG" 'sstp: cannot compute a correct crypto binding for EAP-TLS: pppd 2\.4\.9 keeps only 16 of the 32 key bytes it needs, so the server will refuse the call \(use pppd 2\.5, or MS-CHAPv2 / EAP-MSCHAPv2\)'
assert_log "$SERVER_LOG" 'VERDICT call-connected MISMATCH compound-mac'
assert_log "$CLIENT_LOG" 'sstp: SSTP server sstp\.test aborted the call: INVALID_FRAME_RECEIVED'
assert_client_rc 16 # EXIT_HANGUP
IGNORE_SERVER=1 assert_no_leftovers 10
