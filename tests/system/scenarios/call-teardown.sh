# Ending a call the way MS-SSTP's state table says, in two cases, one per
# connection of the server's fault plan:
# 1. SIGTERM to pppd while the Call Connect Request is unanswered: a local
#    disconnect in any state sends Call Disconnect (MS-SSTP 3.2.4.2), and
#    pppd exits as soon as the server acks it.
# 2. The server answers our Call Disconnect with Call Abort: while we wait
#    for a Disconnect Ack, a Call Abort is answered with Call Abort and the
#    call ends after Abort timer 2, 1 s (MS-SSTP 3.2.5.3.4), not after
#    Disconnect timer 1, 5 s.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test --fault-plan ack-never,abort-on-disconnect

# seconds between the first lines of SERVER_LOG matching ERE1 and ERE2
server_log_gap() {
    "$PYTHON" - "$SERVER_LOG" "$1" "$2" <<'PY'
import datetime, re, sys
def when(pattern):
    for line in open(sys.argv[1]):
        if re.search(pattern, line):
            return datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
    sys.exit("no line matches " + pattern)
print("%.3f" % (when(sys.argv[3]) - when(sys.argv[2])).total_seconds())
PY
}

# 1. The Call Connect Request is never answered.
write_peers main
run_client main
assert_log "$SERVER_LOG" 'conn=1 EVENT fault: not answering the Call Connect Request' 30
sleep 1
stop_client 4
assert_client_rc 5
assert_log "$SERVER_LOG" 'conn=1 EVENT call-disconnect received' 5
assert_log "$CLIENT_LOG" 'sstp: connection attempt cancelled'
assert_log "$CLIENT_LOG" 'call: Connect_Request_Sent -> Call_Disconnect_In_Progress_1'

# 2. Call Abort in answer to our Call Disconnect.
: >"$CLIENT_LOG"
run_client main
wait_ip_up 30
assert_verdicts_ok
stop_client 4
assert_client_rc 5
assert_log "$SERVER_LOG" 'conn=2 EVENT call-abort sent reason=fault abort-on-disconnect' 5
assert_log "$SERVER_LOG" 'conn=2 EVENT call-abort received \(answer to our abort\)' 5
gap=$(server_log_gap 'conn=2 EVENT call-abort sent' 'conn=2 EVENT call-abort received') ||
    fail "cannot time the Call Abort answer"
"$PYTHON" -c "import sys; sys.exit(0 if float('$gap') < 1.0 else 1)" ||
    fail "the client answered the server's Call Abort after ${gap}s (1 s allowed)"
pass "the client answered the server's Call Abort within ${gap}s"
assert_log "$CLIENT_LOG" 'call: Call_Disconnect_Ack_Pending -> Call_Abort_In_Progress_2'
# Abort 2 or the server closing the connection, whichever comes first, ends it.
assert_log "$CLIENT_LOG" 'call: Call_Abort_In_Progress_2 -> Call_Abort_Timeout_Pending'
IGNORE_SERVER=1 assert_no_leftovers 10
