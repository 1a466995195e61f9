#!/bin/bash
# Run one system-test scenario in an environment with kernel PPP support.
#
#   run-scenario.sh SCENARIO_SCRIPT
#
# Where /dev/ppp works, the scenario runs directly, inside private mount, network
# and PID namespaces (unshare), so its bind mounts, network namespaces and
# processes stay invisible to the host. Otherwise it runs inside user-mode-linux
# (linux.uml) with the host's / as root file system (see uml-init.sh).
#
# The scenario's output goes to <result dir>/scenario.log and is copied to
# stdout afterwards (automake keeps it in the test's .log); the exit code is the
# scenario's: 0 pass, 77 skip, 99 hard error, anything else a failure.
# If the tests cannot run here at all (not root, no pppd, neither /dev/ppp nor
# UML ...) the exit code is 77, or 99 when SSTP_REQUIRE_SYSTEM_TESTS=1 (CI) so
# that a missing install step cannot hide behind skips.
#
# Environment (automake's AM_TESTS_ENVIRONMENT exports the first three):
#   top_srcdir, top_builddir   default: two levels above this script
#   SSTP_PLUGIN                default: $top_builddir/plugin/.libs/sstp.so
#   SSTP_RESULT_DIR            default: $top_builddir/tests/system/NAME.log.d
#   SSTP_SYSTEM_MODE           auto (default), native or uml
#   SSTP_SCENARIO_TIMEOUT      seconds for the scenario itself (default 180)
#   SSTP_UML_MEM               UML memory (default 512M)
#   SSTP_UML_PARALLEL          1: do not serialise UML runs (default: one at a time)
#   SSTP_REQUIRE_SYSTEM_TESTS  1: unable to run = hard error (99) instead of skip
#   SSTP_CLIENT_PPPD           the client's pppd (default /usr/sbin/pppd)
# Other SSTP_* variables are passed through to the scenario.
#
# Internal: "run-scenario.sh --inner ENVFILE" is what runs inside UML or the
# namespaces.

set -u

here=$(cd "$(dirname "$0")" && pwd)

# ---------------------------------------------------------------------------
# Inner side: runs as PID 1's child in UML, or as PID 1 of a fresh PID
# namespace natively. Sets up what is common to both, runs the scenario,
# records its exit code.
if [ "${1:-}" = "--inner" ]; then
    envfile=$2
    # shellcheck disable=SC1090
    . "$envfile"
    export SSTP_INNER=1
    rc_file=$SSTP_RESULT_DIR/exit-code
    log=$SSTP_RESULT_DIR/scenario.log
    if [ "$SSTP_MODE" = native ]; then
        # Private /run: pppd's pid files and tdb, lock files, netns names.
        if ! mount -t tmpfs -o mode=755 tmpfs /run; then
            echo "run-scenario: cannot mount a private /run" >>"$log"
            echo 99 >"$rc_file"
            exit 99
        fi
        mkdir -p /run/lock /run/netns
        ip link set lo up
    fi
    mkdir -p /run/sstp/scratch /run/sstp/tmp /run/sstp/home
    export SSTP_SCRATCH=/run/sstp/scratch
    export TMPDIR=/run/sstp/tmp HOME=/run/sstp/home
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    export LC_ALL=C PYTHONDONTWRITEBYTECODE=1
    cd "$SSTP_SCRATCH" || exit 99
    {
        echo "# scenario: $SSTP_SCENARIO"
        echo "# mode: $SSTP_MODE, kernel $(uname -r), pppd $(pppd --version 2>&1 | sed -n 's/.*version //p')"
        if [ -n "${SSTP_CLIENT_PPPD:-}" ]; then
            echo "# client pppd: $SSTP_CLIENT_PPPD, version $("$SSTP_CLIENT_PPPD" --version 2>&1 | sed -n 's/.*version //p')"
        fi
        echo "# results: $SSTP_RESULT_DIR"
    } >"$log"
    # timeout signals its whole process group, so the scenario's children
    # (pppd, server) get the TERM too; lib.sh's trap reports the time-out.
    timeout -k 10 "$SSTP_SCENARIO_TIMEOUT" /bin/bash "$SSTP_SCENARIO" >>"$log" 2>&1 </dev/null
    rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        echo "run-scenario: scenario timed out after ${SSTP_SCENARIO_TIMEOUT}s (rc $rc)" >>"$log"
        rc=1
    fi
    # Scratch files (certificates, peers files, secrets: all test data) for
    # post-mortem debugging.
    cp -a "$SSTP_SCRATCH" "$SSTP_RESULT_DIR/scratch" 2>/dev/null
    echo $rc >"$rc_file"
    exit $rc
