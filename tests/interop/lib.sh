# shellcheck shell=bash
# Shell library for the interoperability scenarios (tests/interop/scenarios):
# the system tests' lib.sh (topology, certificates, /etc/ppp, client, checks)
# plus starting the two independent SSTP servers in netns srv instead of the
# project's test server. Scenarios start with
#     . "$top_srcdir/tests/interop/lib.sh"
# and run through tests/interop/run-interop.sh, which passes the servers'
# build directories (SSTP_INTEROP_ACCEL_PPP, SSTP_INTEROP_SSTPD).
#
# Both servers listen on 192.0.2.1:443 with the test CA's certificate for
# sstp.test, authenticate alice with MS-CHAPv2 from the scratch
# /etc/ppp/chap-secrets, and give the client 198.51.100.2 (server side
# 198.51.100.1), like the test server, so lib.sh's checks apply unchanged.

. "$top_srcdir/tests/system/lib.sh"

: "${SSTP_INTEROP_ACCEL_PPP:?}" "${SSTP_INTEROP_SSTPD:?}"

ACCEL_PPPD=$SSTP_INTEROP_ACCEL_PPP/sbin/accel-pppd
ACCEL_CMD=$SSTP_INTEROP_ACCEL_PPP/bin/accel-cmd
ACCEL_CONF=$WORKDIR/accel-ppp.conf
ACCEL_PIDFILE=$WORKDIR/accel-pppd.pid
ACCEL_LOG=$LOGDIR/accel-ppp.log
ACCEL_OUT=$LOGDIR/accel-ppp.stdout
ACCEL_CLI_PORT=2001

SSTPD_LOG=$LOGDIR/sstpd.log
MITM_LOG=$LOGDIR/tls-mitm.log
MITM_PORT=4443
FIGURES=$LOGDIR/figures.txt

ACCEL_PID=
SSTPD_PID=

# --- accel-ppp ------------------------------------------------------------------

# start_accel_ppp [HOST_NAME]: accel-pppd in netns srv. Its SSTP module
# checks the Crypto Binding: the nonce, the certificate hash against its own
# certificate (cert-hash-proto) and the Compound MAC from the MS-CHAPv2 keys.
# With HOST_NAME it also requires the TLS SNI and the HTTP Host to be that
# name. Its log ($ACCEL_LOG, level 5 with verbose SSTP and PPP) shows every
# SSTP message it receives; its CLI listens on 127.0.0.1:2001 for accel_cmd.
start_accel_ppp() {
    local host_name=${1:-}
    [ -x "$ACCEL_PPPD" ] || hard_error "accel-pppd not built: $ACCEL_PPPD"
    require_etc_ppp
    cat >"$ACCEL_CONF" <<CONF
# accel-ppp for a pppd-sstp interoperability test
[modules]
log_file
sstp
auth_mschap_v2
chap-secrets
ippool

[core]
log-error=$LOGDIR/accel-ppp-core.log
thread-count=2

[log]
log-file=$ACCEL_LOG
log-emerg=$LOGDIR/accel-ppp-emerg.log
log-fail-file=$LOGDIR/accel-ppp-auth-fail.log
copy=1
level=5

[ppp]
verbose=1
mtu=1400
mru=1400
ipv4=require
ipv6=deny
mppe=deny
lcp-echo-interval=0
unit-cache=0

[auth]
challenge-name=$PPP_SERVER_NAME

[sstp]
verbose=1
bind=$SRV_IP4
port=$SERVER_PORT
accept=ssl
ssl-pemfile=$SERVER_CERT
ssl-keyfile=$SERVER_KEY
cert-hash-proto=sha1,sha256
ppp-mode=async
${host_name:+host-name=$host_name}

# Where calls may come from: the client, the proxy, the man-in-the-middle.
[client-ip-range]
$CLI_IP4/32
$PRX_SRV_IP4/32
$SRV_IP4/32

[chap-secrets]
chap-secrets=/etc/ppp/chap-secrets

[ip-pool]
gw-ip-address=$PPP_SERVER_IP
$PPP_CLIENT_IP/32

[cli]
tcp=127.0.0.1:$ACCEL_CLI_PORT
CONF
    rm -f "$ACCEL_PIDFILE"
    note "starting accel-pppd${host_name:+ with host-name=$host_name}"
    ip netns exec srv "$ACCEL_PPPD" -c "$ACCEL_CONF" -p "$ACCEL_PIDFILE" >>"$ACCEL_OUT" 2>&1 &
    ACCEL_PID=$!
    CLEANUP_PIDS+=("$ACCEL_PID")
    EXTRA_LOGS+=("accel-ppp log|$ACCEL_LOG" "accel-ppp stdout/stderr|$ACCEL_OUT"
        "accel-ppp core log|$LOGDIR/accel-ppp-core.log")
    SERVER_PROCESS=$ACCEL_PPPD
    wait_until 20 _accel_ready ||
        fail "accel-pppd not listening on $SRV_IP4:$SERVER_PORT and 127.0.0.1:$ACCEL_CLI_PORT after 20s"
    pass "accel-pppd running (pid $ACCEL_PID), listening on $SRV_IP4:$SERVER_PORT"
}
_accel_ready() {
    kill -0 "$ACCEL_PID" 2>/dev/null &&
        [ -n "$(ip netns exec srv ss -H -ltn "sport = :$SERVER_PORT")" ] &&
        [ -n "$(ip netns exec srv ss -H -ltn "sport = :$ACCEL_CLI_PORT")" ]
}

