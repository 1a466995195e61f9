# The README's demo: one real tunnel to the bundled test server, told step by
# step. Same harness as the system tests; run through contrib/demo.sh.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=mschapv2

note "1. The test SSTP server (Python, OpenSSL, its own server-side pppd) listens in netns srv."
start_server --hash sha256 --echo-interval 2
note "2. The client's peers file, as a user would write it:"
write_peers main
sed 's/^/#      /' /etc/ppp/peers/main
note "3. pppd call main (in netns cli):"
run_client main
wait_ip_up 30
ip netns exec cli ip -brief addr show ppp0 | sed 's/^/#      /'
note "4. What the plugin logged:"
grep 'sstp:' "$CLIENT_LOG" | sed 's/^/#      /'
note "5. Traffic across the tunnel, both ways:"
ping_both_ways
note "6. The server checked the crypto binding itself, like Windows RRAS does:"
assert_log "$SERVER_LOG" 'VERDICT call-connected OK .*hash=SHA-256 .*hlak=mschapv2' 10
grep -E 'VERDICT' "$SERVER_LOG" | sed 's/^/#      /'
assert_log "$SERVER_LOG" 'EVENT echo-response received' 10
note "7. kill -TERM pppd: Call Disconnect, then pppd exits."
stop_client 20
assert_client_rc 5
assert_log "$SERVER_LOG" 'EVENT call-disconnect received' 10
IGNORE_SERVER=1 assert_no_leftovers 10
note "Demo finished: the tunnel came up, carried traffic both ways and went down cleanly."
