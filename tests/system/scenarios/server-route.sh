# contrib/examples/ip-pre-up.sstp-server-route and ip-down.sstp-server-route:
# the client reaches the SSTP server only through its default route, and the
# peers file has defaultroute + replacedefaultroute, so once IPCP is up the
# default route points into ppp0 and, without a host route, the tunnel's own
# TLS packets would follow it into the tunnel. The ip-pre-up script must pin
# a host route to the server outside the tunnel before pppd moves the
# default route, and ip-down must remove it again.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# Reach the server by the default route only (no connected /24 route).
ip -n cli route del "${SRV_IP4%.*}.0/24" dev veth-cli
ip -n cli route add default dev veth-cli
ip netns exec cli ip route get $SRV_IP4 | grep -q "dev veth-cli" ||
    hard_error "cli does not reach $SRV_IP4 by its default route"
require_etc_ppp
for hook in ip-pre-up ip-down; do
    printf '#!/bin/sh\nexec /bin/sh %s "$@"\n' \
        "$top_srcdir/contrib/examples/$hook.sstp-server-route" >"/etc/ppp/$hook"
    chmod 755 "/etc/ppp/$hook"
done
_default_via_ppp0() { ip -n cli route show default | grep -q "dev ppp0"; }
start_server --hash sha256 --expect-host sstp.test
write_peers main defaultroute replacedefaultroute
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK hash=SHA-256' 10
wait_until 10 _default_via_ppp0 || fail "the default route did not move into ppp0"
pass "default route: $(ip -n cli route show default)"
route=$(ip -n cli route show "$SRV_IP4/32")
case $route in
*"dev veth-cli"*) pass "host route to the SSTP server outside the tunnel: $route" ;;
*) fail "no host route to $SRV_IP4 via veth-cli (routes: $(ip -n cli route show | tr '\n' ';'))" ;;
esac
ip netns exec cli ip route get $SRV_IP4 | grep -q "dev veth-cli" ||
    fail "the SSTP server is routed into the tunnel: $(ip netns exec cli ip route get $SRV_IP4)"
ping_both_ways
sleep 3
ping_both_ways # still up: the tunnel's packets did not loop into ppp0
stop_client 20
assert_client_rc 5
[ -z "$(ip -n cli route show "$SRV_IP4/32")" ] ||
    fail "ip-down left the host route: $(ip -n cli route show "$SRV_IP4/32")"
pass "ip-down removed the host route to $SRV_IP4"
[ ! -e /run/pppd-sstp-route.ppp0 ] || fail "ip-down left /run/pppd-sstp-route.ppp0"
IGNORE_SERVER=1 assert_no_leftovers 10
