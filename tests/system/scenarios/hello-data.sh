# MS-SSTP 3.1.2.3: every packet the client receives, data or control,
# restarts its Hello timer. The server never answers the client's Echo
# Requests (SoftEther has no case for them) but its pppd sends an LCP Echo
# every 70 s; the client's own LCP echoes are off, IPv6 too, so nothing else
# crosses the link. The client's Hello timer expires before each LCP Echo and
# sends an unanswered Echo Request; the data that follows must keep the
# tunnel up for 150 s (a client that waits for an Echo Response drops it at
# about 120 s).
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test --fault-plan echo-ignore \
    --hello-timeout 600 --pppd-arg noipv6 \
    --pppd-arg lcp-echo-interval --pppd-arg 70 --pppd-arg lcp-echo-failure --pppd-arg 10
write_peers main lcp-echo-interval 0 noipv6
run_client main
wait_ip_up 30
assert_verdicts_ok
note "holding the tunnel for 150 s"
sleep 150
kill -0 "$CLIENT_PID" 2>/dev/null || fail "client pppd died within 150 s: $(tail -n 3 "$CLIENT_LOG")"
assert_log "$SERVER_LOG" 'EVENT echo-request received; fault: not answering it' 1 2
# pppd logs no LCP echoes once the link is up: the server sees the replies.
assert_log "$SERVER_LOG" 'EVENT ppp c>s LCP Echo-Reply id=2' 1
assert_not_log "$CLIENT_LOG" 'stopped answering'
ppp_has_addr cli $PPP_CLIENT_IP $PPP_SERVER_IP || fail "client ppp0 lost its address"
pass "tunnel up 150 s with two unanswered Echo Requests"
ping_both_ways
stop_client 20
assert_client_rc 5
assert_log "$SERVER_LOG" 'EVENT call-disconnect received' 10
IGNORE_SERVER=1 assert_no_leftovers 10
