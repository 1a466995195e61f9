# PAP: no MPPE keys, so the crypto binding uses the all-zero HLAK.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=pap
basic_call sha256 SHA-256 zero PAP
assert_log "$CLIENT_LOG" 'PAP authentication succeeded'
