"""Issue 9 §6: `huanjie backup` / `huanjie restore` keep the audit chains verifiable, on SQLite and
on PostgreSQL, and the audit's canonical form survives even Django's own dump and load."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from huanjie.accounts import audit
from huanjie.accounts.models import AuditChainHead, AuditRecord
from huanjie.people import services
from huanjie.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def _people(world, names):
    for i, name in enumerate(names):
        services.save_person(world.users["county"], {
            "name": name, "id_number": "", "gender": "M", "birth_date": dt.date(1990, 1, 1 + i),
            "hukou_village": world.village_a1, "ethnicity": "汉族", "political_status": "none",
        })


def _records():
    return list(AuditRecord.objects.order_by("chain", "seq").values_list("chain", "seq", "hash", "at", "changes"))


def test_backup_then_restore_returns_the_data_and_the_chain_verifies(world, tmp_path):
    _people(world, ["备份前甲", "备份前乙", "备份前丙"])
    path = tmp_path / ("huanjie.backup" if connection.vendor == "sqlite" else "huanjie.pgdump")
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "已备份" in out.getvalue() and path.stat().st_size > 0
    saved = _records()
    _people(world, ["备份后丁", "备份后戊"])  # written after the backup: the restore drops them
    out = io.StringIO()
    call_command("restore", str(path), yes=True, stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert set(Person.objects.filter(name__startswith="备份").values_list("name", flat=True)) == {
        "备份前甲", "备份前乙", "备份前丙"}
    # Exactly the records of the backup (to the microsecond), plus the restore's own record.
    restored = _records()
    assert [r for r in restored if r[0] == "130731"] == [r for r in saved if r[0] == "130731"]
    assert AuditRecord.objects.filter(action="system.restore").count() == 1
    assert "备份早于最新的检查点" in text and "审计日志完好" in text
    call_command("audit_verify", stdout=io.StringIO())


def test_restore_needs_confirmation_and_a_backup_file(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="确认请加 --yes") as exc:
        call_command("restore", str(junk))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="不是换届通的备份文件"):
        call_command("restore", str(junk), yes=True)


def test_audit_survives_dumpdata_and_loaddata(world, tmp_path):
    """The reported failure: a dump and load lost the microseconds and record 1 failed."""
    _people(world, ["导出甲", "导出乙"])
    dump = tmp_path / "audit.json"
    call_command("dumpdata", "accounts.AuditRecord", "accounts.AuditChainHead", output=str(dump))
    AuditRecord.objects.all().delete()
    AuditChainHead.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)
    report = audit.verify_chain()
    assert report.ok, report.problem
    assert report.checked == 2
