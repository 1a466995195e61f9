# squid asks for proxy authentication and offers Digest and Basic
# (digest_file_auth, basic_ncsa_auth with an htpasswd file). Three calls:
# sstp-proxy-auth basic, sstp-proxy-auth digest, and "any" with the
# credentials inside the URL, where libcurl picks Digest. Each tunnel comes
# up, the client logs the scheme used, squid logs the user, and the proxy
# password appears in no log.
. "$top_srcdir/tests/system/lib.sh"
prepare_proxy_sstp
start_server --hash sha256 --expect-host sstp.test
assert_no_direct_path
start_squid both
write_proxy_password_file /etc/ppp/proxy-secret "$PROXY_PASSWORD"

write_peers basic sstp-proxy http://proxy.test:3128 sstp-proxy-user "$PROXY_USER" \
    sstp-proxy-password-file /etc/ppp/proxy-secret sstp-proxy-auth basic
proxy_call basic
assert_log "$CLIENT_LOG" 'tunnel to sstp\.test port 443 open through proxy http://proxy\.test:3128 \(proxy authentication: Basic\)'
assert_log "$PROXY_ACCESS_LOG" " TCP_TUNNEL/200 CONNECT sstp\.test:443 user=$PROXY_USER sstpversion=1\.0\$" 15
cp "$CLIENT_LOG" "$LOGDIR/client-pppd-basic.log"

: >"$CLIENT_LOG"
write_peers digest sstp-proxy http://proxy.test:3128 sstp-proxy-user "$PROXY_USER" \
    sstp-proxy-password-file /etc/ppp/proxy-secret sstp-proxy-auth digest
proxy_call digest
assert_log "$CLIENT_LOG" 'tunnel to sstp\.test port 443 open through proxy http://proxy\.test:3128 \(proxy authentication: Digest\)'
assert_log "$PROXY_ACCESS_LOG" " TCP_TUNNEL/200 CONNECT sstp\.test:443 user=$PROXY_USER " 15 2
cp "$CLIENT_LOG" "$LOGDIR/client-pppd-digest.log"

# Credentials inside the URL; written directly so that no note echoes them.
: >"$CLIENT_LOG"
write_peers inurl
echo "sstp-proxy http://$PROXY_USER:$PROXY_PASSWORD@proxy.test:3128" >>/etc/ppp/peers/inurl
proxy_call inurl
assert_log "$CLIENT_LOG" 'connecting to sstp\.test port 443 through proxy http://proxy\.test:3128$'
assert_log "$CLIENT_LOG" 'tunnel to sstp\.test port 443 open through proxy http://proxy\.test:3128 \(proxy authentication: Digest\)'
assert_log "$PROXY_ACCESS_LOG" " TCP_TUNNEL/200 CONNECT sstp\.test:443 user=$PROXY_USER " 15 3
cp "$CLIENT_LOG" "$LOGDIR/client-pppd-inurl.log"

assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 0 3
assert_no_secret "$PROXY_PASSWORD"
IGNORE_SERVER=1 assert_no_leftovers 10
