# Issue #5: a misbehaving server, one fault per connection (the server's
# --fault-plan), one client pppd per fault, no persist. For each fault the
# client must log one line naming the cause and exit with the expected status
# within the spec's timers, crash nothing and leave nothing behind; faults the
# spec says to ignore must still give a working call. The four cases that can
# only end by a 60 s client timer run in the background, alongside the fast
# ones. Prints a "CASE name | rc | seconds | log line" table.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/cases.sh"
prepare_sstp

# Order matters: the i-th case is the server's i-th connection.
UP_FIRST="sstp-reserved-bits sstp-len-max sstp-unknown-attr flood-before-connected"
CONNECTED="abort-connected disconnect-connected fin-connected rst-connected"
SLOW="silent-connected ack-never ack-half http-trickle"
FAST="http-401 http-404 http-500 http-301 http-garbage http-endless
tls-close-handshake tls-close-http sstp-bad-version sstp-len-small sstp-len-over
sstp-truncated sstp-unknown-msg sstp-attr-overrun nak nak-alt ack-nohash
abort-request disconnect-request abort-ack disconnect-ack"
# shellcheck disable=SC2086 # word lists
plan=$(echo $UP_FIRST $CONNECTED $SLOW $FAST | tr ' ' ,)
start_server --hash sha256 --expect-host sstp.test --fault-plan "$plan" --fault-delay 1

# 1. Faults to be ignored: the call works, SIGTERM ends it with Call Disconnect.
for f in $UP_FIRST; do
    case_start "$f"
    case_up_then_stop "$f"
done
# Every one of the 2000 IPv4 packets before Call Connected was dropped.
n=$(sed -n 's/.*, \([0-9]*\) frames dropped outside Call Connected.*/\1/p' \
    "$(case_log flood-before-connected)")
[ "${n:-0}" -ge 2000 ] || fail "flood-before-connected: only '${n:-0}' frames dropped"
pass "flood-before-connected: $n data frames before Call Connected dropped"

# 2. The server ends an established call (1 s after Call Connected), one at a
# time (each brings ppp0 up).
case_start abort-connected
case_check abort-connected 16 'sstp: SSTP server sstp\.test aborted the call: NO_ERROR' 30
case_start disconnect-connected
case_check disconnect-connected 16 'sstp: SSTP server sstp\.test disconnected the call' 30
case_start fin-connected
case_check fin-connected 16 'sstp: SSTP server sstp\.test closed the connection' 30
case_start rst-connected
case_check rst-connected 16 'sstp: SSTP server sstp\.test reset the connection' 30

# 3. The slow ones, in the background: spec timers (60 s) must end them.
# pppd's own LCP echoes must not end silent-connected before the hello timer.
case_start silent-connected lcp-echo-interval 0
wait_for_log "$SERVER_LOG" "conn=${CASE_CONN[silent-connected]} EVENT fault: going silent" 30 ||
    fail "silent-connected: the call never came up"
for f in ack-never ack-half http-trickle; do
    case_start "$f"
done

# 4. Fast faults, one after the other.
for f in $FAST; do
    case_start "$f"
    case_wait "$f" 40
done
case_check http-401 8 'sstp: SSTP server sstp\.test refused the SSTP connection: HTTP 401' 15
case_check http-404 8 'sstp: .*HTTP 404 Not Found \(is SSTP enabled' 15
case_check http-500 8 'sstp: .*refused the SSTP connection: HTTP 500' 15
case_check http-301 8 'sstp: .*refused the SSTP connection: HTTP 301' 15
case_check http-garbage 8 'sstp: SSTP server sstp\.test did not answer the SSTP request with HTTP' 15
case_check http-endless 8 'sstp: the HTTP response from sstp\.test is too long' 15
case_check tls-close-handshake 8 'sstp: TLS handshake with sstp\.test failed' 15
case_check tls-close-http 8 'sstp: SSTP server sstp\.test closed the connection while we waited for HTTP response' 15
case_check sstp-bad-version 8 'sstp: SSTP server sstp\.test sent an invalid SSTP packet.*version' 15
case_check sstp-len-small 8 'sstp: SSTP server sstp\.test sent an invalid SSTP packet.*length' 15
case_check sstp-len-over 8 'sstp: SSTP server sstp\.test closed the connection while we waited for Call Connect Ack' 15
case_check sstp-truncated 8 'sstp: SSTP server sstp\.test closed the connection while we waited for Call Connect Ack' 15
case_check sstp-unknown-msg 8 'sstp: SSTP server sstp\.test sent UNKNOWN.* while we waited for Call Connect Ack' 15
case_check sstp-attr-overrun 8 'sstp: SSTP server sstp\.test sent a malformed SSTP control message' 15
case_check nak 8 'sstp: SSTP server sstp\.test refused the call 3 times: VALUE_NOT_SUPPORTED' 15
case_check nak-alt 8 'sstp: SSTP server sstp\.test refused the call 3 times: VALUE_NOT_SUPPORTED' 15
case_check ack-nohash 8 'sstp: SSTP server sstp\.test offered no usable crypto binding hash' 15
case_check abort-request 8 'sstp: SSTP server sstp\.test aborted the call during setup' 15
case_check disconnect-request 8 'sstp: SSTP server sstp\.test disconnected the call during setup' 15
case_check abort-ack 16 'sstp: SSTP server sstp\.test aborted the call: NO_ERROR' 15
case_check disconnect-ack 16 'sstp: SSTP server sstp\.test disconnected the call' 15
# The client answers an Abort with an Abort and a Disconnect with an Ack.
for f in abort-request abort-ack abort-connected; do
    assert_log "$SERVER_LOG" "conn=${CASE_CONN[$f]} EVENT call-abort received \(answer to our abort\)"
done
for f in disconnect-request disconnect-ack disconnect-connected; do
    assert_log "$SERVER_LOG" "conn=${CASE_CONN[$f]} EVENT disconnect-ack received"
done

# 5. The slow ones: 60 s timers (+ the 3 s Abort wait), and 2 x 60 s hello.
case_check ack-never 8 'sstp: SSTP server sstp\.test did not answer the Call Connect Request within 60 s|no Call Connect Ack from sstp\.test within 60 s' 75
case_check ack-half 8 'sstp: SSTP server sstp\.test did not answer the Call Connect Request within 60 s|no Call Connect Ack from sstp\.test within 60 s' 75
case_check http-trickle 8 'no HTTP response from sstp\.test within 60 s' 75
case_check silent-connected 16 'sstp: SSTP server sstp\.test stopped answering' 150
for f in ack-never ack-half; do
    assert_log "$SERVER_LOG" "conn=${CASE_CONN[$f]} EVENT call-abort received"
done
assert_not_log "$SERVER_LOG" 'internal error'
assert_not_log "$SERVER_LOG" 'client-violation'
IGNORE_SERVER=1 assert_no_leftovers 10
