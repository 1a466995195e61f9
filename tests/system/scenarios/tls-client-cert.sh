# Issue #14: TLS client certificates, against a test server that requires
# one issued by the test CA (as MikroTik's verify-client-certificate does)
# and logs the subject of the certificate it got. The right certificate as
# PEM with its key, with an encrypted PEM key, and as PKCS#12 with a password
# file: the call comes up and the server saw alice's certificate. A
# certificate from another CA, and none at all: pppd exits 8 with one line
# naming the TLS alert, over TLS 1.3 and over TLS 1.2. Mistakes in the files
# (a wrong PKCS#12 or key password, a key that is not the certificate's, a
# certificate without its key, a key others can read): exit 2 at option
# time, one line, no connection made. An ordinary user of the setuid pppd
# may set none of the three options.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/cases.sh"
prepare_sstp

# Client certificates: alice from the test CA, mallory from the other one.
C=$CERTDIR/client
mkdir -p "$C"
for who in alice mallory; do
    cat >"$C/$who.tmpl" <<EOT
organization = "pppd-sstp tests"
cn = "$who"
expiration_days = 30
tls_www_client
signing_key
EOT
    signer=ca
    [ $who = alice ] || signer=other-ca
    issue_cert "$C/$who" $signer
done
echo 'P12-pass phrase' >"$C/p12-password"
echo 'Key-pass phrase' >"$C/key-password"
echo 'not the password' >"$C/wrong-password"
openssl pkcs12 -export -in "$C/alice.pem" -inkey "$C/alice-key.pem" -name alice \
    -passout "file:$C/p12-password" -out "$C/alice.p12" ||
    hard_error "openssl pkcs12 -export failed"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$C/alice-key.pem" -passout "file:$C/key-password" \
    -out "$C/alice-key-encrypted.pem" || hard_error "openssl pkcs8 -topk8 failed"
