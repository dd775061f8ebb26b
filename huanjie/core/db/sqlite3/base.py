"""SQLite with its writers queued in the process instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A thread that finds the database locked sleeps in
SQLite's busy handler on a fixed back-off (1, 2, 5 … 100 ms) and retries; under election-night
load (the server's eight threads all posting counting forms) a waiting writer often sleeps long
after the lock was freed, and a newcomer can take it first, so the slowest forms waited seconds
(bench_election_day: p99 4.8 s). Here every transaction of this process first takes a lock per
database file, held from ``BEGIN IMMEDIATE`` to ``COMMIT``/``ROLLBACK``: waiting threads wake the
moment it is released, in turn. Other processes (a command run beside the server) still meet
SQLite's own lock and busy timeout, as before.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def writer_lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(str(name), threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _held: threading.Lock | None = None

    def _start_transaction_under_autocommit(self):
        lock = writer_lock(self.settings_dict["NAME"])
        # As long as SQLite itself would wait; past that, SQLite's busy handler decides as before.
        if lock.acquire(timeout=float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))):
            self._held = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        held, self._held = self._held, None
        if held is not None:
            held.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            if not self.in_transaction_now():
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

    def in_transaction_now(self) -> bool:
        return self.connection is not None and self.connection.in_transaction
