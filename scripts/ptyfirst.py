#!/usr/bin/env python3
"""Time to first frame of trialdeck in a pseudo-terminal, whole process.

Usage: ptyfirst.py MARKER -- CMD ARGS...

Spawns CMD on a new 120x40 pseudo-terminal, reads its output until MARKER (bytes) appears,
records the time since spawn, reads the process's resident memory then (VmRSS, and of it
RssAnon: heap, and RssFile: pages of files, the pack image's clean pages among them), and,
with THEN set, goes on reading until that marker appears too (at most 3 s: a warm start
that finds an edited file after its first frame says `reloaded`) and records when, and
with KEY_AFTER_MS set, presses `j` that many milliseconds after the first frame (or after
THEN) and times until the screen has answered (the first output after the key). Then sends `q` and waits
for the exit. Prints one line: `first_frame_ms=<float> maxrss_kb=<int> rss_kb=<int>
anon_kb=<int> file_kb=<int> key_ms=<float> then_ms=<float> rc=<int>`; maxrss is the child's peak resident
set (getrusage via wait4, the same counter `/usr/bin/time -v` prints).
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

def status(pid):
    out = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0])
    except OSError:
        pass
    return out

def main():
    argv = sys.argv[1:]
    marker = argv[0].encode()
    cmd = argv[argv.index("--") + 1:]
    key_after = os.environ.get("KEY_AFTER_MS")
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
    mem = status(pid) if first is not None else {}
    then_marker = os.environ.get("THEN", "").encode()
    then_ms = "nan"
    if first is not None and then_marker:
        end = time.perf_counter() + 3
        while then_marker not in buf and time.perf_counter() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    buf += os.read(fd, 65536)
                except OSError:
                    break
        if then_marker in buf:
            then_ms = f"{(time.perf_counter() - t0) * 1e3:.2f}"
    key_ms = "nan"
    if first is not None and key_after:
        # Take what the first frame still writes, until the key is due.
        due = time.perf_counter() + float(key_after) / 1e3
        while time.perf_counter() < due:
            r, _, _ = select.select([fd], [], [], max(0, due - time.perf_counter()))
            if r:
                try:
                    os.read(fd, 65536)
                except OSError:
                    break
        sent = time.perf_counter()
        os.write(fd, b"j")
        r, _, _ = select.select([fd], [], [], 5)
        if r:
            os.read(fd, 65536)
            key_ms = f"{(time.perf_counter() - sent) * 1e3:.2f}"
    if first is not None:
        os.write(fd, b"q")
    # Drain until the child exits (it must read `q`, restore the terminal and quit).
    end = time.perf_counter() + 60
    status_ = None
    while time.perf_counter() < end:
        wpid, st, ru = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            status_, rusage = st, ru
            break
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    if status_ is None:
        os.kill(pid, signal.SIGKILL)
        _, status_, rusage = os.wait4(pid, 0)
    rc = os.waitstatus_to_exitcode(status_)
    ms = "nan" if first is None else f"{first * 1e3:.2f}"
    print(f"first_frame_ms={ms} maxrss_kb={rusage.ru_maxrss} rss_kb={mem.get('VmRSS', 0)} "
          f"anon_kb={mem.get('RssAnon', 0)} file_kb={mem.get('RssFile', 0)} key_ms={key_ms} "
          f"then_ms={then_ms} rc={rc}")
    sys.exit(0 if first is not None else 1)

main()
