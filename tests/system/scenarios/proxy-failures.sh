# Every way the tunnel through the proxy can fail ends pppd within seconds
# with one line that names the proxy and the cause: a wrong password (407,
# with the schemes offered), no credentials, a scheme the proxy does not
# offer, a CONNECT denied by a squid ACL (403), nobody listening on the
# proxy port, a proxy name that does not resolve (HTTP or SOCKS), a proxy that never answers, and unsafe or unsupported options.
# The proxy password appears in no log.
. "$top_srcdir/tests/system/lib.sh"
prepare_proxy_sstp
start_server --hash sha256
start_squid basic other.test
write_proxy_password_file /etc/ppp/proxy-secret "$PROXY_PASSWORD"
write_proxy_password_file /etc/ppp/wrong-secret "wrong-$PROXY_PASSWORD"
P='proxy http://proxy\.test:3128'

write_peers wrongpw sstp-proxy http://proxy.test:3128 sstp-proxy-user "$PROXY_USER" \
    sstp-proxy-password-file /etc/ppp/wrong-secret
expect_setup_failure wrongpw 8 "^sstp: $P: proxy authentication failed, offered: Basic \(check sstp-proxy-user and the proxy password\)\$"
assert_log "$PROXY_ACCESS_LOG" ' TCP_DENIED/407 CONNECT sstp\.test:443 user=' 5

write_peers nocreds sstp-proxy http://proxy.test:3128
expect_setup_failure nocreds 8 "^sstp: $P requires authentication, offered: Basic \(set sstp-proxy-user and sstp-proxy-password-file\)\$"

write_peers wrongscheme sstp-proxy http://proxy.test:3128 sstp-proxy-user "$PROXY_USER" \
    sstp-proxy-password-file /etc/ppp/proxy-secret sstp-proxy-auth digest
expect_setup_failure wrongscheme 8 "^sstp: $P offers only Basic, but sstp-proxy-auth is digest\$"

write_peers denied --server other.test sstp-proxy http://proxy.test:3128 \
    sstp-proxy-user "$PROXY_USER" sstp-proxy-password-file /etc/ppp/proxy-secret
expect_setup_failure denied 8 "^sstp: $P refused CONNECT to other\.test:443: 403 Forbidden\$"
assert_log "$PROXY_ACCESS_LOG" ' TCP_DENIED/403 CONNECT other\.test:443 ' 5

write_peers refused sstp-proxy http://proxy.test:3199
expect_setup_failure refused 8 '^sstp: cannot connect to proxy http://proxy\.test:3199: '

# A proxy name that does not resolve is the proxy's fault, whatever the
# scheme: libcurl reports a SOCKS proxy's name as an unresolved host.
write_peers noname sstp-proxy http://no-such-proxy.test:3128
expect_setup_failure noname 8 '^sstp: cannot resolve proxy http://no-such-proxy\.test:3128: .*no-such-proxy\.test \(check sstp-proxy and DNS\)$'
write_peers nosocksname sstp-proxy socks5h://no-such-proxy.test:1080
expect_setup_failure nosocksname 8 '^sstp: cannot resolve proxy socks5h://no-such-proxy\.test:1080: .*no-such-proxy\.test \(check sstp-proxy and DNS\)$'

# A proxy that accepts the connection and never answers the CONNECT.
ip netns exec prx "$PYTHON" -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$PRX_CLI_IP4"'", 3130)); s.listen(4)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' &
SILENT_PID=$!
wait_until 10 _proxy_listening 3130 || hard_error "silent proxy not listening"
write_peers silent sstp-proxy http://proxy.test:3130 sstp-connect-timeout 3
expect_setup_failure silent 8 '^sstp: no tunnel through proxy http://proxy\.test:3130 to sstp\.test:443 within 3 s: '
kill "$SILENT_PID"

# Option errors reach pppd's stderr: the log file may not be open yet.
write_peers ftp sstp-proxy ftp://proxy.test:3128
run_client ftp
wait_client_exit 20 || fail "client pppd still running with an ftp:// proxy"
assert_client_rc 2
assert_log "$CLIENT_OUT" 'sstp-proxy: unsupported proxy scheme ftp:// \(use http://, https://, socks4://, socks4a://, socks5:// or socks5h://\)'

chmod 644 /etc/ppp/proxy-secret
write_peers unsafe sstp-proxy http://proxy.test:3128 sstp-proxy-user "$PROXY_USER" \
    sstp-proxy-password-file /etc/ppp/proxy-secret
: >"$CLIENT_LOG"
run_client unsafe
wait_client_exit 20 || fail "client pppd still running with an unsafe password file"
assert_client_rc 2
assert_log "$CLIENT_OUT" 'refusing /etc/ppp/proxy-secret: it must be owned by root and readable by root alone'

assert_not_log "$SERVER_LOG" 'VERDICT'
assert_no_secret "$PROXY_PASSWORD"
IGNORE_SERVER=1 assert_no_leftovers 10
