# Issue #14: OCSP stapling. Python's ssl cannot staple, so the server here is
# tests/bench/sstp-bench-server (GnuTLS), which staples the i-th response of
# its --ocsp-plan on the i-th connection. The responses are made now with
# openssl ocsp from an index of the test CA: good, revoked (keyCompromise),
# out of date (made "3 days ago" under faketime, valid for one day), and
# one signed by the unrelated CA. Good: connected, with or without
# sstp-ocsp-stapling require; revoked, out of date, badly signed: exit 8
# with one line giving the reason; a good staple does not outvote a CRL from
# sstp-crl-file that revokes the certificate; no staple: refused with
# require, connected without. require with sstp-cert-pin-only: exit 2.
# Delegated responders (RFC 6960 section 4.2.2.2): a response signed by a
# certificate the CA issued for OCSP signing is good; one signed by a
# certificate of the same CA without id-kp-OCSPSigning is invalid.
# Must-staple (RFC 7633): a server certificate with the TLS feature
# status_request and no staple is refused even without require; with a good
# staple it connects.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/cases.sh" # cert_pin
prepare_sstp
BENCH_SERVER=$top_builddir/tests/bench/sstp-bench-server
[ -x "$BENCH_SERVER" ] || hard_error "not built: $BENCH_SERVER (run make)"
command -v faketime >/dev/null || hard_error "faketime missing (tests/install-deps.sh installs it)"

O=$CERTDIR/ocsp
mkdir -p "$O"
_serial() { openssl x509 -noout -serial -in "$1" | sed 's/^serial=//'; }
serial=$(_serial "$SERVER_CERT")
expires=$(date -u -d '+30 days' +%y%m%d%H%M%SZ)
revoked_at=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t/CN=sstp.test\n' "$expires" "$serial" >"$O/index-good.txt"
printf 'R\t%s\t%s,keyCompromise\t%s\tunknown\t/CN=sstp.test\n' "$expires" "$revoked_at" "$serial" \
    >"$O/index-revoked.txt"
_ocsp_request() { # _ocsp_request OUT CERT: an OCSP request for CERT, as a server sends it
    openssl ocsp -issuer "$CA_CERT" -cert "$2" -no_nonce -reqout "$O/$1.der" \
        >>"$O/openssl.log" 2>&1 || hard_error "openssl ocsp -reqout ($1) failed"
}
_ocsp() { # _ocsp OUT INDEX SIGNER [faketime spec]; request: $O/${REQUEST:-request}.der
    local out=$1 index=$2 signer=$3
    ${4:+faketime "$4"} openssl ocsp -index "$index" -CA "$CA_CERT" -rsigner "$CERTDIR/$signer.pem" \
        -rkey "$CERTDIR/$signer-key.pem" -reqin "$O/${REQUEST:-request}.der" -respout "$O/$out.der" -ndays 1 \
        >>"$O/openssl.log" 2>&1 || { cat "$O/openssl.log"; hard_error "openssl ocsp ($out) failed"; }
}
_ocsp_request request "$SERVER_CERT"
_ocsp good "$O/index-good.txt" ca
_ocsp revoked "$O/index-revoked.txt" ca
_ocsp expired "$O/index-good.txt" ca '3 days ago'
_ocsp bad-signer "$O/index-good.txt" other-ca
# Two certificates of the test CA to sign responses with: one for OCSP
# signing, one for TLS clients only.
_issue() { # _issue NAME SERIAL template-lines...: $CERTDIR/NAME.pem, signed by the test CA
    local name=$1 serial=$2
    shift 2
    printf '%s\n' 'organization = "pppd-sstp tests"' "serial = $serial" 'expiration_days = 30' \
        signing_key "$@" >"$CERTDIR/$name.tmpl"
    issue_cert "$CERTDIR/$name" ca
    chmod 600 "$CERTDIR/$name-key.pem"
}
_issue ocsp-responder 20 'cn = "SSTP Test OCSP responder"' ocsp_signing_key
_issue not-a-responder 21 'cn = "SSTP Test client"' tls_www_client
_ocsp delegated "$O/index-good.txt" ocsp-responder
_ocsp not-responder "$O/index-good.txt" not-a-responder
for r in good revoked expired bad-signer delegated not-responder; do
    note "OCSP response $r: $(ocsptool -j --infile "$O/$r.der" 2>/dev/null |
        grep -E 'Certificate Status|Next Update' | tr -s '\t\n' '  ')"
