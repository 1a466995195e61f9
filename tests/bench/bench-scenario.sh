# Throughput benchmark scenario: pppd-sstp (sstp.so) against Debian's sstpc,
# both dialling the same fast bench server, plus raw TLS over the same veth.
# An experiment can run beside them as a third client, "alt": pppd-sstp with
# another build of sstp.so ($SSTP_BENCH_ALT_PLUGIN) and/or extra environment
# for its pppd ($SSTP_BENCH_ALT_ENV, e.g. a GnuTLS configuration that turns on
# kTLS: GNUTLS_SYSTEM_PRIORITY_FILE=...).
# Runs under tests/system/run-scenario.sh (inside user-mode-linux here); start
# it with tests/bench/run.sh, which prints the table from the files written
# to $SSTP_RESULT_DIR:
#   results.txt   one line per measurement: kind client dir round and the
#                 CPU ticks of the client tree, the server tree and the whole
#                 machine during the iperf3 run
#   iperf-*.json  iperf3's own report of each run
#   ping-*.txt    ping across the tunnel while iperf3 runs (latency under load)
#   tls-stat-*.txt  /proc/net/tls_stat after each dial (did kTLS engage?)
#   strace-*.txt  strace -c -f of the client processes (separate round)
#   raw-*.txt     raw TLS runs
. "$top_srcdir/tests/system/lib.sh"

SECS=${SSTP_BENCH_SECONDS:-10}
ROUNDS=${SSTP_BENCH_ROUNDS:-3}
STRACE_SECS=${SSTP_BENCH_STRACE_SECONDS:-5}
CLIENTS=${SSTP_BENCH_CLIENTS:-plugin sstpc} # "plugin alt" to measure an experiment
ALT_PLUGIN=${SSTP_BENCH_ALT_PLUGIN:-$SSTP_PLUGIN}
ALT_ENV=${SSTP_BENCH_ALT_ENV:-}
PING_INTERVAL=${SSTP_BENCH_PING_INTERVAL:-0.1}
RAW=${SSTP_BENCH_RAW:-1}
BENCH_SERVER=${SSTP_BENCH_SERVER:?path of sstp-bench-server}
RESULTS=$LOGDIR/results.txt
RAW_PORT=4433
: >"$RESULTS"

require_plugin
command -v iperf3 >/dev/null || hard_error "iperf3 missing (tests/bench/run.sh installs it)"
command -v sstpc >/dev/null || hard_error "sstpc missing (package sstp-client)"
make_certs "$CERTDIR"
setup_net
setup_etc_ppp

cat >"$SERVER_PPPD_OPTIONS" <<EOF
auth
require-mschap-v2
name $PPP_SERVER_NAME
$PPP_SERVER_IP:$PPP_CLIENT_IP
noccp
nodefaultroute
noproxyarp
lcp-echo-interval 0
logfile $LOGDIR/server-pppd.log
EOF

# Both clients get exactly the same PPP options; only the channel differs.
common_peer_options() {
    cat <<EOF
user $PPP_USER
remotename $PPP_SERVER_NAME
noauth
noipdefault
nodefaultroute
noccp
noaccomp
nopcomp
lcp-echo-interval 0
nodetach
logfile $LOGDIR/client-$1.log
EOF
}
for client in plugin alt; do
    {
        if [ $client = alt ]; then echo "plugin $ALT_PLUGIN"; else echo "plugin $SSTP_PLUGIN"; fi
        echo "sstp-server sstp.test"
        echo "sstp-ca-file $CA_CERT"
        common_peer_options $client
    } >/etc/ppp/peers/bench-$client
done
{
    echo "pty \"sstpc --nolaunchpppd --ca-cert $CA_CERT --user $PPP_USER --password $PPP_PASSWORD --log-level 1 sstp.test\""
    common_peer_options sstpc
} >/etc/ppp/peers/bench-sstpc
mkdir -p /var/run/sstpc

# Kernel TLS, for an alt client whose GnuTLS is told to use it. The UML
# kernel has it as modules, and module autoloading cannot find them.
moddir=/lib/modules/$(uname -r)/kernel
[ -d "$moddir" ] || moddir=/usr/lib/uml/modules/$(uname -r)/kernel
for m in crypto/gf128mul crypto/ghash-generic crypto/ctr crypto/gcm net/tls/tls; do
    [ -f "$moddir/$m.ko" ] && ! grep -q "^$(basename $m | tr - _) " /proc/modules &&
        { insmod "$moddir/$m.ko" 2>/dev/null || note "insmod $m failed"; }
done

ip netns exec srv "$BENCH_SERVER" serve --listen $SRV_IP4 --port 443 --raw-port $RAW_PORT \
    --cert "$SERVER_CERT" --key "$SERVER_KEY" --pppd-options "$SERVER_PPPD_OPTIONS" \
    --pidfile "$SERVER_PIDFILE" >"$LOGDIR/bench-server.log" 2>&1 &
SERVER_PID=$!
wait_until 10 _server_ready || fail "bench server not listening"
ip netns exec srv iperf3 -s >"$LOGDIR/iperf3-server.log" 2>&1 &
IPERF_PID=$!
trap 'kill $IPERF_PID $SERVER_PID 2>/dev/null || true' EXIT
note "bench server pid $SERVER_PID, iperf3 server pid $IPERF_PID; $ROUNDS rounds of ${SECS}s"

HZ=$(getconf CLK_TCK)
echo "hz $HZ" >>"$RESULTS"

