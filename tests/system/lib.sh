# shellcheck shell=bash
# Shell library for the system-test scenarios (tests/system/scenarios/*.sh).
#
# Scenarios run under run-scenario.sh only (inside UML or private namespaces:
# they add network namespaces and bind-mount over /etc/ppp and /etc/hosts).
# They start with
#     . "$top_srcdir/tests/system/lib.sh"
# and get: set -eu -o pipefail, a cleanup trap, and the helpers below. Every
# check prints what it checked ("PASS: ..."); the first "fail" prints the logs
# and ends the scenario with exit code 1.
#
# Topology (documentation address ranges only):
#   netns srv: veth-srv 192.0.2.1/24 2001:db8::1/64   test server + server pppd
#   netns cli: veth-cli 192.0.2.2/24 2001:db8::2/64   client pppd with the plugin
#   PPP link:  server 198.51.100.1 <-> client 198.51.100.2
#   /etc/hosts: sstp.test and other.test -> 192.0.2.1
# Proxy topology (setup_proxy_net, instead of setup_net):
#   netns srv: veth-srv 192.0.2.1/24                  test server + server pppd
#   netns prx: veth-ps 192.0.2.254/24, veth-pc 203.0.113.1/24   squid or danted;
#              no IP forwarding: the proxy is the only way through
#   netns cli: veth-cli 203.0.113.2/24, default route via 203.0.113.1
#   /etc/hosts: proxy.test -> 203.0.113.1
# Routed topology (setup_routed_net, instead of setup_net): the server is
# off-link, behind the client's default gateway, as on the Internet:
#   netns srv: veth-srv 192.0.2.1/24 2001:db8::1/64, default via rtr
#   netns rtr: veth-rs 192.0.2.254/24 2001:db8::fe/64,
#              veth-rc 203.0.113.1/24 2001:db8:1::1/64; forwards
#   netns cli: veth-cli 203.0.113.2/24 2001:db8:1::2/64, default via rtr
# Credentials: user alice, password $PPP_PASSWORD, server name "work".

set -eEu -o pipefail
# Name the command when set -e ends the scenario unexpectedly.
trap 'echo "ERROR: command failed with status $? at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR

if [ "${SSTP_INNER:-}" != 1 ]; then
    echo "ERROR: run scenarios through tests/system/run-scenario.sh, not directly" >&2
    exit 99
fi

: "${top_srcdir:?}" "${SSTP_RESULT_DIR:?}" "${SSTP_SCRATCH:?}"
SSTP_PLUGIN=${SSTP_PLUGIN:-}

# The client's pppd: the system's, or another build (the pppd 2.5 runs).
PPPD=${SSTP_CLIENT_PPPD:-/usr/sbin/pppd}
PYTHON=/usr/bin/python3
SERVER_SCRIPT=$top_srcdir/tests/server/sstp-test-server.py

PPP_USER=alice
PPP_PASSWORD=s3cret-Passw0rd
PPP_SERVER_NAME=work
PPP_SERVER_IP=198.51.100.1
PPP_CLIENT_IP=198.51.100.2
SRV_IP4=192.0.2.1
CLI_IP4=192.0.2.2
SRV_IP6=2001:db8::1
CLI_IP6=2001:db8::2
PRX_SRV_IP4=192.0.2.254
PRX_CLI_IP4=203.0.113.1
PRX_CLIENT_IP4=203.0.113.2
RTR_SRV_IP4=192.0.2.254
RTR_SRV_IP6=2001:db8::fe
RTR_CLI_IP4=203.0.113.1
RTR_CLI_IP6=2001:db8:1::1
ROUTED_CLI_IP4=203.0.113.2
ROUTED_CLI_IP6=2001:db8:1::2
PROXY_USER=proxyuser
PROXY_PASSWORD=Pr0xy-Secr3t-9f2c

LOGDIR=$SSTP_RESULT_DIR          # host-visible: logs
WORKDIR=$SSTP_SCRATCH            # tmpfs: certificates, /etc/ppp, hosts, pid files
CERTDIR=$WORKDIR/certs
ETC_PPP=$WORKDIR/etc-ppp
HOSTS_FILE=$WORKDIR/hosts

CLIENT_LOG=$LOGDIR/client-pppd.log        # pppd "logfile" of the client
CLIENT_OUT=$LOGDIR/client-pppd.stdout     # its stdout/stderr
SERVER_LOG=$LOGDIR/server.log             # test server --log
SERVER_OUT=$LOGDIR/server.stdout          # its stdout/stderr
SERVER_PPPD_LOG=$LOGDIR/server-pppd.log   # "logfile" of the server's pppd
SERVER_PPPD_OPTIONS=$WORKDIR/server-pppd.options
SERVER_KEYS_FILE=$WORKDIR/server-keys   # EAP-TLS: the server pppd's keys (hex)
SERVER_PIDFILE=$WORKDIR/server.pid
PROXY_DIR=$WORKDIR/proxy                  # squid/danted configuration and state
# squid writes its logs as user proxy, which may not enter $LOGDIR (a
# checkout in a 0700 home or a mktemp -d directory): the proxies log in
# scratch, and _cleanup copies the logs into $LOGDIR as root.
PROXY_LOG_DIR=$PROXY_DIR/logs
PROXY_ACCESS_LOG=$PROXY_LOG_DIR/squid-access.log
PROXY_CACHE_LOG=$PROXY_LOG_DIR/squid-cache.log
DANTE_LOG=$PROXY_LOG_DIR/danted.log

# Certificates, below $CERTDIR (make_certs may move it and sets them again).
set_cert_paths() {
    CA_CERT=$CERTDIR/ca.pem
    OTHER_CA_CERT=$CERTDIR/other-ca.pem
    SERVER_CERT=$CERTDIR/server.pem
    SERVER_KEY=$CERTDIR/server-key.pem
    OTHER_NAME_CERT=$CERTDIR/server-other-name.pem
    OTHER_NAME_KEY=$CERTDIR/server-other-name-key.pem
}
set_cert_paths

# Knobs for start_server (set before calling it).
SERVER_AUTH=${SERVER_AUTH:-mschapv2}   # mschapv2 | pap | eap-mschapv2 | eap-tls
SERVER_LISTEN=${SERVER_LISTEN:-$SRV_IP4}
SERVER_PORT=${SERVER_PORT:-443}
SERVER_PPPD_EXTRA=${SERVER_PPPD_EXTRA:-}   # more lines for the server's pppd options

CLIENT_PID=
CLIENT_RC=
SERVER_PID=
PROXY_PID=
# Scenarios with other servers (tests/interop) add "TITLE|FILE" entries for
# dump_logs, and pids that the cleanup ends.
EXTRA_LOGS=()
CLEANUP_PIDS=()
_LOGS_DUMPED=0
_CHECKS=0