done
printf 'crl_next_update = 30\ncrl_number = 1\n' >"$O/crl.tmpl"
_certtool --generate-crl --load-ca-privkey "$CERTDIR/ca-key.pem" --load-ca-certificate "$CA_CERT" \
    --load-certificate "$SERVER_CERT" --template "$O/crl.tmpl" --outfile "$O/crl.pem"

# The cases in the order of the plan: one connection each.
CASES=(good good-require revoked expired bad-signer crl-and-good-staple no-staple-require no-staple
    delegated not-responder)
plan="$O/good.der,$O/good.der,$O/revoked.der,$O/expired.der,$O/bad-signer.der,$O/good.der,-,-"
plan+=",$O/delegated.der,$O/not-responder.der"
write_server_pppd_options mschapv2
SERVER_PROCESS=sstp-bench-server
# _start_stapling_server NAME CERT KEY PLAN: the bench server, logging to
# $BENCH_LOG (bench-NAME.log), stapling by PLAN.
_start_stapling_server() {
    BENCH_LOG=$LOGDIR/bench-$1.log
    EXTRA_LOGS+=("bench server $1|$BENCH_LOG")
    rm -f "$SERVER_PIDFILE"
    ip netns exec srv "$BENCH_SERVER" serve --listen $SRV_IP4 --port 443 --raw-port 4433 \
        --cert "$2" --key "$3" --pppd-options "$SERVER_PPPD_OPTIONS" \
        --pidfile "$SERVER_PIDFILE" --ocsp-plan "$4" >"$BENCH_LOG" 2>&1 &
    SERVER_PID=$!
    wait_until 10 _server_ready || fail "bench server $1 not listening"
}
_start_stapling_server server "$SERVER_CERT" "$SERVER_KEY" "$plan"
pass "stapling server running (pid $SERVER_PID) with plan: ${CASES[*]}"

conns=0
# ocsp_case NAME up|RC ERE [write_peers words...]: one dial; "up" means the
# call must come up (IPCP) and end cleanly on SIGTERM; otherwise pppd must
# exit RC within 20 s with a line matching ERE in its log.
ocsp_case() {
    local c=$1 want=$2 re=$3 dir log pid rc=0 line
    shift 3
    dir=$LOGDIR/case-$c
    log=$dir/client-pppd.log
    mkdir -p "$dir"
    CLIENT_LOG=$log write_peers "case-$c" "$@" >/dev/null
    conns=$((conns + 1))
    ip netns exec cli "$PPPD" call "case-$c" >"$dir/stdout" 2>&1 &
    pid=$!
    wait_for_log "$BENCH_LOG" "^conn=$conns ocsp=" 20 ||
        fail "case $c: the server saw no connection $conns"
    if [ "$want" = up ]; then
        wait_for_log "$log" '^local  IP address' 30 || fail "case $c: the call did not come up"
        kill -TERM $pid
        want=5
    fi
    wait_until 30 eval "! kill -0 $pid 2>/dev/null" || fail "case $c: pppd still running"
    wait $pid || rc=$?
    line=$(grep -m1 -E -e "$re" "$log" || true)
    echo "CASE $c | rc $rc | $(grep "^conn=$conns " "$BENCH_LOG") | ${line:-(no matching line)}"
    [ "$rc" = "$want" ] || fail "case $c: pppd exit status $rc, expected $want"
    [ -n "$line" ] || fail "case $c: client log lacks /$re/"
    pass "case $c: exit $rc, '$re'"
}
ocsp_case good up "sstp: server's stapled OCSP response: good \(next update "
ocsp_case good-require up "sstp: server's stapled OCSP response: good" sstp-ocsp-stapling require
ocsp_case revoked 8 "sstp: server certificate for sstp\.test is revoked: the OCSP response the server stapled says it was revoked on [0-9-]+ [0-9:]+ UTC \(reason: key compromise\)"
ocsp_case expired 8 "sstp: server certificate for sstp\.test is not trusted: the OCSP response the server stapled is out of date \(produced .*, next update "
ocsp_case bad-signer 8 "sstp: server certificate for sstp\.test is not trusted: the OCSP response the server stapled is invalid: it is signed neither by the certificate's issuer nor by an OCSP responder"
ocsp_case crl-and-good-staple 8 "sstp: server certificate for sstp\.test is not trusted: .*revoked.*sstp-crl-file" \
    sstp-crl-file "$O/crl.pem"
