"""Issue 17: on SQLite the server's threads take turns to write through one lock per database
file, held from BEGIN to COMMIT or ROLLBACK, instead of polling SQLite's busy handler."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from huanjie.accounts import audit
from huanjie.accounts.models import AuditRecord
from huanjie.core.db.sqlite3.base import writer_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lock():
    if connection.vendor != "sqlite":
        pytest.skip("the writers' queue belongs to the SQLite backend; PostgreSQL locks rows")
    return writer_lock(connection.settings_dict["NAME"])


def test_a_second_writer_waits_its_turn_and_both_writes_land(lock, world):
    holding, release, order = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                audit.record(None, "test.first", region_code=world.village_a1.code)
                holding.set()
                release.wait(20)
                order.append("first commits")
        finally:
            connections.close_all()

    def second():
        try:
            with transaction.atomic():
                order.append("second begins")
                audit.record(None, "test.second", region_code=world.village_a1.code)
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(20) and lock.locked()
    b = threading.Thread(target=second)
    b.start()
    b.join(0.5)
    assert b.is_alive() and order == []  # queued on the lock, not inside a transaction
    release.set()
    a.join(20)
    b.join(20)
    assert order == ["first commits", "second begins"]
    assert list(AuditRecord.objects.filter(chain=world.village_a1.code).order_by("seq")
                .values_list("action", flat=True)) == ["test.first", "test.second"]
    assert not lock.locked()


def test_a_failed_transaction_gives_the_lock_back(lock, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        assert lock.locked()
        audit.record(None, "test.doomed", region_code=world.village_a1.code)
        AuditRecord.objects.create(chain=world.village_a1.code, seq=1, at="2026-11-30T00:00:00Z",
                                   action="x", prev_hash="", hash="")
    assert not lock.locked()
    assert not AuditRecord.objects.filter(action="test.doomed").exists()
    with transaction.atomic():
        audit.record(None, "test.after", region_code=world.village_a1.code)
    assert not lock.locked() and AuditRecord.objects.filter(action="test.after").exists()


def test_reads_outside_a_transaction_do_not_take_the_lock(lock, world):
    with transaction.atomic():
        seen = []
        t = threading.Thread(target=lambda: (seen.append(AuditRecord.objects.count()), connections.close_all()))
        t.start()
        t.join(5)
        assert seen == [0] and lock.locked()


def test_worker_processes_share_the_turn_through_the_writers_file(lock, world, tmp_path):
    """`huanjie serve --processes N`: a transaction open in another process holds the database's
    writers file, so this process's writers wait for that COMMIT in turn too."""
    import fcntl
    import os
    import subprocess
    import sys

    name = connection.settings_dict["NAME"]
    go = tmp_path / "go"
    child = subprocess.Popen([sys.executable, "-c", f"""
import os, sys, time, django
os.environ["DJANGO_SETTINGS_MODULE"] = "huanjie.settings"
django.setup()
from django.db import connection, transaction
connection.settings_dict["NAME"] = {str(name)!r}
with transaction.atomic():
    print("open", flush=True)
    while not os.path.exists({str(go)!r}):
        time.sleep(0.05)
print("committed", flush=True)
"""], stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert child.stdout.readline().strip() == "open"
        fd = os.open(f"{name}.writers", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            go.touch()
            assert child.stdout.readline().strip() == "committed"
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the other process committed
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        go.touch()
        child.wait(30)
