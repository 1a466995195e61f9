# The client dials other.test, which resolves to the server, which presents
# the sstp.test certificate (trusted CA, wrong name): pppd must refuse with
# EXIT_CONNECT_FAILED (8) and name the mismatch.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256
write_peers main --server other.test
run_client main
wait_client_exit 15 || fail "client pppd still running 15s after start (certificate for the wrong name)"
assert_client_rc 8 # EXIT_CONNECT_FAILED
assert_log "$CLIENT_LOG" '(not match|mismatch).*other\.test|other\.test.*(not match|mismatch)'
assert_log "$SERVER_LOG" 'EVENT tcp accepted from 192\.0\.2\.2' 5
assert_not_log "$SERVER_LOG" 'http-check|http-header|VERDICT'
kill -0 "$SERVER_PID" 2>/dev/null || fail "test server died after the failed handshake"
pass "test server still running"
IGNORE_SERVER=1 assert_no_leftovers 10
