"""Issue 9 §5 and issue 17: the audit log cannot be rewritten, and results cannot be changed behind
its back. Each test does what someone with only the database (psql, a SQLite editor) would do,
then asserts what ``huanjie audit verify`` reports and that it exits non-zero."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pypdf import PdfReader

from huanjie.accounts import audit
from huanjie.accounts.models import AuditChainHead, AuditRecord
from huanjie.elections.aftervote import documents as result_documents
from huanjie.elections.aftervote import seal
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import VoterRegistration
from huanjie.elections.tests.aftervote_helpers import counted_election
from huanjie.elections.voting.models import CountingLine, ElectedMember, ResultSubmission, RoundResult
from huanjie.people import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world, django_capture_on_commit_callbacks):
    """A counted election submitted by its village committee, with the checkpoints a commit writes."""
    with django_capture_on_commit_callbacks(execute=True):
        counted = counted_election(world)
        for i in range(3):  # some ordinary audited writes before the submission
            services.save_person(world.users["county"], {
                "name": f"测试{i}", "id_number": "", "gender": "M", "birth_date": dt.date(1990, 1, 1 + i),
                "hukou_village": world.village_a1, "ethnicity": "汉族", "political_status": "none",
            })
    with django_capture_on_commit_callbacks(execute=True):
        aftervote.submit_result(world.users["village_a1"], counted.election)
    return counted


def _verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify", stdout=out, stderr=err)
    assert "审计日志校验失败" in str(exc.value)
    return out.getvalue(), err.getvalue()


def _sql(statement: str, params=()):
    with connection.cursor() as cur:
        cur.execute(statement, params)


def _chain(world) -> str:
    return world.village_a1.code


def test_untouched_data_passes_and_says_what_it_checked(submitted, world):
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    text = out.getvalue()
    n = AuditRecord.objects.filter(chain=_chain(world)).count()
    assert f"审计链 {_chain(world)}：核对 {n} 条记录" in text
    assert "已报送并锁定 1 个，重新计算 1 个" in text and "哈希链连续" in text
    assert "库外检查点：核对 2 个" in text


def test_deleting_the_newest_rows_is_found_against_the_checkpoint(submitted, world):
    chain = _chain(world)
    n = AuditRecord.objects.filter(chain=chain).count()
    # The forger also moves the head row back, so the database alone looks consistent.
    AuditRecord.objects.filter(chain=chain, seq__gt=n - 2).delete()
    last = AuditRecord.objects.filter(chain=chain).order_by("-seq").first()
    AuditChainHead.objects.filter(chain=chain).update(seq=last.seq, hash=last.hash)
    _, err = _verify()
    assert f"库外检查点记录了 {n} 条记录，数据库中只有 {n - 2} 条（最新的 2 条被删除）" in err


def test_deleting_the_newest_rows_without_the_head_is_found_in_the_database(submitted, world):
    chain = _chain(world)
    n = AuditRecord.objects.filter(chain=chain).count()
    AuditRecord.objects.filter(chain=chain, seq=n).delete()
    _, err = _verify()
    assert f"链头记录为 {n} 条，与数据库中的 {n - 1} 条记录不符" in err


def test_deleting_everything_is_found(submitted, world):
    _sql("DELETE FROM accounts_auditrecord")
    _sql("DELETE FROM accounts_auditchainhead")
    _, err = _verify()
    assert "数据库中该链一条也没有（记录被全部删除）" in err
    # … and so is the seal of the submitted result: its record went with the rest.
    assert AuditRecord.objects.count() == 0


def test_editing_a_row_and_recomputing_the_public_sha256_chain_is_found(submitted, world):
    """Without the key the forger can only recompute plain SHA-256: the first edited row fails."""
    chain = _chain(world)
    records = list(AuditRecord.objects.filter(chain=chain).order_by("seq"))
    target = records[1]
    prev = records[0].hash
    for rec in records[1:]:
        if rec.pk == target.pk:
            rec.actor_name = "别人"
        rec.prev_hash = prev
        rec.hash = audit.public_hash(rec)
        AuditRecord.objects.filter(pk=rec.pk).update(actor_name=rec.actor_name, prev_hash=rec.prev_hash, hash=rec.hash)
        prev = rec.hash
    AuditChainHead.objects.filter(chain=chain).update(hash=prev)
    _, err = _verify()
    assert f"审计链 {chain}：第 {target.seq} 条记录的内容被改动（哈希不符）" in err
    assert target.hash == hashlib.sha256(audit.canonical(audit._hashed_fields(target))).hexdigest()


def test_a_chain_recomputed_with_a_guessed_key_is_found(submitted, world, settings):
    settings.HUANJIE_AUDIT_KEY = "guessed-key-guessed-key-guessed-key"
    report = audit.verify_chain()
    assert not report.ok and "第 1 条记录的内容被改动（哈希不符）" in report.problem


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda c: CountingLine.objects.filter(form=c.form, name="张国强").update(votes=30), "计票单被改动"),
        (lambda c: RoundResult.objects.filter(round=c.round).update(output={**c.output, "threshold": 5}),
         "投票轮次及计票结果被改动"),
        (lambda c: ElectedMember.objects.filter(election=c.election, name="杨光").update(name="黄志"),
         "当选人员被改动"),
        (lambda c: VoterRegistration.objects.filter(election=c.election).order_by("pk")[:1].get().delete(),
         "选民登记被改动；登记选民 报送时 40 人，现在 39 人"),
    ],
    ids=["votes", "round-result", "elected", "registration"],
)
def test_changed_result_data_breaks_the_seal(submitted, tamper, expected):
    tamper(submitted)
    _, err = _verify()
    e = submitted.election
    assert f"{e.title}（{e.organization.name}，{e.organization.code}）：数据与报送时的封印不符（{expected}" in err


def test_clearing_the_lock_flag_is_found(submitted):
    ResultSubmission.objects.filter(election=submitted.election).update(locked=False)
    _, err = _verify()
    assert "审计记录显示已报送并锁定，但数据库中的结果为“未锁定”（锁定标志被直接改动）" in err


def test_a_legitimate_unlock_and_change_is_not_a_finding(submitted, world):
    aftervote.unlock(world.users["township_a"], submitted.election, "计票单录入错误，需更正")
    CountingLine.objects.filter(form=submitted.form, name="刘德明").update(votes=8)
    assert seal.verify().findings == [] and seal.verify().unlocked == 1


def test_an_edited_checkpoint_file_is_found(submitted, world):
    path = audit.checkpoint_dir() / f"chain-{_chain(world)}.jsonl"
    line = json.loads(path.read_text().splitlines()[0])
    line["seq"] += 5
    path.write_text(json.dumps(line) + "\n")
    _, err = _verify()
    assert "第 1 行的校验码不符（被改动）" in err


def test_each_region_has_its_own_chain(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = audit.record(None, "test.a", region_code=world.village_a1.code)
        other = audit.record(None, "test.b", region_code="130732100001")
        b = audit.record(None, "test.a", region_code=world.village_b1.code)
        a2 = audit.record(None, "test.a", region_code=world.village_a1.code)
        system = audit.record(None, "test.c")
    v1, v2 = world.village_a1.code, world.village_b1.code
    assert (a.chain, a.seq, a2.chain, a2.seq, a2.prev_hash) == (v1, 1, v1, 2, a.hash)
    assert (b.chain, b.seq, b.prev_hash) == (v2, 1, audit.GENESIS)
    assert (other.chain, other.seq, other.prev_hash) == ("130732100001", 1, audit.GENESIS)
    assert (system.chain, system.seq) == ("", 1)
    report = audit.verify_chain()
    assert report.ok and report.chains == {"": 1, v1: 2, v2: 1, "130732100001": 1} and report.checkpoints == 4


def test_chains_of_the_earlier_per_county_layout_still_verify(world, django_capture_on_commit_callbacks):
    """A database upgraded from one chain per county keeps its 6-digit chains: they are closed,
    verify as before, and the county's checkpoint covers them with the new village chains."""
    from django.utils import timezone

    prev = audit.GENESIS
    for seq in (1, 2):
        rec = AuditRecord(chain="130731", seq=seq, at=timezone.now().replace(microsecond=0), actor_name="系统",
                          action="test.old", region_code=world.village_a1.code, changes={}, prev_hash=prev)
        rec.hash = audit.compute_hash(rec)
        rec.save()
        prev = rec.hash
    AuditChainHead.objects.create(chain="130731", seq=2, hash=prev)
    with django_capture_on_commit_callbacks(execute=True):
        new = audit.record(None, "test.new", region_code=world.village_a1.code)
    assert (new.chain, new.seq) == (world.village_a1.code, 1)
    cp = audit.region_checkpoint(world.county.code)
    assert [h[0] for h in cp.heads] == ["130731", world.village_a1.code] and cp.records == 3
    report = audit.verify_chain()
    assert report.ok and report.chains == {"130731": 2, world.village_a1.code: 1}


