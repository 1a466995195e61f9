#!/bin/sh
# Debian packaging: builds the .deb from contrib/debian with
# "dpkg-buildpackage -us -uc -b" in a clean copy of the tree, then checks
#   - the plugin lands in the plugin directory of the pppd installed here
#     (/usr/lib/pppd/VERSION), with the man page, the examples and
#     azure-p2s-import;
#   - lintian -EvIL +pedantic reports nothing (what remains is overridden,
#     with the reason, in contrib/debian/pppd-sstp.lintian-overrides);
#   - dh_ppp tied the package to that pppd version (Depends);
#   - the packaged sstp.so loads into the installed pppd.
# Skips where this is not Debian or the build dependencies are missing
# (a hard error with SSTP_REQUIRE_SYSTEM_TESTS=1, as in CI).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

cannot() {
	if [ "${SSTP_REQUIRE_SYSTEM_TESTS:-0}" = 1 ]; then
		echo "ERROR: $* (run tests/install-deps.sh as root)"
		exit 99
	fi
	echo "SKIP: $*"
	exit 77
}
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "PASS: $*"; }

command -v dpkg-buildpackage >/dev/null 2>&1 || cannot "dpkg-buildpackage missing (not Debian, or no dpkg-dev)"
[ -x /usr/sbin/pppd ] || cannot "pppd is not installed (package ppp)"
pppd_version=$(/usr/sbin/pppd --version 2>&1 | sed -n 's/^pppd version //p')
plugindir=/usr/lib/pppd/$pppd_version

work=$top_builddir/tests/deb
rm -rf "$work"
mkdir -p "$work"
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
tree=$work/pppd-sstp-$version
(cd "$top_builddir" && make -s distdir distdir="$tree") >"$work/distdir.log" 2>&1 ||
	{ cat "$work/distdir.log"; fail "make distdir failed"; }
cp -R "$top_srcdir/contrib/debian" "$tree/debian"
# Under make distcheck the copied files are read-only; the package build
# regenerates configure and friends in place.
chmod -R u+w "$tree"

cd "$tree" || exit 99
missing=$(dpkg-checkbuilddeps 2>&1) || cannot "build dependencies missing: ${missing#*: }"

# Root may build directly; others need fakeroot for the binary target.
root_cmd=
[ "$(id -u)" = 0 ] || root_cmd=-rfakeroot
echo "# dpkg-buildpackage -us -uc -b in $tree (log: $work/build.log)"
# The outer make's variables must not leak into the package build.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u DESTDIR \
	dpkg-buildpackage -us -uc -b $root_cmd >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log"; fail "dpkg-buildpackage failed"; }
pass "dpkg-buildpackage -us -uc -b"

deb=$(ls "$work"/pppd-sstp_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no pppd-sstp_*.deb in $work"
echo "# $(basename "$deb"):"
dpkg-deb -c "$deb" | sed 's/^/#   /'
contents=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for f in ".$plugindir/sstp.so" ./usr/share/man/man8/pppd-sstp.8.gz \
	./usr/share/doc/pppd-sstp/examples/peers-rras-mschapv2 \
	./usr/bin/azure-p2s-import ./usr/share/man/man1/azure-p2s-import.1.gz; do
	echo "$contents" | grep -qx "$f" || fail "$f is not in the package"
	pass "the package has $f"
done
if echo "$contents" | grep -E '\.la$|/usr/include/'; then
	fail "the package ships libtool or development files"
fi

depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
expect=$(sed -n 's/^ppp:Depends=//p' /usr/share/ppp-dev/substvars)
# dpkg-gencontrol may reorder the relations: look for each one.
echo "$expect" | tr ',' '\n' | sed 's/^ *//' | while read -r rel; do
	case ", $depends," in
	*", $rel,"*) ;;
	*) echo "FAIL: Depends lacks dh_ppp's '$rel'"; exit 1 ;;
	esac
done || exit 1
pass "dh_ppp tied the package to this pppd: $expect"
case ", $depends," in
*", ca-certificates,"*) pass "Depends has ca-certificates (the default trust store)" ;;
*) fail "Depends lacks ca-certificates" ;;
esac

if command -v lintian >/dev/null 2>&1; then
	changes=$(ls "$work"/pppd-sstp_*.changes | head -n 1)
	# Root is fine here; lintian only says it prefers not.
	lintian -EvIL +pedantic "$changes" >"$work/lintian.log" 2>&1
	tags=$(grep -E '^[EWIPX]: ' "$work/lintian.log")
	if [ -n "$tags" ]; then
		printf '%s\n' "$tags" | sed 's/^/# lintian: /'
		fail "lintian -EvIL +pedantic reports tags (see $work/lintian.log)"
	fi
	pass "lintian -EvIL +pedantic $(basename "$changes"): no tags"
else
	cannot "lintian missing"
fi

# What dpkg would install: unpack and load the packaged plugin.
dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x failed"
so=$work/root$plugindir/sstp.so
out=$(/usr/sbin/pppd file /dev/null plugin "$so" sstp-server sstp.test noauth nodetach dryrun 2>&1)
echo "$out" | sed 's/^/# pppd: /'
echo "$out" | grep -q "^Plugin $so loaded\.$" || fail "pppd $pppd_version does not load the packaged plugin"
pass "pppd $pppd_version loads the packaged sstp.so"
