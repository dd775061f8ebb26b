"""离任审计 (P14) and training (P15): recorded by the township, read by the voting-stage gate."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from huanjie.accounts.models import AuditRecord
from huanjie.elections import services as elections
from huanjie.preparation import services
from huanjie.preparation.models import OutgoingAudit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
DAY = dt.date.today() - dt.timedelta(days=10)  # records are made after the fact, never ahead


def entry(world, village):
    return world.campaign.villages.select_related("village").get(village=village)


def audit_a1(world, **kw):
    args = dict(audited_on=DAY, auditor="县审计局", conclusion="clean", attachment=services.Attachment("报告.pdf", PDF))
    args.update(kw)
    return services.record_audit(world.users["township_a"], entry(world, world.village_a1), **args)


def train(world, persona="township_a", village=None, committee=True, staff=True, on=DAY, names="王建国、李秀英"):
    e = entry(world, village or world.village_a1)
    return services.record_training(world.users[persona], world.campaign, held_on=on, organiser="清溪镇换届办",
                                    topic="选举程序", attended=[services.Attended(e, committee, staff, names)])


def test_audit_opens_the_p14_gate_and_is_audited(world):
    record = audit_a1(world)
    e = entry(world, world.village_a1)
    assert e.audit_done_on == DAY
    assert bytes(record.attachment) == PDF and record.attachment_type == "application/pdf"
    assert AuditRecord.objects.get(action="preparation.audit").changes["auditor"] == [None, "县审计局"]
    # a correction keeps the attachment when none is sent and records what changed
    audit_a1(world, conclusion="rectified", attachment=None)
    rec = AuditRecord.objects.filter(action="preparation.audit").first()
    assert rec.changes == {"conclusion": ["clean", "rectified"]}
    assert bytes(OutgoingAudit.objects.get().attachment) == PDF


@pytest.mark.parametrize("name,data,reason", [
    ("报告.docx", PDF, "只接受 PDF、JPG 或 PNG"),
    ("报告.pdf", PNG, "内容不是PDF文件"),
    ("照片.jpg", PDF, "内容不是JPG文件"),
    ("大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
])
def test_bad_attachments_are_refused_and_nothing_is_saved(world, name, data, reason):
    with pytest.raises(services.PreparationRefused) as exc:
        audit_a1(world, attachment=services.Attachment(name, data))
    assert reason in exc.value.errors["attachment"]
    assert not OutgoingAudit.objects.exists() and entry(world, world.village_a1).audit_done_on is None


def test_audit_field_errors_and_scope(world):
    with pytest.raises(services.PreparationRefused) as exc:
        audit_a1(world, audited_on=dt.date.today() + dt.timedelta(days=1), auditor="", conclusion="?")
    assert set(exc.value.errors) == {"audited_on", "auditor", "conclusion"}
    for persona in ("township_b", "village_a1", "observer"):
        with pytest.raises(services.PreparationRefused):
            services.record_audit(world.users[persona], entry(world, world.village_a1), audited_on=DAY,
                                  auditor="x", conclusion="clean")


def test_training_needs_the_whole_committee_and_the_staff(world):
    train(world, committee=True, staff=False, on=DAY - dt.timedelta(days=5))
    assert entry(world, world.village_a1).training_done_on is None
    train(world, committee=False, staff=True, on=DAY)
    assert entry(world, world.village_a1).training_done_on == DAY
    rec = AuditRecord.objects.filter(action="preparation.training").first()
    assert rec.changes["trained"] == [None, [world.village_a1.code]]


def test_training_refusals(world):
    with pytest.raises(services.PreparationRefused) as exc:
        train(world, committee=False, staff=False, names="")
    assert "请至少为一个村" in exc.value.errors["villages"]
    with pytest.raises(services.PreparationRefused) as exc:
        train(world, persona="township_b")
    assert "不在您的管辖范围内" in exc.value.errors["villages"]
    with pytest.raises(services.PreparationRefused):
        train(world, persona="village_a1")


def test_the_voting_stage_waits_for_the_records(world):
    # the voting stage opens on the election day itself: a campaign around today
    today = dt.date.today()
    world.campaign.starts_on, world.campaign.ends_on = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    world.campaign.save()
    e = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, today)
    assert [b[:8] for b in elections.voting_blockers(e)] == ["村“两委”离任审", "选举工作人员业务"]
    with pytest.raises(elections.VotingBlocked):
        elections.open_voting(world.users["township_a"], e)
    audit_a1(world)
    train(world)
    assert elections.voting_blockers(e) == []
    assert elections.open_voting(world.users["township_a"], e).stage == "voting"


def test_readiness_table_filters_and_export(world, client_for):
    audit_a1(world)
    train(world)
    c = client_for("county")
    url = f"/preparation/{world.campaign.slug}/"
    body = c.get(url).content.decode()
    assert "已就绪" in body and "未登记离任审计" in body and "村民选举委员会成员尚未全部参加培训" in body
    body = c.get(url + "?status=not_ready").content.decode()
    assert "柳塘村" in body and "石桥村" in body and 'data-code="130731100002"' not in body
    body = c.get(url + f"?township={world.township_b.code}").content.decode()
    assert "石桥村" in body and "柳塘村" not in body
    r = c.get(url + "?status=not_ready&export=xlsx")
    ws = load_workbook(__import__("io").BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    names = [row[1] for row in values[2:]]
    assert names == ["柳塘村", "石桥村"]
    assert values[2][-1] == "未登记离任审计；村民选举委员会成员尚未全部参加培训；选举工作人员尚未参加培训"
    # the township sees only its own villages
    body = client_for("township_b").get(url).content.decode()
    assert "石桥村" in body and "东山村" not in body


def test_village_page_upload_and_download(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for("township_a")
    url = f"/preparation/{world.campaign.slug}/villages/{world.village_a1.code}/"
    r = c.post(url + "audit/", {"audited_on": DAY.isoformat(), "auditor": "县审计局", "conclusion": "clean",
                                "attachment": SimpleUploadedFile("报告.exe", b"MZ")})
    assert r.status_code == 400 and "只接受 PDF、JPG 或 PNG" in r.content.decode()
    r = c.post(url + "audit/", {"audited_on": DAY.isoformat(), "auditor": "县审计局", "conclusion": "clean",
                                "attachment": SimpleUploadedFile("报告.pdf", PDF)})
    assert r.status_code == 302
    r = client_for("village_a1").get(url + "audit/attachment/")
    assert r.status_code == 200 and r.content == PDF and r["Content-Type"] == "application/pdf"
    assert client_for("township_b").get(url + "audit/attachment/").status_code == 404
    body = c.get(url).content.decode()
    assert "县审计局" in body and "报告.pdf" in body


def test_training_form_starts_with_the_recorded_election_committee(world, client_for):
    from huanjie.elections.models import CommitteeMember

    e = elections.create_election(world.users["township_a"], world.campaign, world.village_a1, dt.date(2027, 3, 20))
    for i, key in enumerate(("li", "wang")):
        CommitteeMember.objects.create(election=e, person=world.people[key], vote_order=i + 1,
                                       chosen_by="villagers_meeting", joined_on=DAY)
    body = client_for("township_a").get(f"/preparation/{world.campaign.slug}/training/new/").content.decode()
    row = body.split(f'data-code="{world.village_a1.code}"')[1].split("</tr>")[0]
    assert "选举委员会 2 人" in row and "李秀英\n王建国</textarea>" in row