ocsp_case no-staple-require 8 "sstp: server sstp\.test stapled no OCSP response for its certificate, and sstp-ocsp-stapling require asks for one" \
    sstp-ocsp-stapling require
ocsp_case no-staple up "sstp: server stapled no OCSP response"
ocsp_case delegated up "sstp: server's stapled OCSP response: good \(next update " sstp-ocsp-stapling require
ocsp_case not-responder 8 "sstp: server certificate for sstp\.test is not trusted: the OCSP response the server stapled is invalid: it is signed neither by the certificate's issuer nor by an OCSP responder the issuer authorised"

# Pin-only mode knows no issuer to check a response against.
dir=$LOGDIR/case-require-pin-only
mkdir -p "$dir"
CLIENT_LOG=$dir/client-pppd.log write_peers case-require-pin-only sstp-ocsp-stapling require \
    sstp-cert-pin "$(cert_pin "$SERVER_CERT")" sstp-cert-pin-only >/dev/null
rc=0
timeout 30 ip netns exec cli "$PPPD" call case-require-pin-only >"$dir/stdout" 2>&1 || rc=$?
re="sstp: sstp-ocsp-stapling require cannot be used with sstp-cert-pin-only"
echo "CASE require-pin-only | rc $rc | $(grep -m1 -E "$re" "$dir/stdout" || echo '(no matching line)')"
if [ "$rc" != 2 ] || ! grep -q -E "$re" "$dir/stdout"; then
    fail "require-pin-only: exit $rc: $(cat "$dir/stdout")"
fi
[ "$(grep -c '^conn=' "$BENCH_LOG")" = "$conns" ] || fail "require-pin-only: a connection was made"
pass "case require-pin-only: exit 2 before dialling, '$re'"

IGNORE_SERVER=1 assert_no_leftovers 10

# An ordinary user of the setuid pppd cannot weaken root's require.
setuid_checks_follow
write_peers strict sstp-ocsp-stapling require >/dev/null
: >"$CLIENT_OUT"
RUN_AS=user run_client strict sstp-ocsp-stapling if-present
wait_client_exit 20 || fail "user's pppd still running"
assert_client_rc 2
assert_log "$CLIENT_OUT" "sstp-ocsp-stapling option set in /etc/ppp/peers/strict cannot be overridden" 1
[ "$(grep -c '^conn=' "$BENCH_LOG")" = "$conns" ] || fail "the user's pppd connected"

IGNORE_SERVER=1 assert_no_leftovers 10

# Must-staple: a certificate with the TLS feature status_request (RFC 7633),
# served by a new server whose plan staples no response first, then a good
# one.
kill_wait "$SERVER_PID" 5
SERVER_PID=
_issue must-staple 22 'cn = "sstp.test"' 'dns_name = "sstp.test"' tls_www_server encryption_key \
    'tls_feature = 5'
certtool -i --infile "$CERTDIR/must-staple.pem" | grep -q 'TLS Features' ||
    hard_error "certtool wrote no TLS feature extension into must-staple.pem"
printf 'V\t%s\t\t%s\tunknown\t/CN=sstp.test\n' "$expires" "$(_serial "$CERTDIR/must-staple.pem")" \
    >"$O/index-must-staple.txt"
_ocsp_request request-must-staple "$CERTDIR/must-staple.pem"
REQUEST=request-must-staple _ocsp must-staple-good "$O/index-must-staple.txt" ca
_start_stapling_server must-staple "$CERTDIR/must-staple.pem" "$CERTDIR/must-staple-key.pem" \
    "-,$O/must-staple-good.der"
pass "must-staple server running (pid $SERVER_PID)"
conns=0
ocsp_case must-staple-none 8 "sstp: server certificate for sstp\.test is not trusted: it demands OCSP stapling \(TLS feature status_request\) and the server stapled no OCSP response"
ocsp_case must-staple-good up "sstp: server's stapled OCSP response: good \(next update "

IGNORE_SERVER=1 assert_no_leftovers 10
