# "sstp-proxy env" with https_proxy set in pppd's environment (and a
# no_proxy that does not cover the server): the tunnel goes through squid,
# which the client's namespace is the only way out of.
. "$top_srcdir/tests/system/lib.sh"
prepare_proxy_sstp
start_server --hash sha256 --expect-host sstp.test
assert_no_direct_path
start_squid none
write_peers main sstp-proxy env
export https_proxy=http://proxy.test:3128 no_proxy=localhost,example.com,192.0.2.0/25
export http_proxy=http://proxy.test:9 # for http:// URLs only: must be ignored
proxy_call main
assert_log "$CLIENT_LOG" 'connecting to sstp\.test port 443 \(proxy from the environment\)'
assert_log "$CLIENT_LOG" 'sstp-proxy env: using proxy http://proxy\.test:3128 from https_proxy'
assert_log "$CLIENT_LOG" 'tunnel to sstp\.test port 443 open through proxy http://proxy\.test:3128 '
assert_log "$PROXY_ACCESS_LOG" ' TCP_TUNNEL/200 CONNECT sstp\.test:443 ' 15
IGNORE_SERVER=1 assert_no_leftovers 10
