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

# cached_build NAME PATTERN VAR SUBDIR RECIPE: builds the one tarball in
# $servers matching PATTERN with "RECIPE TARBALL DIR RESULT" (in a subshell
# with set -e, output to DIR/build.log), unless this tarball's build is
# cached complete; prints VAR=RESULT, RESULT being DIR/SUBDIR.
cached_build() {
	name=$1 var=$3 recipe=$5
	tb=$(tarball "$2")
	dir=$(cache_dir "$name" "$tb")
	result=$dir/$4
	if [ -f "$dir/.complete" ]; then
		log "$name: using the cached build in $result"
		echo "$var=$result"
		return 0
	fi
	log "$name: building $(basename "$tb") into $result"
	start=$(date +%s)
	rm -rf "$dir"
	mkdir -p "$dir"
	buildlog=$dir/build.log
	(
		set -e
		"$recipe" "$tb" "$dir" "$result"
	) >"$buildlog" 2>&1 || {
		tail -n 40 "$buildlog" >&2
		die "$name: build failed; whole log: $buildlog"
	}
	touch "$dir/.complete"
	log "$name: built in $(($(date +%s) - start))s"
	echo "$var=$result"
}

# --- accel-ppp ----------------------------------------------------------------
# Only what SSTP needs: no RADIUS, no shaper, no out-of-tree kernel modules.
# Staged with DESTDIR because its install also creates /var/log/accel-ppp,
# which is not ours to create; only the prefix is kept.
recipe_accel_ppp() {
	unpack "$1" "$2/src"
	mkdir -p "$2/build"
	cd "$2/build"
	cmake "$2/src" -DCMAKE_INSTALL_PREFIX="$3" -DCMAKE_BUILD_TYPE=Release \
		-DRADIUS=FALSE -DSHAPER=FALSE -DBUILD_IPOE_DRIVER=FALSE \
		-DBUILD_VLAN_MON_DRIVER=FALSE -DIGNORE_GIT=TRUE
	make -j"$jobs"
	make install DESTDIR="$2/stage"
	mkdir -p "$3"
	cp -a "$2/stage$3/." "$3/"
	rm -rf "$2/stage" "$2/build"
	[ -x "$3/sbin/accel-pppd" ] && [ -x "$3/bin/accel-cmd" ] || {
		echo "the build installed no sbin/accel-pppd or bin/accel-cmd in $3"
		exit 1
	}
}

# --- sstp-server (sstpd) ------------------------------------------------------
# Pure Python (standard library only) plus its C codec, compiled in place
# for the system's Python, which the tests run it with.
recipe_sstpd() {
	unpack "$1" "$3"
	cd "$3"
	# shellcheck disable=SC2046 # python3-config prints several flags
	gcc -O2 -shared -fPIC $($PYTHON-config --includes) sstpd/codecmodule.c \
		-o "sstpd/codec$($PYTHON-config --extension-suffix)"
	PYTHONPATH=$3 $PYTHON -c 'import sstpd.codec, sstpd.sstp'
}

cached_build accel-ppp 'accel-ppp-*.tar.xz' SSTP_INTEROP_ACCEL_PPP prefix recipe_accel_ppp
cached_build sstp-server 'sstp-server-*.tar.xz' SSTP_INTEROP_SSTPD src recipe_sstpd
