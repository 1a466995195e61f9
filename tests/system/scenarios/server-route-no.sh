# sstp-server-route no: the failure the host route prevents. The server is
# off-link behind the default gateway and the peers file has defaultroute +
# replacedefaultroute: once IPCP is up, the server's address is routed into
# ppp0, the tunnel's own TLS packets follow it, and no ping crosses the
# tunnel any more (or the link dies).
. "$top_srcdir/tests/system/lib.sh"
prepare_routed_sstp
before=$(route_tables cli)
start_server --hash sha256 --expect-host sstp.test
write_peers main defaultroute replacedefaultroute sstp-server-route no
run_client main
wait_ip_up 30
[ -z "$(ip -n cli route show "$SRV_IP4/32")" ] || fail "a host route was added: $(ip -n cli route show "$SRV_IP4/32")"
assert_not_log "$CLIENT_LOG" 'added host route'
dev=$(route_dev cli $SRV_IP4)
[ "$dev" = ppp0 ] || fail "the server is not routed into ppp0 but $dev"
pass "ip route get $SRV_IP4: $(ip netns exec cli ip route get $SRV_IP4 | head -n 1)"
sleep 10
if ip netns exec cli ping -n -c 3 -W 2 -i 0.3 $PPP_SERVER_IP >"$LOGDIR/ping.out" 2>&1; then
    fail "a ping crossed the tunnel 10 s after IPCP without the host route: $(tail -n 2 "$LOGDIR/ping.out" | tr '\n' ' ')"
fi
pass "no ping crosses the tunnel 10 s after IPCP: $(grep 'packet loss' "$LOGDIR/ping.out" || echo 'the link is gone')"
if [ -n "$CLIENT_PID" ] && kill -0 "$CLIENT_PID" 2>/dev/null; then
    stop_client 30
else
    wait_client_exit 5 || true
fi
after=$(route_tables cli)
[ "$before" = "$after" ] || fail "the routing tables differ after pppd exited: $(diff <(echo "$before") <(echo "$after") | tr '\n' ';')"
pass "routing tables after pppd exited are those from before"
IGNORE_SERVER=1 assert_no_leftovers 10
