# The client dials the IPv6 literal [2001:db8::1] (default port 443); the
# certificate matches through its IP SAN 2001:db8::1.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_LISTEN=$SRV_IP6
start_server --hash sha256
write_peers main --server "[$SRV_IP6]"
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
assert_verdicts_ok
ping_both_ways
stop_client 20
assert_client_rc 5
IGNORE_SERVER=1 assert_no_leftovers 10
