#!/bin/sh
# Build the two independent SSTP servers of the interoperability tests from
# their source tarballs, into a cache that later runs reuse:
#
#   build-servers.sh SERVERS_DIR     prints, on stdout, two lines:
#       SSTP_INTEROP_ACCEL_PPP=<prefix with sbin/accel-pppd, bin/accel-cmd>
#       SSTP_INTEROP_SSTPD=<directory holding the sstpd package>
#
# SERVERS_DIR holds accel-ppp-*.tar.xz (C, cmake) and sstp-server-*.tar.xz
# (Python with a small C codec). Nothing of theirs is ever committed here.
#
# Cache: $SSTP_INTEROP_CACHE (default /var/cache/pppd-sstp/interop), one
# directory per server named after the tarball's sha256 and this script's
# build recipe, marked complete only after a build that ran to the end. A
# changed tarball, or a changed recipe, builds anew.
#
# Exit codes: 0 built (or cached), 1 a build failed (the log's tail on
# stderr), 2 usage or a missing tarball.
set -eu

# Raise when the build commands below change, so caches are rebuilt.
RECIPE=1

log() { echo "build-servers: $*" >&2; }
die() { log "$*"; exit 1; }

[ $# = 1 ] || { log "usage: $0 SERVERS_DIR"; exit 2; }
servers=$1
cache=${SSTP_INTEROP_CACHE:-/var/cache/pppd-sstp/interop}
jobs=$(nproc 2>/dev/null || echo 2)
PYTHON=/usr/bin/python3

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# One builder at a time (make check and make distcheck may share the cache).
exec 8>>"$cache/.lock"
flock 8

# tarball PATTERN: the one tarball in $servers matching PATTERN.
tarball() {
	# shellcheck disable=SC2086 # PATTERN is a glob
	set -- "$servers"/$1
	[ $# = 1 ] && [ -f "$1" ] || { log "expected one $1 in $servers, found: $*"; exit 2; }
	echo "$1"
}

# cache_dir NAME TARBALL: where this tarball's build lives.
cache_dir() {
	sum=$(sha256sum "$2" | cut -c1-16)
	echo "$cache/$1-$sum-r$RECIPE"
}

# unpack TARBALL DIR: the tarball's single top-level directory becomes DIR.
unpack() {
	rm -rf "$2" "$2.unpack"
	mkdir -p "$2.unpack"
	tar -xJf "$1" -C "$2.unpack"
	set -- "$1" "$2" "$2.unpack"/*
	[ $# = 3 ] && [ -d "$3" ] || die "$1 does not hold exactly one top-level directory"
	mv "$3" "$2"
	rmdir "$2.unpack"
}

# --- accel-ppp ----------------------------------------------------------------
# Only what SSTP needs: no RADIUS, no shaper, no out-of-tree kernel modules.
# Staged with DESTDIR because its install also creates /var/log/accel-ppp,
# which is not ours to create; only the prefix is kept.
build_accel_ppp() {
	tb=$(tarball 'accel-ppp-*.tar.xz')
	dir=$(cache_dir accel-ppp "$tb")
	prefix=$dir/prefix
	if [ -f "$dir/.complete" ] && [ -x "$prefix/sbin/accel-pppd" ]; then
		log "accel-ppp: using the cached build in $prefix"
		echo "SSTP_INTEROP_ACCEL_PPP=$prefix"
		return 0
	fi
	log "accel-ppp: building $(basename "$tb") into $prefix"
	start=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$dir"
	buildlog=$dir/build.log
	(
		set -e
		unpack "$tb" "$dir/src"
		mkdir -p "$dir/build"
		cd "$dir/build"
		cmake "$dir/src" -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release \
			-DRADIUS=FALSE -DSHAPER=FALSE -DBUILD_IPOE_DRIVER=FALSE \
			-DBUILD_VLAN_MON_DRIVER=FALSE -DIGNORE_GIT=TRUE
		make -j"$jobs"
		make install DESTDIR="$dir/stage"
		mkdir -p "$prefix"
		cp -a "$dir/stage$prefix/." "$prefix/"
		rm -rf "$dir/stage" "$dir/build"
	) >"$buildlog" 2>&1 || {
		tail -n 40 "$buildlog" >&2
		die "accel-ppp: build failed; whole log: $buildlog"
	}
	[ -x "$prefix/sbin/accel-pppd" ] && [ -x "$prefix/bin/accel-cmd" ] ||
		die "accel-ppp: the build installed no sbin/accel-pppd or bin/accel-cmd in $prefix"
	touch "$dir/.complete"
	log "accel-ppp: built in $(($(date +%s) - start))s"
	echo "SSTP_INTEROP_ACCEL_PPP=$prefix"
}

# --- sstp-server (sstpd) ------------------------------------------------------
# Pure Python (standard library only) plus its C codec, compiled in place
# for the system's Python, which the tests run it with.
build_sstpd() {
	tb=$(tarball 'sstp-server-*.tar.xz')
	dir=$(cache_dir sstp-server "$tb")
	src=$dir/src
	if [ -f "$dir/.complete" ] && [ -d "$src/sstpd" ]; then
		log "sstpd: using the cached build in $src"
		echo "SSTP_INTEROP_SSTPD=$src"
		return 0
	fi
	log "sstpd: building $(basename "$tb") in $src"
	start=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$dir"
	buildlog=$dir/build.log
	(
		set -e
		unpack "$tb" "$src"
		cd "$src"
		# shellcheck disable=SC2046 # python3-config prints several flags
		gcc -O2 -shared -fPIC $($PYTHON-config --includes) sstpd/codecmodule.c \
			-o "sstpd/codec$($PYTHON-config --extension-suffix)"
		PYTHONPATH=$src $PYTHON -c 'import sstpd.codec, sstpd.sstp'
	) >"$buildlog" 2>&1 || {
		tail -n 40 "$buildlog" >&2
		die "sstpd: build failed; whole log: $buildlog"
	}
	touch "$dir/.complete"
	log "sstpd: built in $(($(date +%s) - start))s"
	echo "SSTP_INTEROP_SSTPD=$src"
}

build_accel_ppp
build_sstpd
