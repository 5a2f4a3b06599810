#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends SysRq commands to a QEMU guest over a serial console socket.

    scripts/sysrq.py SOCKET [KEYS] >> LOG

SOCKET is a unix socket chardev with mux=on in front of a serial port that
the guest kernel uses as a console (console=ttyS1 on the kernel command
line): QEMU's mux sends a serial break on Ctrl-A b, and the 8250 console
driver (CONFIG_MAGIC_SYSRQ_SERIAL) takes the next key as a SysRq command.
For each key of KEYS (default "wt": blocked tasks, then all tasks), the
console output that follows is copied to stdout until it is quiet for 3 s
(60 s at most). Used by scripts/check.sh when the x86_64 guest times out.
"""

import select
import socket
import sys
import time


def main():
    path = sys.argv[1]
    keys = sys.argv[2] if len(sys.argv) > 2 else "wt"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    for key in keys:
        s.sendall(b"\x01b" + key.encode())
        print(f"sysrq.py: sent SysRq-{key}", file=sys.stderr, flush=True)
        end, last = time.monotonic() + 60, time.monotonic()
        while time.monotonic() < end and time.monotonic() - last < 3:
            r, _, _ = select.select([s], [], [], 0.2)
            if r:
                data = s.recv(65536)
                if not data:
                    return
                last = time.monotonic()
                sys.stdout.write(data.decode("utf-8", "replace"))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
