# No secret in any client log of a debug run: the password, both MPPE keys,
# the HLAK and the CMK, written as text, hex (either case, with or without
# separators) or raw bytes. The test server derives those values itself and
# hands them over through --secrets-out.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=mschapv2
secrets=$WORKDIR/secrets
start_server --hash sha256 --echo-interval 1 --secrets-out "$secrets"
write_peers main
run_client main
wait_ip_up 30
assert_log "$SERVER_LOG" 'VERDICT call-connected OK .*hlak=mschapv2' 10
ping_both_ways
stop_client 20
assert_client_rc 5
[ -s "$secrets" ] || fail "the test server wrote no secrets to $secrets"

logs="$CLIENT_LOG $CLIENT_OUT $LOGDIR/uml-console.log"
if ! found=$("$PYTHON" - "$secrets" $logs <<'PY'
import re, sys
secrets = [line.split() for line in open(sys.argv[1])]
hits = []
for path in sys.argv[2:]:
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        continue
    # Hex dumps may separate bytes with spaces or colons: compare without them.
    squeezed = re.sub(rb"[\s:]", b"", data).lower()
    for name, value in secrets:
        raw = bytes.fromhex(value)
        forms = [raw, value.encode()]
        if name == "password":
            forms = [raw]
        if any(f in data for f in forms) or value.encode() in squeezed:
            hits.append("%s in %s" % (name, path))
print("; ".join(sorted(set(hits))))
sys.exit(1 if hits else 0)
PY
); then
    fail "secrets found in client logs: $found"
fi
pass "no password, MPPE key, HLAK or CMK in: $(for f in $logs; do [ -e "$f" ] && basename "$f"; done | tr '\n' ' ')"
IGNORE_SERVER=1 assert_no_leftovers 10
