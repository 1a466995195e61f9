# Issue #10: the helper drops root before it touches the network. While a
# call is up, the helper's /proc/PID/status must show the unprivileged user
# in all four Uid fields, no capabilities, NoNewPrivs 1 and Seccomp 2 (a
# filter); once with root's pppd and once with the setuid pppd run by an
# ordinary user in group dip. The STATUS lines go to the test log. Then the
# option files are loaded before dialling: a bad one ends pppd with exit
# status 2 and one line, without a connection attempt.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test --max-calls 3
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

# helper_status LABEL: the helper (pppd's only child) has dropped everything.
helper_status() {
    local label=$1 helper status line
    helper=$(pgrep -P "$CLIENT_PID" | head -n 1)
    [ -n "$helper" ] || fail "$label: no helper process under pppd $CLIENT_PID"
    status=$(grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' \
        "/proc/$helper/status")
    while IFS= read -r line; do
        echo "STATUS $label helper $helper: $line"
    done <<<"$status"
    grep -qE "^Uid:[[:space:]]+$NOBODY_UID[[:space:]]+$NOBODY_UID[[:space:]]+$NOBODY_UID[[:space:]]+$NOBODY_UID\$" <<<"$status" ||
        fail "$label: helper uids are not all nobody's ($NOBODY_UID)"
    grep -qE "^Gid:[[:space:]]+$NOBODY_GID[[:space:]]+$NOBODY_GID[[:space:]]+$NOBODY_GID[[:space:]]+$NOBODY_GID\$" <<<"$status" ||
        fail "$label: helper gids are not all nobody's ($NOBODY_GID)"
    grep -qE '^Groups:[[:space:]]*$' <<<"$status" || fail "$label: helper kept supplementary groups"
    for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
        grep -qE "^$cap:[[:space:]]+0000000000000000\$" <<<"$status" || fail "$label: helper $cap is not empty"
    done
    grep -qE '^NoNewPrivs:[[:space:]]+1$' <<<"$status" || fail "$label: helper lacks no_new_privs"
    grep -qE '^Seccomp:[[:space:]]+2$' <<<"$status" || fail "$label: helper has no seccomp filter"
    pass "$label: helper runs as nobody in all four uids and gids, no groups, no capabilities, no_new_privs, seccomp filter"
}

# A syslog daemon stand-in on /dev/log: the helper logs through pppd's
# syslog socket, and syslog(3) reconnects when the daemon restarts.
SYSLOG_PID=
start_syslog() { # FILE
    "$PYTHON" -c '
import os, socket, sys
path = "/dev/log"
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(sys.argv[1], "ab", 0) as out:
    while True:
        out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
' "$1" &
    SYSLOG_PID=$!
    wait_until 5 test -S /dev/log || fail "no /dev/log from the syslog stand-in"
}
stop_syslog() { kill "$SYSLOG_PID" 2>/dev/null || true; wait "$SYSLOG_PID" 2>/dev/null || true; rm -f /dev/log; }
if [ -e /dev/log ]; then
    skip_syslog=1
    note "/dev/log exists here: not replacing the system's syslog"
else
    skip_syslog=
fi

# 1. root's pppd
[ -n "$skip_syslog" ] || start_syslog "$LOGDIR/syslog-1.log"
write_peers main
run_client main
wait_ip_up 30
assert_log "$CLIENT_LOG" 'sstp: helper: running as user nobody'
assert_log "$CLIENT_LOG" 'sstp: helper: seccomp filter in place'
helper_status root-pppd
HELPER=$(pgrep -P "$CLIENT_PID" | head -n 1)
if [ -z "$skip_syslog" ]; then
    # The helper's own lines (LOG_PID is its pid), from inside the filter.
    assert_log "$LOGDIR/syslog-1.log" "pppd\\[$HELPER\\]: sstp: call connected to sstp\\.test"
    stop_syslog
    start_syslog "$LOGDIR/syslog-2.log"
fi
# Echo, pings and a clean disconnect all work inside the filter.
ping_both_ways
stop_client 20
if [ -z "$skip_syslog" ]; then
    # After the restart: syslog(3) in the helper made a new socket.
    assert_log "$LOGDIR/syslog-2.log" "pppd\\[$HELPER\\]: sstp: " 5
    stop_syslog
fi
assert_client_rc 5
assert_log "$SERVER_LOG" 'EVENT call-disconnect received' 10
assert_not_log "$CLIENT_LOG" 'SIGSYS|helper process died'

# 2. the setuid pppd, run by an ordinary user in group dip. The peers file
# and /etc/ppp stay root's.
if [ ! -u "$PPPD" ]; then
    note "$PPPD is not setuid root: skipping the setuid part"
else
    : >"$CLIENT_LOG"
    chmod 666 "$CLIENT_LOG"
    note "starting client as user daemon in group dip: pppd call main"
    ip netns exec cli setpriv --reuid=daemon --regid=daemon --groups=dip \
        "$PPPD" call main >>"$CLIENT_OUT" 2>&1 &
    CLIENT_PID=$!
    CLIENT_RC=
    wait_ip_up 30
    pppd_uids=$(grep -E '^Uid:' "/proc/$CLIENT_PID/status")
    echo "STATUS setuid-pppd pppd $CLIENT_PID: $pppd_uids"
    [[ $pppd_uids =~ ^Uid:[[:space:]]+$(id -u daemon)[[:space:]]+0[[:space:]] ]] ||
        fail "setuid pppd: expected real uid daemon and effective uid 0, got $pppd_uids"
    helper_status setuid-pppd
    ping_both_ways
    stop_client 20
    assert_client_rc 5
fi

# 3. files and strings are checked before any dial: exit 2, one line.
bad_option() { # NAME ERE OPTION WORDS...
    local name=$1 re=$2 calls
    shift 2
    calls=$(count_log "$SERVER_LOG" ' EVENT tcp accepted ')
    : >"$CLIENT_LOG"
    write_peers "$name" "$@"
    ip netns exec cli "$PPPD" call "$name" >"$LOGDIR/$name.stdout" 2>&1 && rc=0 || rc=$?
    [ "$rc" = 2 ] || { cat "$LOGDIR/$name.stdout"; fail "$name: pppd exit status $rc, expected 2"; }
    grep -qE "$re" "$LOGDIR/$name.stdout" "$CLIENT_LOG" ||
        { cat "$LOGDIR/$name.stdout"; fail "$name: no line matching $re"; }
    echo "OPTION-ERROR $name: $(grep -hE "$re" "$LOGDIR/$name.stdout" "$CLIENT_LOG" | head -n 1)"
    [ "$(count_log "$SERVER_LOG" ' EVENT tcp accepted ')" = "$calls" ] ||
        fail "$name: pppd dialled despite the option error"
    pass "$name: exit status 2 before any dial"
}
bad_option missing-ca 'sstp: sstp-ca-file: cannot load /nonexistent/ca\.pem: No such file or directory' \
    --ca /nonexistent/ca.pem persist holdoff 1
bad_option missing-crl 'sstp: sstp-crl-file: cannot load /nonexistent/crl\.pem' \
    sstp-crl-file /nonexistent/crl.pem persist
bad_option bad-priority 'sstp: sstp-tls-priority: invalid priority string "NORMAL:\+BOGUS"' \
    sstp-tls-priority NORMAL:+BOGUS
bad_option bare-pin 'sstp: sstp-cert-pin: "AAAA" is not a pin' sstp-cert-pin AAAA
bad_option base64-pin 'sstp: sstp-cert-pin: ".*" is not a pin' \
    sstp-cert-pin 'sha256:Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=;Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8='
bad_option unknown-user 'sstp-helper-user: no user no-such-user' sstp-helper-user no-such-user
bad_option root-user 'sstp-helper-user: root is root' sstp-helper-user root
bad_option missing-proxy-ca 'sstp-proxy-ca-file: cannot load /nonexistent/p\.pem' \
    sstp-proxy https://proxy.test:3129 sstp-proxy-ca-file /nonexistent/p.pem
IGNORE_SERVER=1 assert_no_leftovers 10
