#!/bin/sh
# Option mistakes a new user makes get one clear line from the plugin, the
# same whichever side of sstp-server they are on: serial-line options that
# cannot work over SSTP (sync, pty, a tty name) are refused with exit 2;
# harmless ones (crtscts, lock, as in Debian's /etc/ppp/options) are
# accepted in either order; a server pasted as an https:// URL is used with
# a notice, and a URL with a path or another scheme is refused saying what
# to write. pppd parses options before it needs kernel PPP, so this runs
# without /dev/ppp (dryrun then stops, or pppd complains it has no PPP).
set -u
: "${top_builddir:?}" "${SSTP_PLUGIN:?}"

pppd=${SSTP_CLIENT_PPPD:-/usr/sbin/pppd}
[ -x "$pppd" ] || { echo "SKIP: $pppd not installed (package ppp)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (pppd refuses other users' plugins)"; exit 77; }
version=$("$pppd" --version 2>&1 | sed -n 's/^pppd version //p')
built_for=$(sed -n 's/^#define SSTP_PPPD_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ "$version" = "$built_for" ] || { echo "SKIP: this build is for pppd $built_for, not $version"; exit 77; }
failed=0

# run ARGS...: pppd's output in $out (its error prefix, argv[0], shortened to
# "pppd: "), its exit code in $rc
run() {
	out=$("$pppd" file /dev/null plugin "$SSTP_PLUGIN" "$@" noauth nodetach dryrun 2>&1)
	rc=$?
	out=$(printf '%s\n' "$out" | sed 's|^[^ ]*pppd: |pppd: |')
}

# refused WORD ARGS...: pppd exits 2 with our message about WORD
refused() {
	word=$1
	shift
	run "$@"
	want="sstp: '$word' is an option for serial lines and cannot be used with sstp-server (SSTP carries PPP over TLS); remove it"
	if [ "$rc" = 2 ] && printf '%s\n' "$out" | grep -qxF "pppd: $want"; then
		echo "PASS: $* -> exit 2, \"$want\""
	else
		echo "FAIL: $* -> exit $rc:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=1
	fi
}

# accepted ARGS...: pppd gets past option parsing without complaint
accepted() {
	run "$@"
	if [ "$rc" != 2 ] && ! printf '%s\n' "$out" | grep -q "unrecognized option\|^pppd: sstp"; then
		echo "PASS: $* -> accepted (exit $rc: no PPP here, or dryrun)"
	else
		echo "FAIL: $* -> exit $rc:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=1
	fi
}

# says RC LINE ARGS...: pppd exits RC (or, for 0, gets past parsing) and prints LINE
says() {
	want_rc=$1 line=$2
	shift 2
	run "$@"
	if { [ "$want_rc" = 0 ] && [ "$rc" != 2 ]; } || [ "$rc" = "$want_rc" ]; then
		if printf '%s\n' "$out" | grep -qxF "$line"; then
			echo "PASS: $* -> \"$line\""
			return
		fi
	fi
	echo "FAIL: $* -> exit $rc, wanted \"$line\":"
	printf '%s\n' "$out" | sed 's/^/#   /'
	failed=1
}

S=vpn.example.com
refused sync sstp-server $S sync
refused sync sync sstp-server $S
refused pty sstp-server $S pty "echo"
refused pty pty "echo" sstp-server $S
refused /dev/null sstp-server $S /dev/null
refused /dev/null /dev/null sstp-server $S
refused notty sstp-server $S notty
accepted sstp-server $S crtscts lock modem 115200
# An accepted serial-line option takes no argument: the next word is parsed.
refused sync sstp-server $S crtscts sync
accepted crtscts lock modem 115200 sstp-server $S

says 0 "sstp: sstp-server takes host[:port], not a URL: using $S (write sstp-server $S)" \
	sstp-server https://$S/
says 0 "sstp: sstp-server takes host[:port], not a URL: using $S:8443 (write sstp-server $S:8443)" \
	sstp-server https://$S:8443
says 2 "pppd: sstp-server: 'https://$S/sra' has a path, but SSTP always uses its own; write sstp-server $S" \
	sstp-server https://$S/sra
says 2 "pppd: sstp-server: 'http://$S/': SSTP runs over HTTPS only; write sstp-server $S" \
	sstp-server http://$S/
says 2 "pppd: sstp-server: a URL with a user name or password is not a server; write sstp-server $S" \
	sstp-server https://alice:secret@$S/
if printf '%s\n' "$out" | grep -q secret; then
	echo "FAIL: the password in the URL was echoed"
	failed=1
else
	echo "PASS: the password in the URL is not echoed"
fi
# Every example peers file is made of options pppd and the plugin know
# (files they name may be missing here: only the parsing is checked).
peers=$(mktemp) || exit 99
for example in "$top_srcdir"/contrib/examples/peers-*; do
	sed "s|^plugin sstp.so$|plugin $SSTP_PLUGIN|" "$example" >"$peers" || exit 99
	out=$("$pppd" file /dev/null file "$peers" nodetach dryrun 2>&1)
	if ! printf '%s\n' "$out" | grep -q "^Plugin $SSTP_PLUGIN loaded\.$" ||
		printf '%s\n' "$out" | grep -q "unrecognized option\|sstp-server:\|option for serial lines\|In file\|too few"; then
		echo "FAIL: pppd rejects $(basename "$example"):"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=1
	else
		echo "PASS: pppd parses contrib/examples/$(basename "$example")"
	fi
done
rm -f "$peers"
exit $failed
