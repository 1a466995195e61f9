# Through dante's SOCKS5 server with remote name resolution (socks5h://):
# the client's namespace reaches only the proxy, the tunnel comes up, pings
# cross it, and danted logs the connection to the server.
. "$top_srcdir/tests/system/lib.sh"
prepare_proxy_sstp
start_server --hash sha256 --expect-host sstp.test
assert_no_direct_path
start_danted
write_peers main sstp-proxy socks5h://proxy.test:1080
proxy_call main
assert_log "$CLIENT_LOG" 'tunnel to sstp\.test port 443 open through proxy socks5h://proxy\.test:1080 \(proxy authentication: none\)'
assert_log "$SERVER_LOG" "EVENT tcp accepted from ${PRX_SRV_IP4//./\\.}"
assert_log "$DANTE_LOG" "${PRX_CLIENT_IP4//./\\.}\.[0-9]+ .*${SRV_IP4//./\\.}\.443" 5
IGNORE_SERVER=1 assert_no_leftovers 10
