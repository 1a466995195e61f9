# Issue #5: redial soak. With persist, the server ends 50 calls in a row,
# 0.5 s after each Call Connected, cycling through Call Abort, Call
# Disconnect, TCP reset and TCP close without TLS close_notify; every 5th call
# is authenticated with PAP instead of MS-CHAPv2. pppd must redial every time
# and the tunnel must come back (51st call: ping both ways). pppd's open
# descriptors must be exactly the same and its RSS flat (within
# RSS_TOLERANCE_KB) from redial 5 to redial 50, with never more than one
# helper process. No keys leak from one link into the next: the server checks
# every crypto binding, so a PAP call after an MS-CHAPv2 one must bind with
# the zero HLAK. (A silent server is left out: it costs 2 x 60 s by the spec;
# fault-modes covers it.)
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
CALLS=50
RSS_TOLERANCE_KB=64
kinds=(abort-connected disconnect-connected rst-connected fin-connected)
plan=
for i in $(seq 1 $CALLS); do
    f=${kinds[$((i % 4))]}
    [ $((i % 5)) != 0 ] || f="pppd-alt+$f"
    plan="$plan,$f"
done
write_server_pppd_options pap
cp "$SERVER_PPPD_OPTIONS" "$WORKDIR/server-pppd-pap.options"
start_server --hash sha256 --expect-host sstp.test --fault-plan "${plan#,}" --fault-delay 0.5 \
    --alt-pppd-options "$WORKDIR/server-pppd-pap.options"
write_peers main persist holdoff 0 maxfail 0
run_client main

declare -a FDS RSS
for i in $(seq 1 $CALLS); do
    wait_for_log "$SERVER_LOG" 'VERDICT call-connected OK' 60 "$i" ||
        fail "redial $i: no verified Call Connected within 60s"
    kill -0 "$CLIENT_PID" 2>/dev/null || fail "redial $i: client pppd has exited"
    FDS[i]=$(find "/proc/$CLIENT_PID/fd" -mindepth 1 | wc -l)
    RSS[i]=$(awk '/^VmRSS:/ { print $2 }' "/proc/$CLIENT_PID/status")
    children=$(pgrep -c -P "$CLIENT_PID" || true)
    echo "SOAK call $i: pppd fds ${FDS[i]}, VmRSS ${RSS[i]} kB, children $children"
    [ "$children" -le 1 ] || fail "redial $i: pppd has $children children (a helper was left)"
done
# The call after the last drop is left alone.
wait_for_log "$SERVER_LOG" 'VERDICT call-connected OK' 60 $((CALLS + 1)) ||
    fail "no call after the $CALLS drops"
wait_ip_up 30
ping_both_ways
pass "tunnel back after $CALLS server-side drops"

max_rss=0 min_rss=999999999
for i in $(seq 5 $CALLS); do
    [ "${FDS[i]}" = "${FDS[5]}" ] || fail "pppd fd count changed: ${FDS[5]} at redial 5, ${FDS[i]} at redial $i"
    [ "${RSS[i]}" -le "$max_rss" ] || max_rss=${RSS[i]}
    [ "${RSS[i]}" -ge "$min_rss" ] || min_rss=${RSS[i]}
done
pass "pppd fd count ${FDS[5]} at every redial from 5 to $CALLS"
echo "SOAK pppd VmRSS from redial 5 to $CALLS: ${RSS[5]} -> ${RSS[CALLS]} kB (min $min_rss, max $max_rss)"
[ $((max_rss - RSS[5])) -le $RSS_TOLERANCE_KB ] ||
    fail "pppd RSS grew by $((max_rss - RSS[5])) kB between redial 5 and $CALLS (tolerance $RSS_TOLERANCE_KB kB)"
pass "pppd RSS flat within $RSS_TOLERANCE_KB kB from redial 5 to $CALLS"

n_pap=$(count_log "$SERVER_LOG" 'VERDICT call-connected OK hash=SHA-256 hlak=zero auth=PAP')
n_chap=$(count_log "$SERVER_LOG" 'VERDICT call-connected OK hash=SHA-256 hlak=mschapv2 auth=MS-CHAPv2')
[ "$n_pap" = $((CALLS / 5)) ] || fail "$n_pap PAP calls bound with the zero HLAK, expected $((CALLS / 5))"
[ "$n_chap" = $((CALLS + 1 - CALLS / 5)) ] || fail "$n_chap MS-CHAPv2 calls verified, expected $((CALLS + 1 - CALLS / 5))"
pass "$n_pap PAP calls (each after MS-CHAPv2 ones) bound with the zero HLAK, $n_chap MS-CHAPv2 calls with their own keys"
assert_verdicts_ok
for k in "${kinds[@]}"; do
    n=$(count_log "$SERVER_LOG" "EVENT fault [a-z+-]*$k")
    pass "$n calls ended by $k"
done
stop_client 20
assert_client_rc 5
IGNORE_SERVER=1 assert_no_leftovers 10