# stop_accel_ppp: SIGTERM, wait (for a restart with another configuration).
stop_accel_ppp() {
    kill_wait "$ACCEL_PID" 10
    wait "$ACCEL_PID" 2>/dev/null || true
    ACCEL_PID=
}

# accel_cmd COMMAND...: accel-ppp's CLI, as its documentation shows it.
accel_cmd() {
    ip netns exec srv "$ACCEL_CMD" -H 127.0.0.1 -p "$ACCEL_CLI_PORT" "$@"
}

# assert_accel_session_active: accel-ppp lists alice's session as active.
assert_accel_session_active() {
    local out
    out=$(accel_cmd show sessions ifname,username,ip,type,state 2>&1) ||
        fail "accel-cmd show sessions failed: $out"
    echo "$out" | sed 's/^/#   /'
    echo "$out" | grep -E "\| *$PPP_USER *\| *${PPP_CLIENT_IP//./\\.} *\| *sstp *\| *active" >/dev/null ||
        fail "accel-ppp has no active SSTP session for $PPP_USER with $PPP_CLIENT_IP"
    pass "accel-ppp: SSTP session of $PPP_USER with $PPP_CLIENT_IP is active"
}

# assert_accel_binding_accepted: accel-ppp received our Call Connected and
# logged none of its Crypto Binding errors ("invalid Nonce", "invalid SHA256
# Cert Hash", "invalid Compound MAC", ...). It lets IP through only after a
# valid Call Connected, so the pings that follow prove it too.
assert_accel_binding_accepted() {
    assert_log "$ACCEL_LOG" 'recv \[SSTP SSTP_MSG_CALL_CONNECTED\]' 10
    assert_log "$ACCEL_LOG" "$PPP_USER: authentication succeeded"
    assert_not_log "$ACCEL_LOG" 'invalid'
    note "accel-ppp's log of the call:"
    grep -E 'SSTP_MSG_CALL_CONNECT|authentication succeeded|sstp:' "$ACCEL_LOG" | sed 's/^/#   /'
}

# accel_call_as_sstp_test PEER UP_TIMEOUT: one call that accel-ppp, started
# with host-name=sstp.test, lets through: the TLS SNI and the HTTP Host are
# sstp.test, the Crypto Binding is accepted, the session is active, pings
# cross, and SIGTERM ends pppd with EXIT_USER_REQUEST.
accel_call_as_sstp_test() {
    run_client "$1"
    wait_ip_up "$2"
    assert_log "$ACCEL_LOG" 'recv \[SSL <SNI sstp\.test>\]'
    assert_log "$ACCEL_LOG" 'recv \[HTTP <Host: sstp\.test>\]'
    assert_accel_binding_accepted
    assert_accel_session_active
    ping_both_ways
    stop_client 20
    assert_client_rc 5
}

# --- sstpd (sstp-server) ----------------------------------------------------------

