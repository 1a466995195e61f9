#!/bin/sh
# Fetch Debian 13's ppp source package (pppd 2.5.x) and build pppd from it
# into a private prefix, for the tests that run the plugin with pppd 2.5.
#
#   build-pppd25.sh            prints the prefix on the last line of stdout
#
# Everything lives under one cache directory (default /var/cache/pppd-sstp,
# or $SSTP_PPPD25_CACHE) so that later runs reuse the download and the build:
#   apt/      a private apt configuration: its own sources, lists and cache;
#             the machine's apt configuration is never read for sources nor
#             changed
#   src/      the downloaded source package
#   build/    the unpacked, patched source tree
#   pppd-V/   the install prefix: sbin/pppd, include/pppd, share/pkgconfig,
#             lib/pppd/V (pppd's own plugin directory)
# pppd reads /etc/ppp as usual (--sysconfdir=/etc) and keeps its run-time
# files in /run, like the distribution's build; the tests bind-mount a
# scratch /etc/ppp over the real one. The install is staged, so that pppd's
# sample files never reach the machine's /etc/ppp.
#
# Exit codes: 0 built (or cached), 77 the source package cannot be fetched
# (no network, no trixie in reach), 1 anything else (a build failure).
set -eu

cache=${SSTP_PPPD25_CACHE:-/var/cache/pppd-sstp}
suite=${SSTP_PPPD25_SUITE:-trixie}
mirror=${SSTP_PPPD25_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

log() { echo "build-pppd25: $*" >&2; }
skip() { log "SKIP: $*"; exit 77; }

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# One builder at a time (make check and make distcheck may share the cache).
exec 8>>"$cache/.lock"
flock 8

# A finished build leaves its prefix in "current".
if [ -s "$cache/current" ]; then
	prefix=$(cat "$cache/current")
	if [ -f "$prefix/.complete" ] && [ -x "$prefix/sbin/pppd" ]; then
		log "using the cached build in $prefix ($("$prefix/sbin/pppd" --version 2>&1))"
		echo "$prefix"
		exit 0
	fi
fi

# --- the source package, through a private apt configuration ----------------
apt_dir=$cache/apt
mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/src"
[ -f "$keyring" ] || skip "$keyring missing (package debian-archive-keyring)"
cat >"$apt_dir/sources/$suite.sources" <<SRC
Types: deb-src
URIs: $mirror
Suites: $suite
Components: main
Signed-By: $keyring
SRC
apt_get() {
	apt-get -q \
		-o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/sources" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir/cache" \
		-o Dir::State::Status=/dev/null \
		-o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root \
		"$@"
}

dsc=$(ls "$cache"/src/ppp_2.5.*.dsc 2>/dev/null | tail -n 1 || true)
if [ -z "$dsc" ]; then
	command -v dpkg-source >/dev/null || skip "dpkg-source missing (package dpkg-dev)"
	log "fetching the ppp source package from $suite ($mirror)"
	apt_get update >"$cache/apt-update.log" 2>&1 ||
		skip "apt-get update for $suite failed (no network?): $(tail -n 2 "$cache/apt-update.log" | tr '\n' ' ')"
	(cd "$cache/src" && apt_get source --download-only ppp) >"$cache/apt-source.log" 2>&1 ||
		skip "apt-get source ppp from $suite failed: $(tail -n 2 "$cache/apt-source.log" | tr '\n' ' ')"
	dsc=$(ls "$cache"/src/ppp_2.5.*.dsc 2>/dev/null | tail -n 1 || true)
	[ -n "$dsc" ] || skip "$suite's ppp source package is not pppd 2.5: $(ls "$cache/src")"
fi
log "source package: $(basename "$dsc")"

# --- unpack (Debian's patches applied), build, install ----------------------
src=$cache/build/$(basename "$dsc" .dsc)
rm -rf "$src"
mkdir -p "$cache/build"
dpkg-source --no-check -x "$dsc" "$src" >"$cache/build/unpack.log" 2>&1 || {
	cat "$cache/build/unpack.log" >&2
	exit 1
}
# Upstream version: "Version: [EPOCH:]UPSTREAM-REVISION" in the .dsc.
version=$(sed -n 's/^Version: *\([0-9]*:\)\{0,1\}\(.*\)-[^-]*$/\2/p' "$dsc")
case $version in
2.5.*) ;;
*) log "unexpected pppd version '$version' in $src/configure.ac"; exit 1 ;;
esac
prefix=$cache/pppd-$version
rm -rf "$prefix"
buildlog=$cache/build/build.log
log "building pppd $version into $prefix (log: $buildlog)"
(
	set -e
	cd "$src"
	# Debian's patches touch Makefile.am: regenerate, as its own build does.
	autoreconf -fi
	# Only what the tests need: MS-CHAP/MPPE, EAP-TLS and PEAP (OpenSSL), IPv6.
	./configure --prefix="$prefix" --sysconfdir=/etc \
		--with-runtime-dir=/run --with-logfile-dir=/var/log \
		--with-plugin-dir="$prefix/lib/pppd/$version" \
		--disable-static --disable-systemd --without-pam --without-pcap \
		--without-srp --without-atm
	make -j"$(nproc)"
	# Stage the install: "make install" also puts sample files into
	# sysconfdir (/etc/ppp), and nothing may land outside the prefix.
	rm -rf "$cache/build/stage"
	make install DESTDIR="$cache/build/stage"
	mkdir -p "$prefix"
	cp -a "$cache/build/stage$prefix/." "$prefix/"
	rm -rf "$cache/build/stage"
) >"$buildlog" 2>&1 || {
	tail -n 40 "$buildlog" >&2
	log "building pppd $version failed; whole log: $buildlog"
	exit 1
}
"$prefix/sbin/pppd" --version >/dev/null 2>&1 || {
	log "the built $prefix/sbin/pppd does not run"
	exit 1
}
touch "$prefix/.complete"
echo "$prefix" >"$cache/current"
log "built $("$prefix/sbin/pppd" --version 2>&1) in $prefix"
echo "$prefix"
