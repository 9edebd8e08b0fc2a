#!/usr/bin/env python3
"""Run a command and report its wall time and peak anonymous memory (Linux).

    python3 bench/peak_anon.py [--interval MS] [--report FILE] -- CMD ARGS...

Polls /proc/<pid>/status of the command every ~5 ms and keeps the maximum of
``RssAnon`` (anonymous resident memory: heap, stacks, private allocations; the
file-backed pages of a memory-mapped input do *not* count) and of ``VmHWM``
(the kernel's high-water mark of total RSS, which does count mapped file pages;
reported for reference).  Only the command's own process is measured, not its
children, so run the program directly rather than via a shell.

When the command ends, one line goes to stderr (and is appended to --report
FILE when given), e.g.:

    peak_anon: wall_s=3.412 rss_anon_mib=18.6 vm_hwm_mib=1094.2 exit=0 cmd=target/release/securescore

Memory is in MiB (2^20 bytes).  The command's stdin, stdout and stderr are
inherited untouched.  peak_anon exits with the command's exit code (128+N if it
was killed by signal N).  RssAnon is sampled, so a spike shorter than the
interval can be missed; VmHWM is a high-water mark, so only growth in the last
interval before exit can be missed.  A command that exits within the first
interval may report 0.
"""

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(
        usage="%(prog)s [--interval MS] [--report FILE] -- CMD [ARGS...]",
        description="Run CMD; report wall time, peak RssAnon and peak VmHWM on stderr.")
    p.add_argument("--interval", type=float, default=5.0, metavar="MS",
                   help="polling interval in milliseconds (default 5)")
    p.add_argument("--report", metavar="FILE",
                   help="also append the report line to FILE")
    p.add_argument("cmd", nargs=argparse.REMAINDER, help="command to run (after --)")
    a = p.parse_args(argv)
    if a.cmd and a.cmd[0] == "--":
        a.cmd = a.cmd[1:]
    if not a.cmd:
        p.error("no command given (usage: peak_anon.py -- CMD ARGS...)")
    return a


def read_status(path):
    """(RssAnon kB, VmHWM kB) from /proc/<pid>/status, or None once the process
    is gone or a zombie (whose status has no memory lines)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    anon = hwm = None
    for line in data.split(b"\n"):
        if line.startswith(b"RssAnon:"):
            anon = int(line.split()[1])
        elif line.startswith(b"VmHWM:"):
            hwm = int(line.split()[1])
    if anon is None and hwm is None:
        return None
    return anon or 0, hwm or 0


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    interval = max(a.interval, 0.1) / 1000.0
    # The child gets Ctrl-C from the terminal itself; we wait for it and report.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(a.cmd, restore_signals=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    except OSError as e:
        print("peak_anon: cannot run %s: %s" % (a.cmd[0], e), file=sys.stderr)
        return 127
    pid = proc.pid
    path = "/proc/%d/status" % pid
    peak_anon = peak_hwm = 0
    while True:
        st = read_status(path)
        if st is not None:
            if st[0] > peak_anon:
                peak_anon = st[0]
            if st[1] > peak_hwm:
                peak_hwm = st[1]
        wpid, wstatus = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            break
        time.sleep(interval)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(wstatus)  # reaped here, not by Popen
    code = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    line = "peak_anon: wall_s=%.3f rss_anon_mib=%.1f vm_hwm_mib=%.1f exit=%d cmd=%s" % (
        wall, peak_anon / 1024.0, peak_hwm / 1024.0, code,
        shlex.join(a.cmd).replace("\r", "\\r").replace("\n", "\\n"))
    print(line, file=sys.stderr, flush=True)
    if a.report:
        with open(a.report, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