cp "$C/alice-key.pem" "$C/alice-key-readable.pem"
chmod 600 "$C"/*
chmod 640 "$C/alice-key-readable.pem"
note "client certificates in $C"

start_server --hash sha256 --client-ca "$CA_CERT"

# accepted CASE write_peers words...: the call comes up, and the server logged
# alice's certificate on that connection.
accepted() {
    local c=$1
    shift
    case_start "$c" "$@"
    case_up_then_stop "$c"
    assert_log "$SERVER_LOG" "conn=${CASE_CONN[$c]} EVENT tls-client-cert subject=.*commonName=alice" 1
}
accepted pem sstp-tls-cert "$C/alice.pem" sstp-tls-key "$C/alice-key.pem"
accepted pem-encrypted sstp-tls-cert "$C/alice.pem" sstp-tls-key "$C/alice-key-encrypted.pem" \
    sstp-tls-key-password-file "$C/key-password"
accepted pkcs12 sstp-tls-cert "$C/alice.p12" sstp-tls-key-password-file "$C/p12-password"

# The server refuses the handshake; the HTTP request is never answered.
case_start other-ca sstp-tls-cert "$C/mallory.pem" sstp-tls-key "$C/mallory-key.pem"
case_check other-ca 8 "sstp: the SSTP server sstp\.test rejected our client certificate \(TLS alert: [^)]+\); check sstp-tls-cert $C/mallory\.pem" 15
case_start no-cert
case_check no-cert 8 "sstp: the SSTP server sstp\.test requires a TLS client certificate, and none is configured \(TLS alert: [^)]+\); give one with sstp-tls-cert" 15
# The same over TLS 1.2, where the server's alert arrives inside our own
# handshake instead of after it.
TLS12=NORMAL:-VERS-ALL:+VERS-TLS1.2
case_start other-ca-tls12 sstp-tls-priority "$TLS12" \
    sstp-tls-cert "$C/mallory.pem" sstp-tls-key "$C/mallory-key.pem"
case_check other-ca-tls12 8 "sstp: the SSTP server sstp\.test rejected our client certificate \(TLS alert: [^)]+\); check sstp-tls-cert $C/mallory\.pem" 15
case_start no-cert-tls12 sstp-tls-priority "$TLS12"
case_check no-cert-tls12 8 "sstp: the SSTP server sstp\.test requires a TLS client certificate, and none is configured \(TLS alert: [^)]+\); give one with sstp-tls-cert" 15
for c in other-ca no-cert other-ca-tls12 no-cert-tls12; do
    assert_log "$SERVER_LOG" "conn=${CASE_CONN[$c]} ERROR tls handshake failed" 1
    assert_not_log "$SERVER_LOG" "conn=${CASE_CONN[$c]} (EVENT http-|EVENT tls-client-cert|VERDICT)"
done

# option_error CASE ERE write_peers words...: pppd exits 2 at once with one
# line matching ERE, and the server sees no connection.
option_error() {
    local c=$1 re=$2 dir rc=0 conns
    shift 2
    dir=$LOGDIR/case-$c
    mkdir -p "$dir"
    conns=$(count_log "$SERVER_LOG" ' EVENT tcp accepted ')
    CLIENT_LOG=$dir/client-pppd.log write_peers "case-$c" "$@" >/dev/null
    timeout 30 ip netns exec cli "$PPPD" call "case-$c" >"$dir/stdout" 2>&1 || rc=$?
    echo "CASE $c | rc $rc | $(grep -m1 -h -E -e "$re" "$dir/stdout" || echo '(no matching line)')"
    [ "$rc" = 2 ] || fail "case $c: pppd exit status $rc, expected 2 (option error)"
    [ "$(grep -c -E -e "$re" "$dir/stdout")" = 1 ] ||
        fail "case $c: not exactly one line /$re/ in pppd's output: $(cat "$dir/stdout")"
    [ "$(count_log "$SERVER_LOG" ' EVENT tcp accepted ')" = "$conns" ] ||
        fail "case $c: pppd connected to the server despite the option error"
    pass "case $c: exit 2 before dialling, '$re'"
}
option_error pkcs12-wrong-password \
    "sstp: sstp-tls-key-password-file: wrong password for $C/alice\.p12 " \
    sstp-tls-cert "$C/alice.p12" sstp-tls-key-password-file "$C/wrong-password"
option_error pkcs12-no-password \
    "sstp: sstp-tls-cert: $C/alice\.p12 is protected by a password: give it with sstp-tls-key-password-file" \
    sstp-tls-cert "$C/alice.p12"
option_error key-wrong-password \
    "sstp: sstp-tls-key-password-file: wrong password for $C/alice-key-encrypted\.pem " \
    sstp-tls-cert "$C/alice.pem" sstp-tls-key "$C/alice-key-encrypted.pem" \
    sstp-tls-key-password-file "$C/wrong-password"
option_error key-mismatch \
    "sstp: sstp-tls-key: the key in $C/mallory-key\.pem does not belong to the certificate in $C/alice\.pem" \
    sstp-tls-cert "$C/alice.pem" sstp-tls-key "$C/mallory-key.pem"
option_error cert-without-key \
    "sstp: sstp-tls-cert: $C/alice\.pem is a PEM certificate without its key: name the private key with sstp-tls-key" \
    sstp-tls-cert "$C/alice.pem"
option_error key-readable-by-group \
    "sstp: sstp-tls-key: refusing $C/alice-key-readable\.pem: it must be owned by root and readable by root alone" \
    sstp-tls-cert "$C/alice.pem" sstp-tls-key "$C/alice-key-readable.pem"
option_error cert-unreadable \
    "sstp: sstp-tls-cert: cannot load $C/missing\.pem: No such file or directory" \
    sstp-tls-cert "$C/missing.pem" sstp-tls-key "$C/alice-key.pem"

assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10

# Who may set them: an ordinary user of Debian's setuid pppd may not name
# files for root to open, nor present root's key to a server of their choice.
setuid_checks_follow
for opt in sstp-tls-cert sstp-tls-key sstp-tls-key-password-file; do
    : >"$CLIENT_OUT"
    RUN_AS=user run_client case-no-cert "$opt" "$C/alice.pem"
    wait_client_exit 20 || fail "user's pppd with $opt still running"
    assert_client_rc 2
    assert_log "$CLIENT_OUT" "$opt option requires root privilege" 1
done
