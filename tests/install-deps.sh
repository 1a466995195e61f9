#!/bin/sh
# Install everything the build and the tests need on a fresh Debian 12.
# Idempotent, quiet and non-interactive; must run as root.
#
# The system tests need a kernel with PPP support. This machine's kernel has
# none, so they boot user-mode-linux (user-mode-linux + kmod for insmod); where
# /dev/ppp works natively they run directly in private namespaces instead.
# The proxy scenarios start their own squid (with apache2-utils' htpasswd for
# Basic auth) and dante's SOCKS server inside a network namespace.
#
# The pppd 2.5 tests fetch Debian 13's ppp source package through a private
# apt configuration (dpkg-dev, debian-archive-keyring) and build it (OpenSSL
# for MS-CHAP, MPPE and EAP-TLS). The Debian packaging test needs debhelper.
# The OCSP stapling test makes an out-of-date OCSP response with openssl
# under faketime.
#
# The interoperability tests (tests/interop) build accel-ppp (cmake, PCRE2,
# OpenSSL) and sstp-server's C codec (python3-dev), measure with iperf3, and
# give sstp-server sstp-client's pppd plugin, through which it checks the
# Crypto Binding.
set -eu

PACKAGES="
    build-essential autoconf automake libtool pkg-config
    ppp ppp-dev
    libgnutls28-dev gnutls-bin libcurl4-gnutls-dev libmnl-dev libseccomp-dev
    user-mode-linux kmod
    iproute2 iputils-ping procps psmisc util-linux coreutils
    python3 python3-cryptography
    clang libclang-rt-14-dev clang-format
    squid apache2-utils dante-server
    dpkg-dev debian-archive-keyring libssl-dev
    debhelper fakeroot lintian openssl groff-base faketime
    cmake libpcre2-dev python3-dev iperf3 sstp-client
"

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: must run as root" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive

missing=""
for p in $PACKAGES; do
    # "install ok installed" only for fully installed packages.
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps.sh: all packages already installed"
    exit 0
fi

echo "install-deps.sh: installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    $missing >/dev/null
echo "install-deps.sh: done"