# --- reporting --------------------------------------------------------------

_ts() { date +%H:%M:%S.%N | cut -c1-12; }
note() { echo "# $(_ts) $*"; }
pass() { _CHECKS=$((_CHECKS + 1)); echo "PASS: $*"; }

# Print a log file (at most the last 300 lines) under a header.
_show() {
    local title=$1 file=$2
    echo "----- $title ($file) -----"
    if [ -f "$file" ]; then
        local n
        n=$(wc -l <"$file")
        [ "$n" -le 300 ] || echo "[... first $((n - 300)) of $n lines omitted ...]"
        tail -n 300 "$file"
    else
        echo "[not present]"
    fi
}

dump_logs() {
    [ "$_LOGS_DUMPED" = 0 ] || return 0
    _LOGS_DUMPED=1
    if [ ! -e "$CLIENT_LOG" ] && [ ! -e "$CLIENT_OUT" ] && [ ! -e "$SERVER_LOG" ] &&
        [ ! -e "$SERVER_OUT" ] && [ ! -e "$SERVER_PPPD_LOG" ]; then
        return 0 # nothing ran yet
    fi
    _show "client pppd log" "$CLIENT_LOG"
    if [ -s "$CLIENT_OUT" ]; then _show "client pppd stdout/stderr" "$CLIENT_OUT"; fi
    _show "test server log" "$SERVER_LOG"
    if [ -s "$SERVER_OUT" ]; then _show "test server stdout/stderr" "$SERVER_OUT"; fi
    _show "server pppd log" "$SERVER_PPPD_LOG"
    if [ -e "$PROXY_ACCESS_LOG" ]; then _show "squid access log" "$PROXY_ACCESS_LOG"; fi
    if [ -e "$PROXY_CACHE_LOG" ]; then _show "squid cache log" "$PROXY_CACHE_LOG"; fi
    if [ -e "$DANTE_LOG" ]; then _show "danted log" "$DANTE_LOG"; fi
    local extra
    for extra in ${EXTRA_LOGS[@]+"${EXTRA_LOGS[@]}"}; do
        _show "${extra%%|*}" "${extra#*|}"
    done
    echo "----- processes -----"
    # shellcheck disable=SC2009 # all processes, minus kernel threads
    ps -eo pid,ppid,stat,args | grep -v '\[.*\]$' || true
    echo "----- end of logs -----"
}

