# sstp-server (sstpd), an SSTP server we did not write, with its Crypto
# Binding check on (its server pppd hands it the MS-CHAPv2 keys through
# sstp-client's plugin): the call comes up and sstpd finds our binding
# valid, pings cross, iperf3 measures both ways; SIGTERM to pppd reaches
# sstpd as a Call Disconnect; when sstpd's pppd ends, sstpd's Call
# Disconnect ends our pppd with EXIT_HANGUP and one line naming the server;
# a wrong password ends the call with pppd's authentication failure; a TLS
# man-in-the-middle that the client pins is refused by sstpd's certificate
# hash check (MS-SSTP 3.2.5.4).
. "$top_srcdir/tests/interop/lib.sh"
prepare_sstp
start_sstpd

note "--- MS-CHAPv2 call, ping, iperf3, SIGTERM"
write_peers main
run_client main
wait_ip_up 30
assert_log "$SSTPD_LOG" 'Received Higher Layer Authentication Key\.' 10
assert_log "$SSTPD_LOG" 'Crypto Binding is valid\.' 10
assert_not_log "$SSTPD_LOG" 'Crypto Binding is invalid|wrong nonce|hash mismatch'
note "sstpd's log of the call:"
grep -E 'SSTP|Crypto|Connection|Authentication Key' "$SSTPD_LOG" | sed 's/^/#   /'
ping_both_ways
iperf_both_ways sstpd
stop_client 20
assert_client_rc 5
assert_log "$SSTPD_LOG" 'Received call disconnect request\.' 10
IGNORE_SERVER=1 assert_no_leftovers 15
save_client_log sigterm

note "--- sstpd's pppd ends the call"
run_client main
wait_ip_up 30
assert_log "$SSTPD_LOG" 'Crypto Binding is valid\.' 10 2
pid=$(server_pppd_pid)
[ -n "$pid" ] || fail "no server pppd found for the call"
note "sending SIGTERM to sstpd's pppd (pid $pid)"
kill -TERM "$pid"
wait_client_exit 20 || fail "client pppd still running 20s after sstpd's pppd ended"
assert_client_rc 16
assert_log "$CLIENT_LOG" '^sstp: .*sstp\.test.*disconnect'
IGNORE_SERVER=1 assert_no_leftovers 15
save_client_log server-disconnect

wrong_password_call
IGNORE_SERVER=1 assert_no_leftovers 15
save_client_log wrong-password

mitm_call "$SSTPD_LOG" 'Certificate hash mismatch' sstpd
[ "$(count_log "$SSTPD_LOG" 'Crypto Binding is valid\.')" = 2 ] ||
    fail "sstpd found a Crypto Binding valid beyond the two good calls"
pass "sstpd refused the man-in-the-middle's call"
IGNORE_SERVER=1 assert_no_leftovers 15
