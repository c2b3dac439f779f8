#!/usr/bin/env python3
"""Key to screen, interactively: type queries a key at a time into a program running in a
pseudo-terminal, and time each key until the screen has settled.

Usage: ptysearch.py READY OPEN -- CMD ARGS...

Spawns CMD on a 120x40 pseudo-terminal and waits until its output contains READY (bytes)
and then for SETTLE_MS (default 1500) more, so that whatever it prepares in the background
is ready (trialdeck builds its search index after its first frame; fzf reads its input).
Then sends OPEN (e.g. "/" to open trialdeck's search; "" for none), and types each query of
QUERIES (separated by "|") a key at a time. After each key it reads the output until none
has come for QUIET_MS (default 60); the key's time is from writing it to the last output
before that quiet (the screen as it settled). Between queries the query is erased with
backspaces (not timed). Prints one line per timed key: `<query so far>\t<ms>`.

The same harness runs trialdeck and fzf over the same candidates, each as a person uses it:
one process, reading its candidates once, answering every key.
"""
import fcntl, os, pty, select, struct, sys, termios, time

def main():
    argv = sys.argv[1:]
    ready, opener = argv[0].encode(), argv[1].encode()
    cmd = argv[argv.index("--") + 1:]
    queries = os.environ.get("QUERIES", "emilia|thrombocytopenia|progression free|hazard ratio|trastuzumab emtansine|t").split("|")
    quiet = float(os.environ.get("QUIET_MS", "60")) / 1e3
    settle = float(os.environ.get("SETTLE_MS", "1500")) / 1e3
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

    def drain(limit):
        """Wait up to `limit` seconds for output, then read until `quiet` passes with none;
        the time of the last output, or None."""
        last = None
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            wait = quiet if last is not None else max(0, end - time.perf_counter())
            r, _, _ = select.select([fd], [], [], wait)
            if not r:
                return last
            try:
                if not os.read(fd, 1 << 16):
                    return last
            except OSError:
                return last
            last = time.perf_counter()
        return last

    buf = b""
    deadline = time.perf_counter() + 120
    while ready not in buf and time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                buf += os.read(fd, 1 << 16)
            except OSError:
                break
    if ready not in buf:
        sys.exit("never ready")
    end = time.perf_counter() + settle
    while time.perf_counter() < end:
        drain(0.2)
    if opener:
        os.write(fd, opener)
        drain(5)
    for q in queries:
        for i in range(1, len(q) + 1):
            sent = time.perf_counter()
            os.write(fd, q[i - 1].encode())
            last = drain(10)
            ms = (last - sent) * 1e3 if last else float("nan")
            print(f"{q[:i]}\t{ms:.2f}", flush=True)
        for _ in q:
            os.write(fd, b"\x7f")
        drain(10)
    os.write(fd, b"\x1b")
    drain(1)
    os.write(fd, b"\x1b" if opener else b"\x03")
    drain(1)
    if opener:
        os.write(fd, b"q")
    end = time.perf_counter() + 30
    while time.perf_counter() < end:
        wpid, _ = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            return
        drain(0.1)
    os.kill(pid, 9)

main()
