# The same over IPv6, across persist redials: the server is [2001:db8::1],
# off-link behind the client's default gateway, and an ip-up script routes
# 2001:db8::/64 into ppp0 as a site's "full tunnel" script would (pppd's
# defaultroute is IPv4 only). The plugin must keep a /128 host route to the
# server through the gateway while each link is up, exactly one at any time
# over five dropped calls and redials, and none after pppd exits.
. "$top_srcdir/tests/system/lib.sh"
prepare_routed_sstp
require_etc_ppp
SRV_NET6=${SRV_IP6%::1}::/64
# shellcheck disable=SC2016 # "$1" is the scripts' own argument, ppp0
{
    printf '#!/bin/sh\nip -6 route replace %s dev "$1"\n' "$SRV_NET6" >/etc/ppp/ip-up
    printf '#!/bin/sh\nip -6 route del %s dev "$1" 2>/dev/null || true\n' "$SRV_NET6" >/etc/ppp/ip-down
}
chmod 755 /etc/ppp/ip-up /etc/ppp/ip-down
_host_routes() { ip -n cli -6 route show "$SRV_IP6/128" | grep -c . || true; }
_ppp_up() { if ppp_has_addr cli $PPP_CLIENT_IP $PPP_SERVER_IP; then echo 1; else echo 0; fi; }
# One line per sample: host routes, whether ppp0 is up, the server's device,
# whether ppp0 is up, host routes. A link going up or down between two
# reads is not a failure: each check below needs both reads to agree.
_watch_routes() {
    while :; do
        echo "$(_host_routes) $(_ppp_up) $(route_dev cli $SRV_IP6) $(_ppp_up) $(_host_routes)"
        sleep 0.2
    done
}

before=$(route_tables cli)
note "IPv6 routes before: $(ip -n cli -6 route show | tr '\n' ';')"
# shellcheck disable=SC2034 # read by lib.sh
SERVER_LISTEN=$SRV_IP6
start_server --hash sha256 --drop-after 4 --drop-calls 5 --max-calls 6
write_peers main --server "[$SRV_IP6]" persist holdoff 1 maxfail 0
_watch_routes >"$LOGDIR/route-samples" 2>&1 &
WATCH_PID=$!
run_client main
wait_ip_up 30
note "IPv6 routes during: $(ip -n cli -6 route show | tr '\n' ';')"
route=$(ip -n cli -6 route show "$SRV_IP6/128")
case $route in
"$SRV_IP6 via $RTR_CLI_IP6 dev veth-cli"*) pass "host route to the SSTP server outside the tunnel: $route" ;;
*) fail "no host route to $SRV_IP6 via $RTR_CLI_IP6 (routes: $(ip -n cli -6 route show | tr '\n' ';'))" ;;
esac
wait_until 10 ip -n cli -6 route show "$SRV_NET6" dev ppp0 ||
    fail "the ip-up script did not route $SRV_NET6 into ppp0"
pass "ip-up routed $SRV_NET6 into ppp0: $(ip -n cli -6 route show "$SRV_NET6"); ip route get $SRV_IP6: $(ip netns exec cli ip route get $SRV_IP6 | head -n 1)"
assert_log "$SERVER_LOG" 'EVENT drop: closing TCP abruptly' 60 5
assert_log "$SERVER_LOG" 'VERDICT call-connected OK' 30 6
wait_ip_up 20
assert_log "$CLIENT_LOG" 'Connect: ppp0 <--> ' 5 6
pass "five dropped calls, five redials"
sleep 10
ping_both_ways # 10 s after IPCP on the sixth call
assert_log "$CLIENT_LOG" "sstp: added host route $SRV_IP6 via $RTR_CLI_IP6 dev veth-cli" 1 6
assert_log "$CLIENT_LOG" "sstp: removed host route $SRV_IP6 via $RTR_CLI_IP6 dev veth-cli" 1 5
stop_client 20
assert_client_rc 5
kill "$WATCH_PID"
wait "$WATCH_PID" 2>/dev/null || true
samples=$(grep -c . "$LOGDIR/route-samples")
most=$(awk '$1 > m { m = $1 } $5 > m { m = $5 } END { print m + 0 }' "$LOGDIR/route-samples")
[ "$most" -le 1 ] || fail "$most host routes to $SRV_IP6 at once: $(awk '$1 > 1 || $5 > 1' "$LOGDIR/route-samples" | head -n 3)"
up_without=$(awk '$2 == 1 && $4 == 1 && $1 == 0 && $5 == 0' "$LOGDIR/route-samples" | grep -c . || true)
[ "$up_without" = 0 ] || fail "$up_without samples with ppp0 up but no host route"
into_ppp=$(awk '$2 == 1 && $4 == 1 && $3 == "ppp0"' "$LOGDIR/route-samples" | grep -c . || true)
[ "$into_ppp" = 0 ] || fail "$into_ppp samples with $SRV_IP6 routed into ppp0"
pass "$samples samples over the redials: never more than one host route, one whenever ppp0 was up, never $SRV_IP6 via ppp0"
after=$(route_tables cli)
note "IPv6 routes after: $(ip -n cli -6 route show | tr '\n' ';')"
[ "$before" = "$after" ] || fail "the routing tables differ after pppd exited: $(diff <(echo "$before") <(echo "$after") | tr '\n' ';')"
pass "IPv4 and IPv6 routing tables after pppd exited are those from before"
assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10
