# sstp-host: dial the address in sstp-server, but use another name for SNI,
# the HTTP Host header and the certificate check. The server's certificate
# is for sstp.test only (no IP address in it). Dialled as 192.0.2.1 without
# sstp-host, the name check fails and the message points to sstp-host; with
# "sstp-host sstp.test" the call goes up and the server sees sstp.test in
# SNI and in the Host header (--expect-host).
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
NAME_CERT=$CERTDIR/name-only.pem
NAME_KEY=$CERTDIR/name-only-key.pem
printf '%s\n' 'organization = "pppd-sstp tests"' 'cn = "sstp.test"' 'dns_name = "sstp.test"' \
    'serial = 8' 'expiration_days = 30' tls_www_server signing_key encryption_key >"$CERTDIR/name-only.tmpl"
_certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$NAME_KEY"
_certtool --generate-certificate --load-privkey "$NAME_KEY" --load-ca-certificate "$CA_CERT" \
    --load-ca-privkey "$CERTDIR/ca-key.pem" --template "$CERTDIR/name-only.tmpl" --outfile "$NAME_CERT"
chmod 600 "$NAME_KEY"
# shellcheck disable=SC2034 # read by lib.sh
SERVER_CERT=$NAME_CERT SERVER_KEY=$NAME_KEY
start_server --hash sha256 --expect-host sstp.test

write_peers by-ip --server "$SRV_IP4"
run_client by-ip
wait_client_exit 20 || fail "client pppd still running 20s after start (name mismatch)"
assert_client_rc 8
assert_log "$CLIENT_LOG" "^sstp: server certificate does not match $SRV_IP4: it is for sstp\.test \(an IP address matches only iPAddress subject alternative names: give the name with sstp-host\)"
assert_not_log "$SERVER_LOG" 'VERDICT'

: >"$CLIENT_LOG"
write_peers with-host --server "$SRV_IP4" sstp-host sstp.test
run_client with-host
wait_ip_up 30
assert_log "$CLIENT_LOG" "^sstp: connecting to $SRV_IP4 port 443 as sstp\.test"
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 10
assert_log "$SERVER_LOG" 'conn=2 EVENT tls-up .* sni=sstp\.test$'
assert_log "$SERVER_LOG" 'conn=2 EVENT http-check host-value ok'
# conn=1, dialled by address, rightly had no SNI (RFC 6066 3).
assert_not_log "$SERVER_LOG" 'conn=2 .*(client-violation|MISMATCH)'
ping_both_ways
stop_client 20
assert_client_rc 5
IGNORE_SERVER=1 assert_no_leftovers 10
