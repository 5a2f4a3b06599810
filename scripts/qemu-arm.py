#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the arm test kernel on QEMU -M npcm750-evb and drive its tests.

    scripts/qemu-arm.py --kernel zImage --dtb nuvoton-npcm750-evb.dtb \
        --initrd initramfs.cpio.gz [--timeout 300] [--log console.log]

The guest (the /init made by scripts/arm-initramfs.sh) runs the test scripts
and asks for inputs on the serial console: it prints

    @@QMP <seq> set adci[3]=1234567      (or: @@QMP <seq> get iref)

and blocks reading the console. This script performs the qom-set/qom-get on
the ADC model over QMP, checks QMP's answer and writes back

    @@ok <seq> [value]   |   @@err <seq> <message>   |   @@again

Host and guest never synchronise by sleeping: on this machine model the
guest clock runs ~15x faster than the host's.

The console log is saved (--log); the guest's KTAP document goes to stdout.
A guest that times out first gets SysRq-w (blocked tasks) and SysRq-t (all
tasks) -- a serial break sent over QMP (chardev-send-break) and the command
key on the console, which the 8250 console driver takes as SysRq -- so that
the log shows where it hangs.

Exit status: 0 all tests passed, 1 a test failed, 2 timeout, 3 kernel
crash (Oops, BUG, WARNING, panic), 4 QEMU failed.
"""

import argparse
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ADC = "/machine/soc/adc"
# The properties the guest may touch: the model's inputs (µV), the external
# reference (µV, write-only in the model) and the internal one (read-only
# once the machine runs; set with --iref).
SETTABLE = re.compile(r"adci\[[0-7]\]|vref")
GETTABLE = re.compile(r"adci\[[0-7]\]|iref")
REQUEST = re.compile(r"@@QMP (\d+) (set|get) ([a-z]+(?:\[\d+\])?)(?:=(\d+))?$")
# Anything the debug options of the test kernel report: oopses, BUG (incl.
# KASAN, sleeping in atomic), WARN, lockdep, debugobjects, hung tasks.
CRASH = re.compile(
    r"Kernel panic - not syncing|Internal error: Oops|Unable to handle kernel"
    r"|\bBUG: |------------\[ cut here \]------------|WARNING: CPU: \d+ PID"
    r"|WARNING: possible |WARNING: inconsistent lock|ODEBUG: |UBSAN: "
    r"|INFO: task .* blocked for more than"
)
PANIC = "Kernel panic - not syncing"
# Kernel messages on the console start with a PRINTK_TIME stamp.
KMSG = re.compile(r"^\[\s*\d+\.\d+\]")


def log(msg):
    print(f"qemu-arm: {msg}", file=sys.stderr, flush=True)


class QMP:
    """Minimal QMP client over a unix socket (stdlib only)."""

    def __init__(self, path, deadline, proc=None):
        self.sock = connect_unix(path, deadline, proc)
        # QEMU answers at once; a silent QMP means QEMU is wedged.
        self.sock.settimeout(30)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError(f"unexpected QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        """Run a command; returns its 'return' value, raises on 'error'."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise QMPError(reply["error"].get("desc", str(reply["error"])))
            return reply.get("return")


class QMPError(Exception):
    pass


def connect_unix(path, deadline, proc=None):
    # QEMU creates its sockets a moment after it starts (host-side polling:
    # nothing here depends on the guest's clock).
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"QEMU exited ({proc.returncode}) at start")
            if time.monotonic() > deadline:
                raise TimeoutError(f"QEMU did not create {path}")
            time.sleep(0.05)


def read_quiet(con, sink, quiet_s, max_s):
    """Reads the console into sink(line) until it is quiet for quiet_s host
    seconds or max_s have passed."""
    end = time.monotonic() + max_s
    last = time.monotonic()
    partial = b""
    while time.monotonic() < end and time.monotonic() - last < quiet_s:
        r, _, _ = select.select([con], [], [], 0.2)
        if not r:
            continue
        chunk = con.recv(65536)
        if not chunk:
            break
        last = time.monotonic()
        partial += chunk
        *complete, partial = partial.split(b"\n")
        for raw in complete:
            sink(raw.decode("utf-8", "replace").rstrip("\r"))
    if partial:
        sink(partial.decode("utf-8", "replace").rstrip("\r"))


