# Through squid's https_port: TLS to the proxy (certificate for proxy.test
# from the test CA, trusted through sstp-proxy-ca-file), Basic
# authentication inside it, the CONNECT, and our own TLS to the SSTP server
# inside the tunnel, through the relay process. The client reaches only the
# proxy; the tunnel comes up, pings cross it, squid logs the CONNECT, the
# relay runs as nobody under the seccomp filter, and it is gone with pppd.
# Then the proxy's certificate is not trusted (no sstp-proxy-ca-file, and
# the wrong CA): pppd exits 8 with one line that names the proxy, says what
# to do, and leaves no process behind; nothing reaches squid from a client
# that did not trust it. Last, squid dies during a call: pppd exits with 16
# and the relay is gone.
. "$top_srcdir/tests/system/lib.sh"
prepare_proxy_sstp
make_proxy_cert
start_server --hash sha256 --expect-host sstp.test
assert_no_direct_path
start_squid basic
write_proxy_password_file /etc/ppp/proxy-secret "$PROXY_PASSWORD"
P='proxy https://proxy\.test:3129'

# relay_is_confined: the relay (the helper's child, which holds the TLS
# session with the proxy) runs unprivileged under the seccomp filter too.
relay_is_confined() {
    local helper relay status
    helper=$(pgrep -P "$CLIENT_PID" | head -n 1)
    relay=$(pgrep -P "$helper" | head -n 1)
    [ -n "$relay" ] || fail "no relay process under the helper ${helper:-?}"
    status=$(grep -E '^(Uid|NoNewPrivs|Seccomp):' "/proc/$relay/status")
    echo "STATUS relay $relay:" $status
    grep -qE "^Uid:[[:space:]]+$(id -u nobody)([[:space:]]+$(id -u nobody)){3}\$" <<<"$status" ||
        fail "the relay does not run as nobody in all four uids"
    grep -qE '^NoNewPrivs:[[:space:]]+1$' <<<"$status" || fail "the relay lacks no_new_privs"
    grep -qE '^Seccomp:[[:space:]]+2$' <<<"$status" || fail "the relay has no seccomp filter"
    pass "the relay runs as nobody with no_new_privs under a seccomp filter"
}

write_peers main sstp-proxy https://proxy.test:3129 sstp-proxy-ca-file "$CA_CERT" \
    sstp-proxy-user "$PROXY_USER" sstp-proxy-password-file /etc/ppp/proxy-secret
proxy_call main relay_is_confined
assert_log "$CLIENT_LOG" "connecting to sstp\.test port 443 through $P\$"
assert_log "$CLIENT_LOG" "sstp: tunnel to sstp\.test port 443 open through $P \(proxy authentication: Basic\)"
assert_log "$SERVER_LOG" "EVENT tcp accepted from ${PRX_SRV_IP4//./\\.}"
assert_not_log "$SERVER_LOG" "EVENT tcp accepted from ${PRX_CLIENT_IP4//./\\.}"
assert_log "$PROXY_ACCESS_LOG" " TCP_TUNNEL/200 CONNECT sstp\.test:443 user=$PROXY_USER sstpversion=1\.0\$" 15
IGNORE_SERVER=1 assert_no_leftovers 10
cp "$CLIENT_LOG" "$LOGDIR/client-pppd-main.log"
connects=$(count_log "$PROXY_ACCESS_LOG" ' CONNECT ')

write_peers untrusted sstp-proxy https://proxy.test:3129 \
    sstp-proxy-user "$PROXY_USER" sstp-proxy-password-file /etc/ppp/proxy-secret
expect_setup_failure untrusted 8 "^sstp: certificate of $P is not trusted: .* \(use sstp-proxy-ca-file if the proxy uses a private CA\)\$"
IGNORE_SERVER=1 assert_no_leftovers 10

write_peers wrongca sstp-proxy https://proxy.test:3129 sstp-proxy-ca-file "$OTHER_CA_CERT" \
    sstp-proxy-user "$PROXY_USER" sstp-proxy-password-file /etc/ppp/proxy-secret
expect_setup_failure wrongca 8 "^sstp: certificate of $P is not trusted: .* \(is sstp-proxy-ca-file the CA that signed the proxy's certificate\?\)\$"
IGNORE_SERVER=1 assert_no_leftovers 10

# The TLS port spoken to as if it were plain HTTP, and the plain port as TLS.
write_peers plainport sstp-proxy https://proxy.test:3128 sstp-proxy-ca-file "$CA_CERT"
expect_setup_failure plainport 8 '^sstp: TLS with proxy https://proxy\.test:3128 failed: .* \(does the proxy speak TLS on this port\? http:// is for its plain port\)$'
IGNORE_SERVER=1 assert_no_leftovers 10

# Neither the CONNECT nor the password ever went to a proxy we did not trust.
[ "$(count_log "$PROXY_ACCESS_LOG" ' CONNECT ')" = "$connects" ] ||
    fail "squid saw a CONNECT from a client that did not trust it: $(cat "$PROXY_ACCESS_LOG")"
pass "no CONNECT reached squid after the trusted call"

# The proxy dies mid-call: the relay passes the end on to the helper, pppd
# hangs up, and the relay goes with the helper.
: >"$CLIENT_LOG"
run_client main
wait_ip_up 60
pgrep -x sstp-relay >/dev/null || fail "no sstp-relay process during the call"
pass "the relay process runs during the call"
note "killing squid (pid $PROXY_PID)"
kill -KILL "$PROXY_PID"
wait_client_exit 30 || fail "client pppd still running 30s after squid died"
assert_client_rc 16
cp "$CLIENT_LOG" "$LOGDIR/client-pppd-proxy-died.log"
IGNORE_SERVER=1 assert_no_leftovers 10
assert_no_secret "$PROXY_PASSWORD"
IGNORE_SERVER=1 assert_no_leftovers 10
