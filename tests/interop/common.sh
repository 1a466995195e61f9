# shellcheck shell=sh
# Shared by the interoperability tests' host-side scripts (t-interop-build.sh,
# run-interop.sh): where the servers' tarballs are, and what to do when they
# are not there.
#
# SSTP_INTEROP_SERVERS names the directory with the tarballs; by default it
# is shared/servers beside the source tree (where CI lays it).
: "${top_srcdir:?}"

interop_servers_dir() {
	echo "${SSTP_INTEROP_SERVERS:-$top_srcdir/../shared/servers}"
}

# In CI the tarballs are always there: their absence is an error, not a skip.
interop_required() {
	[ "${CI:-}" = true ] || [ "${SSTP_REQUIRE_SYSTEM_TESTS:-0}" = 1 ]
}

# interop_unavailable WHY: skip (77) with one line, or 99 where required.
interop_unavailable() {
	if interop_required; then
		echo "ERROR: interoperability tests cannot run: $*"
		echo "ERROR: CI=true or SSTP_REQUIRE_SYSTEM_TESTS=1, so this is a hard error"
		exit 99
	fi
	echo "SKIP: interoperability tests cannot run: $*"
	exit 77
}

# interop_require_servers_dir: the tarball directory exists, or skip/error.
interop_require_servers_dir() {
	_d=$(interop_servers_dir)
	[ -d "$_d" ] ||
		interop_unavailable "no server tarballs in $_d (set SSTP_INTEROP_SERVERS to the directory with accel-ppp-*.tar.xz and sstp-server-*.tar.xz)"
}
