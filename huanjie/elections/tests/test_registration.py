"""Registration services: import (R5–R9 through the engine), manual registration (R8), objections (R10)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from huanjie.accounts.models import AuditRecord
from huanjie.elections.models import Election, Objection, StepRecord, VoterRegistration
from huanjie.elections.registration import services as reg
from huanjie.elections.services import LateNeedsExplanation
from huanjie.people.models import Person

from ._roster_files import csv_bytes, person_row

pytestmark = pytest.mark.django_db

ELECTION_DAY = dt.date(2027, 1, 10)


@pytest.fixture
def elections(world):
    a1 = Election.objects.create(
        campaign=world.campaign, organization=world.village_a1, title="东山村选举", election_date=ELECTION_DAY
    )
    a2 = Election.objects.create(
        campaign=world.campaign, organization=world.village_a2, title="柳塘村选举", election_date=ELECTION_DAY
    )
    return a1, a2


def test_import_all_good_rows_creates_people_and_one_audit_record(world, elections):
    a1, _ = elections
    rows = [
        person_row(1, "新甲", "男", dt.date(1980, 1, 2)),
        person_row(2, "新乙", "女", dt.date(1985, 3, 4)),
    ]
    data = csv_bytes(rows)
    parsed = reg.preview_import(a1, data, "a.csv")
    assert parsed.summary()["accepted"] == 2
    audits_before = AuditRecord.objects.count()
    result = reg.commit_import(world.users["village_a1"], a1, parsed, file_sha256=reg.sha256(data))
    assert (result.registered, result.persons_created, result.rejected) == (2, 2, 0)
    assert AuditRecord.objects.count() == audits_before + 1
    rec = AuditRecord.objects.latest("seq")
    assert rec.action == "voters.import" and rec.changes["file_sha256"][1] == reg.sha256(data)
    person = Person.objects.get(name="新乙")
    assert person.gender == "F" and person.birth_date == dt.date(1985, 3, 4)
    assert person.hukou_village == world.village_a1 and person.group_name == "第一组"
    vr = VoterRegistration.objects.get(person=person)
    assert vr.election == a1 and vr.category == "hukou_resident" and vr.campaign == world.campaign


def test_existing_person_is_reused_not_duplicated(world, elections):
    a1, _ = elections
    wang = world.people["wang"]
    rows = [person_row(1, "王建国", "男", wang.birth_date, 公民身份号码=wang.id_number)]
    parsed = reg.preview_import(a1, csv_bytes(rows), "a.csv")
    result = reg.commit_import(None, a1, parsed)
    assert result.persons_created == 0 and result.registered == 1
    assert VoterRegistration.objects.get(person=wang).election == a1
    # Importing the same file again registers nobody twice.
    again = reg.preview_import(a1, csv_bytes(rows), "a.csv")
    assert [w.code for w in again.warnings] == ["already_registered_here"]
    assert reg.commit_import(None, a1, again).registered == 0


def test_registered_elsewhere_names_the_village_and_blocks_all_or_nothing(world, elections):
    a1, a2 = elections
    zhao = world.people["zhao"]
    reg.register_voter(None, a2, zhao, "hukou_resident")
    rows = [
        person_row(1, "新甲", "男", dt.date(1980, 1, 2)),
        person_row(2, "赵丽", "女", zhao.birth_date, 公民身份号码=zhao.id_number),
    ]
    parsed = reg.preview_import(a1, csv_bytes(rows), "a.csv")
    [problem] = parsed.errors
    assert (problem.row, problem.code) == (4, "registered_elsewhere")
    assert "柳塘村" in problem.message
    with pytest.raises(reg.ImportRefused):
        reg.commit_import(None, a1, parsed)
    assert not Person.objects.filter(name="新甲").exists()  # nothing saved


def test_skip_bad_rows_saves_the_good_and_returns_rejected_xlsx(world, elections):
    a1, _ = elections
    rows = [person_row(1, "新甲", "男", dt.date(1980, 1, 2)), person_row(2, "", "女", dt.date(1981, 1, 2))]
    parsed = reg.preview_import(a1, csv_bytes(rows), "a.csv")
    result = reg.commit_import(None, a1, parsed, skip_bad_rows=True)
    assert (result.registered, result.rejected) == (1, 1)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(result.rejected_xlsx)).get_sheet_by_index(0).to_python()
    header = next(r for r in sheet if "原因" in r)
    data = sheet[sheet.index(header) + 1]
    assert data[0] == "4"  # original row 4 (title row, header, 新甲 on row 3)
    assert "姓名为空" in data[header.index("原因")]


def test_under_age_is_counted_on_election_day(world, elections):
    a1, _ = elections
    # 18th birthday on the election day counts (R5, 含本日); one day later does not.
    turning_18 = dt.date(2009, 1, 10)
    one_day_short = dt.date(2009, 1, 11)
    rows = [person_row(1, "满甲", "男", turning_18), person_row(2, "未乙", "男", one_day_short)]
    parsed = reg.preview_import(a1, csv_bytes(rows), "a.csv")
    assert [(p.row, p.code) for p in parsed.errors] == [(4, "under_age")]


def test_deprivation_covering_election_day_is_refused(world, elections):
    a1, _ = elections
    li = world.people["li"]
    li.deprived_from, li.deprived_until = dt.date(2026, 1, 1), ELECTION_DAY  # last day inclusive
    li.save()
    rows = [person_row(1, "李秀英", "女", li.birth_date, 公民身份号码=li.id_number)]
    parsed = reg.preview_import(a1, csv_bytes(rows), "a.csv")
    assert [p.code for p in parsed.errors] == ["deprived"]


def test_manual_registration_categories_go_through_the_engine(world, elections):
    a1, _ = elections
    sun = world.people[
        "sun"
    ]  # hukou in 石桥村: category 3 needs one year's residence + application + approval
    with pytest.raises(reg.RegistrationRefused, match="不满1年"):
        reg.register_voter(
            None,
            a1,
            sun,
            "resident_approved",
            registered_on=dt.date(2026, 12, 1),
            evidence={
                "resident_since": dt.date(2026, 1, 1),
                "applied_on": dt.date(2026, 11, 1),
                "assembly_approved_on": dt.date(2026, 11, 20),
            },
        )
    # resident since 2025-12-01: exactly one year on 2026-12-01 qualifies (R2, 以上含本数)
    vr = reg.register_voter(
        None,
        a1,
        sun,
        "resident_approved",
        registered_on=dt.date(2026, 12, 1),
        evidence={
            "resident_since": dt.date(2025, 12, 1),
            "applied_on": dt.date(2026, 11, 1),
            "assembly_approved_on": dt.date(2026, 11, 20),
        },
    )
    assert vr.category == "resident_approved" and vr.assembly_approved_on == dt.date(2026, 11, 20)
    # hukou here, living away, did not answer: not registered
    with pytest.raises(reg.RegistrationRefused, match="未表示参加选举"):
        reg.register_voter(
            None, a1, world.people["li"], "hukou_away_taking_part", evidence={"intent": "none"}
        )
    # an extra category of another province is not offered under the national profile
    with pytest.raises(reg.RegistrationRefused):
        reg.register_voter(None, a1, world.people["li"], "village_work")


def test_one_registration_per_campaign_first_stands(world, elections):
    a1, a2 = elections
    wang = world.people["wang"]
    reg.register_voter(None, a1, wang, "hukou_resident")
    with pytest.raises(reg.RegistrationRefused, match="东山村"):
        reg.register_voter(None, a2, wang, "hukou_resident")
    assert VoterRegistration.objects.get(person=wang).election == a1


def test_remove_and_restore(world, elections):
    a1, _ = elections
    vr = reg.register_voter(None, a1, world.people["wang"], "hukou_resident")
    with pytest.raises(reg.RegistrationRefused):
        reg.remove_voter(None, vr, "")
    reg.remove_voter(None, vr, "已死亡")
    vr.refresh_from_db()
    assert vr.status == "removed"
    again = reg.register_voter(None, a1, world.people["wang"], "hukou_resident")
    assert again.pk == vr.pk and again.status == "registered"


def _published_election(world, days_ago: int = 10) -> Election:
    """An election whose voter list was published ``days_ago`` days ago, 21 days before its
    election day: the objection facts of the tests happen in the past, as facts do (R4)."""
    today = dt.date.today()
    published = today - dt.timedelta(days=days_ago)
    election = Election.objects.create(
        campaign=world.campaign, organization=world.village_a1, title="东山村选举",
        election_date=published + dt.timedelta(days=21),
    )
    StepRecord.objects.create(election=election, key="voter_list_published", done_on=published)
    return election


def test_objection_window_and_decision(world):
    # List published P = today-10; objections within 5 days → by P+5; decision within 3 days of receipt.
    a1 = _published_election(world)
    P = dt.date.today() - dt.timedelta(days=10)
    zhao = world.people["zhao"]
    on_time = reg.file_objection(
        None,
        a1,
        objector_name="王建国",
        about=world.people["wang"],
        kind=Objection.ADD,
        content="漏登",
        filed_on=P + dt.timedelta(days=5),
    )
    late = reg.file_objection(
        None,
        a1,
        objector_name="王建国",
        about=zhao,
        kind=Objection.ADD,
        content="漏登",
        filed_on=P + dt.timedelta(days=6),
    )
    with pytest.raises(reg.RegistrationRefused, match=(P + dt.timedelta(days=5)).isoformat()):
        reg.decide_objection(None, late, Objection.UPHELD, P + dt.timedelta(days=7))
    reg.decide_objection(None, late, Objection.NOT_ACCEPTED, P + dt.timedelta(days=7))
    # Received P+5, deadline P+8; deciding on P+9 is late: recorded only with the reason written.
    with pytest.raises(LateNeedsExplanation, match="逾期原因"):
        reg.decide_objection(None, on_time, Objection.UPHELD, P + dt.timedelta(days=9))
    outcome = reg.decide_objection(None, on_time, Objection.UPHELD, P + dt.timedelta(days=9), "委员会成员外出，延后一天开会")
    assert outcome.late
    assert VoterRegistration.objects.get(person=world.people["wang"]).status == "registered"
    # an upheld removal takes the voter off the list
    rm = reg.file_objection(
        None,
        a1,
        objector_name="李秀英",
        about=world.people["wang"],
        kind=Objection.REMOVE,
        content="已迁出",
        filed_on=P + dt.timedelta(days=1),
    )
    assert not reg.decide_objection(None, rm, Objection.UPHELD, P + dt.timedelta(days=3)).late
    assert VoterRegistration.objects.get(person=world.people["wang"]).status == "removed"


def test_objection_dates_follow_the_one_date_rule(world):
    """R4 for objections (issue 11): filed neither in the future nor before the list it objects to
    was published; received not before it was filed; decided neither in the future nor before it
    was received. Nothing is saved on a refusal."""
    a1 = _published_election(world)
    today = dt.date.today()
    P = today - dt.timedelta(days=10)
    about = world.people["wang"]

    def file(**dates):
        return reg.file_objection(
            None, a1, objector_name="王建国", about=about, kind=Objection.ADD, content="漏登", **dates
        )

    with pytest.raises(reg.RegistrationRefused, match="晚于今天"):
        file(filed_on=today + dt.timedelta(days=1))
    with pytest.raises(reg.RegistrationRefused, match="早于选民名单公布日期"):
        file(filed_on=P - dt.timedelta(days=1))
    with pytest.raises(reg.RegistrationRefused, match="受理日期.*晚于今天"):
        file(filed_on=today, received_on=today + dt.timedelta(days=2))
    with pytest.raises(reg.RegistrationRefused, match="早于异议提出日期"):
        file(filed_on=P + dt.timedelta(days=2), received_on=P + dt.timedelta(days=1))
    assert not Objection.objects.exists()
    o = file(filed_on=P + dt.timedelta(days=2), received_on=P + dt.timedelta(days=3))
    with pytest.raises(reg.RegistrationRefused, match="晚于今天"):
        reg.decide_objection(None, o, Objection.UPHELD, today + dt.timedelta(days=1))
    with pytest.raises(reg.RegistrationRefused, match="早于异议受理日期"):
        reg.decide_objection(None, o, Objection.UPHELD, P + dt.timedelta(days=2))
    o.refresh_from_db()
    assert o.decision == Objection.PENDING and not VoterRegistration.objects.filter(person=about).exists()


def test_refusals_of_the_election_machinery_are_election_errors():
    """Views catch ElectionError: every refusal of the election services must be one, or a view
    that catches it answers a refused step with a server error (issue 11)."""
    from huanjie.elections.aftervote.services import AfterVoteError
    from huanjie.elections.services import ElectionError

    assert issubclass(AfterVoteError, ElectionError)
    assert issubclass(reg.RegistrationRefused, ElectionError)
    assert issubclass(reg.ImportRefused, ElectionError)


def test_counts_by_category_group_gender_and_age_band(world, elections):
    a1, _ = elections
    for key in ("wang", "li", "wang_son"):
        reg.register_voter(None, a1, world.people[key], "hukou_resident")
    c = reg.counts(VoterRegistration.objects.filter(election=a1), ELECTION_DAY)
    assert (c["total"], c["men"], c["women"]) == (3, 2, 1)
    assert c["by_group"] == {"第一村民小组": 3}
    bands = {b["label"]: (b["men"], b["women"]) for b in c["age_bands"]}
    # On 2027-01-10: 王小明 born 1998-01-02 is 29 (18–30); 王建国 1970-03-05 is 56, 李秀英 1972-08-19 is 54.
    assert bands["18–30岁"] == (1, 0)
    assert bands["51–60岁"] == (1, 1)


def test_the_bulk_import_drops_the_cached_counts_it_changes(world, elections):
    """The import writes with COPY / bulk inserts (no save signals): it must drop the cached voter
    counts of its election and the people counts of its village itself (issue 17)."""
    from huanjie.people import stats

    a1, _ = elections
    assert reg.village_counts([a1]) == {}
    people_before = stats.village_stats([world.village_a1.pk])[world.village_a1.pk].total
    rows = [person_row(1, "新丙", "女", dt.date(1981, 1, 2)), person_row(2, "新丁", "女", dt.date(1982, 3, 4))]
    reg.commit_import(None, a1, reg.preview_import(a1, csv_bytes(rows), "a.csv"))
    got = reg.village_counts([a1])[a1.pk]
    assert (got["total"], got["F"]) == (2, 2)
    assert stats.village_stats([world.village_a1.pk])[world.village_a1.pk].total == people_before + 2
