"""Worker processes for ``huanjie serve --processes N``: one listening socket, N forked servers.

The parent binds the port, closes its database connections (a forked child must open its own),
forks the workers and then only supervises: a worker that dies is replaced (a worker that dies
within a second of starting, again and again, stops the server instead of spinning), and SIGTERM
or SIGINT stops every worker before the parent exits. The workers accept on the shared socket;
the kernel hands each connection to one of them.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable

RESPAWN_FLOOR_SECONDS = 1.0
MAX_QUICK_DEATHS = 5


def bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(1024)
    return sock


def run(serve: Callable[[socket.socket], None], host: str, port: int, processes: int, out) -> None:
    from django.db import connections

    sock = bind(host, port)
    connections.close_all()
    children: dict[int, float] = {}  # pid → when it started
    stopping = False
    quick_deaths = 0

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            try:
                serve(sock)
            except BaseException:  # noqa: BLE001 — report, then leave without running the parent's code
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(processes):
        spawn()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if stopping or started is None:
            continue
        lived = time.monotonic() - started
        quick_deaths = quick_deaths + 1 if lived < RESPAWN_FLOOR_SECONDS else 0
        out.write(f"工作进程 {pid} 已退出（状态 {status}，运行 {lived:.0f} 秒），正在重新启动。")
        out.flush()
        if quick_deaths >= MAX_QUICK_DEATHS:
            out.write("工作进程反复在启动后立即退出，服务停止。")
            stop(None, None)
            continue
        spawn()
    sock.close()
