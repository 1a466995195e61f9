#!/bin/sh
# pppd 2.5 for the test suite: builds pppd 2.5.x from Debian 13's source
# package (build-pppd25.sh, cached between runs), then builds the plugin a
# second time against that pppd's headers and pppd.pc, and checks that
#   - configure picks API 25, pppd's exact version and pppd's plugin directory;
#   - make install puts sstp.so (and nothing else) into that directory;
#   - pppd 2.5 loads this build, and refuses the 2.4.9 build of the tree.
# On success it writes tests/pppd/pppd25.env, which the t25-*.sh system tests
# read (SSTP_CLIENT_PPPD, SSTP_PLUGIN). Skips only when the source package
# cannot be fetched.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

out=$top_builddir/tests/pppd
envfile=$out/pppd25.env
work=$out/pppd25
mkdir -p "$out"
rm -f "$envfile"
rm -rf "$work"
mkdir -p "$work"

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "PASS: $*"; }

prefix=$("$top_srcdir/tests/pppd/build-pppd25.sh" 2>"$work/build-pppd25.err")
rc=$?
cat "$work/build-pppd25.err"
case $rc in
0) ;;
77) echo "SKIP: pppd 2.5 is not available: $(grep SKIP "$work/build-pppd25.err")"; exit 77 ;;
*) fail "building pppd 2.5 failed (exit $rc)" ;;
esac
prefix=$(echo "$prefix" | tail -n 1)
pppd=$prefix/sbin/pppd
version=$("$pppd" --version 2>&1 | sed -n 's/^pppd version //p')
pass "pppd $version in $prefix"

# pppd.pc: Debian installs it into share/pkgconfig, upstream into lib/pkgconfig.
pc=$(find "$prefix" -name pppd.pc | head -n 1)
[ -n "$pc" ] || fail "no pppd.pc below $prefix"
pcdir=$(dirname "$pc")
plugindir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=plugindir pppd)
[ "$plugindir" = "$prefix/lib/pppd/$version" ] ||
	fail "pppd.pc's plugindir is $plugindir, expected $prefix/lib/pppd/$version"

# A clean copy of the tree (the source directory may be configured in place).
echo "# make distdir into $work/src"
(cd "$top_builddir" && make -s distdir distdir="$work/src") >"$work/distdir.log" 2>&1 ||
	{ cat "$work/distdir.log"; fail "make distdir failed"; }
mkdir -p "$work/build"
cd "$work/build" || exit 99
PKG_CONFIG_PATH=$pcdir "$work/src/configure" >"$work/configure.log" 2>&1 ||
	{ tail -n 30 "$work/configure.log"; fail "configure against pppd $version failed"; }
sed -n '/pppd version:/,/libcurl:/p' "$work/configure.log" | sed 's/^/# /'
grep -q '^#define SSTP_PPPD_API 25$' config.h || fail "configure did not choose API 25"
grep -q "^#define SSTP_PPPD_VERSION \"$version\"$" config.h ||
	fail "configure's pppd version is not $version: $(grep SSTP_PPPD_VERSION config.h)"
pass "configure chose API 25 and pppd version $version"
got=$(sed -n 's/^PPPD_PLUGIN_DIR = //p' Makefile)
[ "$got" = "$plugindir" ] || fail "configure's plugin directory is '$got', expected $plugindir"
pass "configure chose pppd's plugin directory $plugindir"

make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log"; fail "make failed"; }
grep -E 'warning:' "$work/make.log" && fail "compiler warnings against pppd $version"
pass "the plugin builds against pppd $version without warnings"
make install DESTDIR="$work/destdir" >"$work/install.log" 2>&1 ||
	{ tail -n 20 "$work/install.log"; fail "make install failed"; }
installed=$(cd "$work/destdir" && find . -type f | sort)
echo "# installed: $(echo $installed)"
echo "$installed" | grep -qx "\\.$plugindir/sstp.so" || fail "sstp.so is not in $plugindir"
[ "$(echo "$installed" | grep -c "^\\.$plugindir/")" = 1 ] || fail "more than sstp.so in $plugindir"
pass "make install puts sstp.so into $plugindir"
plugin=$work/build/plugin/.libs/sstp.so

# Load: pppd checks pppd_version against its own; the 2.5 build must load.
SSTP_CLIENT_PPPD=$pppd SSTP_PLUGIN=$plugin top_builddir=$work/build \
	sh "$top_srcdir/tests/pppd/t-plugin-loads.sh" || fail "pppd $version does not load the 2.5 build"
# ... and a build for another pppd must not (dlopen fails on a symbol that
# pppd no longer exports, or pppd's version check rejects it).
main=$top_builddir/plugin/.libs/sstp.so
if [ -f "$main" ] && ! grep -q "SSTP_PPPD_VERSION \"$version\"" "$top_builddir/config.h"; then
	out=$("$pppd" file /dev/null plugin "$main" noauth nodetach dryrun 2>&1)
	echo "$out" | sed 's/^/# pppd: /'
	if echo "$out" | grep -q "^Plugin .* loaded"; then
		fail "pppd $version accepted a plugin built for another version"
	fi
	echo "$out" | grep -q -E "is for pppd version|Couldn't load plugin" ||
		fail "pppd $version gave no reason for not loading the other build"
	pass "pppd $version refuses the plugin built for $(sed -n 's/^#define SSTP_PPPD_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")"
fi

# The EAP-TLS tests run pppd 2.5 as the server too, with a test plugin that
# hands the test server the server pppd's keys (see server-keys-plugin.c).
keys_plugin=$work/server-keys-plugin.so
${CC:-cc} -Wall -Wextra -Werror -shared -fPIC -I"$prefix/include" -o "$keys_plugin" \
	"$top_srcdir/tests/server/server-keys-plugin.c" >"$work/keys-plugin.log" 2>&1 ||
	{ cat "$work/keys-plugin.log"; fail "the server keys plugin does not build against pppd $version"; }
pass "built the test server's keys plugin for pppd $version"
cat >"$envfile" <<ENV
# written by tests/pppd/t-pppd25.sh: the client side of the t25-*.sh system tests
SSTP_CLIENT_PPPD=$pppd
SSTP_PLUGIN=$plugin
SSTP_PPPD25_VERSION=$version
# the server side of the EAP-TLS tests
SSTP_SERVER_PPPD25=$pppd
SSTP_SERVER_KEYS_PLUGIN=$keys_plugin
ENV
pass "wrote $envfile"
