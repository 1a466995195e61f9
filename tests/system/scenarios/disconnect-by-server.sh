# The server sends Call Disconnect 3 s after the call is up: the client must
# acknowledge it (Call Disconnect Ack) and, without persist, pppd must exit by
# itself.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test --disconnect-after 3
write_peers main
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
wait_client_exit 15 || fail "client pppd still running 15s after the tunnel came up (server disconnects after 3s)"
pass "client pppd exited by itself after the server's disconnect (status $CLIENT_RC)"
# The plugin acknowledges and closes the pty: pppd sees "Modem hangup" and
# exits with EXIT_HANGUP (16), as observed with pppd 2.4.9.
assert_client_rc 16
assert_log "$SERVER_LOG" 'EVENT call-disconnect sent' 5
assert_log "$SERVER_LOG" 'EVENT disconnect-ack received' 5
assert_log "$CLIENT_LOG" '(sstp\.test|[Ss]erver).*[Dd]isconnect'
assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10