# start_sstpd: sstp-server in netns srv. It starts one server pppd per call
# with $SERVER_PPPD_OPTIONS and Debian sstp-client's sstp-pppd-plugin.so,
# which hands it the MS-CHAPv2 keys, so it checks the nonce, the certificate
# hash and the Compound MAC, and logs "Crypto Binding is valid." or
# "... invalid.". Log level 20: one line per event, not per packet.
start_sstpd() {
    [ -d "$SSTP_INTEROP_SSTPD/sstpd" ] || hard_error "sstpd not built: $SSTP_INTEROP_SSTPD"
    require_etc_ppp
    write_server_pppd_options mschapv2
    note "starting sstpd"
    ip netns exec srv env PYTHONPATH="$SSTP_INTEROP_SSTPD" "$PYTHON" -m sstpd \
        -l "$SRV_IP4" -p "$SERVER_PORT" -c "$SERVER_CERT" -k "$SERVER_KEY" \
        --local "$PPP_SERVER_IP" --remote "${PPP_SERVER_IP%.*}.0/24" \
        --range "$PPP_CLIENT_IP-$PPP_CLIENT_IP" \
        --pppd /usr/sbin/pppd --pppd-config "$SERVER_PPPD_OPTIONS" -v 20 \
        >>"$SSTPD_LOG" 2>&1 &
    SSTPD_PID=$!
    CLEANUP_PIDS+=("$SSTPD_PID")
    EXTRA_LOGS+=("sstpd log|$SSTPD_LOG" "server pppd log|$SERVER_PPPD_LOG")
    SERVER_PROCESS="-m sstpd"
    wait_until 20 _sstpd_ready || fail "sstpd not listening on $SRV_IP4:$SERVER_PORT after 20s"
    pass "sstpd running (pid $SSTPD_PID), listening on $SRV_IP4:$SERVER_PORT"
}
_sstpd_ready() {
    kill -0 "$SSTPD_PID" 2>/dev/null &&
        [ -n "$(ip netns exec srv ss -H -ltn "sport = :$SERVER_PORT")" ]
}

# server_pppd_pid: the pid of the pppd that sstpd started for the call.
server_pppd_pid() {
    pgrep -f "^/usr/sbin/pppd .* file $SERVER_PPPD_OPTIONS " | head -n 1
}

# --- TLS man-in-the-middle -------------------------------------------------------------

# start_tls_mitm: tests/interop/tls-mitm.py in netns srv on 192.0.2.1:4443,
# with a self-signed certificate for sstp.test of its own, relaying to the
# server on 192.0.2.1:443. Sets MITM_PIN (sha256:BASE64 of its public key),
# which a client pins with sstp-cert-pin-only to trust the relay.
start_tls_mitm() {
    local d=$CERTDIR
    cat >"$d/mitm.tmpl" <<'EOF'
organization = "Man in the middle"
cn = "sstp.test"
serial = 66
expiration_days = 30
dns_name = "sstp.test"
tls_www_server
signing_key
encryption_key
EOF
    _certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$d/mitm-key.pem"
    _certtool --generate-self-signed --load-privkey "$d/mitm-key.pem" \
        --template "$d/mitm.tmpl" --outfile "$d/mitm.pem"
    MITM_PIN=$(certtool -k --infile "$d/mitm-key.pem" 2>/dev/null | sed -n 's/^[[:space:]]*pin-sha256://p')
    [ -n "$MITM_PIN" ] || hard_error "no pin-sha256 from certtool for $d/mitm-key.pem"
    MITM_PIN=sha256:$MITM_PIN
    ip netns exec srv "$PYTHON" "$top_srcdir/tests/interop/tls-mitm.py" \
        --listen "$SRV_IP4" --port $MITM_PORT --cert "$d/mitm.pem" --key "$d/mitm-key.pem" \
        --upstream "$SRV_IP4" --upstream-port "$SERVER_PORT" --sni sstp.test \
        --log "$MITM_LOG" >>"$LOGDIR/tls-mitm.stdout" 2>&1 &
    CLEANUP_PIDS+=("$!")
    EXTRA_LOGS+=("TLS man-in-the-middle log|$MITM_LOG" "its stdout/stderr|$LOGDIR/tls-mitm.stdout")
    wait_until 10 _mitm_listening || fail "the TLS man-in-the-middle is not listening on port $MITM_PORT"
    pass "TLS man-in-the-middle on $SRV_IP4:$MITM_PORT with its own key ($MITM_PIN)"
}
_mitm_listening() { [ -n "$(ip netns exec srv ss -H -ltn "sport = :$MITM_PORT")" ]; }

