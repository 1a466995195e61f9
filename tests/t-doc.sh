#!/bin/sh
# Documentation checks: every option in the plugin's option tables appears in
# the man page and in the README, and groff formats the man page without a
# warning.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
man_in=$top_srcdir/doc/pppd-sstp.8.in
man=$top_builddir/doc/pppd-sstp.8
failed=0

options=$(sed -n 's/^[[:space:]]*{\{0,1\}\.name = "\(sstp-[a-z0-9-]*\)".*/\1/p' "$top_srcdir"/plugin/*.c | grep -v '^sstp-test-' | sort -u)
[ -n "$options" ] || { echo "ERROR: found no sstp-* options in plugin/*.c"; exit 99; }
for o in $options; do
	# groff source writes the hyphens as \-
	esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	if grep -q "^\.BI* \"*$esc" "$man_in"; then
		echo "PASS: $o is documented in the man page"
	else
		echo "FAIL: $o is missing from doc/pppd-sstp.8.in (an .TP/.BI entry)"
		failed=1
	fi
	if grep -q -- "\`$o" "$top_srcdir/README"; then
		echo "PASS: $o is in the README's option table"
	else
		echo "FAIL: $o is missing from the README's option table"
		failed=1
	fi
done

if grep -q '@[A-Z_]*@' "$man"; then
	echo "FAIL: unsubstituted variables in $man: $(grep -o '@[A-Z_]*@' "$man" | sort -u | tr '\n' ' ')"
	failed=1
fi
if command -v groff >/dev/null 2>&1; then
	warnings=$(LC_ALL=C groff -t -man -ww -z -Tutf8 "$man" 2>&1)
	if [ -n "$warnings" ]; then
		echo "FAIL: groff warns about the man page:"
		echo "$warnings"
		failed=1
	else
		echo "PASS: groff formats the man page without warnings"
	fi
else
	echo "# groff not installed: man page formatting not checked"
fi
exit $failed