def sysrq(qmp, con, sink, keys="wt"):
    """SysRq over the serial console: a break (QMP chardev-send-break on the
    console's chardev), then the command key within the 5 s the 8250 driver
    waits for it. Each key's output is read into sink until quiet."""
    for key in keys:
        try:
            qmp.cmd("chardev-send-break", id="con")
            con.sendall(key.encode())
        except (OSError, RuntimeError, QMPError) as e:
            log(f"SysRq-{key} could not be sent: {e}")
            return
        log(f"sent SysRq-{key}")
        read_quiet(con, sink, quiet_s=3, max_s=60)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kernel", required=True, help="zImage")
    p.add_argument("--dtb", required=True, help="nuvoton-npcm750-evb.dtb")
    p.add_argument("--initrd", required=True, help="initramfs (cpio.gz)")
    p.add_argument("--qemu", default="qemu-system-arm")
    p.add_argument("--timeout", type=float, default=300,
                   help="hard limit for the whole run, host seconds")
    p.add_argument("--start-timeout", type=float, default=600,
                   help="limit for QEMU to start (a loaded machine may queue it), host seconds")
    p.add_argument("--boot-timeout", type=float, default=120,
                   help="limit until /init reports @@BOOTED, host seconds")
    p.add_argument("--log", default="console.log", help="console log file")
    # The C driver (and the NPCM7xx datasheet) use a 2.048 V internal
    # reference; QEMU's model defaults to 2.000 V, which makes scale * raw
    # 2.4 % off. Give the model the real chip's value (0: model default).
    p.add_argument("--iref", type=int, default=2048000,
                   help="internal reference of the ADC model in µV (0: QEMU's default)")
    p.add_argument("--append", default="", help="extra kernel command line")
    p.add_argument("--quiet", action="store_true",
                   help="do not copy the console to stderr")
    return p.parse_args()


def extract_ktap(lines):
    """The top-level KTAP document printed by /init (kernel messages out)."""
    out, on = [], False
    for line in lines:
        if line == "KTAP version 1":
            on = True
        if not on:
            continue
        if line.startswith("@@DONE"):
            break
        if KMSG.match(line) or line.startswith("@@"):
            continue
        out.append(line)
    return out


def ktap_verdict(ktap):
    """(passed, failed, problems) of the top-level results."""
    plan, passed, failed, problems = None, 0, 0, []
    for line in ktap:
        if m := re.match(r"1\.\.(\d+)$", line):
            plan = int(m.group(1))
        elif re.match(r"ok \d+ ", line):
            passed += 1
        elif re.match(r"not ok \d+ ", line):
            failed += 1
    if plan is None:
        problems.append("no KTAP plan from the guest")
    elif passed + failed != plan:
        problems.append(f"KTAP plan says {plan} tests, guest reported {passed + failed}")
    return passed, failed, problems


