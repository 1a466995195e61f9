# MS-CHAPv2 with the SHA-1 crypto binding (server offers only SHA-1).
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=mschapv2
basic_call sha1 SHA-1 mschapv2 MS-CHAPv2
assert_log "$CLIENT_LOG" 'CHAP authentication succeeded'
