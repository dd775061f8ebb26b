"""SQLite with its writers queued instead of polling SQLite's busy handler.

SQLite lets one transaction write at a time. A thread that finds the database locked sleeps in
SQLite's busy handler on a fixed back-off (1, 2, 5 … 100 ms) and retries; under election-night
load (the server's threads all posting counting forms) a waiting writer often sleeps long after
the lock was freed, and a newcomer can take it first, so the slowest forms waited seconds
(bench_election_day: p99 5.1 s). Here a transaction first takes the database's writer lock, held
from ``BEGIN IMMEDIATE`` to ``COMMIT``/``ROLLBACK``: a lock per process (waiting threads wake the
moment it is released) and, across the server's worker processes, an ``flock`` on
``<database>.writers`` that the process's one waiting thread polls every 2 ms at most. Past the
backend's timeout the transaction goes on to SQLite's own lock and busy timeout, as before; a
command run beside the server without this backend meets SQLite's lock as before too.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_files: dict[str, tuple[int, int]] = {}  # name → (pid, fd): a forked child must not share the parent's
_guard = threading.Lock()


def writer_lock(name: str) -> threading.Lock:
    with _guard:
        return _locks.setdefault(str(name), threading.Lock())


def _lock_file(name: str) -> int | None:
    """This process's descriptor of the database's writers file (None for in-memory databases)."""
    name = str(name)
    if name == ":memory:" or "mode=memory" in name:
        return None
    with _guard:
        pid, fd = _files.get(name, (None, None))
        if pid != os.getpid():
            fd = os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            _files[name] = (os.getpid(), fd)
        return fd


def _flock(fd: int, deadline: float) -> bool:
    delay = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.002)


class DatabaseWrapper(base.DatabaseWrapper):
    _held: threading.Lock | None = None
    _held_fd: int | None = None

    def _start_transaction_under_autocommit(self):
        name = self.settings_dict["NAME"]
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        deadline = time.monotonic() + timeout
        lock = writer_lock(name)
        if lock.acquire(timeout=timeout):
            self._held = lock
            fd = _lock_file(name)
            if fd is not None and _flock(fd, deadline):
                self._held_fd = fd
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        fd, self._held_fd = self._held_fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        held, self._held = self._held, None
        if held is not None:
            held.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            if not (self.connection is not None and self.connection.in_transaction):
                self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