def main():
    a = parse_args()
    for f in (a.kernel, a.dtb, a.initrd):
        if not os.path.isfile(f):
            log(f"error: no such file: {f}")
            return 4
    if not shutil.which(a.qemu):
        log(f"error: {a.qemu} not found")
        return 4

    start = time.monotonic()
    deadline = start + a.timeout
    tmp = tempfile.mkdtemp(prefix="qemu-arm.")
    con_path, qmp_path = f"{tmp}/console.sock", f"{tmp}/qmp.sock"
    # UART3 is the EVB devicetree's stdout-path (ttyS3): the three UARTs
    # before it go nowhere. The console socket waits for us, so no output is
    # lost before we connect.
    cmd = [
        a.qemu, "-M", "npcm750-evb", "-display", "none", "-monitor", "none",
        "-no-reboot",
        "-kernel", a.kernel, "-dtb", a.dtb, "-initrd", a.initrd,
        "-append", f"console=ttyS3,115200n8 earlycon=uart8250,mmio32,0xf0004000,115200n8 "
        f"rdinit=/init panic=-1 {a.append}".strip(),
        "-chardev", f"socket,id=con,path={con_path},server=on,wait=on",
        "-serial", "null", "-serial", "null", "-serial", "null",
        "-serial", "chardev:con",
        "-qmp", f"unix:{qmp_path},server=on,wait=off",
    ]
    if a.iref:
        cmd += ["-global", f"npcm7xx-adc.iref={a.iref}"]
    qemu_log = open(f"{a.log}.qemu", "w")
    log("starting: " + " ".join(cmd))
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_log,
                            stderr=subprocess.STDOUT)
    logf = open(a.log, "w", encoding="utf-8", errors="replace")
    lines, partial = [], b""
    before_sysrq = None
    booted = done = qmp = None
    crash, status = [], None

    def finish(code, why=None):
        nonlocal status
        if why:
            log(why)
        status = code

    try:
        # QEMU may take a while to start on a loaded machine; the time
        # limits count from when it is up.
        con = connect_unix(con_path, start + a.start_timeout, proc)
        qmp = QMP(qmp_path, start + a.start_timeout, proc)
        start = time.monotonic()
        deadline = start + a.timeout
        props = sorted(p["name"] for p in qmp.cmd("qom-list", path=ADC))
        log(f"{ADC} properties: {' '.join(props)}")
        log(f"{ADC} iref = {qmp.cmd('qom-get', path=ADC, property='iref')} µV")

        while status is None:
            now = time.monotonic()
            if now > deadline:
                finish(2, f"error: TIMEOUT: the guest did not finish within {a.timeout:.0f} s"
                          + (" (it never booted to /init)" if not booted else ""))
                break
            if not booted and now > start + a.boot_timeout:
                finish(2, f"error: BOOT TIMEOUT: no @@BOOTED from /init within {a.boot_timeout:.0f} s")
                break
            if proc.poll() is not None:
                finish(4, f"error: QEMU exited ({proc.returncode}) before the guest finished")
                break
            r, _, _ = select.select([con], [], [], 0.5)
            if not r:
                continue
            chunk = con.recv(65536)
            if not chunk:
                finish(4, "error: console closed before the guest finished")
                break
            partial += chunk
            *complete, partial = partial.split(b"\n")
            for raw in complete:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                lines.append(line)
                logf.write(line + "\n")
                if not a.quiet:
                    print(line, file=sys.stderr)
                if CRASH.search(line):
                    crash.append(line)
                    if PANIC in line:
                        finish(3, "error: KERNEL PANIC in the guest")
                if line.startswith("@@BOOTED") and not booted:
                    booted = time.monotonic() - start
                    log(f"guest booted to /init in {booted:.1f} s")
                if line.startswith("@@DONE"):
                    done = time.monotonic() - start
                    finish(0)
                if "@@QMP" in line:
                    con.sendall(answer(qmp, line).encode() + b"\n")
            logf.flush()
        if status == 2 and qmp:
            # Where is it stuck? Blocked tasks, then all tasks.
            before_sysrq = len(lines)
            sysrq_lines = []

            def sink(line):
                lines.append(line)
                sysrq_lines.append(line)
                logf.write(line + "\n")

            sysrq(qmp, con, sink)
            logf.flush()
            blocked = [l for l in sysrq_lines if not l.startswith("@@")]
            log(f"SysRq output: {len(blocked)} lines in {a.log}; the first 80:")
            for line in blocked[:80]:
                log("  | " + line)
    except (OSError, RuntimeError, TimeoutError) as e:
        finish(4, f"error: {e}")
    finally:
        logf.write(partial.decode("utf-8", "replace"))
        logf.close()
        # QMP serves one client at a time: quit over the connection we have.
        try:
            if qmp:
                qmp.cmd("quit")
        except (OSError, RuntimeError, QMPError):
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        qemu_log.close()
        shutil.rmtree(tmp, ignore_errors=True)

    ktap = extract_ktap(lines)
    print("\n".join(ktap))
    passed, failed, problems = ktap_verdict(ktap)
    if crash:
        log("error: the kernel crashed or warned:")
        for line in crash:
            log("    " + line)
        if status in (0, None):
            status = 3
    if status == 0 and (failed or problems):
        status = 1
    for p in problems:
        log("error: " + p)
    if status == 4:
        with open(f"{a.log}.qemu", errors="replace") as f:
            for line in f.read().splitlines()[-10:]:
                log("  qemu| " + line)
    if status not in (0, 1):
        log(f"last console lines (full log: {a.log}):")
        for line in lines[:before_sysrq][-25:]:
            log("  | " + line)
    timing = f"boot {booted:.1f} s" if booted else "no boot"
    if done:
        timing += f", tests done at {done:.1f} s"
    log(f"{passed} passed, {failed} failed ({timing}; log: {a.log})")
    return status


def answer(qmp, line):
    m = REQUEST.search(line)
    if not m:
        # A kernel message landed in the middle of the request line.
        log(f"garbled request, asking again: {line!r}")
        return "@@again"
    seq, op, prop, value = m.groups()
    try:
        if op == "set":
            if value is None or not SETTABLE.fullmatch(prop):
                return f"@@err {seq} cannot set '{prop}'"
            qmp.cmd("qom-set", path=ADC, property=prop, value=int(value))
            # Read back what can be read: proves the model took the value.
            if prop != "vref":
                got = qmp.cmd("qom-get", path=ADC, property=prop)
                if got != int(value):
                    return f"@@err {seq} {prop} reads back {got}, not {value}"
            return f"@@ok {seq}"
        if not GETTABLE.fullmatch(prop):
            return f"@@err {seq} cannot get '{prop}'"
        return f"@@ok {seq} {qmp.cmd('qom-get', path=ADC, property=prop)}"
    except QMPError as e:
        return f"@@err {seq} QMP: {e}"


if __name__ == "__main__":
    sys.exit(main())
