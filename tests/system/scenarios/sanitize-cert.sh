# Issue #10: network text is sanitised before it is logged. The server's
# certificate (from the test CA, so only the name is wrong) has a DNS name
# with ESC and a newline followed by a fake log line; the client prints the
# names when it refuses the certificate: the ESC must come out as \x1b, the
# newline as \x0a, and no line may start with the forged text.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
EVIL_CERT=$CERTDIR/server-evil-san.pem
"$PYTHON" - "$CERTDIR/ca.pem" "$CERTDIR/ca-key.pem" "$SERVER_KEY" "$EVIL_CERT" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ca = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
ca_key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
key = serialization.load_pem_private_key(open(sys.argv[3], "rb").read(), None)
now = datetime.datetime.now(datetime.timezone.utc)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evil\x1b[2J.test")])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("evil\x1b[31m.test\nsstp: FORGED line")]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256()))
open(sys.argv[4], "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY
SERVER_CERT=$EVIL_CERT start_server --hash sha256
write_peers main
run_client main
wait_client_exit 20 || fail "client pppd still running 20s after start (certificate for another name)"
assert_client_rc 8
assert_log "$CLIENT_LOG" '^sstp: server certificate does not match sstp\.test: it is for evil\\x1b\[31m\.test\\x0asstp: FORGED line '
echo "SANITISED: $(grep -m1 'does not match' "$CLIENT_LOG")"
assert_not_log "$CLIENT_LOG" '^sstp: FORGED'
grep -q $'\x1b' "$CLIENT_LOG" && fail "a raw ESC reached the log"
pass "no raw ESC in the log"
# The subject (debug line) is the server's text too.
assert_log "$CLIENT_LOG" 'subject "CN=evil\\x1b\[2J\.test'
IGNORE_SERVER=1 assert_no_leftovers 10
