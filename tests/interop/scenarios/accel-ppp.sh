# accel-ppp, an SSTP server we did not write, with its Crypto Binding check
# on: the call comes up with MS-CHAPv2 and accel-ppp accepts our binding,
# pings cross, iperf3 measures both ways; SIGTERM to pppd reaches accel-ppp
# as a Call Disconnect; accel-ppp ending the call (accel-cmd terminate) ends
# pppd with EXIT_HANGUP and one line naming the server; with a wrong password
# pppd exits, having logged the authentication failure.
. "$top_srcdir/tests/interop/lib.sh"
prepare_sstp
start_accel_ppp

note "--- MS-CHAPv2 call, ping, iperf3, SIGTERM"
write_peers main
run_client main
wait_ip_up 30
assert_accel_binding_accepted
assert_accel_session_active
ping_both_ways
iperf_both_ways accel-ppp
stop_client 20
assert_client_rc 5
assert_log "$ACCEL_LOG" 'recv \[SSTP SSTP_MSG_CALL_DISCONNECT\]' 10
IGNORE_SERVER=1 assert_no_leftovers 10
save_client_log sigterm

note "--- accel-ppp ends the call"
run_client main
wait_ip_up 30
assert_accel_session_active
out=$(accel_cmd terminate all soft 2>&1) || fail "accel-cmd terminate all soft failed: $out"
pass "accel-cmd terminate all soft"
wait_client_exit 20 || fail "client pppd still running 20s after accel-ppp ended the call"
assert_client_rc 16
assert_log "$ACCEL_LOG" 'send \[SSTP SSTP_MSG_CALL_DISCONNECT\]'
assert_log "$CLIENT_LOG" '^sstp: .*sstp\.test.*disconnect'
IGNORE_SERVER=1 assert_no_leftovers 10
save_client_log server-disconnect

note "--- wrong password"
write_peers wrongpw password not-the-password
run_client wrongpw
wait_client_exit 30 || fail "client pppd still running 30s after dialling with a wrong password"
# accel-ppp's Call Disconnect right after its Failure makes pppd read a
# hangup while it terminates the link; the exit status must still be
# EXIT_AUTH_TOPEER_FAILED, not EXIT_HANGUP.
assert_client_rc 19
assert_log "$CLIENT_LOG" '^MS-CHAP authentication failed'
assert_log "$ACCEL_LOG" "$PPP_USER: authentication failed"
if ppp_has_addr cli "$PPP_CLIENT_IP" "$PPP_SERVER_IP"; then fail "client ppp0 came up with a wrong password"; fi
pass "no tunnel with a wrong password"
IGNORE_SERVER=1 assert_no_leftovers 10