# tree_pids ROOT: ROOT and all its descendants.
tree_pids() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            for (p in parent) {
                q = p
                while (q != root && q in parent && q > 1) q = parent[q]
                if (q == root) printf "%s ", p
            }
        }'
}
# cpu_ticks PID...: utime + stime summed (exited ones count 0).
cpu_ticks() {
    local p sum=0 t
    for p in "$@"; do
        t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || t=0
        sum=$((sum + ${t:-0}))
    done
    echo $sum
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
all_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

dial() {
    local env=
    [ "$1" = alt ] && env=$ALT_ENV
    # shellcheck disable=SC2086
    ip netns exec cli env $env "$PPPD" call "bench-$1" >>"$LOGDIR/client-$1.stdout" 2>&1 &
    CLIENT_PID=$!
    wait_until 40 ppp_has_addr cli $PPP_CLIENT_IP $PPP_SERVER_IP ||
        fail "$1: ppp0 did not come up"
    # let LCP/IPCP settle and the server's iperf3 bind
    sleep 1
    # per network namespace: the client's
    ip netns exec cli cat /proc/net/tls_stat >"$LOGDIR/tls-stat-$1.txt" 2>/dev/null || true
}
hang_up() {
    kill -TERM "$CLIENT_PID" 2>/dev/null || true
    wait_until 20 _client_gone || fail "$1: pppd did not exit"
    wait "$CLIENT_PID" 2>/dev/null || true
    CLIENT_PID=
    wait_until 20 _srv_ppp_gone || fail "server side ppp0 did not go away"
}
_srv_ppp_gone() { ! ip -n srv link show 2>/dev/null | grep -q ' ppp'; }

# measure CLIENT DIR ROUND
measure() {
    local client=$1 dir=$2 round=$3 flag= cpids spids c0 s0 b0 a0 c1 s1 b1 a1 ping_pid
    [ "$dir" = down ] && flag=-R
    cpids=$(tree_pids "$CLIENT_PID")
    spids=$(tree_pids "$SERVER_PID")
    c0=$(cpu_ticks $cpids) s0=$(cpu_ticks $spids) b0=$(busy_ticks) a0=$(all_ticks)
    # The RTT users feel while the tunnel is loaded (bufferbloat of TCP in
    # TCP): from 1 s into the run, past TCP's slow start, to its end. Ping's
    # own CPU is outside the client tree's figure.
    (sleep 1; ip netns exec cli ping -n -i "$PING_INTERVAL" -w $((SECS - 1)) $PPP_SERVER_IP \
        >"$LOGDIR/ping-$client-$dir-$round.txt" 2>&1) &
    ping_pid=$!
    ip netns exec cli iperf3 -c $PPP_SERVER_IP -t "$SECS" -J $flag \
        >"$LOGDIR/iperf-$client-$dir-$round.json" 2>&1 || note "iperf3 $client $dir failed"
    wait $ping_pid || true
    c1=$(cpu_ticks $cpids) s1=$(cpu_ticks $spids) b1=$(busy_ticks) a1=$(all_ticks)
    echo "tunnel $client $dir $round client_ticks $((c1 - c0)) server_ticks $((s1 - s0))" \
        "busy_ticks $((b1 - b0)) all_ticks $((a1 - a0)) client_procs $(echo $cpids | wc -w)" >>"$RESULTS"
    note "$client $dir round $round done"
}

raw_tls() {
    local dir=$1 round=$2 b0 a0 b1 a1
    b0=$(busy_ticks) a0=$(all_ticks)
    ip netns exec cli "$BENCH_SERVER" raw --connect $SRV_IP4 --port $RAW_PORT \
        --seconds "$SECS" --direction "$dir" >"$LOGDIR/raw-$dir-$round.txt" 2>&1 ||
        note "raw TLS $dir failed"
    b1=$(busy_ticks) a1=$(all_ticks)
    echo "raw tls $dir $round busy_ticks $((b1 - b0)) all_ticks $((a1 - a0)) $(cat "$LOGDIR/raw-$dir-$round.txt")" >>"$RESULTS"
}

for round in $(seq 1 "$ROUNDS"); do
    # alternate the order so that drifts in machine load hit both alike
    order=$CLIENTS
    if [ $((round % 2)) = 0 ]; then order=$(echo "$CLIENTS" | awk '{ for (i = NF; i; i--) printf "%s ", $i }'); fi
    for client in $order; do
        dial $client
        measure $client up $round
        measure $client down $round
        hang_up $client
    done
    if [ "$RAW" = 1 ]; then
        raw_tls up $round
        raw_tls down $round
    fi
done

# System calls: a separate round, since strace slows everything down.
for client in $CLIENTS; do
    dial $client
    for dir in up down; do
        flag=
        [ "$dir" = down ] && flag=-R
        args=
        for p in $(tree_pids "$CLIENT_PID"); do args="$args -p $p"; done
        strace -c -f -q -o "$LOGDIR/strace-$client-$dir.txt" $args &
        spid=$!
        sleep 1
        ip netns exec cli iperf3 -c $PPP_SERVER_IP -t "$STRACE_SECS" -J $flag \
            >"$LOGDIR/iperf-strace-$client-$dir.json" 2>&1 || note "iperf3 under strace failed"
        kill -INT $spid
        wait $spid || true
        echo "strace $client $dir" >>"$RESULTS"
    done
    hang_up $client
done
pass "benchmark finished"
