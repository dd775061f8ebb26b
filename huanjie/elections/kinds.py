"""What differs between kinds of election, supplied by the app that owns the kind.

The election machinery (posts, rounds, timeline, stations, counting forms, results, lock,
documents) is one for every kind. Where a kind needs something else — the party branch's
calendar (两推, 公示, 批复), its attendance figures for the count (应到/实到, R51–R52), the steps
that must be done before ballots are issued or a result may be counted — the owning app registers
a :class:`KindHooks` for it (in its ``AppConfig.ready``), so this package never imports the apps
built on top of it and no part of it is copied per kind.

A kind without hooks behaves as the villagers' committee does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class KindHooks:
    # Post code → (label, rank; smaller is higher) for the posts this kind may have.
    posts: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    # (campaign, organization) → the election's title.
    title: Callable | None = None
    # (election, election_date, step records by key) → tuple of rules.dates.CalendarStep.
    calendar_steps: Callable | None = None
    # election → Chinese reasons why ballots may not be issued yet (besides P14–P16).
    voting_blockers: Callable | None = None
    # round → extra inputs of the engine's count (e.g. expected_attendance, present_with_vote);
    # when given, the registered voters are not used.
    vote_inputs: Callable | None = None
    # election → Chinese reasons why ballots may not be issued, counted or a result computed yet
    # (a party assembly without the township's 批复 or short of its 4/5 quorum).
    ballot_blockers: Callable | None = None
    # election → Wording of its documents (who issues them, which body is elected, under which law).
    wording: Callable | None = None
    # election → Chinese reasons why the result may not be submitted yet, besides the count's own
    # (an elected member whom the kind's rules exclude from the body, found again on the result).
    result_blockers: Callable | None = None
    # election → (opening, closing): the kind's own documents for the archive package, each
    # (title, filename, date, make). Opening documents replace the voter list and cards.
    archive_documents: Callable | None = None
    # Whether the village's own preparation (离任审计, training: P14–P16) gates the vote. A
    # township congress's delegate election held in a unit is not the village's re-election.
    village_readiness: bool = True
    # The kind the rules engine counts this election as (a township congress electing its party
    # committee counts as the party's delegate election does: R52–R60, R63), or None for itself.
    engine_kind: str | None = None
    # The level of the region the election belongs to: a village's own elections, or the
    # township's (the congress's elections and the new committees' first plenaries).
    organization_level: str = "village"
    # Whether the people it elects join the village's new team (a congress delegate elected in a
    # unit named after a village does not).
    village_team: bool = True
    # election → the address of the page where the office does this election's work (the to-do
    # list links there instead of the villagers' committee's pages, and the election's detail
    # page sends you there).
    work_url: Callable | None = None
    # stage → what the office does in that stage when no dated step is due (to-do list wording).
    stage_work: Mapping[str, str] | None = None
    # candidate → what the campaign policy (P1–P6, P11) reads of it where the post's name alone
    # does not say: {"post": the post as the policy names it (书记 / 委员), "body": "party", …,
    # "current_post": the post held now ("" for a newcomer)}. Unset keys keep the default.
    policy_candidate: Callable | None = None
    # Post codes whose holders must attend county-level 岗前培训 (seed 004 §二(三)3: 党组织书记、
    # 主任和村务监督委员会主任; P24). None: the committee's default, its 主任.
    induction_posts: tuple[str, ...] | None = None
    # (campaign, scope prefix, search text, township code) → DashboardSection: the kind's own table
    # on the township's and county's dashboards, beside the villagers' committees' (the party's
    # half of the 两委 with the figures of its own list). Kinds with a section are not rows of the
    # committees' table; kinds sharing one function show one section.
    dashboard_section: Callable | None = None


@dataclass(frozen=True)
class DashboardSection:
    """A kind's table on the dashboards, built with a fixed number of queries for any count."""

    title: str
    columns: list[str]  # the Excel sheet's columns
    rows: list[tuple[str, list]]  # (address of the row's page, cells as the Excel sheet writes them)
    shown: tuple[int, ...]  # indexes of the columns the screen shows (the sheet has them all)
    tiles: list[tuple[str, object]]  # (label, figure) over all rows
    note: str = ""  # one line under the tiles: what the figures count


def dashboard_filter(qs, campaign, scope_prefix: str, q: str = "", township_code: str = "", via: str = ""):
    """The dashboards' one filter: the campaign's rows in the account's scope, of one township and
    matching a village or township name when asked. ``via`` is the path from the rows to their
    election ("election__" for a kind's own model, "" for elections)."""
    from django.db.models import Q

    qs = qs.filter(**{f"{via}campaign": campaign, f"{via}organization__code__startswith": scope_prefix})
    if township_code:
        qs = qs.filter(**{f"{via}organization__parent__code": township_code})
    if q:
        qs = qs.filter(Q(**{f"{via}organization__name__contains": q}) | Q(**{f"{via}organization__parent__name__contains": q}))
    return qs


def dashboard_sections(kinds_shown) -> list[Callable]:
    """The section functions of ``kinds_shown``, once each, in the order of the kinds."""
    return list(dict.fromkeys(
        h.dashboard_section for k in kinds_shown if (h := hooks_for(k)).dashboard_section is not None
    ))


