# Issue #5: certificates a client must refuse, made at test time with
# certtool, one per server connection (the server's --cert-plan): expired, not
# yet valid, wrong host name, self-signed, unknown CA, no EKU, clientAuth-only
# EKU, revoked (sstp-crl-file), RSA-1024. Each: pppd exits with
# EXIT_CONNECT_FAILED at once, with a message naming the reason, and the
# server never sees the HTTP request. Then public key pinning: a wrong pin is
# refused, a right pin alone does not override an unknown CA, but with
# sstp-cert-pin-only it does (self-signed server); a right pin on top of the
# CA (and a CRL that does not list the server) gives a working call.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/cases.sh"
prepare_sstp
make_cert_matrix
M=$CERTDIR/matrix
good_pin=$(cert_pin "$M/good.pem")
self_pin=$(cert_pin "$M/self-signed.pem")
[ -n "$good_pin" ] && [ -n "$self_pin" ] || hard_error "certtool printed no public key pin"
note "pins: good $good_pin, self-signed $self_pin"

REFUSED="expired not-yet-valid wrong-name self-signed unknown-ca no-eku client-eku revoked weak-key pin-wrong pin-not-enough"
plan=
for c in $REFUSED pin-only pin-and-ca; do
    case $c in
    wrong-name) plan="$plan,$OTHER_NAME_CERT:$OTHER_NAME_KEY" ;;
    pin-wrong | pin-and-ca) plan="$plan,$M/good.pem:$M/good-key.pem" ;;
    pin-not-enough | pin-only) plan="$plan,$M/self-signed.pem:$M/self-signed-key.pem" ;;
    *) plan="$plan,$M/$c.pem:$M/$c-key.pem" ;;
    esac
done
start_server --hash sha256 --expect-host sstp.test "--cert-plan=${plan#,}"

refused() { # refused CASE ERE [write_peers words...]
    local c=$1 re=$2
    shift 2
    case_start "$c" "$@"
    case_check "$c" 8 "sstp: server certificate (for sstp\.test )?.*$re" 15
    assert_not_log "$SERVER_LOG" "conn=${CASE_CONN[$c]} (EVENT http-|VERDICT)"
}
refused expired 'is not trusted: .*expired'
refused not-yet-valid 'is not trusted: .*not yet valid'
refused wrong-name 'does not match sstp\.test: it is for other\.test'
refused self-signed 'is not trusted: The certificate issuer is unknown; its public key is sha256:'
grep -q -F "sstp: to trust this server by its key alone (a self-signed server), add this line to the peers file: sstp-cert-pin $self_pin sstp-cert-pin-only" "$(case_log self-signed)" ||
    fail "self-signed: no advice with the server's pin $self_pin"
pass "self-signed: the next line gives sstp-cert-pin $self_pin sstp-cert-pin-only"
refused unknown-ca 'is not trusted: The certificate issuer is unknown; its public key is sha256:'
refused no-eku 'is not trusted: it lists no extended key usage, .*trust its key alone with sstp-cert-pin-only'
grep -q -E "sstp: to trust this server by its key alone .* sstp-cert-pin sha256:[A-Za-z0-9+/=]{44} sstp-cert-pin-only" "$(case_log no-eku)" ||
    fail "no-eku: no advice to pin the key"
pass "no-eku: the next line gives the options to trust its key alone"
refused client-eku 'is not trusted: .*intended purpose.*serverAuth'
refused revoked 'is not trusted: .*revoked' sstp-crl-file "$M/crl.pem"
refused weak-key 'is not trusted: its 1024-bit RSA key is too weak'
refused pin-wrong "does not match sstp-cert-pin: its public key is sha256:" \
    sstp-cert-pin "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
grep -q -F "its public key is $good_pin " "$(case_log pin-wrong)" ||
    fail "pin-wrong: the message does not give the server's pin $good_pin"
pass "pin-wrong: the message gives the server's actual pin"
refused pin-not-enough 'is not trusted: The certificate issuer is unknown; its public key is sha256:' \
    sstp-cert-pin "$self_pin"

# Pin-only: trusted on the pin alone, although the CA file knows nothing of it.
case_start pin-only --ca "$OTHER_CA_CERT" sstp-cert-pin "$self_pin" sstp-cert-pin-only
case_up_then_stop pin-only
# curl's spelling of the pin, a CRL that does not list the server, the CA.
case_start pin-and-ca sstp-cert-pin "sha256//${good_pin#sha256:}" sstp-crl-file "$M/crl.pem"
case_up_then_stop pin-and-ca
assert_verdicts_ok
IGNORE_SERVER=1 assert_no_leftovers 10
