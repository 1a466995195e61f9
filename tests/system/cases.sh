# shellcheck shell=bash
# Many client runs against one test server in one scenario (sourced after
# lib.sh). The server is started with a per-connection plan (--fault-plan,
# --cert-plan): the i-th connection gets the i-th entry, so each case must
# make exactly one connection and the next case may only start once the
# server has accepted it. Cases may overlap in time (slow ones run in the
# background while fast ones go on).
#
#   case_start NAME [write_peers words...]   dial once (peers/case-NAME)
#   case_wait NAME TIMEOUT                   wait for that pppd to exit
#   case_check NAME RC ERE MAX_S             exit status, the one log line, time
#   case_up_then_stop NAME                   for cases where the call must work
#
# Each finished case prints one line for the notes:
#   CASE <name> | rc <status> | <seconds> s | <the matching client log line>

CASE_CONNS=0          # connections the server has accepted for our cases
declare -A CASE_CONN  # case -> its connection number at the server

_case_dir() { echo "$LOGDIR/case-$1"; }
case_log() { echo "$(_case_dir "$1")/client-pppd.log"; }

case_start() {
    local name=$1 dir pid
    shift
    dir=$(_case_dir "$name")
    mkdir -p "$dir"
    CLIENT_LOG=$(case_log "$name") write_peers "case-$name" "$@" >/dev/null
    (
        t0=$(date +%s%N)
        ip netns exec cli "$PPPD" call "case-$name" >>"$dir/stdout" 2>&1 &
        echo $! >"$dir/pid"
        rc=0
        wait $! || rc=$?
        echo "$rc $((($(date +%s%N) - t0) / 1000000))" >"$dir/result"
    ) &
    CASE_CONNS=$((CASE_CONNS + 1))
    CASE_CONN[$name]=$CASE_CONNS
    wait_for_log "$SERVER_LOG" ' EVENT tcp accepted ' 30 "$CASE_CONNS" ||
        fail "case $name: the server saw no connection $CASE_CONNS within 30s"
    pid=$(cat "$dir/pid")
    note "case $name: pppd pid $pid is server connection $CASE_CONNS"
}

case_pid() { cat "$(_case_dir "$1")/pid"; }

# case_wait NAME TIMEOUT: until the case's pppd has exited.
case_wait() {
    wait_until "$2" test -s "$(_case_dir "$1")/result" ||
        fail "case $1: client pppd still running after ${2}s (a hang)"
}

# case_check NAME RC ERE MAX_S: pppd exited with RC within MAX_S seconds, its
# log has a line matching ERE, nothing crashed, no process of this case is
# left, and the server saw the connection end.
case_check() {
    local name=$1 want_rc=$2 re=$3 max=$4 log rc ms line conn left
    log=$(case_log "$name")
    conn=${CASE_CONN[$name]}
    case_wait "$name" $((max + 30))
    read -r rc ms <"$(_case_dir "$name")/result"
    line=$(grep -m1 -E -e "$re" "$log" || true)
    echo "CASE $name | rc $rc | $((ms / 1000)).$((ms % 1000 / 100)) s | ${line:-(no matching line)}"
    [ -n "$line" ] || fail "case $name: client log lacks /$re/"
    [ "$rc" = "$want_rc" ] || fail "case $name: pppd exit status $rc, expected $want_rc"
    [ "$ms" -le $((max * 1000)) ] || fail "case $name: took $ms ms, more than ${max}s"
    if grep -E -e 'helper process ended unexpectedly|[Ss]egmentation|SIGSEGV|SIGABRT|core dumped|[Aa]ssertion' \
        "$log" "$(_case_dir "$name")/stdout"; then
        fail "case $name: something crashed"
    fi
    left=$(pgrep -a -f "pppd call case-$name( |\$)" || true)
    [ -z "$left" ] || fail "case $name: processes left: $left"
    wait_for_log "$SERVER_LOG" "conn=$conn EVENT connection-closed " 10 ||
        fail "case $name: the server's connection $conn did not end"
    pass "case $name: exit $rc after $ms ms, '$re', nothing left"
}

