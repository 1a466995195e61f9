#!/bin/sh
# PID 1 inside user-mode-linux for the system tests.
#
# Booted by run-scenario.sh as
#   linux.uml root=/dev/root rootfstype=hostfs rootflags=/ rw init=<copy of this file>
#             sstp_env=<result dir>/env ...
# The root file system is the HOST's / (hostfs): anything written outside the
# tmpfs mounts below lands on the host. Hence: /run, /dev and /dev/shm are
# fresh in-kernel file systems; /tmp stays the host's /tmp (the build and result
# directories may live there), so TMPDIR points into /run instead; /etc/ppp and
# /etc/hosts are only ever replaced by bind mounts (lib.sh), never written.
#
# The kernel passes unknown key=value boot parameters to init as environment
# variables (verified), so $sstp_env names the env file written by the host
# side. The scenario runs via "run-scenario.sh --inner", which writes the exit
# code into the result directory; UML's own exit status means nothing.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/run/sstp/home
LC_ALL=C
export PATH HOME LC_ALL
umask 022

power_off() {
    sync
    poweroff -f >/dev/null 2>&1
    # poweroff comes from systemd-sysv; fall back to the raw system call.
    /usr/bin/python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x4321fedc)' 2>/dev/null
    echo o >/proc/sysrq-trigger 2>/dev/null
    sleep 5
    exit 1 # panics the kernel: the host side's timeout ends it
}

# Report a set-up failure as a hard error (99) and stop the machine.
die() {
    echo "uml-init: $*" >&2
    if [ -n "${SSTP_RESULT_DIR:-}" ] && [ -d "$SSTP_RESULT_DIR" ]; then
        echo "uml-init: $*" >>"$SSTP_RESULT_DIR/scenario.log"
        echo 99 >"$SSTP_RESULT_DIR/exit-code"
    fi
    power_off
}

echo "uml-init: kernel $(uname -r), env file ${sstp_env:-<none>}"

mount -t proc proc /proc || die "cannot mount /proc"
mount -t sysfs sysfs /sys || die "cannot mount /sys"

if [ -z "${sstp_env:-}" ] || [ ! -r "$sstp_env" ]; then
    die "no readable env file (sstp_env=${sstp_env:-})"
fi
# shellcheck disable=SC1090
. "$sstp_env" || die "cannot read $sstp_env"

# The kernel may have mounted devtmpfs itself (CONFIG_DEVTMPFS_MOUNT).
if ! awk '$2 == "/dev" && $3 == "devtmpfs" { found = 1 } END { exit !found }' /proc/mounts; then
    mount -t devtmpfs devtmpfs /dev || die "cannot mount devtmpfs on /dev"
fi
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=666,mode=620 devpts /dev/pts || die "cannot mount devpts"
ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs /dev/shm || die "cannot mount /dev/shm"
mount -t tmpfs -o mode=755 tmpfs /run || die "cannot mount tmpfs on /run"
mkdir -p /run/lock /run/netns /run/sstp/home

moddir=/lib/modules/$(uname -r)/kernel
[ -d "$moddir" ] || moddir=/usr/lib/uml/modules/$(uname -r)/kernel
for m in lib/crc-ccitt net/ipv6/ipv6 drivers/net/slip/slhc drivers/net/ppp/ppp_generic \
         drivers/net/ppp/ppp_async drivers/net/veth; do
    # Built-in (not a module) in some kernel builds: only insmod what exists.
    [ -f "$moddir/$m.ko" ] || continue
    insmod "$moddir/$m.ko" || die "insmod $moddir/$m.ko failed"
done
# devtmpfs creates /dev/ppp when ppp_generic registers it.
i=0
while [ ! -c /dev/ppp ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
[ -c /dev/ppp ] || die "/dev/ppp did not appear after loading ppp_generic"

ip link set lo up || die "cannot bring up lo"

echo "uml-init: environment ready, running $SSTP_SCENARIO"
# shellcheck disable=SC2154 # top_srcdir comes from the env file
/bin/bash "$top_srcdir/tests/system/run-scenario.sh" --inner "$sstp_env"
echo "uml-init: scenario finished (rc $?), powering off"
power_off