# mitm_call SERVER_LOG PATTERN SERVER: a call through the TLS man-in-the-middle
# that the client trusts by its pin. The server must see the relay's
# certificate hash in our Crypto Binding (PATTERN in SERVER_LOG) and refuse
# the call (MS-SSTP 3.2.5.4), which ends the client with one line naming
# the abort.
mitm_call() {
    local server_log=$1 refusal=$2 server=$3
    note "--- TLS man-in-the-middle, trusted by the client through its pin"
    start_tls_mitm
    write_peers mitm --server "sstp.test:$MITM_PORT" sstp-cert-pin "$MITM_PIN" sstp-cert-pin-only
    run_client mitm
    assert_log "$MITM_LOG" 'upstream .*: TLS established' 20
    assert_log "$server_log" "$refusal" 30
    wait_client_exit 30 || fail "client pppd still running 30s after $server refused its Crypto Binding"
    assert_client_rc 16 8
    assert_log "$CLIENT_LOG" '^sstp: SSTP server sstp\.test aborted the call'
}

# wrong_password_call: MS-CHAPv2 with a wrong password. Servers drop the call
# right after their Failure, so pppd reads a hangup while it terminates the
# link; the exit status must still say why: EXIT_AUTH_TOPEER_FAILED.
wrong_password_call() {
    note "--- wrong password"
    write_peers wrongpw password not-the-password
    run_client wrongpw
    wait_client_exit 30 || fail "client pppd still running 30s after dialling with a wrong password"
    assert_client_rc 19
    assert_log "$CLIENT_LOG" '^MS-CHAP authentication failed'
    if ppp_has_addr cli "$PPP_CLIENT_IP" "$PPP_SERVER_IP"; then fail "client ppp0 came up with a wrong password"; fi
    pass "no tunnel with a wrong password"
}

# --- throughput -----------------------------------------------------------------------

# iperf_both_ways LABEL: iperf3 through the tunnel for 5 s each way (client
# to server "upload", then "download"), printing "FIGURE: LABEL upload N
# Mbit/s" lines: figures for the README, not a pass threshold. Both runs must
# move data.
IPERF_SECONDS=5
iperf_both_ways() {
    local label=$1 dir flag json mbits pid
    ip netns exec srv iperf3 -s -B "$PPP_SERVER_IP" >"$LOGDIR/iperf3-server.log" 2>&1 &
    pid=$!
    CLEANUP_PIDS+=("$pid")
    wait_until 10 _iperf_listening || fail "iperf3 server not listening on $PPP_SERVER_IP:5201"
    for dir in upload download; do
        flag=
        [ $dir = upload ] || flag=-R
        json=$LOGDIR/iperf3-$dir.json
        ip netns exec cli iperf3 -c "$PPP_SERVER_IP" -t $IPERF_SECONDS -J $flag >"$json" 2>&1 ||
            fail "iperf3 $dir through the tunnel failed: $(tail -n 5 "$json")"
        mbits=$("$PYTHON" -c 'import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum_received"]
print("%.1f" % (s["bits_per_second"] / 1e6) if s["bytes"] > 0 else "")' "$json") ||
            fail "iperf3 $dir: unreadable report $json"
        [ -n "$mbits" ] || fail "iperf3 $dir moved no data through the tunnel"
        echo "FIGURE: $label $dir $mbits Mbit/s" | tee -a "$FIGURES"
    done
    kill_wait "$pid" 5
    pass "iperf3 through the tunnel both ways, ${IPERF_SECONDS}s each"
}
_iperf_listening() { [ -n "$(ip netns exec srv ss -H -ltn "sport = :5201")" ]; }

# save_client_log NAME: keep the client's log of the call that just ended as
# client-pppd-NAME.log, so that the next call's checks see only its own lines.
save_client_log() {
    [ ! -f "$CLIENT_LOG" ] || mv "$CLIENT_LOG" "$LOGDIR/client-pppd-$1.log"
}
