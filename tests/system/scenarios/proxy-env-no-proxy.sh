# "sstp-proxy env" with https_proxy naming a proxy nobody runs and no_proxy
# covering the server's domain: the client connects directly (the usual
# two-namespace topology, where it can), and the tunnel comes up.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
start_server --hash sha256 --expect-host sstp.test
write_peers main sstp-proxy env
export HTTPS_PROXY=http://proxy.test:3128 NO_PROXY=localhost,.test
proxy_call main
assert_log "$CLIENT_LOG" 'sstp-proxy env: no_proxy covers sstp\.test; connecting directly, not through http://proxy\.test:3128'
assert_not_log "$CLIENT_LOG" 'tunnel to .* open through proxy'
assert_log "$SERVER_LOG" "EVENT tcp accepted from ${CLI_IP4//./\\.}"
IGNORE_SERVER=1 assert_no_leftovers 10
