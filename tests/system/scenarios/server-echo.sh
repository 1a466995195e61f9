# The server sends SSTP Echo Requests every 2 s; the client must answer them
# (at least two Echo Responses) and the tunnel must keep working.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test --echo-interval 2
write_peers main
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
assert_log "$SERVER_LOG" 'EVENT echo-response received' 20 2
assert_verdicts_ok
ping_both_ways
kill -0 "$CLIENT_PID" 2>/dev/null || fail "client pppd died"
stop_client 20
assert_client_rc 5
IGNORE_SERVER=1 assert_no_leftovers 10
