"""Run one command and report its wall time, CPU time, peak memory and exit code.

    python -I -S benchmarks/spawn.py REPORT TIMEOUT COMMAND [ARGS...]

Why a separate process: on Linux a child's peak memory (ru_maxrss) starts from its parent's
at the moment it is forked and exec'd, so a child of benchmarks/scale.py, which has read a
calendar or two by then, would report at least scale.py's own size. This launcher is a bare
interpreter (-I -S: no site, a few MB), so what it reports is the command's own peak.

The command is started with ``os.posix_spawn`` (stdin, stdout, stderr, the folder and the
environment are this process's); the time is measured around it here. After TIMEOUT
seconds it is killed, and the report says so, with the memory it had reached. REPORT gets
one line: wall seconds, CPU seconds (user + system), ru_maxrss, exit code, finished (1/0).
Only the standard library, as the -S flag requires.
"""

import os
import signal
import sys
import time


def main(report: str, timeout: float, argv: list[str]) -> int:
    killed = []
    pid = 0

    def stop(_signum: int, _frame: object) -> None:
        killed.append(True)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended just now
            killed.clear()

    signal.signal(signal.SIGALRM, stop)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    signal.setitimer(signal.ITIMER_REAL, 0)
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    with open(report, "w", encoding="utf-8") as out:
        out.write(f"{wall} {cpu} {usage.ru_maxrss} {code} {0 if killed else 1}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], float(sys.argv[2]), sys.argv[3:]))