# case_up_then_stop NAME: the call must come up despite the fault (the server
# verified the crypto binding); then SIGTERM, which must end it cleanly.
case_up_then_stop() {
    local name=$1 conn=${CASE_CONN[$1]} log
    log=$(case_log "$name")
    wait_for_log "$SERVER_LOG" "conn=$conn VERDICT call-connected OK" 30 ||
        fail "case $name: no verified Call Connected on connection $conn"
    wait_for_log "$log" '^local  IP address' 30 ||
        fail "case $name: IPCP did not finish"
    kill -TERM "$(case_pid "$name")"
    case_check "$name" 5 '^local  IP address' 45
    wait_for_log "$SERVER_LOG" "conn=$conn EVENT call-disconnect received" 5 ||
        fail "case $name: no Call Disconnect from the client on SIGTERM"
}

# make_cert_matrix: after make_certs, server certificates (each with its key
# as NAME.pem / NAME-key.pem in $CERTDIR/matrix) that a client must refuse:
#   expired, not-yet-valid, self-signed, unknown-ca (signed by the other CA),
#   no-eku (no extended key usage), client-eku (clientAuth only), revoked
#   (listed in $CRL_FILE), weak-key (RSA 1024)
# and "good" (like the normal server certificate, with its own key). All are
# for sstp.test and 192.0.2.1.
make_cert_matrix() {
    local d=$CERTDIR/matrix name serial=100 signer extra key_bits
    mkdir -p "$d"
    CRL_FILE=$d/crl.pem
    for name in good expired not-yet-valid self-signed unknown-ca no-eku client-eku \
        revoked weak-key; do
        serial=$((serial + 1))
        signer=ca key_bits=2048 extra=
        case $name in
        expired) extra='activation_date = "2001-01-01 00:00:00"
expiration_date = "2002-01-01 00:00:00"' ;;
        not-yet-valid) extra='activation_date = "2040-01-01 00:00:00"
expiration_date = "2041-01-01 00:00:00"' ;;
        self-signed) signer=self ;;
        unknown-ca) signer=other-ca ;;
        weak-key) key_bits=1024 ;;
        esac
        case $name in
        expired | not-yet-valid) ;;
        *) extra="expiration_days = 30" ;;
        esac
        {
            echo "organization = \"pppd-sstp tests\""
            echo "cn = \"sstp.test\""
            echo "serial = $serial"
            echo "dns_name = \"sstp.test\""
            echo "ip_address = \"192.0.2.1\""
            echo "$extra"
            case $name in
            no-eku) ;;
            client-eku) echo "tls_www_client" ;;
            *) echo "tls_www_server" ;;
            esac
            echo "signing_key"
            echo "encryption_key"
        } >"$d/$name.tmpl"
        _certtool --generate-privkey --key-type=rsa --bits=$key_bits --outfile "$d/$name-key.pem"
        if [ $signer = self ]; then
            _certtool --generate-self-signed --load-privkey "$d/$name-key.pem" \
                --template "$d/$name.tmpl" --outfile "$d/$name.pem"
        else
            _certtool --generate-certificate --load-privkey "$d/$name-key.pem" \
                --load-ca-certificate "$CERTDIR/$signer.pem" \
                --load-ca-privkey "$CERTDIR/$signer-key.pem" \
                --template "$d/$name.tmpl" --outfile "$d/$name.pem"
        fi
    done
    printf 'crl_next_update = 30\ncrl_number = 1\n' >"$d/crl.tmpl"
    _certtool --generate-crl --load-ca-privkey "$CERTDIR/ca-key.pem" \
        --load-ca-certificate "$CA_CERT" --load-certificate "$d/revoked.pem" \
        --template "$d/crl.tmpl" --outfile "$CRL_FILE"
    chmod 600 "$d"/*-key.pem
    note "certificate matrix in $d"
}

# cert_pin FILE: the sha256 public key pin of a certificate, as certtool
# prints it ("pin-sha256:BASE64" becomes "sha256:BASE64").
cert_pin() {
    certtool --certificate-info --infile "$1" | sed -n 's/^[[:space:]]*pin-sha256:\([^[:space:]]*\).*/sha256:\1/p' | head -n 1
}
