# Issue #10: the seccomp filter holds. The test-hooks build of the plugin
# (plugin/.libs/sstp-testhooks.so; the release sstp.so has no such option)
# makes the helper call execve(), then open(), right after it installs the
# filter: the kernel must kill it with SIGSYS, pppd must say so in one line,
# and persist must redial.
. "$top_srcdir/tests/system/lib.sh"
SSTP_PLUGIN=$top_builddir/plugin/.libs/sstp-testhooks.so
prepare_sstp
start_server --hash sha256 --expect-host sstp.test
KILLED='^sstp: the helper process was killed by the sandbox \(signal SIGSYS\): .* please report'

# execve, with persist: killed on every dial, pppd redials.
write_peers main persist holdoff 1 maxfail 0 sstp-test-sandbox execve
run_client main
assert_log "$CLIENT_LOG" 'test hook: calling execve\(\) inside the sandbox' 30
assert_log "$CLIENT_LOG" "$KILLED" 30 2
assert_not_log "$CLIENT_LOG" 'survived the sandbox'
echo "KILL-LINE: $(grep -m1 -E "$KILLED" "$CLIENT_LOG")"
# One line per death: no "ended unexpectedly" on top of it.
assert_not_log "$CLIENT_LOG" 'helper process ended unexpectedly'
kill -0 "$CLIENT_PID" 2>/dev/null || fail "client pppd exited instead of redialling (persist)"
pass "pppd redials after the helper was killed"
stop_client 20

# open: no file after the filter either. Without persist: exit 8.
: >"$CLIENT_LOG"
write_peers once sstp-test-sandbox open
run_client once
wait_client_exit 30 || fail "client pppd still running 30s after the helper was killed"
assert_client_rc 8
assert_log "$CLIENT_LOG" 'test hook: calling open\(\) inside the sandbox'
assert_log "$CLIENT_LOG" "$KILLED"
[ "$(count_log "$CLIENT_LOG" '^sstp: the helper')" = 1 ] || fail "more than one line about the helper's death"
pass "one line about the helper's death"
IGNORE_SERVER=1 assert_no_leftovers 10
