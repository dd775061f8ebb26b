"""The JSON API (django-ninja, OpenAPI at /api/openapi.json, docs at /api/docs).

It calls the same querysets and services as the web pages, with the same roles and scope.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

from huanjie.campaigns.models import Campaign
from huanjie.core.access import ADMIN, ALL_ROLES, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow
from huanjie.people.models import Person, Region

from .access import SessionAuthCSRF, api_allow, install_error_handlers

api = NinjaAPI(title="换届通 API", version="1", auth=SessionAuthCSRF(), urls_namespace="api",
               docs_decorator=allow(*ALL_ROLES))
install_error_handlers(api)


class RegionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    population: int
    households: int


class CampaignOut(Schema):
    slug: str
    name: str
    county_code: str
    jurisdiction: str
    term_number: int
    cutoff_date: dt.date
    villages: int


class PersonOut(Schema):
    id: int
    name: str
    id_number: str | None
    gender: str
    birth_date: dt.date
    political_status: str
    hukou_village_code: str
    group_name: str


def _region_out(r: Region) -> RegionOut:
    return RegionOut(code=r.code, name=r.name, level=r.level, kind=r.kind,
                     parent_code=r.parent.code if r.parent_id else None,
                     population=r.population, households=r.households)


@api.get("/regions", response=list[RegionOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def list_regions(request):
    return [_region_out(r) for r in Region.objects.visible_to(request.user).current().select_related("parent")]


@api.get("/campaigns", response=list[CampaignOut])
@api_allow(*ALL_ROLES)
def list_campaigns(request):
    return [
        CampaignOut(slug=c.slug, name=c.name, county_code=c.county.code, jurisdiction=c.jurisdiction,
                    term_number=c.term_number, cutoff_date=c.cutoff_date, villages=c.villages.count())
        for c in Campaign.objects.visible_to(request.user).select_related("county")
    ]


@api.get("/people", response=list[PersonOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, ADMIN)
def search_people(request, q: str = "", limit: int = 50):
    if not 1 <= limit <= 500:
        raise HttpError(422, "limit 必须在 1 到 500 之间。")
    qs = Person.objects.visible_to(request.user).select_related("hukou_village").search(q).in_list_order(
        request.user)[:limit]
    return [_person_out(p) for p in qs]


@api.get("/people/{person_id}", response=PersonOut)
@api_allow(COUNTY, TOWNSHIP, VILLAGE, ADMIN)
def get_person(request, person_id: int):
    return _person_out(get_object_or_404(Person.objects.visible_to(request.user), pk=person_id))


def _person_out(p: Person) -> PersonOut:
    return PersonOut(id=p.pk, name=p.name, id_number=p.id_number, gender=p.gender, birth_date=p.birth_date,
                     political_status=p.political_status, hukou_village_code=p.hukou_village.code,
                     group_name=p.group_name)


# ---------------------------------------------------------------- elections


class PostOut(Schema):
    code: str
    name: str
    seats: int
    women_only: bool


class StepOut(Schema):
    key: str
    label: str
    rule: str
    deadline: dt.date | None
    done_on: dt.date | None
    status: str


class ElectedOut(Schema):
    post: str
    name: str
    votes: int
    round: int


class ElectionOut(Schema):
    id: int
    title: str
    kind: str
    village_code: str
    election_date: dt.date
    stage: str
    posts: list[PostOut]
    registered_voters: int
    submitted: bool


class ElectionDetailOut(ElectionOut):
    timeline: list[StepOut]
    voting_blockers: list[str]
    elected: list[ElectedOut]


def _visible_elections(user):
    from huanjie.elections.models import Election

    prefix = user.scope_prefix
    if prefix is None or user.role == "department":
        return Election.objects.none()
    return Election.objects.filter(organization__code__startswith=prefix)


def _with_lock(qs):
    """Elections with their organization, posts and lock flag in one query each (none per election)."""
    from django.db.models import Exists, OuterRef

    from huanjie.elections.voting.models import ResultSubmission

    locked = ResultSubmission.objects.filter(election=OuterRef("pk"), locked=True)
    return qs.select_related("organization").prefetch_related("posts").annotate(locked=Exists(locked))


def _with_voters(elections: list) -> list:
    """Registered voters of each election from the cached per-election counts (issue 17)."""
    from huanjie.elections.registration import services as registration

    counts = registration.village_counts(elections)
    for e in elections:
        e.registered_count = counts.get(e.pk, {}).get("total", 0)
    return elections


def _election_out(e, cls=ElectionOut, **extra):
    return cls(
        id=e.pk, title=e.title, kind=e.kind, village_code=e.organization.code, election_date=e.election_date,
        stage=e.stage, posts=[PostOut(code=p.code, name=p.name, seats=p.seats, women_only=p.women_only)
                              for p in e.posts.all()],
        registered_voters=e.registered_count, submitted=e.locked, **extra)


@api.get("/elections", response=list[ElectionOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def list_elections(request, campaign: str = ""):
    qs = _with_lock(_visible_elections(request.user))
    if campaign:
        qs = qs.filter(campaign__slug=campaign)
    return [_election_out(e) for e in _with_voters(list(qs.order_by("organization__code")))]


@api.get("/elections/{election_id}", response=ElectionDetailOut)
@api_allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def get_election(request, election_id: int):
    from huanjie.elections import services
    from huanjie.elections.models import ElectedMember

    e = get_object_or_404(_with_lock(_visible_elections(request.user)).select_related("campaign"), pk=election_id)
    _with_voters([e])
    steps = [StepOut(key=s.key, label=s.label, rule=s.rule, deadline=s.deadline, done_on=s.done_on, status=s.status)
             for s in services.timeline(e)]
    elected = [ElectedOut(post=m.post.name, name=m.name, votes=m.votes, round=m.round.number)
               for m in ElectedMember.objects.filter(election=e, status=ElectedMember.ELECTED)
               .select_related("post", "round")]
    return _election_out(e, ElectionDetailOut, timeline=steps, voting_blockers=services.voting_blockers(e),
                         elected=elected)


# ---------------------------------------------------------------- village party elections (issue 12)


class PartyElectionOut(Schema):
    id: int  # the assembly's election id (GET /elections/{id} for its timeline and posts)
    plenary_id: int | None
    village_code: str
    village_name: str
    method: str
    body: str
    election_date: dt.date
    stage: str
    plenary_stage: str
    approval_number: str  # the township's 批复 of the preliminary candidates ("" before it)
    expected_attendance: int | None
    present_with_vote: int | None
    quorum_met: bool | None
    committee: list[str]
    secretary: str
    women: int
    aged_35_or_under: int
    result_approval_number: str


@api.get("/party/elections", response=list[PartyElectionOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def list_party_elections(request, campaign: str = ""):
    """The scope's village party elections with the figures of the party's list page."""
    from huanjie.campaigns.models import Campaign
    from huanjie.party import services as party

    chosen = None
    if campaign:
        chosen = get_object_or_404(Campaign.objects.visible_to(request.user), slug=campaign)
    out = []
    pes = party.visible_party_elections(request.user, chosen).order_by("election__organization__code")
    for r in party.party_rows(pes):
        pe = r["pe"]
        out.append(PartyElectionOut(
            id=pe.election_id, plenary_id=pe.plenary_id, village_code=r["village"].code, village_name=r["village"].name,
            method=r["method"], body=r["body"], election_date=r["election"].election_date, stage=r["election"].stage,
            plenary_stage=pe.plenary.stage if pe.plenary else "", approval_number=r["approval"],
            expected_attendance=r["expected"], present_with_vote=r["present"], quorum_met=r["quorum_met"],
            committee=r["committee"], secretary=r["secretary"], women=r["women"], aged_35_or_under=r["young"],
            result_approval_number=r["result_approval"]))
    return out


# ---------------------------------------------------------------- village posts (村民代表, 小组长)


class ShareOut(Schema):
    numerator: int
    denominator: int
    percent: str  # "81.48%", "—" without a denominator


class VillagePostsOut(Schema):
    village_code: str
    village_name: str
    basis: str | None
    published_on: dt.date | None
    representatives: int
    women: int
    party_members: int
    meeting_members: int
    representatives_share: ShareOut
    women_share: ShareOut
    party_share: ShareOut
    publishable: bool
    findings: list[str]
    groups: int
    group_leaders: int
    four_in_one_share: ShareOut


def _share(p) -> ShareOut:
    return ShareOut(numerator=p.numerator, denominator=p.denominator, percent=p.text)


@api.get("/campaigns/{slug}/villageposts", response=list[VillagePostsOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def list_village_posts(request, slug: str):
    """Each village in scope: its representatives' statutory shares (R38) and 四长合一 — the same
    figures as the 村（居）民代表和小组长 page, from the same services."""
    from huanjie.villageposts import services as posts

    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)
    entries = list(campaign.villages.filter(village__code__startswith=request.user.scope_prefix)
                   .select_related("village", "campaign").order_by("village__code"))
    loaded = posts.load(entries)
    out = []
    for e in entries:
        d = loaded[e.pk]
        check, stats = posts.check(e, d), posts.group_stats(e, d)
        out.append(VillagePostsOut(
            village_code=e.village.code, village_name=e.village.name, basis=d.setup.basis if d.setup.pk else None,
            published_on=d.setup.published_on, representatives=check["representatives"], women=check["women"],
            party_members=check["party_members"], meeting_members=check["meeting_members"],
            representatives_share=_share(check["representatives_share"]), women_share=_share(check["women_share"]),
            party_share=_share(check["party_share"]), publishable=check["publishable"],
            findings=[f["text"] for f in check["findings"]], groups=stats["groups"],
            group_leaders=stats["with_leader"], four_in_one_share=_share(stats["four_in_one_share"])))
    return out
