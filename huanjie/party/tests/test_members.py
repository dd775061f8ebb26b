"""The member roll (党员名册): import through the roster reader, by hand, and the vote (R49, R50)."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.party import services
from huanjie.party.models import Member
from huanjie.people.models import Person

from .helpers import ASSEMBLY_DAY, add_members, new_person, roll_row, roll_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(world):
    return services.branch_of(world.users["village_a1"], world.village_a1)


def test_import_messy_roll_reports_each_bad_row_and_saves_nothing(world, branch):
    rows = [
        roll_row(1, "王大山", "男", dt.date(1962, 3, 4), 31),
        roll_row(2, "李小红", "女", dt.date(1990, 8, 9), 42, status="预备党员", joined="2026年7月1日", formal=""),
        roll_row(3, "赵错号", "男", dt.date(1970, 1, 1), 51),
        roll_row(4, "孙类别", "男", dt.date(1971, 2, 2), 61, status="积极分子"),
        roll_row(5, "周日期", "男", dt.date(1972, 3, 3), 71, joined="去年"),
        roll_row(6, "吴流动", "男", dt.date(1985, 5, 5), 81, joined="2005.07.01", formal="2006.07.01", mobile="浙江省杭州市"),
    ]
    rows[2][5] = rows[2][5][:-1] + ("0" if rows[2][5][-1] != "0" else "1")  # a wrong check digit
    data = roll_xlsx(rows)
    user = world.users["village_a1"]
    with pytest.raises(services.ImportRejected) as exc:
        services.import_members(user, branch, data, "党员名册.xlsx")
    problems = {(p.row, p.field, p.code) for p in exc.value.parsed.errors}
    # header on spreadsheet row 4, data from row 5: 赵错号 is row 7, 孙类别 8, 周日期 9
    assert (7, "id_number", "id_checksum") in {(r, f, c) for r, f, c in problems} or any(
        r == 7 and f == "id_number" for r, f, _ in problems)
    assert (8, "party_status", "status_unreadable") in problems
    assert (9, "joined_on", "date_unreadable") in problems
    assert "第8行党员类别" in str(exc.value) and "积极分子" in str(exc.value)
    assert not Member.objects.exists() and not Person.objects.filter(name="王大山").exists()

    result = services.import_members(user, branch, data, "党员名册.xlsx", skip_bad_rows=True)
    assert (result.added, result.rejected) == (3, 3)
    assert result.rejected_xlsx[:2] == b"PK"
    red = Member.objects.get(person__name="李小红")
    assert red.status == Member.PROBATIONARY and red.joined_on == dt.date(2026, 7, 1)
    mobile = Member.objects.get(person__name="吴流动")
    assert mobile.mobile and mobile.mobile_where == "浙江省杭州市"


def test_import_without_title_rows_and_reimport_updates(world, branch):
    user = world.users["village_a1"]
    rows = [roll_row(1, "王大山", "男", dt.date(1962, 3, 4), 31)]
    services.import_members(user, branch, roll_xlsx(rows, title=False), "roll.xlsx")
    rows[0][10] = "2027-06-30"  # now under 留党察看
    result = services.import_members(user, branch, roll_xlsx(rows), "roll.xlsx")
    assert (result.added, result.updated) == (0, 1)
    m = Member.objects.get()
    assert m.discipline_until == dt.date(2027, 6, 30)
    assert services.vote_of(m, ASSEMBLY_DAY).code == "on_probation_discipline"


def test_vote_on_the_day_is_the_engines_decision(world, branch):
    user = world.users["village_a1"]
    day = ASSEMBLY_DAY
    v = world.village_a1
    formal = services.add_member(user, branch, new_person(v, "正式甲"), joined_on=dt.date(2000, 1, 1))
    prob = services.add_member(user, branch, new_person(v, "预备乙"), status=Member.PROBATIONARY,
                               joined_on=dt.date(2026, 7, 1))
    became = services.add_member(user, branch, new_person(v, "转正丙"), status=Member.PROBATIONARY,
                                 joined_on=dt.date(2025, 12, 1), formal_on=dt.date(2026, 12, 1))
    watched = services.add_member(user, branch, new_person(v, "察看丁"), discipline_until=day)
    served = services.add_member(user, branch, new_person(v, "察看戊"), discipline_until=day - dt.timedelta(days=1))
    held = services.add_member(user, branch, new_person(v, "留置己"), rights_suspended=True, suspended_reason="留置")
    got = {m.person.name: services.vote_of(m, day).has_vote for m in (formal, prob, became, watched, served, held)}
    assert got == {"正式甲": True, "预备乙": False, "转正丙": True, "察看丁": False, "察看戊": True, "留置己": False}
    assert "预备党员" in services.vote_of(prob, day).reason


def test_add_by_hand_refuses_bad_facts_and_a_second_branch(world, branch):
    user = world.users["village_a1"]
    p = new_person(world.village_a1, "刘某")
    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(user, branch, p, status=Member.PROBATIONARY)
    assert "入党日期" in str(exc.value)
    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(user, branch, p, mobile=True, joined_on=dt.date(2000, 1, 1))
    assert "外出地点" in str(exc.value)
    services.add_member(user, branch, p, joined_on=dt.date(2000, 1, 1))
    other = services.branch_of(world.users["township_a"], world.village_a2)
    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(world.users["township_a"], other, p, joined_on=dt.date(2000, 1, 1))
    assert "东山村" in str(exc.value)


def test_a_join_date_before_the_eighteenth_birthday_or_after_today_is_refused(world, branch):
    """Found in the demo: members who joined at 10 or before they were born were accepted."""
    from django.utils import timezone

    user = world.users["village_a1"]
    p = new_person(world.village_a1, "钱少年", birth=dt.date(1990, 6, 15))
    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(user, branch, p, joined_on=dt.date(2008, 6, 14))
    assert exc.value.errors["joined_on"] == (
        "入党日期 2008-06-14 时未满十八周岁（出生日期 1990-06-15，2008-06-15 年满十八周岁）")
    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(user, branch, p, joined_on=dt.date(1985, 7, 1))
    assert "未满十八周岁" in exc.value.errors["joined_on"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(user, branch, p, joined_on=dt.date(2010, 7, 1), formal_on=tomorrow)
    assert exc.value.errors == {"formal_on": f"转正日期 {tomorrow.isoformat()} 晚于今天（{timezone.localdate().isoformat()}）"}
    assert not Member.objects.filter(person=p).exists()
    services.add_member(user, branch, p, joined_on=dt.date(2008, 6, 15))  # the birthday itself counts


def test_the_roll_import_names_the_row_of_a_member_who_joined_as_a_child(world, branch):
    rows = [roll_row(1, "王大山", "男", dt.date(1962, 3, 4), 31),
            roll_row(2, "冯幼年", "男", dt.date(1995, 1, 1), 32, joined="2005.07.01", formal="2006.07.01")]
    with pytest.raises(services.ImportRejected) as exc:
        services.import_members(world.users["village_a1"], branch, roll_xlsx(rows), "党员名册.xlsx")
    problems = {(p.row, p.field): p.message for p in exc.value.parsed.errors}
    assert problems[(6, "joined_on")].startswith("入党日期 2005-07-01 时未满十八周岁（出生日期 1995-01-01")
    assert problems[(6, "formal_on")].startswith("转正日期 2006-07-01 时未满十八周岁")
    assert not Member.objects.filter(branch=branch).exists()


def test_electing_body_by_size(world, branch):
    add_members(world.users["village_a1"], branch, 3)
    assert services.body_of(branch)["body"] == "assembly"
    branch.scattered = True
    assert services.body_of(branch)["body"] == "congress_allowed"


def test_out_of_scope_account_cannot_touch_the_roll(world, branch):
    with pytest.raises(services.PartyError):
        services.add_member(world.users["township_b"], branch, new_person(world.village_a1, "甲"),
                            joined_on=dt.date(2000, 1, 1))


def test_a_person_of_another_county_is_neither_shown_nor_changed(world, branch, client_for):
    """Issue 9 §3 for the member roll: an ID number on record outside the actor's scope is refused
    with the one message, by import and by hand, and the person's record stays as it was."""
    from huanjie.people.services import ELSEWHERE_MESSAGE

    far = world.people["far"]
    sex = "男" if int(far.id_number[16]) % 2 else "女"  # as the ID number says (R67)
    rows = [roll_row(1, "冒名", sex, far.birth_date, 16)]
    rows[0][5] = far.id_number
    user = world.users["village_a1"]
    with pytest.raises(services.ImportRejected) as exc:
        services.import_members(user, branch, roll_xlsx(rows), "roll.xlsx")
    assert ELSEWHERE_MESSAGE in str(exc.value) and far.name not in str(exc.value)
    assert "邻村" not in str(exc.value)
    result = services.import_members(user, branch, roll_xlsx(rows), "roll.xlsx", skip_bad_rows=True)
    assert (result.added, result.rejected) == (0, 1)
    assert not Member.objects.filter(person=far).exists()
    far.refresh_from_db()
    assert far.name == "钱多" and far.political_status != "cpc_probationary"

    with pytest.raises(services.MemberInvalid) as exc:
        services.add_member(user, branch, far)
    assert ELSEWHERE_MESSAGE in str(exc.value.errors)