def test_a_summary_checkpoint_finds_a_truncated_village_chain(world, django_capture_on_commit_callbacks):
    """The county's checkpoint (printed on the summary) covers every village chain: deleting a
    village's newest record and moving its head back is found against it, even with the
    village's own checkpoint file gone too."""
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            audit.record(None, f"test.{i}", region_code=world.village_b1.code)
    cp = audit.region_checkpoint(world.county.code)
    assert cp.records == 3 and audit.region_checkpoint_line(world.county.code).endswith(cp.code)
    chain = world.village_b1.code
    (audit.checkpoint_dir() / f"chain-{chain}.jsonl").unlink()
    AuditRecord.objects.filter(chain=chain, seq=3).delete()
    last = AuditRecord.objects.get(chain=chain, seq=2)
    AuditChainHead.objects.filter(chain=chain).update(seq=2, hash=last.hash)
    _, err = _verify()
    assert f"审计链 {chain}：库外检查点记录了 3 条记录，数据库中只有 2 条（最新的 1 条被删除）" in err


def test_an_edited_summary_checkpoint_is_found(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(None, "test.a", region_code=world.village_a1.code)
    audit.region_checkpoint(world.county.code)
    path = audit.checkpoint_dir() / f"region-{world.county.code[:6]}.jsonl"
    line = json.loads(path.read_text().splitlines()[0])
    line["heads"][0][1] += 5
    path.write_text(json.dumps(line) + "\n")
    _, err = _verify()
    assert f"检查点文件 region-{world.county.code[:6]}.jsonl 第 1 行的校验码不符（被改动）" in err


def test_result_report_prints_the_checkpoint_and_the_seal(submitted, world):
    pdf = result_documents.report_pdf(submitted.election)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    chain = _chain(world)
    cp = audit.head_checkpoint(chain)
    assert f"审计链检查点：{chain}链共{cp.seq}条记录，校验码{cp.code}" in text
    rec = AuditRecord.objects.get(action="result.submit")
    code = rec.changes["seal"][1]["seal"][:16].upper()
    assert f"结果封印（报送时，审计链第{rec.seq}条）：{code[:4]}-{code[4:8]}" in text


@pytest.mark.django_db(transaction=True)
def test_villages_do_not_wait_on_each_others_chain(world):
    """Issue 17: a write held open in one village does not block another village's audit record
    (of the same county: election night), while a second write to the same village waits for the
    first (the head row is locked)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer at a time")
    import threading

    from django.db import OperationalError, connections, transaction

    holding, release = threading.Event(), threading.Event()

    def hold_village_a1():
        try:
            with transaction.atomic():
                audit.record(None, "test.hold", region_code=world.village_a1.code)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    t = threading.Thread(target=hold_village_a1)
    t.start()
    try:
        assert holding.wait(30)
        with transaction.atomic():
            _sql("SET LOCAL lock_timeout = '2s'")
            other = audit.record(None, "test.other_village", region_code=world.village_a2.code)
            county = audit.record(None, "test.county", region_code=world.county.code)
        assert (other.chain, other.seq, county.chain) == (world.village_a2.code, 1, world.county.code)
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            _sql("SET LOCAL lock_timeout = '500ms'")
            audit.record(None, "test.same_village", region_code=world.village_a1.code)
    finally:
        release.set()
        t.join(30)
    assert audit.verify_chain().ok
