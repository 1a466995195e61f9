# MS-CHAPv2 with the SHA-256 crypto binding: tunnel up, 198.51.100.2 on ppp0,
# ping both ways, the server verifies the binding (HLAK from the MS-CHAPv2
# keys), SIGTERM gives a clean SSTP disconnect and exit status 5.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=mschapv2
basic_call sha256 SHA-256 mschapv2 MS-CHAPv2
assert_log "$CLIENT_LOG" 'CHAP authentication succeeded'
# pppd asks for asyncmap 0 by default and the test server's pppd agrees: the
# helper then escapes no control byte (the pings above carry some).
assert_log "$CLIENT_LOG" 'escaping control bytes to pppd per asyncmap 0x00000000'
# Every call logs the versions a bug report needs, at pppd's info level.
assert_log "$CLIENT_LOG" '^sstp: pppd-sstp [0-9][0-9.]* \(pppd [0-9][0-9.]*, GnuTLS [0-9][0-9.]*, libcurl [0-9][0-9.]*\)$'
