#!/usr/bin/env python3
"""Time to first frame of trialdeck in a pseudo-terminal, whole process.

Usage: ptyfirst.py MARKER -- CMD ARGS...

Spawns CMD on a new 120x40 pseudo-terminal, reads its output until MARKER (bytes) appears,
records the time since spawn, sends `q`, and waits for the exit. Prints one line:
`first_frame_ms=<float> maxrss_kb=<int> rc=<int>`; maxrss is the child's peak resident set
(getrusage via wait4, the same counter `/usr/bin/time -v` prints).
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

def main():
    argv = sys.argv[1:]
    marker = argv[0].encode()
    cmd = argv[argv.index("--") + 1:]
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    buf = b""
    first = None
    deadline = t0 + 60
    while first is None and time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if marker in buf:
            first = time.perf_counter() - t0
    if first is not None:
        os.write(fd, b"q")
    # Drain until the child exits (it must read `q`, restore the terminal and quit).
    end = time.perf_counter() + 10
    status = None
    while time.perf_counter() < end:
        wpid, st, ru = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            status, rusage = st, ru
            break
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status, rusage = os.wait4(pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    ms = "nan" if first is None else f"{first * 1e3:.2f}"
    print(f"first_frame_ms={ms} maxrss_kb={rusage.ru_maxrss} rc={rc}")
    sys.exit(0 if first is not None else 1)

main()
