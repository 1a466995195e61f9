# EAP-MSCHAPv2: the server pppd runs EAP (require-eap) and the test server
# (--eap-nak-md5) makes it behave like a Windows authenticator: it steers it
# from MD5-Challenge to MSCHAPv2 (the Nak a Windows client sends), gives its
# MSCHAPv2 Success the MS-CHAPv2-ID of the client's Response, and ends with
# the EAP Success pppd's authenticator never sends. The client pppd checks the
# server's Authenticator Response (mutual authentication). The crypto
# binding's HLAK is the MS-CHAPv2 one; the test server derives it from the
# password and the NT-Response and verifies it.
. "$top_srcdir/tests/system/lib.sh"
prepare_sstp
# shellcheck disable=SC2034 # read by lib.sh
SERVER_AUTH=eap-mschapv2
basic_call sha256 SHA-256 eap-mschapv2 EAP
assert_log "$SERVER_LOG" 'ppp c>s EAP code=2 id=[0-9]+ type=26'
assert_log "$CLIENT_LOG" 'Chap authentication succeeded! S=[0-9A-F]{40}'
assert_not_log "$CLIENT_LOG" 'mutual authentication failed'
assert_log "$CLIENT_LOG" 'EAP authentication succeeded'
assert_log "$CLIENT_LOG" 'sstp: authentication done \(EAP-MSCHAPv2\), binding with MS-CHAP keys'
