"""Test helpers: a village party branch with members, and its election ready for the assembly."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from huanjie.party import services
from huanjie.party.models import Member
from huanjie.people.models import Person
from huanjie.rules.idnumber import make_id

ASSEMBLY_DAY = dt.date(2027, 1, 15)
_seq = [100]


def new_person(village, name: str, gender: str = "M", birth: dt.date = dt.date(1975, 5, 5)) -> Person:
    _seq[0] += 1
    return Person.objects.create(
        name=name, gender=gender, birth_date=birth, id_number=make_id(village.code[:6], birth, _seq[0] % 1000),
        hukou_village=village, residence_village=village, political_status="cpc",
    )


def add_members(actor, branch, n: int, prefix: str = "党员", **facts) -> list[Member]:
    out = []
    for i in range(n):
        # Born 1975–1992: within the policy's age limits for the committee (P2), so a test meets
        # the policy unless it sets out not to.
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=13 * (_seq[0] % 500))
        p = new_person(branch.village, f"{prefix}{i + 1}", "F" if i % 3 == 0 else "M", birth)
        # Joined in July 2000, or the first July 1st after the eighteenth birthday if later.
        joined = max(dt.date(2000, 7, 1), dt.date(birth.year + 18 + 1, 7, 1))
        out.append(services.add_member(actor, branch, p, **{"joined_on": joined, **facts}))
    return out


def roll_xlsx(rows: list[list], header=None, title: bool = True) -> bytes:
    """A member roll as organisation offices keep it: title row, 填报单位 row, header, rows, footer."""
    header = header or ["序号", "姓名", "性别", "民族", "出生日期", "身份证号码", "文化程度", "党员类别",
                        "入党时间", "转正时间", "留党察看期至", "流动党员外出地点", "备注"]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("党员名册")
    r = 0
    if title:
        ws.write(0, 0, "东山村党支部党员花名册")
        ws.write(1, 0, "填报单位：中共东山村支部委员会（盖章）")
        r = 3
    for j, h in enumerate(header):
        ws.write_string(r, j, h)
    for i, row in enumerate(rows, start=r + 1):
        for j, v in enumerate(row):
            ws.write_string(i, j, str(v))
    ws.write(r + len(rows) + 2, 0, "制表人：张三")
    wb.close()
    return buf.getvalue()


def roll_row(seq: int, name: str, gender: str, birth: dt.date, serial: int, status="正式党员", joined="2001.07.01",
             formal="2002.07.01", discipline="", mobile="", note="", region6="130731") -> list:
    return [seq, name, gender, "汉族", birth.strftime("%Y.%m.%d"), make_id(region6, birth, serial), "高中",
            status, joined, formal, discipline, mobile, note]


def dates(world):
    """The campaign around today, so done steps fall on real past days and the assembly is ahead."""
    from django.utils import timezone

    today = timezone.localdate()
    c = world.campaign
    c.starts_on, c.ends_on = today - dt.timedelta(days=60), today + dt.timedelta(days=120)
    c.save()
    return {
        "members_meeting": today - dt.timedelta(days=30),
        "villagers_meeting": today - dt.timedelta(days=29),
        "inspected": today - dt.timedelta(days=20),
        "preliminary": today - dt.timedelta(days=15),
        "notice": today - dt.timedelta(days=14),
        "request": today - dt.timedelta(days=8),
        "approval": today - dt.timedelta(days=5),
        "assembly": today - dt.timedelta(days=3),
        "result_approved": today - dt.timedelta(days=1),
    }


def pass_review(world, candidate) -> None:
    """Every tier of the review app passes the candidate (village, township, each department)."""
    from huanjie.accounts.models import User
    from huanjie.review import services as review
    from huanjie.review.models import ReviewVerdict

    while True:
        verdict = ReviewVerdict.objects.filter(case__candidate=candidate, verdict=ReviewVerdict.PENDING).first()
        if verdict is None:
            return
        if verdict.tier == "village":
            actor = world.users["village_a1"]
        elif verdict.tier == "township":
            actor = world.users["township_a"]
        else:
            actor = User.objects.filter(role="department", department=verdict.department).first()
        review.record_verdict(actor, verdict, True)


def approved_election(world, members: int = 20, seats: int = 3, candidates: int = 5, preliminary: int = 4):
    """A 两推一选 election of 东山村 up to the township's 批复: members, two recommendation
    meetings, initial candidates reviewed and inspected, the preliminary list published and approved."""
    from huanjie.party.models import PartyElection

    d = dates(world)
    township, village = world.users["township_a"], world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    roll = add_members(village, branch, members)
    pe = services.create_party_election(township, world.campaign, world.village_a1, d["assembly"],
                                        committee_seats=seats, deputy_secretaries=1)
    people = [m.person for m in roll[:candidates]]
    services.record_recommendation(village, pe, "members", held_on=d["members_meeting"], expected=members,
                                   present=members - 2, tallies={p: 15 - i for i, p in enumerate(people)})
    services.record_recommendation(village, pe, "villagers", held_on=d["villagers_meeting"], expected=40,
                                   present=35, tallies={p: 30 - 2 * i for i, p in enumerate(people)})
    noms = [services.add_nominee(village, pe, p, proposed_post="secretary" if i == 0 else "",
                                 current_post="书记" if i == 0 else "")
            for i, p in enumerate(people)]
    for n in noms:
        pass_review(world, n.candidate)
        services.record_inspection(township, n, inspected_on=d["inspected"], competent=18, basic=2,
                                   incompetent=0, talks=12, visits="走访群众10户")
    services.decide_preliminary(village, pe, noms[:preliminary], d["preliminary"])
    services.publish_notice(village, pe, d["notice"])
    services.record_approval(township, pe, request_number="东山支〔2026〕1号", request_date=d["request"],
                             approval_number="清溪党〔2026〕8号", approval_date=d["approval"])
    pe = PartyElection.objects.get(pk=pe.pk)
    return pe, roll, noms, d
