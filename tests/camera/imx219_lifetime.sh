#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetime cases of a sensor driver on the emulated camera board, inside the
# x86_64 test guest (booted with memmap=64K$0x70000000). Prints KTAP.
#
#   imx219_lifetime.sh SENSOR RECEIVER
#
# SENSOR/RECEIVER as for suite.sh (module name or .ko path); kernel_ext.ko
# must be loaded for Rust modules. The cases:
#   node_open_across_unbind  a sub-device node open while the sensor unbinds:
#                            its ioctls get ENODEV, the module stays pinned
#                            (rmmod refused) until the close, the close is
#                            clean, and the sensor binds and streams again;
#   rebind_cycles            ten unbind/bind cycles, idle;
#   rmmod_reload             the sensor module unloaded (after unbinding the
#                            board) and loaded again;
#   kernel_log               no oops, warning, lockdep report or leak.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
SENSOR=${1:?usage: imx219_lifetime.sh SENSOR RECEIVER}
RECEIVER=${2:?usage: imx219_lifetime.sh SENSOR RECEIVER}
BOARD=${BOARD:-$top/build/x86_64/tests/camera/board/rpi_camera_board.ko}
modname() { local m; m=$(basename "$1" .ko); echo "${m//-/_}"; }
load() { [ -e "/sys/module/$(modname "$1")/initstate" ] && return 0; if [[ $1 == *.ko ]]; then insmod "$1"; else modprobe "$1"; fi; }
unload() { grep -q "^$(modname "$1") " /proc/modules && rmmod "$(modname "$1")"; return 0; }

mkdir -p /run/modprobe.d
printf 'blacklist imx219\nblacklist bcm2835_unicam\n' >/run/modprobe.d/rpi-camera-board.conf
timeout 10 udevadm control --reload 2>/dev/null || true

client=
sensor_node() { # the sensor's sub-device node, once bound
	local v
	for v in /sys/bus/i2c/devices/$client/video4linux/v4l-subdev*; do
		[ -e "$v" ] && { echo "/dev/$(basename "$v")"; return 0; }
	done
	return 1
}
find_client() {
	local d
	for d in /sys/bus/i2c/devices/*; do
		[ -e "$d/of_node/compatible" ] || continue
		tr '\0' '\n' <"$d/of_node/compatible" | grep -qx sony,imx219 && { basename "$d"; return 0; }
	done
	return 1
}
wait_node() {
	local i
	for i in $(seq 100); do sensor_node >/dev/null && return 0; sleep 0.2; done
	return 1
}

n=0
run() { # NAME
	n=$((n + 1))
	echo "# --- $1"
	dmesg -C
	"case_$1" 2>&1 | sed -u 's/^/# /'
	local rc=${PIPESTATUS[0]}
	if dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace|possible circular|lockdep|general protection'; then
		rc=1
	fi
	if [ "$rc" = 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fi
}

drv=$(modname "$SENSOR")

case_node_open_across_unbind() {
	local node
	node=$(sensor_node) || { echo "no sensor node"; return 1; }
	echo "sensor $client node $node driver $drv"
	python3 - "$node" "$client" "$drv" <<'EOF'
import errno, fcntl, os, subprocess, sys, struct
node, client, drv = sys.argv[1:4]
# VIDIOC_SUBDEV_G_FMT: _IOWR('V', 4, struct v4l2_subdev_format) (88 bytes).
G_FMT = (3 << 30) | (88 << 16) | (ord('V') << 8) | 4
ACTIVE = 1
fd = os.open(node, os.O_RDWR)
buf = bytearray(struct.pack('<II', ACTIVE, 0) + bytes(80))
fcntl.ioctl(fd, G_FMT, buf)
w, h, code = struct.unpack_from('<III', buf, 8)
print(f"before unbind: {w}x{h} code 0x{code:x}")
with open(f"/sys/bus/i2c/drivers/{drv}/unbind", "w") as f:
    f.write(client)
ok = True
try:
    fcntl.ioctl(fd, G_FMT, buf)
    print("G_FMT after unbind: accepted")
    ok = False
except OSError as e:
    print(f"G_FMT after unbind: {errno.errorcode.get(e.errno, e.errno)}")
    ok &= e.errno == errno.ENODEV
r = subprocess.run(["rmmod", drv], capture_output=True, text=True)
print(f"rmmod with the node open: exit {r.returncode} {r.stderr.strip()}")
ok &= r.returncode != 0
os.close(fd)
print("closed")
sys.exit(0 if ok else 1)
EOF
	local rc=$?
	echo "$client" >"/sys/bus/i2c/drivers/$drv/bind" || return 1
	wait_node || { echo "not bound again"; return 1; }
	echo "bound again: $(sensor_node)"
	return $rc
}

case_rebind_cycles() {
	local i
	for i in $(seq 10); do
		echo "$client" >"/sys/bus/i2c/drivers/$drv/unbind" || return 1
		echo "$client" >"/sys/bus/i2c/drivers/$drv/bind" || return 1
		wait_node || { echo "cycle $i: not bound again"; return 1; }
	done
	echo "10 cycles, node $(sensor_node)"
}

case_rmmod_reload() {
	unload "$BOARD" || return 1
	unload "$SENSOR" || return 1
	echo "unloaded $(modname "$BOARD") and $drv"
	load "$SENSOR" || return 1
	insmod "$BOARD" || return 1
	client=$(find_client) || return 1
	wait_node || { echo "not bound after reload"; return 1; }
	echo "reloaded: $(sensor_node)"
}

case_kernel_log() {
	[ -w /sys/kernel/debug/kmemleak ] || { echo "no kmemleak"; return 0; }
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	if grep -q . /sys/kernel/debug/kmemleak; then
		head -n 40 /sys/kernel/debug/kmemleak
		return 1
	fi
	echo "kmemleak: no leaks"
}

echo "KTAP version 1"
echo "1..4"
load "$SENSOR" && load "$RECEIVER" && insmod "$BOARD" || { echo "Bail out! cannot load"; exit 1; }
client=$(find_client) || { echo "Bail out! no sensor device"; exit 1; }
wait_node || { echo "Bail out! sensor not bound"; exit 1; }
run node_open_across_unbind
run rebind_cycles
run rmmod_reload
unload "$BOARD"
unload "$RECEIVER"
unload "$SENSOR"
run kernel_log
