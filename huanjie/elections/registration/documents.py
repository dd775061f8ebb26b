"""Printable documents of an election: the voter list notice (选民名单公告) and voter cards (选民证).

Public notices carry name, gender and 村民小组 only: an ID number never appears on paper posted
in the village. Dates on the notice (publication, objection window, decision period) come from
the rules engine's calendar (R4, R10).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.documents.render.pdf import cards_pdf, notice_pdf
from huanjie.elections import kinds
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import Election, VoterRegistration
from huanjie.elections.services import (
    WORK_ROLES,
    ElectionError,
    _require_in_scope,
    _require_role,
    group_sort_key,
    profile_of,
)
from huanjie.rules.dates import election_calendar
from huanjie.rules.strokes import stroke_sort_key

GENDER_ZH = {"M": "男", "F": "女"}


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def committee_name(election: Election) -> str:
    body = "居民选举委员会" if election.kind == Election.RESIDENTS_COMMITTEE else "村民选举委员会"
    return f"{election.organization.name}{body}"


def list_order_key(group_name: str, name: str) -> tuple:
    """The order of every voter list, printed or on screen: 村民小组, then surname strokes (R69)."""
    return (group_sort_key(group_name or "未分组"), stroke_sort_key(name))


def in_list_order(registrations) -> list:
    """Registrations (with ``person`` loaded) in the voter list's order."""
    return sorted(registrations, key=lambda r: list_order_key(r.group_name, r.person.name))


def registered_voters(election: Election) -> list[tuple[str, str, str, str]]:
    """(group, name, gender, card number) of every registered voter, by group then surname strokes (R69)."""
    rows = list(
        VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).values_list(
            "group_name", "person__name", "person__gender", "card_number"
        )
    )
    rows.sort(key=lambda r: list_order_key(r[0], r[1]))
    return [(g or "未分组", name, GENDER_ZH.get(gender, ""), number) for g, name, gender, number in rows]


def publication_date(election: Election) -> dt.date | None:
    rec = election.steps.filter(key="voter_list_published").first()
    return rec.done_on if rec else None


def notice_dates(election: Election, publish_on: dt.date) -> dict:
    """The engine's R10 dates for a list published on ``publish_on``."""
    profile = profile_of(election)
    cal = election_calendar(election.election_date, profile, list_published=publish_on)
    return {
        "publish_on": publish_on,
        "latest": cal.list_publication_latest,
        "on_time": cal.list_publication_ok,
        "objection_until": cal.objection_deadline,
        "decision_days": profile["calendar.objection_decision_days"],
    }


def voter_notice_pdf(election: Election, publish_on: dt.date | None = None) -> bytes:
    """选民名单公告: registered voters grouped by 村民小组 (name and gender only), with the
    publication date and the objection window."""
    publish_on = publish_on or publication_date(election) or timezone.localdate()
    dates = notice_dates(election, publish_on)
    voters = registered_voters(election)
    sections: dict[str, list[list[str]]] = {}
    for group, name, gender, _ in voters:
        sections.setdefault(group, []).append([name, gender])
    women = sum(1 for v in voters if v[2] == "女")
    village = election.organization.name
    words = kinds.wording(election)
    paragraphs = [
        f"根据{words.law}的规定，经{committee_name(election)}依法登记，"
        f"{election.title}共登记选民 {len(voters)} 名（男 {len(voters) - women} 名，"
        f"女 {women} 名），选举日为 {zh_date(election.election_date)}。"
        + words.say("现将选民名单按村民小组公布如下："),
    ]
    closing = [
        f"对以上选民名单有异议的，请自公布之日起至 {zh_date(dates['objection_until'])}前"
        f"向{committee_name(election)}提出。"
        f"{committee_name(election)}自收到异议之日起 {dates['decision_days']} 日内作出处理决定，并公布处理结果。",
    ]
    return notice_pdf(
        f"{village}选民名单公告",
        paragraphs,
        issuer=committee_name(election),
        date_text=zh_date(publish_on),
        sections=list(sections.items()),
        section_columns=("姓名", "性别"),
        closing_paragraphs=closing,
        stamp=True,
    )


@guarded
@transaction.atomic
def assign_card_numbers(actor, election: Election) -> int:
    """Give every registered voter without one a voter card number (选民证号), in list order."""
    _require_role(actor, WORK_ROLES, "编制选民证号")
    _require_in_scope(actor, election.organization.code)
    regs = list(
        VoterRegistration.objects.select_for_update()
        .filter(election=election, status=VoterRegistration.REGISTERED, card_number="")
        .select_related("person")
    )
    if not regs:
        return 0
    taken = (
        VoterRegistration.objects.filter(election=election)
        .exclude(card_number="")
        .aggregate(m=Max("card_number"))
    )
    start = int(taken["m"]) if taken["m"] and taken["m"].isdecimal() else 0
    regs = in_list_order(regs)
    for i, r in enumerate(regs, start + 1):
        r.card_number = f"{i:05d}"
    VoterRegistration.objects.bulk_update(regs, ["card_number"], batch_size=2000)
    audit.record(actor, "election.voter_cards", election, changes={"card_numbers": [None, len(regs)]})
    return len(regs)


# A voter card says when and where to vote (the election day may move: cards print the current day).
VOTER_CARD_FIELDS = (
    ("村（社区）", "village"),
    ("姓名", "name"),
    ("性别", "gender"),
    ("村民小组", "group"),
    ("选民证号", "number"),
    ("选举日期", "day"),
    ("投票地点", "station"),
)


def polling_place(stations, group: str) -> str:
    """Where a voter of ``group`` votes: the station named after the group, else the central
    meeting; before the stations are set, the notice that will say it."""
    if not stations:
        return "见投票选举事项公告"
    mine = next((s for s in stations if group and group in f"{s.name}{s.location}"), None)
    central = next((s for s in stations if s.kind == "central"), stations[0])
    s = mine or central
    return f"{s.name}（{s.location}）" if s.location else s.name


def voter_cards_pdf(election: Election, issued_on: dt.date | None = None) -> bytes:
    """选民证 for every registered voter, eight to an A4 page with cut lines."""
    voters = registered_voters(election)
    if not voters:
        raise ElectionError("该选举还没有登记选民，无法打印选民证。")
    place = election.organization.full_name().removeprefix(election.campaign.county.full_name())
    stations = list(election.stations.exclude(kind="mobile").order_by("id"))
    cards = [
        {
            "village": place,
            "name": name,
            "gender": gender,
            "group": group,
            "number": number,
            "day": zh_date(election.election_date),
            "station": polling_place(stations, group),
        }
        for group, name, gender, number in voters
    ]
    return cards_pdf(
        cards,
        fields=tuple((kinds.wording(election).say(label), key) for label, key in VOTER_CARD_FIELDS),
        issuer=committee_name(election),
        date_text=zh_date(issued_on or timezone.localdate()),
    )