@dataclass(frozen=True)
class Wording:
    """The words that differ between kinds in the result documents."""

    body: str  # the body elected, after the village's name and term: 村民委员会
    election_name: str  # what the titles call the election (before 选举): 村民委员会
    issuer: str  # who issues the documents: 东山村村民选举委员会
    law: str  # 《中华人民共和国村民委员会组织法》
    electorate: str  # whom participation counts: 登记选民
    electorate_in_notice: str  # the same in the results notice's first sentence: 本村登记选民
    valid_text: str  # the sentence when the vote is valid
    report_to: str  # to whom the result is reported: 清溪镇人民政府
    chair: str  # who signs the report first: 村民选举委员会主任
    vote: str = "选举"  # what the choice is called in the titles: 选举 (推选 for a meeting's choice)
    # The meeting that elects, as the 当选证书 name it ("经中共东山村支部党员大会选举，当选为…"); empty:
    # the certificate names the body elected ("经东山村第十二届村民委员会选举").
    elected_by: str = ""
    # The organisation and its term as the titles name them, before election_name. None: the
    # organisation's name and the campaign's term (东山村第十二届). A township congress's elections
    # are of the township committee's own term (中共清溪镇第三届委员会), not the villages'.
    heading: str | None = None
    # What the results notice calls the ballots returned over the electorate: 参选率 of the voters,
    # 投票率 of a meeting's members (a 推选 by the 村民代表会议 counts its members, not voters).
    turnout: str = "参选率"
    # The box at the top right of a ballot for the seal of the body that issues it.
    seal: str = "选举委员会盖章"
    # The village's words as this kind says them, longest first (a residents' committee is elected
    # by 居民 of 本社区 in 居民小组, under its own law): what :meth:`say` replaces in a page's text.
    village_words: tuple[tuple[str, str], ...] = ()

    def say(self, text: str) -> str:
        """``text`` written for a village, in this kind's words (unchanged for a village)."""
        for village_word, own in self.village_words:
            text = text.replace(village_word, own)
        return text


# What a residents' committee election calls what a village's calls otherwise (城市居民委员会组织法).
RESIDENTS_WORDS = (
    ("《中华人民共和国村民委员会组织法》", "《中华人民共和国城市居民委员会组织法》"),
    ("《村民委员会组织法》", "《城市居民委员会组织法》"),
    ("村民委员会组织法", "城市居民委员会组织法"),
    ("村民选举委员会", "居民选举委员会"),
    ("村民委员会", "居民委员会"),
    ("村民（代表）会议", "居民（代表）会议"),
    ("村民代表会议", "居民代表会议"),
    ("村民小组会议", "居民小组会议"),
    ("村民小组", "居民小组"),
    ("村民代表", "居民代表"),
    ("村务工作", "社区工作"),
    ("本村", "本社区"),
    ("村民", "居民"),
)


def wording(election) -> Wording:
    own = hooks_for(election.kind).wording
    if own is not None:
        return own(election)
    from huanjie.elections.models import Election
    from huanjie.elections.registration.documents import committee_name

    residents = election.kind == Election.RESIDENTS_COMMITTEE
    parent = election.organization.parent
    return Wording(
        body="居民委员会" if residents else "村民委员会",
        election_name="居民委员会" if residents else "村民委员会",
        issuer=committee_name(election),
        law="《中华人民共和国城市居民委员会组织法》" if residents else "《中华人民共和国村民委员会组织法》",
        electorate="登记选民",
        electorate_in_notice="本社区登记选民" if residents else "本村登记选民",
        valid_text="参加投票的选民超过登记选民的半数，选举有效",
        report_to=f"{parent.name}人民政府" if parent else "",
        chair="居民选举委员会主任" if residents else "村民选举委员会主任",
        village_words=RESIDENTS_WORDS if residents else (),
    )


def non_team_kinds() -> list[str]:
    """Kinds whose elected people are not a village's new team (the township congress's)."""
    return [k for k, h in _REGISTRY.items() if not h.village_team or h.organization_level != "village"]


def engine_kind(kind: str) -> str:
    """The kind name the rules engine counts an election of ``kind`` as."""
    return hooks_for(kind).engine_kind or kind


def ballot_blockers(election) -> list[str]:
    own = hooks_for(election.kind).ballot_blockers
    return own(election) if own is not None else []


def result_blockers(election) -> list[str]:
    own = hooks_for(election.kind).result_blockers
    return own(election) if own is not None else []


_REGISTRY: dict[str, KindHooks] = {}
_NONE = KindHooks(posts=MappingProxyType({}))


def register(kind: str, hooks: KindHooks) -> None:
    _REGISTRY[kind] = hooks


def hooks_for(kind: str) -> KindHooks:
    return _REGISTRY.get(kind, _NONE)


DEFAULT_INDUCTION_POSTS = ("director",)


def induction_posts(kind: str) -> tuple[str, ...]:
    """The posts of ``kind`` whose holders need county-level 岗前培训 (P24): the kind's own, or
    the 主任 of a villagers' or residents' committee."""
    own = hooks_for(kind).induction_posts
    return DEFAULT_INDUCTION_POSTS if own is None else own


def induction_kinds() -> dict[str, tuple[str, ...]]:
    """Every kind with posts needing county-level 岗前培训: the committees and the registered kinds."""
    from huanjie.elections.models import Election

    out = {k: induction_posts(k) for k in (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE)}
    out.update({k: h.induction_posts for k, h in _REGISTRY.items() if h.induction_posts})
    return out
