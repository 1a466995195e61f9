# accel-ppp, an SSTP server we did not write, with its Crypto Binding check
# on: the call comes up with MS-CHAPv2 and accel-ppp accepts our binding,
# pings cross, iperf3 measures both ways; SIGTERM to pppd reaches accel-ppp
# as a Call Disconnect; accel-ppp ending the call (accel-cmd terminate) ends
# pppd with EXIT_HANGUP and one line naming the server; with a wrong password
# pppd exits with EXIT_AUTH_TOPEER_FAILED, having logged the failure.
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

wrong_password_call
assert_log "$ACCEL_LOG" "$PPP_USER: authentication failed"
IGNORE_SERVER=1 assert_no_leftovers 10
