# The README's recipes for a split tunnel, DNS from the server, IPv6 inside
# the tunnel and SoftEther's noipv6, with the route script exactly as the
# README gives it: the server's pppd offers two DNS servers (ms-dns) and
# IPv6CP.
#  1. usepeerdns +ipv6 ipparam work: the ip-up.d route script (keyed on the
#     ipparam) routes 10.20.0.0/16 into ppp0; ip-up sees USEPEERDNS, DNS1
#     and DNS2 (what the resolvconf and systemd-resolved hooks read); IPv6CP
#     gives ppp0 link-local addresses and ping6 crosses the tunnel.
#  2. noipv6 (the SoftEther recipe), even after a +ipv6: the client never
#     sends IPv6CP, rejects the server's, and IPCP still comes up.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=mschapv2
# shellcheck disable=SC2034 # read by lib.sh
SERVER_PPPD_EXTRA='ms-dns 198.51.100.53
ms-dns 198.51.100.54
+ipv6'
start_server --hash sha256

# Like Debian's /etc/ppp/ip-up, run /etc/ppp/ip-up.d/* with pppd's
# arguments; also record what the DNS hooks get from pppd.
mkdir -p /etc/ppp/ip-up.d
{
    echo '#!/bin/sh'
    echo "echo \"ip-up \$* USEPEERDNS=\$USEPEERDNS DNS1=\$DNS1 DNS2=\$DNS2\" >>\"$LOGDIR/ip-up.log\""
    echo 'for hook in /etc/ppp/ip-up.d/*; do "$hook" "$@"; done'
} >/etc/ppp/ip-up
# The README's split-tunnel script, as given there.
printf '%s\n' '#!/bin/sh' \
    '# /etc/ppp/ip-up.d/work-routes: routes into the tunnel of peer "work" only' \
    '[ "$6" = work ] || exit 0' \
    'ip route replace 10.20.0.0/16 dev "$1"' >/etc/ppp/ip-up.d/work-routes
chmod 755 /etc/ppp/ip-up /etc/ppp/ip-up.d/work-routes

write_peers recipe usepeerdns +ipv6 ipparam work
run_client recipe
wait_ip_up 30
assert_log "$LOGDIR/ip-up.log" '^ip-up ppp0 .* work USEPEERDNS=1 DNS1=198\.51\.100\.53 DNS2=198\.51\.100\.54$' 10
route=$(ip -n cli route show 10.20.0.0/16)
[[ $route == "10.20.0.0/16 dev ppp0"* ]] || fail "no split-tunnel route: '$route'"
pass "split-tunnel route: $route"
assert_log "$CLIENT_LOG" '^local  LL address fe80::' 15
remote_ll=$(sed -n 's/^remote LL address \(fe80::[0-9a-f:]*\).*/\1/p' "$CLIENT_LOG" | head -n 1)
[ -n "$remote_ll" ] || fail "no remote LL address in the client log"
out=$(ip netns exec cli ping -6 -n -c 2 -W 2 "$remote_ll%ppp0" 2>&1) ||
    fail "ping6 $remote_ll%ppp0 failed: $out"
pass "ping6 across the tunnel: $(echo "$out" | grep 'packet loss')"
stop_client 20
assert_client_rc 5

: >"$CLIENT_LOG"
# +ipv6 first, as from /etc/ppp/options: noipv6 in the peers file wins.
write_peers softether +ipv6 noipv6
run_client softether
wait_ip_up 30
assert_log "$SERVER_PPPD_LOG" 'sent \[IPV6CP ConfReq' 10
assert_not_log "$CLIENT_LOG" 'sent \[IPV6CP'
pass "with noipv6 the client sends no IPv6CP, and IPCP still comes up"
stop_client 20
assert_client_rc 5
assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10
