# Full tunnel with no scripts: the SSTP server is off-link, behind the
# client's default gateway, and the peers file has defaultroute +
# replacedefaultroute. Once IPCP is up the default route points into ppp0;
# the plugin must have pinned a host route to the server through the old
# gateway before that (sstp-server-route auto), or the tunnel's own TLS
# packets would follow the default route into the tunnel. When pppd exits the
# routing tables are exactly as before. Then an identical host route that
# the administrator added is used as it is and survives the call.
. "$top_srcdir/tests/system/lib.sh"
prepare_routed_sstp
_default_via_ppp0() { ip -n cli route show default | grep -q "dev ppp0"; }

before=$(route_tables cli)
note "routes before: $(ip -n cli route show | tr '\n' ';')"
[ "$(route_dev cli $SRV_IP4)" = veth-cli ] || hard_error "cli does not reach $SRV_IP4 by veth-cli"
start_server --hash sha256 --expect-host sstp.test
write_peers main defaultroute replacedefaultroute
run_client main
wait_ip_up 30
wait_until 10 _default_via_ppp0 || fail "the default route did not move into ppp0"
pass "default route: $(ip -n cli route show default)"
assert_log "$CLIENT_LOG" "sstp: added host route $SRV_IP4 via $RTR_CLI_IP4 dev veth-cli"
route=$(ip -n cli route show "$SRV_IP4/32")
case $route in
"$SRV_IP4 via $RTR_CLI_IP4 dev veth-cli"*) pass "host route to the SSTP server outside the tunnel: $route" ;;
*) fail "no host route to $SRV_IP4 via $RTR_CLI_IP4 (routes: $(ip -n cli route show | tr '\n' ';'))" ;;
esac
note "routes during: $(ip -n cli route show | tr '\n' ';')"
dev=$(route_dev cli $SRV_IP4)
[ "$dev" = veth-cli ] || fail "the SSTP server is routed into $dev: $(ip netns exec cli ip route get $SRV_IP4)"
pass "ip route get $SRV_IP4: $(ip netns exec cli ip route get $SRV_IP4 | head -n 1)"
sleep 10
ping_both_ways # 10 s after IPCP: the tunnel's packets did not loop into ppp0
assert_log "$SERVER_LOG" 'VERDICT call-connected OK hash=SHA-256' 1
stop_client 20
assert_client_rc 5
after=$(route_tables cli)
note "routes after: $(ip -n cli route show | tr '\n' ';')"
[ "$before" = "$after" ] || fail "the routing tables differ after pppd exited: $(diff <(echo "$before") <(echo "$after") | tr '\n' ';')"
pass "IPv4 and IPv6 routing tables after pppd exited are those from before"
assert_log "$CLIENT_LOG" "sstp: removed host route $SRV_IP4 via $RTR_CLI_IP4 dev veth-cli"

# The administrator's own host route: used, never deleted.
ip -n cli route add "$SRV_IP4/32" via $RTR_CLI_IP4 dev veth-cli
before=$(route_tables cli)
run_client main
wait_ip_up 30
assert_log "$CLIENT_LOG" "sstp: a host route for $SRV_IP4 via $RTR_CLI_IP4 dev veth-cli exists already; leaving it as it is"
[ "$(ip -n cli route show "$SRV_IP4/32" | wc -l)" = 1 ] || fail "more than one host route: $(ip -n cli route show "$SRV_IP4/32")"
ping_both_ways
stop_client 20
assert_client_rc 5
after=$(route_tables cli)
[ "$before" = "$after" ] || fail "the routing tables differ after pppd exited: $(diff <(echo "$before") <(echo "$after") | tr '\n' ';')"
pass "the administrator's host route is still there: $(ip -n cli route show "$SRV_IP4/32")"
assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10