fi

# ---------------------------------------------------------------------------
# Host side.

if [ $# -ne 1 ]; then
    echo "usage: $0 SCENARIO_SCRIPT" >&2
    exit 99
fi

cannot_run() {
    if [ "${SSTP_REQUIRE_SYSTEM_TESTS:-0}" = 1 ]; then
        echo "ERROR: system tests cannot run: $*"
        echo "ERROR: SSTP_REQUIRE_SYSTEM_TESTS=1, so this is a hard error (run tests/install-deps.sh as root)"
        exit 99
    fi
    echo "SKIP: system tests cannot run: $*"
    exit 77
}

hard_error() {
    echo "ERROR: $*"
    exit 99
}

scenario=$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")
[ -f "$scenario" ] || hard_error "no such scenario: $1"
name=$(basename "$scenario" .sh)

d=${top_srcdir:-$here/../..}
top_srcdir=$(cd "$d" 2>/dev/null && pwd) || hard_error "top_srcdir '$d' is not a directory"
d=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$d" 2>/dev/null && pwd) || hard_error "top_builddir '$d' is not a directory"
SSTP_PLUGIN=${SSTP_PLUGIN:-$top_builddir/plugin/.libs/sstp.so}
SSTP_RESULT_DIR=${SSTP_RESULT_DIR:-$top_builddir/tests/system/$name.log.d}
SSTP_SCENARIO=$scenario
SSTP_SCENARIO_TIMEOUT=${SSTP_SCENARIO_TIMEOUT:-180}
export top_srcdir top_builddir SSTP_PLUGIN SSTP_RESULT_DIR SSTP_SCENARIO SSTP_SCENARIO_TIMEOUT

# --- can we run at all? ---------------------------------------------------
[ "$(id -u)" = 0 ] || cannot_run "not root (pppd, network namespaces and bind mounts need root)"
for tool in pppd ip ping certtool timeout unshare mount pgrep; do
    command -v $tool >/dev/null 2>&1 || cannot_run "$tool not found"
done
[ -x /usr/sbin/pppd ] || cannot_run "/usr/sbin/pppd not found (package ppp)"
[ -z "${SSTP_CLIENT_PPPD:-}" ] || [ -x "$SSTP_CLIENT_PPPD" ] ||
    hard_error "SSTP_CLIENT_PPPD=$SSTP_CLIENT_PPPD is not an executable"
[ -x /usr/bin/python3 ] || cannot_run "/usr/bin/python3 not found (package python3)"
[ -d /etc/ppp ] || cannot_run "/etc/ppp missing (package ppp)"
[ -f /etc/hosts ] || cannot_run "/etc/hosts missing"

native_ok() {
    [ -c /dev/ppp ] && (exec 3<>/dev/ppp) 2>/dev/null &&
        unshare --mount --net --pid --fork true 2>/dev/null
}
uml_moddir() {
    local d
    for d in /usr/lib/uml/modules/*/kernel; do
        [ -f "$d/drivers/net/ppp/ppp_generic.ko" ] && { echo "$d"; return 0; }
    done
    return 1
}
uml_ok() {
    command -v linux.uml >/dev/null 2>&1 && command -v insmod >/dev/null 2>&1 && uml_moddir >/dev/null
}

mode=${SSTP_SYSTEM_MODE:-auto}
case $mode in
auto)
    if native_ok; then
        mode=native
    elif uml_ok; then
        mode=uml
    else
        cannot_run "no usable /dev/ppp, and no user-mode-linux (linux.uml, kmod's insmod, UML ppp modules)"
    fi
    ;;
native) native_ok || cannot_run "SSTP_SYSTEM_MODE=native but /dev/ppp or unshare is not usable" ;;
uml) uml_ok || cannot_run "SSTP_SYSTEM_MODE=uml but linux.uml, insmod or the UML ppp modules are missing" ;;
*) hard_error "SSTP_SYSTEM_MODE must be auto, native or uml, not '$mode'" ;;
esac
SSTP_MODE=$mode
export SSTP_MODE

# --- result directory and env file -----------------------------------------
case $SSTP_RESULT_DIR in
/*) ;;
*) SSTP_RESULT_DIR=$PWD/$SSTP_RESULT_DIR ;;
esac
rm -rf "$SSTP_RESULT_DIR"
mkdir -p "$SSTP_RESULT_DIR" || hard_error "cannot create $SSTP_RESULT_DIR"
SSTP_RESULT_DIR=$(cd "$SSTP_RESULT_DIR" && pwd)

envfile=$SSTP_RESULT_DIR/env
{
    echo "# written by run-scenario.sh, read inside the test environment"
    for v in top_srcdir top_builddir SSTP_PLUGIN SSTP_RESULT_DIR SSTP_SCENARIO \
             SSTP_SCENARIO_TIMEOUT SSTP_MODE $(compgen -v SSTP_ | sort -u); do
        printf 'export %s=%q\n' "$v" "${!v}"
    done
} | awk '!seen[$0]++' >"$envfile"

# Fingerprint of the host files the scenarios shadow with bind mounts: they
# must be exactly the same afterwards.
host_fingerprint() {
    {
        ls -la --time-style=+%s /etc/hosts
        find /etc/ppp -printf '%p %m %s %T@\n' 2>/dev/null | sort
        find /etc/ppp -type f -exec cat {} + 2>/dev/null
        cat /etc/hosts
    } | sha256sum
}
before=$(host_fingerprint)

echo "# $name: running in $mode mode, results in $SSTP_RESULT_DIR"
start=$(date +%s)

if [ "$mode" = native ]; then
    unshare --mount --net --pid --fork --mount-proc --propagation private \
        /bin/bash "$here/run-scenario.sh" --inner "$envfile" >"$SSTP_RESULT_DIR/native.log" 2>&1
else
    case "$SSTP_RESULT_DIR" in
    *[[:space:]\"\']*) cannot_run "result directory path contains blanks or quotes, UML's command line cannot carry it: $SSTP_RESULT_DIR" ;;
    esac
    # Our own executable copy: the kernel execs init directly, and a checkout
    # or tarball might have lost the x bit.
    cp "$here/uml-init.sh" "$SSTP_RESULT_DIR/uml-init.sh"
    chmod 755 "$SSTP_RESULT_DIR/uml-init.sh"
    uml_timeout=$((SSTP_SCENARIO_TIMEOUT + 60))
    # One UML at a time per machine: UML burns CPU on every system call, and
    # two of them on 2 cores took 3.3x as long each as one alone (the smoke
    # scenario: 82s instead of 25s), i.e. slower than running them in turn.
    # make -j still runs the unit tests alongside.
    if [ "${SSTP_UML_PARALLEL:-0}" != 1 ] && command -v flock >/dev/null 2>&1; then
        lockfile=/run/lock/pppd-sstp-uml-tests.lock
        [ -d /run/lock ] && [ -w /run/lock ] || lockfile=${TMPDIR:-/tmp}/pppd-sstp-uml-tests.lock
        exec 9>>"$lockfile"
        if ! flock -n 9; then
            echo "# waiting for another UML scenario to finish ($lockfile)"
            flock 9
            start=$(date +%s)
        fi
    fi
    # UML keeps its memory in a (sparse) file under TMPDIR.
    TMPDIR=${TMPDIR:-/tmp} timeout -k 10 $uml_timeout linux.uml \
        root=/dev/root rootfstype=hostfs rootflags=/ rw \
        init="$SSTP_RESULT_DIR/uml-init.sh" sstp_env="$envfile" \
        mem="${SSTP_UML_MEM:-512M}" con=null con0=fd:0,fd:1 quiet \
        </dev/null >"$SSTP_RESULT_DIR/uml-console.log" 2>&1
    uml_rc=$?
    if [ $uml_rc = 124 ] || [ $uml_rc = 137 ]; then
        echo "# UML did not power off within ${uml_timeout}s and was killed"
    fi
fi
elapsed=$(($(date +%s) - start))

if [ -f "$SSTP_RESULT_DIR/scenario.log" ]; then
    cat "$SSTP_RESULT_DIR/scenario.log"
fi

if [ ! -s "$SSTP_RESULT_DIR/exit-code" ]; then
    echo "ERROR: the scenario left no exit code; last lines of the $mode console:"
    if [ "$mode" = native ]; then
        tail -n 40 "$SSTP_RESULT_DIR/native.log"
    else
        tail -n 40 "$SSTP_RESULT_DIR/uml-console.log"
    fi
    exit 99
fi
rc=$(cat "$SSTP_RESULT_DIR/exit-code")

after=$(host_fingerprint)
if [ "$before" != "$after" ]; then
    echo "ERROR: the host's /etc/hosts or /etc/ppp changed while the scenario ran"
    exit 99
fi

case $rc in
0) echo "# $name: PASS (${elapsed}s)" ;;
77) echo "# $name: SKIP (${elapsed}s)" ;;
99) echo "# $name: HARD ERROR (${elapsed}s)" ;;
*) echo "# $name: FAIL, exit code $rc (${elapsed}s)" ;;
esac
exit "$rc"
