# accel-ppp through an HTTP proxy (squid, CONNECT): the client's namespace
# reaches only the proxy; accel-ppp requires SNI and Host sstp.test
# (host-name=) and checks the Crypto Binding; the call comes up through the
# CONNECT, accel-ppp sees it from the proxy's address, pings cross, and
# SIGTERM reaches accel-ppp as a Call Disconnect.
. "$top_srcdir/tests/interop/lib.sh"
prepare_proxy_sstp
start_accel_ppp sstp.test
assert_no_direct_path
start_squid none
write_peers main sstp-proxy http://proxy.test:3128
accel_call_as_sstp_test main 40
assert_log "$ACCEL_LOG" "sstp: new connection from ${PRX_SRV_IP4//./\\.}:"
# squid logs a tunnel when it closes.
assert_log "$PROXY_ACCESS_LOG" ' TCP_TUNNEL/200 CONNECT sstp\.test:443 ' 15
assert_log "$ACCEL_LOG" 'recv \[SSTP SSTP_MSG_CALL_DISCONNECT\]' 10
IGNORE_SERVER=1 assert_no_leftovers 10
