# persist: the server drops the first call's TCP connection (no SSTP goodbye)
# 8 s after the call is up; pppd must notice, redial after holdoff 1 and bring
# the tunnel up again (two OK verdicts), with working pings after the redial.
# The second call is left alone, so nothing here races a timer.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test --drop-after 8 --drop-calls 1 --max-calls 2
write_peers main persist holdoff 1 maxfail 0
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10 1
assert_log "$SERVER_LOG" 'EVENT drop: closing TCP abruptly' 20
assert_log "$CLIENT_LOG" '^(Modem hangup|Connection terminated)' 10
kill -0 "$CLIENT_PID" 2>/dev/null || fail "client pppd exited instead of redialling (persist)"
pass "client pppd still running after the first call was dropped"
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 30 2
assert_log "$CLIENT_LOG" 'Connect: ppp0 <--> ' 5 2
wait_ip_up 20
ping_both_ways
assert_verdicts_ok
stop_client 20
assert_client_rc 5
IGNORE_SERVER=1 assert_no_leftovers 10
