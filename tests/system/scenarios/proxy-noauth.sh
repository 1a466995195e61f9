# Through an unauthenticated squid: the client's namespace reaches only the
# proxy (a direct TCP connect to the server fails), the tunnel comes up
# through a CONNECT, pings cross it, squid logs the CONNECT to sstp.test:443
# with our SSTPVERSION header, and that header never reaches the SSTP server.
. "$top_srcdir/tests/system/lib.sh"
prepare_proxy_sstp
start_server --hash sha256 --expect-host sstp.test
assert_no_direct_path
start_squid none
write_peers main sstp-proxy http://proxy.test:3128
proxy_call main
assert_log "$CLIENT_LOG" 'connecting to sstp\.test port 443 through proxy http://proxy\.test:3128'
assert_log "$CLIENT_LOG" 'sstp: tunnel to sstp\.test port 443 open through proxy http://proxy\.test:3128 \(proxy authentication: none\)'
assert_log "$SERVER_LOG" "EVENT tcp accepted from ${PRX_SRV_IP4//./\\.}"
assert_not_log "$SERVER_LOG" "EVENT tcp accepted from ${PRX_CLIENT_IP4//./\\.}"
assert_not_log "$SERVER_LOG" '[Ss][Ss][Tt][Pp][Vv][Ee][Rr][Ss][Ii][Oo][Nn]'
assert_log "$PROXY_ACCESS_LOG" ' TCP_TUNNEL/200 CONNECT sstp\.test:443 user=- sstpversion=1\.0$' 15
IGNORE_SERVER=1 assert_no_leftovers 10
