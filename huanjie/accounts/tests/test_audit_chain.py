"""The audit log is a hash chain; editing or deleting rows directly in the database is found."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from huanjie.accounts import audit
from huanjie.accounts.models import AuditRecord
from huanjie.people import services

pytestmark = pytest.mark.django_db


def _make_changes(world, n=5):
    user = world.users["county"]
    for i in range(n):
        services.save_person(user, {
            "name": f"测试{i}", "id_number": "", "gender": "M", "birth_date": dt.date(1990, 1, 1 + i),
            "hukou_village": world.village_a1, "ethnicity": "汉族", "political_status": "none",
        })


def test_service_writes_append_linked_records(world):
    _make_changes(world, 3)
    records = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev_hash == audit.GENESIS
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash
    assert records[0].action == "person.create" and records[0].actor_name == "county"
    assert records[0].changes["name"] == [None, "测试0"]
    assert audit.verify_chain().ok and audit.verify_chain().checked == 3


def test_edited_row_is_found(world):
    _make_changes(world)
    with connection.cursor() as cur:
        cur.execute("UPDATE accounts_auditrecord SET object_repr = %s WHERE seq = 3", ["篡改"])
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 3 and "哈希不符" in report.problem
    with pytest.raises(CommandError, match="第 3 条"):
        call_command("audit_verify")


def test_deleted_row_is_found(world):
    _make_changes(world)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM accounts_auditrecord WHERE seq = 2")
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 2 and "缺少" in report.problem


def test_rehashed_forgery_breaks_the_next_link(world):
    """A forger who recomputes the edited row's own hash still breaks the next row's link."""
    _make_changes(world)
    rec = AuditRecord.objects.get(seq=2)
    rec.actor_name = "别人"
    rec.hash = audit.compute_hash(rec)
    AuditRecord.objects.filter(pk=rec.pk).update(actor_name=rec.actor_name, hash=rec.hash)
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 3 and "前序哈希" in report.problem


def test_failed_write_leaves_no_audit_record(world):
    with pytest.raises(services.ValidationFailed):
        services.save_person(world.users["county"], {
            "name": "坏号码", "id_number": "110105194912310021", "gender": "", "birth_date": None,
            "hukou_village": world.village_a1})
    assert AuditRecord.objects.count() == 0


def test_verify_command_reports_intact_chain(world, capsys):
    _make_changes(world, 2)
    call_command("audit_verify")
    assert "共 2 条记录" in capsys.readouterr().out