fail() {
    echo "FAIL: $*"
    dump_logs
    exit 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

hard_error() {
    echo "ERROR: $*"
    dump_logs
    exit 99
}

require_plugin() {
    if [ -z "$SSTP_PLUGIN" ] || [ ! -f "$SSTP_PLUGIN" ]; then
        hard_error "plugin not built: SSTP_PLUGIN='$SSTP_PLUGIN' (run make first)"
    fi
}

require_server() {
    [ -f "$SERVER_SCRIPT" ] || hard_error "test server missing: $SERVER_SCRIPT"
}

# --- cleanup -----------------------------------------------------------------

# Processes the scenario may have left: pppd (and anything the plugin forked,
# which still runs as pppd or carries "sstp" in its command line) and the
# test server. Inside UML or our PID namespace, all of them are ours.
leftover_processes() {
    {
        pgrep -a -x pppd || true
        pgrep -a sstp || true
        pgrep -a -f 'sstp-test-server[.]py' || true
    } | sort -u
}

# kill_wait PID [TIMEOUT]: TERM, wait, then KILL.
kill_wait() {
    local pid=$1 t=${2:-5} i=0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $i -lt $((t * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "# cleanup: pid $pid ignored TERM for ${t}s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

_cleanup() {
    local rc=$1
    set +e
    trap - EXIT INT TERM ERR
    if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
        dump_logs
    fi
    [ -n "$CLIENT_PID" ] && kill_wait "$CLIENT_PID" 5
    [ -n "$SERVER_PID" ] && kill_wait "$SERVER_PID" 5
    if [ -s "$SERVER_PIDFILE" ]; then
        kill_wait "$(cat "$SERVER_PIDFILE")" 5
    fi
    [ -n "$PROXY_PID" ] && kill_wait "$PROXY_PID" 5
    [ -n "$RECORDER_PID" ] && kill_wait "$RECORDER_PID" 5
    if [ -d "$PROXY_LOG_DIR" ]; then cp -p "$PROXY_LOG_DIR"/* "$LOGDIR"/ 2>/dev/null; fi
    local pid
    for pid in ${CLEANUP_PIDS[@]+"${CLEANUP_PIDS[@]}"}; do
        kill_wait "$pid" 5
    done
    local left
    left=$(leftover_processes)
    if [ -n "$left" ]; then
        echo "# cleanup: processes still running after the scenario (killing them):"
        printf '#   %s\n' "${left//$'\n'/$'\n'#   }"
        pkill -KILL -x pppd 2>/dev/null
    fi
    # Reap our background jobs so nothing outlives the scenario.
    wait 2>/dev/null
    if [ "$rc" = 0 ]; then
        echo "# all $_CHECKS checks passed"
    fi
    exit "$rc"
}
trap '_cleanup $?' EXIT
trap 'echo "FAIL: scenario interrupted (SIGTERM: time-out?)"; exit 1' TERM
trap 'echo "FAIL: scenario interrupted (SIGINT)"; exit 1' INT

# --- waiting -----------------------------------------------------------------

# wait_until TIMEOUT COMMAND...: poll every 0.2 s until COMMAND succeeds.
wait_until() {
    local t=$1 end
    shift
    end=$(($(date +%s%N) / 1000000 + t * 1000))
    while ! "$@" >/dev/null 2>&1; do
        [ $(($(date +%s%N) / 1000000)) -lt $end ] || return 1
        sleep 0.2
    done
}

count_log() { # count_log FILE ERE: number of matching lines (0 if no file)
    if [ -f "$1" ]; then grep -c -E -e "$2" "$1" || true; else echo 0; fi
}
_log_has_n() { [ "$(count_log "$1" "$2")" -ge "$3" ]; }

# wait_for_log FILE ERE TIMEOUT [COUNT]: wait until FILE has COUNT (default 1)
# lines matching the extended regex. Returns 1 on time-out (no fail).
wait_for_log() {
    wait_until "$3" _log_has_n "$1" "$2" "${4:-1}"
}

# assert_log FILE ERE [TIMEOUT [COUNT]]: like wait_for_log, but pass/fail.
assert_log() {
    local file=$1 re=$2 t=${3:-0} n=${4:-1}
    if wait_for_log "$file" "$re" "$t" "$n"; then
        pass "$(basename "$file") has ${n}x /$re/"
    else
        fail "$(basename "$file") lacks /$re/ (wanted $n, found $(count_log "$file" "$re"), waited ${t}s)"
    fi
}

assert_not_log() { # assert_not_log FILE ERE
    if [ -f "$1" ] && grep -q -E -e "$2" "$1"; then
        fail "$(basename "$1") unexpectedly has /$2/: $(grep -m1 -E -e "$2" "$1")"
    fi
    pass "$(basename "$1") has no /$2/"
}

# --- certificates --------------------------------------------------------------

_certtool() {
    certtool "$@" >>"$CERTDIR/certtool.log" 2>&1 || {
        tail -n 20 "$CERTDIR/certtool.log"
        hard_error "certtool $* failed"
    }
}

# issue_cert BASE SIGNER: a new 2048-bit RSA key BASE-key.pem and the
# certificate BASE.pem made from the template BASE.tmpl, signed by the CA
# $CERTDIR/SIGNER.pem (key $CERTDIR/SIGNER-key.pem).
issue_cert() {
    _certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$1-key.pem"
    _certtool --generate-certificate --load-privkey "$1-key.pem" \
        --load-ca-certificate "$CERTDIR/$2.pem" --load-ca-privkey "$CERTDIR/$2-key.pem" \
        --template "$1.tmpl" --outfile "$1.pem"
}

# make_certs [DIR]: a test CA; server certificate for sstp.test + IP SANs
# 192.0.2.1 and 2001:db8::1 (serverAuth); an unrelated second CA; a server
# certificate for the wrong name other.test (signed by the test CA).
# shellcheck disable=SC2120 # DIR is optional
make_certs() {
    CERTDIR=${1:-$CERTDIR}
    mkdir -p "$CERTDIR"
    set_cert_paths
    local d=$CERTDIR

    cat >"$d/ca.tmpl" <<'EOF'
organization = "pppd-sstp tests"
cn = "SSTP Test CA"
serial = 1
expiration_days = 30
ca
cert_signing_key
crl_signing_key
EOF
    cat >"$d/other-ca.tmpl" <<'EOF'
organization = "Unrelated"
cn = "Unrelated Test CA"
serial = 1
expiration_days = 30
ca
cert_signing_key
crl_signing_key
EOF
    cat >"$d/server.tmpl" <<'EOF'
organization = "pppd-sstp tests"
cn = "sstp.test"
serial = 2
expiration_days = 30
dns_name = "sstp.test"
ip_address = "192.0.2.1"
ip_address = "2001:db8::1"
tls_www_server
signing_key
encryption_key
EOF
    cat >"$d/server-other-name.tmpl" <<'EOF'
organization = "pppd-sstp tests"
cn = "other.test"
serial = 3
expiration_days = 30
dns_name = "other.test"
tls_www_server
signing_key
encryption_key
EOF
    local k
    for k in ca-key other-ca-key server-key server-other-name-key; do
        _certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$d/$k.pem"
    done
    _certtool --generate-self-signed --load-privkey "$d/ca-key.pem" \
        --template "$d/ca.tmpl" --outfile "$CA_CERT"
    _certtool --generate-self-signed --load-privkey "$d/other-ca-key.pem" \
        --template "$d/other-ca.tmpl" --outfile "$OTHER_CA_CERT"
    _certtool --generate-certificate --load-privkey "$SERVER_KEY" \
        --load-ca-certificate "$CA_CERT" --load-ca-privkey "$d/ca-key.pem" \
        --template "$d/server.tmpl" --outfile "$SERVER_CERT"
    _certtool --generate-certificate --load-privkey "$OTHER_NAME_KEY" \
        --load-ca-certificate "$CA_CERT" --load-ca-privkey "$d/ca-key.pem" \
        --template "$d/server-other-name.tmpl" --outfile "$OTHER_NAME_CERT"
    chmod 600 "$d"/*-key.pem
    note "certificates in $CERTDIR"
}

# setup_eap_tls: EAP-TLS between the two pppds, which needs pppd 2.5 as the
# server (SSTP_SERVER_PPPD25 and its keys plugin, from tests/pppd/pppd25.env).
# Certificates from the test CA: "work" for the server pppd, "alice" for the
# client (each pppd checks the other's name against the certificate's CN),
# /etc/ppp/eaptls-server and eaptls-client naming them, and no CHAP
# secrets. Skips without
# pppd 2.5.
setup_eap_tls() {
    [ -n "${SSTP_SERVER_PPPD25:-}" ] && [ -x "$SSTP_SERVER_PPPD25" ] &&
        [ -f "${SSTP_SERVER_KEYS_PLUGIN:-}" ] ||
        skip "EAP-TLS needs pppd 2.5 as the server (tests/pppd/t-pppd25.sh did not provide it)"
    require_etc_ppp
    local d=$CERTDIR name serial=10
    for name in work alice; do
        serial=$((serial + 1))
        printf '%s\n' 'organization = "pppd-sstp tests"' "cn = \"$name\"" "serial = $serial" \
            'expiration_days = 30' signing_key encryption_key >"$d/eaptls-$name.tmpl"
    done
    echo tls_www_server >>"$d/eaptls-work.tmpl"
    echo tls_www_client >>"$d/eaptls-alice.tmpl"
    for name in work alice; do
        issue_cert "$d/eaptls-$name" ca
        chmod 600 "$d/eaptls-$name-key.pem"
    done
    # client server client-cert server-cert ca-cert private-key [addresses]
    printf '%s %s - %s %s %s *\n' "$PPP_USER" "$PPP_SERVER_NAME" "$d/eaptls-work.pem" \
        "$CA_CERT" "$d/eaptls-work-key.pem" >/etc/ppp/eaptls-server
    printf '%s %s %s - %s %s\n' "$PPP_USER" "$PPP_SERVER_NAME" "$d/eaptls-alice.pem" \
        "$CA_CERT" "$d/eaptls-alice-key.pem" >/etc/ppp/eaptls-client
    chmod 600 /etc/ppp/eaptls-server /etc/ppp/eaptls-client
    # pppd's authenticator starts EAP-TLS only when it has no CHAP secret for
    # the peer (otherwise MD5-Challenge).
    : >/etc/ppp/chap-secrets
    note "EAP-TLS: server pppd $SSTP_SERVER_PPPD25, certificates work/alice from the test CA"
}

# --- network -------------------------------------------------------------------

# setup_net: netns srv and cli joined by a veth pair (created directly inside
# the namespaces: nothing touches the initial namespace).
setup_net() {
    ip netns add srv
    ip netns add cli
    ip -n srv link set lo up
    ip -n cli link set lo up
    ip -n srv link add veth-srv type veth peer name veth-cli netns cli
    ip -n srv addr add $SRV_IP4/24 dev veth-srv
    ip -n srv -6 addr add $SRV_IP6/64 dev veth-srv nodad
    ip -n cli addr add $CLI_IP4/24 dev veth-cli
    ip -n cli -6 addr add $CLI_IP6/64 dev veth-cli nodad
    ip -n srv link set veth-srv up
    ip -n cli link set veth-cli up
    wait_until 10 ip netns exec cli ping -c 1 -W 1 $SRV_IP4 ||
        hard_error "veth set-up: cli cannot reach $SRV_IP4"
    wait_until 10 ip netns exec cli ping -6 -c 1 -W 1 $SRV_IP6 ||
        hard_error "veth set-up: cli cannot reach $SRV_IP6"
    note "netns srv ($SRV_IP4, $SRV_IP6) <-veth-> cli ($CLI_IP4, $CLI_IP6) up"
}

# --- /etc/ppp and /etc/hosts ----------------------------------------------------

# setup_etc_ppp: scratch /etc/ppp (empty options, chap-secrets and pap-secrets
# for alice/work, peers/) and /etc/hosts, bind-mounted over the real ones.
# The mounts are private to this scenario (UML or unshare -m).
setup_etc_ppp() {
    mkdir -p "$ETC_PPP/peers"
    echo "scratch /etc/ppp of a pppd-sstp system test" >"$ETC_PPP/.sstp-system-test"
    cat >"$ETC_PPP/options" <<'EOF'
# pppd-sstp system tests: no global options, everything is in the peers files.
EOF
    # client  server  secret  allowed-addresses; used by both ends: the server
    # pppd (name work) checks alice, the client (user alice, remotename work)
    # looks its own secret up.
    printf '# client\tserver\tsecret\t\t\tIP addresses\n%s\t%s\t"%s"\t*\n' \
        "$PPP_USER" "$PPP_SERVER_NAME" "$PPP_PASSWORD" >"$ETC_PPP/chap-secrets"
    cp "$ETC_PPP/chap-secrets" "$ETC_PPP/pap-secrets"
    chmod 600 "$ETC_PPP/chap-secrets" "$ETC_PPP/pap-secrets"
    chmod 755 "$ETC_PPP/peers"

    cat >"$HOSTS_FILE" <<EOF
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
$SRV_IP4	sstp.test
$SRV_IP4	other.test
$PRX_CLI_IP4	proxy.test
EOF
    mount --bind "$ETC_PPP" /etc/ppp
    mount --bind "$HOSTS_FILE" /etc/hosts
    # A name outside $HOSTS_FILE fails at once, and no DNS query leaves for
    # the host's name server: the only one is on the loopback, where none runs.
    if [ -f /etc/resolv.conf ]; then
        echo "nameserver 127.0.0.1" >"$WORKDIR/resolv.conf"
        mount --bind "$WORKDIR/resolv.conf" /etc/resolv.conf
    fi
    [ "$(getent hosts sstp.test | awk '{print $1}')" = "$SRV_IP4" ] ||
        hard_error "/etc/hosts bind mount: sstp.test does not resolve to $SRV_IP4"
    grep -q "^$PPP_USER" /etc/ppp/chap-secrets ||
        hard_error "/etc/ppp bind mount did not take effect"
    note "/etc/ppp and /etc/hosts replaced by bind mounts from $WORKDIR"
}

# write_server_pppd_options [mschapv2|pap|eap-mschapv2|eap-tls]: options for the pppd the test
# server spawns ($SERVER_PPPD_OPTIONS). Just the PPP policy: how pppd is
# attached (notty, nodetach, ...) is the server's business.
write_server_pppd_options() {
    local auth=${1:-$SERVER_AUTH} req
    case $auth in
    mschapv2) req=require-mschap-v2 ;;
    pap) req=require-pap ;;
    eap-mschapv2) req=require-eap ;; # start_server makes it EAP-MSCHAPv2
    eap-tls) # pppd 2.5 with the keys plugin; setup_eap_tls wrote eaptls-server
        req="require-eap
plugin $SSTP_SERVER_KEYS_PLUGIN
sstp-test-keys-file $SERVER_KEYS_FILE" ;;
    *) hard_error "write_server_pppd_options: unknown auth '$auth'" ;;
    esac
    cat >"$SERVER_PPPD_OPTIONS" <<EOF
# server pppd: authenticates the client, hands out the addresses
auth
$req
name $PPP_SERVER_NAME
$PPP_SERVER_IP:$PPP_CLIENT_IP
noccp
nodefaultroute
noproxyarp
lcp-echo-interval 0
debug
logfile $SERVER_PPPD_LOG
${SERVER_PPPD_EXTRA:-}
EOF
}

# require_etc_ppp: /etc/ppp must be our scratch copy before anything writes
# there (under UML the root file system is the host's).
require_etc_ppp() {
    [ -f /etc/ppp/.sstp-system-test ] ||
        hard_error "/etc/ppp is not the scratch copy: call setup_etc_ppp first"
}

# --- test server ----------------------------------------------------------------

# start_server [extra server args]: the independent SSTP test server in netns
# srv. Knobs: SERVER_AUTH (see write_server_pppd_options), SERVER_LISTEN, SERVER_PORT,
# SERVER_CERT/SERVER_KEY. Waits for the pid file and the listening socket.
start_server() {
    require_server
    write_server_pppd_options "$SERVER_AUTH"
    local -a auth_args=()
    case $SERVER_AUTH in
    eap-mschapv2) auth_args=(--eap-nak-md5) ;;
    eap-tls) auth_args=(--pppd "$SSTP_SERVER_PPPD25" --eap-keys-file "$SERVER_KEYS_FILE") ;;
    esac
    rm -f "$SERVER_PIDFILE"
    note "starting test server: --listen $SERVER_LISTEN --port $SERVER_PORT $*"
    ip netns exec srv "$PYTHON" "$SERVER_SCRIPT" \
        --listen "$SERVER_LISTEN" --port "$SERVER_PORT" \
        --cert "$SERVER_CERT" --key "$SERVER_KEY" \
        --pppd-options "$SERVER_PPPD_OPTIONS" --password "$PPP_PASSWORD" \
        --log "$SERVER_LOG" --pidfile "$SERVER_PIDFILE" \
        "${auth_args[@]}" "$@" \
        >"$SERVER_OUT" 2>&1 &
    SERVER_PID=$!
    if ! wait_until 15 _server_ready; then
        kill -0 "$SERVER_PID" 2>/dev/null ||
            fail "test server exited during start-up"
        fail "test server not listening on port $SERVER_PORT after 15s"
    fi
    pass "test server running (pid $(cat "$SERVER_PIDFILE")), listening on $SERVER_LISTEN:$SERVER_PORT"
}
_server_ready() {
    [ -s "$SERVER_PIDFILE" ] && kill -0 "$SERVER_PID" 2>/dev/null &&
        [ -n "$(ip netns exec srv ss -H -ltn "sport = :$SERVER_PORT")" ]
}

# --- client ------------------------------------------------------------------------

# write_peers NAME [--server HOST[:PORT]] [--ca FILE] [pppd option words...]
# Writes /etc/ppp/peers/NAME for the plugin client: sstp.test, the test CA,
# user alice / remotename work (secret from chap-secrets or pap-secrets),
# noauth, no default route (unless an extra word is defaultroute), no CCP,
# nodetach, debug, logfile $CLIENT_LOG.
# The server picks the authentication method. Extra words are appended.
write_peers() {
    local name=$1 server=sstp.test ca=$CA_CERT w line= route=nodefaultroute
    shift
    require_etc_ppp
    while [ $# -gt 0 ]; do
        case $1 in
        --server) server=$2; shift 2 ;;
        --ca) ca=$2; shift 2 ;;
        *) break ;;
        esac
    done
    for w in "$@"; do
        # nodefaultroute would forbid a later defaultroute
        [ "$w" != defaultroute ] || route=
        case $w in
        *[[:space:]]*) line="$line \"$w\"" ;;
        *) line="$line $w" ;;
        esac
    done
    cat >"/etc/ppp/peers/$name" <<EOF
plugin $SSTP_PLUGIN
sstp-server $server
sstp-ca-file $ca
user $PPP_USER
remotename $PPP_SERVER_NAME
noauth
noipdefault
$route
noccp
nodetach
debug
logfile $CLIENT_LOG
${line# }
EOF
    note "peers/$name: server $server, CA $(basename "$ca")${line:+, extra:$line}"
}

# run_client NAME [pppd options...]: pppd call NAME [options] in netns cli,
# in the background. Sets CLIENT_PID; stdout/stderr go to $CLIENT_OUT.
# RUN_AS=user: as an ordinary user of Debian's setuid pppd (see AS_USER).
# CLIENT_ENV: NAME=VALUE words added to pppd's environment.
run_client() {
    local name=$1 who=${RUN_AS:-root}
    shift
    local -a wrap=(env)
    # shellcheck disable=SC2206 # NAME=VALUE words without blanks
    [ -z "${CLIENT_ENV:-}" ] || wrap+=($CLIENT_ENV)
    [ "$who" = root ] || wrap+=("${AS_USER[@]}")
    note "starting client as $who: ${CLIENT_ENV:+$CLIENT_ENV }pppd call $name${*:+ $*}"
    ip netns exec cli "${wrap[@]}" "$PPPD" call "$name" "$@" >>"$CLIENT_OUT" 2>&1 &
    CLIENT_PID=$!
    CLIENT_RC=
}

# An ordinary user allowed to run Debian's pppd (setuid root, group dip).
AS_USER=(setpriv --reuid=nobody --regid=nogroup --groups=dip)

# setuid_checks_follow: what follows needs Debian's setuid pppd. With the
# pppd 2.5 that t-pppd25 builds as the client, which is not setuid, the
# scenario ends here having passed what it checked; its pppd 2.4.9 run makes
# the setuid checks.
setuid_checks_follow() {
    if [ -n "${SSTP_CLIENT_PPPD:-}" ] && [ ! -u "$PPPD" ]; then
        note "setuid checks not run with $PPPD (not setuid): the pppd 2.4.9 run of this scenario makes them"
        exit 0
    fi
    require_setuid_pppd
}

# require_setuid_pppd: $PPPD is setuid root and group dip exists, and an
# AS_USER process runs it with euid 0 (no nosuid mount in the way).
require_setuid_pppd() {
    [ -u "$PPPD" ] && [ "$(stat -c %U "$PPPD")" = root ] ||
        skip "$PPPD is not setuid root (Debian's ppp package installs it so)"
    getent group dip >/dev/null || skip "no group dip"
    local line
    line=$(timeout 10 "${AS_USER[@]}" "$PPPD" dryrun nodetach </dev/null 2>&1 | head -n 1 || true)
    case $line in
    *"must be root"* | *"ermission denied"*) skip "$PPPD does not run setuid here: $line" ;;
    esac
    note "setuid pppd: $(stat -c '%A %U:%G' "$PPPD"), ordinary user: ${AS_USER[*]}"
}

# start_recorder: tests/system/endpoint-recorder.py in netns prx on
# $RECORDER_IP4 (203.0.113.7, which the client reaches directly and squid
# can CONNECT to): a would-be SSTP server on 443, a proxy on 3128 that asks
# for Basic credentials, a port 8443 that accepts and never answers. Each
# connection is one line in $RECORDER_LOG. Needs the proxy topology and
# /etc/ppp/proxy-secret (to tell whether that password arrived).
RECORDER_IP4=203.0.113.7
RECORDER_LOG=$LOGDIR/recorder.log
RECORDER_PID=
start_recorder() {
    local ready=$WORKDIR/recorder.ready
    ip -n prx addr add $RECORDER_IP4/24 dev veth-pc
    rm -f "$ready"
    touch "$RECORDER_LOG"
    ip netns exec prx "$PYTHON" "$top_srcdir/tests/system/endpoint-recorder.py" \
        --listen $RECORDER_IP4 --server-port 443 --proxy-port 3128 --silent-port 8443 \
        --password-file /etc/ppp/proxy-secret --log "$RECORDER_LOG" --ready-file "$ready" \
        >>"$LOGDIR/recorder.stdout" 2>&1 &
    RECORDER_PID=$!
    wait_until 10 test -e "$ready" || fail "endpoint recorder did not start"
    pass "endpoint recorder (pid $RECORDER_PID) on $RECORDER_IP4: server 443, proxy 3128, silent 8443"
}

# wait_client_exit TIMEOUT: wait for the client pppd to exit, set CLIENT_RC.
# Returns 1 (no fail) if it is still running after TIMEOUT seconds.
wait_client_exit() {
    [ -n "$CLIENT_PID" ] || return 0
    wait_until "$1" _client_gone || return 1
    CLIENT_RC=0
    wait "$CLIENT_PID" || CLIENT_RC=$?
    note "client pppd (pid $CLIENT_PID) exited with status $CLIENT_RC"
    CLIENT_PID=
}
_client_gone() { ! kill -0 "$CLIENT_PID" 2>/dev/null; }

# stop_client [TIMEOUT]: SIGTERM to the client pppd, wait for it, set CLIENT_RC.
stop_client() {
    local pid=$CLIENT_PID
    [ -n "$pid" ] || fail "stop_client: no client running"
    note "sending SIGTERM to client pppd (pid $pid)"
    kill -TERM "$pid"
    wait_client_exit "${1:-15}" || fail "client pppd did not exit within ${1:-15}s of SIGTERM"
    pass "client pppd exited after SIGTERM (status $CLIENT_RC)"
}

# assert_client_rc EXPECTED...: CLIENT_RC must be one of EXPECTED.
assert_client_rc() {
    local e
    for e in "$@"; do
        if [ "$CLIENT_RC" = "$e" ]; then
            pass "client pppd exit status $CLIENT_RC (expected: $*)"
            return 0
        fi
    done
    fail "client pppd exit status $CLIENT_RC, expected one of: $* (see EXIT_* in pppd.h)"
}

# --- link checks ------------------------------------------------------------------

# ppp_has_addr NS LOCAL PEER: ppp0 in NS has LOCAL with peer PEER.
ppp_has_addr() {
    ip -n "$1" -4 addr show dev ppp0 2>/dev/null | grep -F "inet $2 peer $3/32" >/dev/null
}

# wait_ip_up [TIMEOUT]: client's ppp0 has 198.51.100.2 (peer 198.51.100.1).
wait_ip_up() {
    local t=${1:-20}
    wait_until "$t" ppp_has_addr cli $PPP_CLIENT_IP $PPP_SERVER_IP ||
        fail "client ppp0 did not come up with $PPP_CLIENT_IP within ${t}s"
    pass "client ppp0 up: $PPP_CLIENT_IP peer $PPP_SERVER_IP"
}

# wait_ip_down [TIMEOUT]: client's ppp0 is gone (or lost its address).
wait_ip_down() {
    local t=${1:-20}
    wait_until "$t" _ip_is_down ||
        fail "client ppp0 still up after ${t}s"
    pass "client ppp0 down"
}
_ip_is_down() { ! ppp_has_addr cli $PPP_CLIENT_IP $PPP_SERVER_IP; }

# ping_both_ways: cli -> 198.51.100.1 and srv -> 198.51.100.2 through the PPP
# link; any loss fails. The payload holds control bytes, 7D and 7E, which the
# HDLC on the pty escapes or not depending on pppd's asyncmap.
PING_PATTERN=00011113171d1e1f7d7e20ff
ping_both_ways() {
    local out
    out=$(ip netns exec cli ping -n -c 3 -W 2 -i 0.3 -s 1000 -p $PING_PATTERN $PPP_SERVER_IP 2>&1) ||
        fail "ping cli -> $PPP_SERVER_IP failed: $out"
    [[ $out == *" 0% packet loss"* ]] || fail "ping cli -> $PPP_SERVER_IP lost packets: $out"
    pass "ping cli -> $PPP_SERVER_IP: $(echo "$out" | grep 'packet loss')"
    out=$(ip netns exec srv ping -n -c 3 -W 2 -i 0.3 -s 1000 -p $PING_PATTERN $PPP_CLIENT_IP 2>&1) ||
        fail "ping srv -> $PPP_CLIENT_IP failed: $out"
    [[ $out == *" 0% packet loss"* ]] || fail "ping srv -> $PPP_CLIENT_IP lost packets: $out"
    pass "ping srv -> $PPP_CLIENT_IP: $(echo "$out" | grep 'packet loss')"
}

# assert_no_leftovers [TIMEOUT]: no pppd, plugin helper or other sstp process
# remains (the test server itself, or whatever command line SERVER_PROCESS
# names, is ignored when IGNORE_SERVER=1).
assert_no_leftovers() {
    local t=${1:-5} left
    if ! wait_until "$t" _no_leftovers; then
        left=$(_leftovers)
        fail "processes left over: $left"
    fi
    pass "no pppd or sstp processes left"
}
_leftovers() {
    if [ "${IGNORE_SERVER:-0}" = 1 ]; then
        leftover_processes | grep -v -F -e "${SERVER_PROCESS:-$SERVER_SCRIPT}" || true
    else
        leftover_processes
    fi
}
_no_leftovers() { [ -z "$(_leftovers)" ]; }

# --- building blocks for the SSTP scenarios ------------------------------------------

# prepare_sstp: everything a plugin scenario needs before the server starts.
prepare_sstp() {
    require_plugin
    require_server
    make_certs "$CERTDIR"
    setup_net
    setup_etc_ppp
}

# assert_verdicts_ok: every VERDICT line of the test server says OK, and the
# server logged no protocol violation by the client.
assert_verdicts_ok() {
    local all ok bad
    all=$(count_log "$SERVER_LOG" ' VERDICT ')
    ok=$(count_log "$SERVER_LOG" ' VERDICT [^ ]+ OK( |$)')
    [ "$all" = "$ok" ] || fail "test server reported a failed VERDICT: $(grep ' VERDICT ' "$SERVER_LOG" | grep -v ' OK' | head -n 3)"
    bad=$(grep -E ' ERROR client-violation|MISMATCH' "$SERVER_LOG" | head -n 3 || true)
    [ -z "$bad" ] || fail "test server logged client violations: $bad"
    pass "all $all VERDICT lines of the test server are OK, no client violations"
}

# basic_call HASH_ARG HASH_NAME HLAK AUTH: dial, check the tunnel and the
# server's verdict, ping both ways, SIGTERM the client, check the clean
# shutdown on both ends. (Scenarios 1-3.)
basic_call() {
    local hash_arg=$1 hash_name=$2 hlak=$3 auth=$4
    start_server --hash "$hash_arg" --expect-host sstp.test
    write_peers main
    run_client main
    wait_ip_up 30
    assert_log "$CLIENT_LOG" 'Connect: ppp0 <--> '
    assert_log "$SERVER_LOG" "VERDICT call-connected OK hash=$hash_name hlak=$hlak auth=$auth( |\$)" 10
    assert_verdicts_ok
    ping_both_ways
    stop_client 20
    assert_client_rc 5 # EXIT_USER_REQUEST: what pppd 2.4.9 returns after SIGTERM
    assert_log "$CLIENT_LOG" '^Terminating on signal 15'
    assert_log "$SERVER_LOG" 'EVENT call-disconnect received' 10
    assert_verdicts_ok
    IGNORE_SERVER=1 assert_no_leftovers 10
}

# --- proxies ---------------------------------------------------------------------------

SQUID=/usr/sbin/squid
SQUID_HELPERS=/usr/lib/squid
DANTED=/usr/sbin/danted

# setup_proxy_net: the proxy topology (see the top of this file): cli reaches
# only netns prx; prx reaches srv but does not route between them.
setup_proxy_net() {
    local ns
    for ns in srv prx cli; do
        ip netns add $ns
        ip -n $ns link set lo up
    done
    ip -n srv link add veth-srv type veth peer name veth-ps netns prx
    ip -n prx link add veth-pc type veth peer name veth-cli netns cli
    ip -n srv addr add $SRV_IP4/24 dev veth-srv
    ip -n prx addr add $PRX_SRV_IP4/24 dev veth-ps
    ip -n prx addr add $PRX_CLI_IP4/24 dev veth-pc
    ip -n cli addr add $PRX_CLIENT_IP4/24 dev veth-cli
    ip -n srv link set veth-srv up
    ip -n prx link set veth-ps up
    ip -n prx link set veth-pc up
    ip -n cli link set veth-cli up
    # The client's packets for 192.0.2.1 do reach prx, which must drop them.
    ip -n cli route add default via $PRX_CLI_IP4
    ip netns exec prx sysctl -q -w net.ipv4.ip_forward=0
    ip netns exec prx sysctl -q -w net.ipv6.conf.all.forwarding=0
    wait_until 10 ip netns exec cli ping -c 1 -W 1 $PRX_CLI_IP4 ||
        hard_error "veth set-up: cli cannot reach the proxy at $PRX_CLI_IP4"
    wait_until 10 ip netns exec prx ping -c 1 -W 1 $SRV_IP4 ||
        hard_error "veth set-up: prx cannot reach the server at $SRV_IP4"
    note "netns cli ($PRX_CLIENT_IP4) <-> prx ($PRX_CLI_IP4 | $PRX_SRV_IP4) <-> srv ($SRV_IP4), no forwarding"
}

# prepare_proxy_sstp: prepare_sstp with the proxy topology.
prepare_proxy_sstp() {
    require_plugin
    require_server
    make_certs "$CERTDIR"
    setup_proxy_net
    setup_etc_ppp
    mkdir -p "$PROXY_DIR"
}

# assert_no_direct_path: with the test server listening, a TCP connect from
# cli to it fails, while prx reaches it: the proxy is the only way.
assert_no_direct_path() {
    if ip netns exec cli timeout 4 bash -c "exec 3<>/dev/tcp/$SRV_IP4/$SERVER_PORT" 2>/dev/null; then
        fail "cli can open TCP to $SRV_IP4:$SERVER_PORT directly: the topology leaks"
    fi
    pass "cli cannot open TCP to $SRV_IP4:$SERVER_PORT directly"
    ip netns exec prx timeout 4 bash -c "exec 3<>/dev/tcp/$SRV_IP4/$SERVER_PORT" ||
        hard_error "prx cannot open TCP to $SRV_IP4:$SERVER_PORT"
    pass "prx opens TCP to $SRV_IP4:$SERVER_PORT"
}

# write_proxy_password_file FILE PASSWORD: root-owned, mode 600.
write_proxy_password_file() {
    (umask 077 && printf '%s\n' "$2" >"$1")
    chown root:root "$1"
}

# make_proxy_cert: a certificate for proxy.test signed by the test CA, with
# its key, in $PROXY_DIR (PROXY_CERT, PROXY_KEY). Once they exist, start_squid
# also listens for TLS on 203.0.113.1:3129.
make_proxy_cert() {
    PROXY_CERT=$PROXY_DIR/proxy.pem
    PROXY_KEY=$PROXY_DIR/proxy-key.pem
    cat >"$CERTDIR/proxy.tmpl" <<'EOF'
organization = "pppd-sstp tests"
cn = "proxy.test"
serial = 4
expiration_days = 30
dns_name = "proxy.test"
tls_www_server
signing_key
encryption_key
EOF
    _certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$PROXY_KEY"
    _certtool --generate-certificate --load-privkey "$PROXY_KEY" \
        --load-ca-certificate "$CA_CERT" --load-ca-privkey "$CERTDIR/ca-key.pem" \
        --template "$CERTDIR/proxy.tmpl" --outfile "$PROXY_CERT"
    chmod 600 "$PROXY_KEY"
    note "proxy certificate for proxy.test in $PROXY_CERT"
}

# start_squid [AUTH [DENY_DOMAIN]]: squid in netns prx on 203.0.113.1:3128
# (and on 203.0.113.1:3129 for TLS after make_proxy_cert).
# AUTH: none (default), basic, digest or both (Digest and Basic offered, in
# that order); the user is $PROXY_USER/$PROXY_PASSWORD. CONNECT is allowed to
# port 443 only; to DENY_DOMAIN it is refused with 403. The access log has one
# line per request: status, method, URL, user, and the SSTPVERSION header.
start_squid() {
    local auth=${1:-none} deny=${2:-} d=$PROXY_DIR conf=$PROXY_DIR/squid.conf
    [ -x "$SQUID" ] || hard_error "squid not installed (tests/install-deps.sh)"
    mkdir -p "$d/cache" "$PROXY_LOG_DIR"
    {
        cat <<CONF
# squid for a pppd-sstp system test
http_port $PRX_CLI_IP4:3128
${PROXY_CERT:+https_port $PRX_CLI_IP4:3129 tls-cert=$PROXY_CERT tls-key=$PROXY_KEY}
pid_filename $d/squid.pid
cache_log $PROXY_CACHE_LOG
logformat sstp %ts.%03tu %>a %Ss/%03>Hs %rm %ru user=%un sstpversion=%{SSTPVERSION}>h
access_log stdio:$PROXY_ACCESS_LOG sstp
cache deny all
cache_mem 8 MB
coredump_dir $d/cache
hosts_file /etc/hosts
dns_nameservers 127.0.0.1
shutdown_lifetime 0 seconds
pinger_enable off
cache_effective_user proxy
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
CONF
        [ -z "$deny" ] || printf 'acl blocked dstdomain %s\nhttp_access deny CONNECT blocked\n' "$deny"
        case $auth in
        none) ;;
        basic | digest | both)
            if [ "$auth" != basic ]; then
                printf '%s:%s\n' "$PROXY_USER" "$PROXY_PASSWORD" >"$d/digest-passwords"
                printf 'auth_param digest program %s/digest_file_auth %s\n' "$SQUID_HELPERS" "$d/digest-passwords"
                printf 'auth_param digest children 2 startup=1\nauth_param digest realm sstp-test\n'
            fi
            if [ "$auth" != digest ]; then
                htpasswd -b -c "$d/htpasswd" "$PROXY_USER" "$PROXY_PASSWORD" 2>/dev/null ||
                    hard_error "htpasswd failed (apache2-utils)"
                printf 'auth_param basic program %s/basic_ncsa_auth %s\n' "$SQUID_HELPERS" "$d/htpasswd"
                printf 'auth_param basic children 2 startup=1\nauth_param basic realm sstp-test\n'
            fi
            printf 'acl authenticated proxy_auth REQUIRED\nhttp_access deny !authenticated\n'
            ;;
        *) hard_error "start_squid: unknown auth '$auth'" ;;
        esac
        echo "http_access allow CONNECT"
        echo "http_access deny all"
    } >"$conf"
    touch "$PROXY_ACCESS_LOG" "$PROXY_CACHE_LOG"
    chown -R proxy: "$d" "$PROXY_ACCESS_LOG" "$PROXY_CACHE_LOG"
    chmod 640 "$d"/*passwords "$d"/htpasswd 2>/dev/null || true
    ip netns exec prx "$SQUID" -k parse -f "$conf" >"$d/parse.log" 2>&1 ||
        { cat "$d/parse.log"; hard_error "squid -k parse rejected $conf"; }
    note "starting squid (auth: $auth${deny:+, CONNECT to $deny denied})"
    ip netns exec prx "$SQUID" -N -f "$conf" >>"$PROXY_CACHE_LOG" 2>&1 &
    PROXY_PID=$!
    wait_until 30 _proxy_listening 3128 ||
        fail "squid not listening on $PRX_CLI_IP4:3128 after 30s"
    if [ -n "${PROXY_CERT:-}" ]; then
        wait_until 30 _proxy_listening 3129 ||
            fail "squid not listening for TLS on $PRX_CLI_IP4:3129 after 30s"
    fi
    pass "squid running (pid $PROXY_PID), listening on $PRX_CLI_IP4:3128${PROXY_CERT:+ and 3129 (TLS)}"
}
_proxy_listening() {
    kill -0 "$PROXY_PID" 2>/dev/null &&
        [ -n "$(ip netns exec prx ss -H -ltn "sport = :$1")" ]
}

# start_danted: dante's SOCKS server in netns prx on 203.0.113.1:1080,
# without authentication, connecting out from 192.0.2.254.
start_danted() {
    local conf=$PROXY_DIR/danted.conf
    [ -x "$DANTED" ] || hard_error "danted not installed (tests/install-deps.sh)"
    mkdir -p "$PROXY_LOG_DIR"
    cat >"$conf" <<CONF
logoutput: $DANTE_LOG
internal: $PRX_CLI_IP4 port = 1080
external: $PRX_SRV_IP4
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
    from: 0.0.0.0/0 to: 0.0.0.0/0
    log: connect disconnect error
}
socks pass {
    from: 0.0.0.0/0 to: 0.0.0.0/0
    command: connect
    log: connect disconnect error
}
CONF
    note "starting danted"
    ip netns exec prx "$DANTED" -f "$conf" -p "$PROXY_DIR/danted.pid" >>"$DANTE_LOG" 2>&1 &
    PROXY_PID=$!
    wait_until 30 _proxy_listening 1080 ||
        fail "danted not listening on $PRX_CLI_IP4:1080 after 30s"
    pass "danted running (pid $PROXY_PID), listening on $PRX_CLI_IP4:1080"
}

# assert_no_secret SECRET: no log of this scenario contains SECRET.
assert_no_secret() {
    local hits
    hits=$(grep -rlF -e "$1" "$LOGDIR" "$PROXY_LOG_DIR" 2>/dev/null || true)
    [ -z "$hits" ] || fail "the proxy password appears in: $hits"
    pass "no log contains the proxy password"
}

# proxy_call NAME CHECK_ERE: dial through the proxy, check the tunnel, ping
# both ways, SIGTERM, clean shutdown.
proxy_call() {
    local name=$1 while_up=${2:-}
    run_client "$name"
    wait_ip_up 40
    assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
    assert_verdicts_ok
    ping_both_ways
    [ -z "$while_up" ] || "$while_up"
    stop_client 20
    assert_client_rc 5
}

# expect_setup_failure NAME RC ERE: pppd call NAME must exit with RC within
# 45 s (squid's helpers are slow to start on a busy UML), logging one line
# that matches ERE, with no ppp0.
expect_setup_failure() {
    local name=$1 rc=$2 re=$3
    : >"$CLIENT_LOG"
    run_client "$name"
    wait_client_exit 45 || fail "client pppd still running 45s after start (peers/$name)"
    assert_client_rc "$rc"
    assert_log "$CLIENT_LOG" "$re"
    if ppp_has_addr cli "$PPP_CLIENT_IP" "$PPP_SERVER_IP"; then fail "client ppp0 came up"; fi
    cp "$CLIENT_LOG" "$LOGDIR/client-pppd-$name.log"
}

# --- routed topology -------------------------------------------------------------------

# setup_routed_net: the routed topology (see the top of this file): cli
# reaches srv (IPv4 and IPv6) only through its default routes via netns rtr.
setup_routed_net() {
    local ns
    for ns in srv rtr cli; do
        ip netns add $ns
        ip -n $ns link set lo up
    done
    ip -n srv link add veth-srv type veth peer name veth-rs netns rtr
    ip -n rtr link add veth-rc type veth peer name veth-cli netns cli
    ip -n srv addr add $SRV_IP4/24 dev veth-srv
    ip -n srv -6 addr add $SRV_IP6/64 dev veth-srv nodad
    ip -n rtr addr add $RTR_SRV_IP4/24 dev veth-rs
    ip -n rtr -6 addr add $RTR_SRV_IP6/64 dev veth-rs nodad
    ip -n rtr addr add $RTR_CLI_IP4/24 dev veth-rc
    ip -n rtr -6 addr add $RTR_CLI_IP6/64 dev veth-rc nodad
    ip -n cli addr add $ROUTED_CLI_IP4/24 dev veth-cli
    ip -n cli -6 addr add $ROUTED_CLI_IP6/64 dev veth-cli nodad
    ip -n srv link set veth-srv up
    ip -n rtr link set veth-rs up
    ip -n rtr link set veth-rc up
    ip -n cli link set veth-cli up
    ip netns exec rtr sysctl -q -w net.ipv4.ip_forward=1
    ip netns exec rtr sysctl -q -w net.ipv6.conf.all.forwarding=1
    ip -n srv route add default via $RTR_SRV_IP4
    ip -n srv -6 route add default via $RTR_SRV_IP6
    ip -n cli route add default via $RTR_CLI_IP4
    ip -n cli -6 route add default via $RTR_CLI_IP6
    wait_until 10 ip netns exec cli ping -c 1 -W 1 $SRV_IP4 ||
        hard_error "routed set-up: cli cannot reach $SRV_IP4 through rtr"
    wait_until 10 ip netns exec cli ping -6 -c 1 -W 1 $SRV_IP6 ||
        hard_error "routed set-up: cli cannot reach $SRV_IP6 through rtr"
    note "netns cli ($ROUTED_CLI_IP4, $ROUTED_CLI_IP6) <-> rtr <-> srv ($SRV_IP4, $SRV_IP6), routed"
}

# prepare_routed_sstp: prepare_sstp with the routed topology.
prepare_routed_sstp() {
    require_plugin
    require_server
    make_certs "$CERTDIR"
    setup_routed_net
    setup_etc_ppp
}

# route_tables NS: the IPv4 and IPv6 routing tables of NS, for comparing.
route_tables() {
    ip -n "$1" -4 route show table all
    ip -n "$1" -6 route show table all
}

# route_dev NS ADDRESS: the device NS routes ADDRESS through now.
route_dev() {
    ip netns exec "$1" ip route get "$2" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}
