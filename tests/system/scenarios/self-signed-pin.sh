# Issue #12: a self-signed server gets a way in. The client does not trust
# it: pppd exits with EXIT_CONNECT_FAILED, the error line gives the server's
# real key pin (the pin-sha256 certtool computes), the next line the exact
# options to trust it, the one after its SHA-256 fingerprint (as certtool
# and RouterOS show it). That options line, pasted into a peers file as it
# is, connects.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/cases.sh"
prepare_sstp
SELF_CERT=$CERTDIR/self-signed.pem
SELF_KEY=$CERTDIR/self-signed-key.pem
printf '%s\n' 'cn = "sstp.test"' 'dns_name = "sstp.test"' 'serial = 7' 'expiration_days = 30' \
    tls_www_server signing_key encryption_key >"$CERTDIR/self-signed.tmpl"
_certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$SELF_KEY"
_certtool --generate-self-signed --load-privkey "$SELF_KEY" --template "$CERTDIR/self-signed.tmpl" \
    --outfile "$SELF_CERT"
chmod 600 "$SELF_KEY"
real_pin=$(cert_pin "$SELF_CERT")
real_fingerprint=$(certtool --certificate-info --infile "$SELF_CERT" |
    sed -n 's/^[[:space:]]*sha256:\([0-9a-f]\{64\}\)$/\1/p' | head -n 1)
[ -n "$real_pin" ] && [ -n "$real_fingerprint" ] || hard_error "certtool printed no pin or fingerprint"
note "certtool: pin-sha256 $real_pin, sha256 fingerprint $real_fingerprint"

# shellcheck disable=SC2034 # read by lib.sh
SERVER_CERT=$SELF_CERT SERVER_KEY=$SELF_KEY
start_server --hash sha256 --expect-host sstp.test
write_peers main
run_client main
wait_client_exit 20 || fail "client pppd still running 20s after start (untrusted self-signed server)"
assert_client_rc 8 # EXIT_CONNECT_FAILED
assert_log "$CLIENT_LOG" '^sstp: server certificate for sstp\.test is not trusted: The certificate issuer is unknown; its public key is sha256:'
logged_pin=$(sed -n 's/.* its public key is \(sha256:[A-Za-z0-9+/=]*\).*/\1/p' "$CLIENT_LOG" | head -n 1)
[ "$logged_pin" = "$real_pin" ] || fail "logged pin '$logged_pin' is not the server's pin $real_pin"
pass "the error line gives the server's real pin $logged_pin"
grep -A1 -F "its public key is $real_pin" "$CLIENT_LOG" | tail -n 1 | grep -q '^sstp: to trust this server by its key alone' ||
    fail "the line after the error is not the advice"
options=$(sed -n 's/^sstp: to trust this server by its key alone.* add this line to the peers file: \(.*\) (for a private CA, add sstp-ca-file.*/\1/p' "$CLIENT_LOG" | head -n 1)
[ "$options" = "sstp-cert-pin $real_pin sstp-cert-pin-only" ] || fail "suggested options: '$options'"
pass "the next line suggests: $options"
assert_log "$CLIENT_LOG" "^sstp: first make sure it is your server's certificate: its SHA-256 fingerprint is $real_fingerprint; RouterOS"
if ppp_has_addr cli "$PPP_CLIENT_IP" "$PPP_SERVER_IP"; then fail "client ppp0 came up"; fi

# Paste the suggested line into a peers file, as a user would.
write_peers pinned
echo "$options" >>/etc/ppp/peers/pinned
note "peers/pinned: $(tail -n 1 /etc/ppp/peers/pinned)"
run_client pinned
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
ping_both_ways
stop_client 20
assert_client_rc 5
assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10
