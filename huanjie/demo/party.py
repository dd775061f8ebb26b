"""The demo county's village party organisations at work, through the party services (issue 12).

* village 0: 两推一选 complete — member roll, the members' and the villagers' recommendation, initial
  candidates reviewed at every tier and inspected, preliminary list, 公示, 请示 and 批复, the
  members' assembly (sign-in, two members left out with both approvals, 4/5 quorum), the count, the
  first plenary electing the 书记 (the villagers' committee's elected 主任: 一肩挑 is computed), and
  the township's 批复 of the result.
* village 1: 公推直选 waiting for the 批复 — 海推 and 定向推荐, candidates reviewed and inspected,
  the preliminary list published; the request has not been answered yet.

The party election comes first in every campaign, so its days lie before the villagers' committee's
(fixed dates, so the demo stays deterministic for a seed).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign
from huanjie.people.models import Person, Region
from huanjie.rules.dates import add_years

D = dt.date


class PartyScenarioError(RuntimeError):
    """A service refused a step of the party demo (the demo data or a service changed)."""


def _check(call, *args, **kwargs):
    from huanjie.elections.services import ElectionError
    from huanjie.party.services import PartyError
    from huanjie.review.services import ReviewError

    try:
        return call(*args, **kwargs)
    except (ElectionError, PartyError, ReviewError) as exc:
        raise PartyScenarioError(f"党组织演示场景：{getattr(call, '__name__', call)} 被拒绝：{exc}") from exc


def _joined(person: Person, i: int) -> dt.date:
    """A July 1st between 1985 and 2025, never before the member's eighteenth birthday."""
    candidate = D(max(1985 + i % 35, person.birth_date.year + 19 + i % 5), 7, 1)
    return max(add_years(person.birth_date, 18), min(candidate, D(2025, 7, 1)))


def _roll(clerk, village: Region, first: list[Person]):
    """The branch's roll from the village's party members (formal; probationary joined this July)."""
    from huanjie.party import services
    from huanjie.party.models import Member

    branch = _check(services.branch_of, clerk, village)
    today = timezone.localdate()
    # The generated people are party members from the year they turn 18; one whose birthday is
    # still ahead this year cannot have joined yet and stays off the roll.
    people = list(first) + [
        p for p in Person.objects.filter(hukou_village=village, political_status__in=["cpc", "cpc_probationary"])
        .order_by("pk") if p not in first and add_years(p.birth_date, 18) <= today
    ]
    members = []
    for i, p in enumerate(people):
        probationary = p.political_status == "cpc_probationary"
        members.append(_check(
            services.add_member, clerk, branch, p,
            status=Member.PROBATIONARY if probationary else Member.FORMAL,
            joined_on=D(2026, 7, 1) if probationary else _joined(p, i),
            mobile=i % 9 == 4, mobile_where="浙江省宁波市" if i % 9 == 4 else "",
        ))
    return branch, members


def _pass_review(candidate, users: dict[str, User], on: dt.date) -> None:
    from huanjie.review import services as review
    from huanjie.review.models import ReviewVerdict

    while True:
        verdict = ReviewVerdict.objects.filter(case__candidate=candidate, verdict=ReviewVerdict.PENDING).first()
        if verdict is None:
            return
        actor = users[verdict.tier] if verdict.tier in users else users[verdict.department.code]
        _check(review.record_verdict, actor, verdict, True, on=on)


def _nominable(people: list[Person], n: int = 5) -> list[Person]:
    """``n`` of ``people`` in order that may stand together: no near relatives of each other (P5),
    with a known birth date (P1). The first stays first (the sitting secretary)."""
    from django.db.models import Q

    from huanjie.people.models import Relation

    out: list[Person] = []
    for p in people:
        if p.birth_date is None:
            continue
        ids = [q.pk for q in out]
        if ids and Relation.objects.filter(Q(elder=p, younger_id__in=ids) | Q(younger=p, elder_id__in=ids)).exists():
            continue
        out.append(p)
        if len(out) == n:
            break
    return out


def _candidates(pe, clerk, township_user, reviewers, people: list[Person], on: dt.date, inspected: dt.date):
    from huanjie.party import services

    # The first is the sitting secretary (P2 reads the post held now), two more sit on the committee.
    noms = [_check(services.add_nominee, clerk, pe, p, proposed_post="secretary" if i == 0 else "",
                   current_post={0: "书记", 1: "委员", 2: "委员"}.get(i, ""))
            for i, p in enumerate(people)]
    # A sitting secretary over the policy's age limit stays only with the county's recorded approval (P2).
    head = [r for r in services.policy_checks(pe)[noms[0].pk]["refusals"] if r["code"] == "P2-head-age"]
    if head:
        _check(services.record_age_exception, township_user, noms[0], reason="现任书记工作实绩突出，群众公认",
               approved_by="县委组织部")
    users = {"village": clerk, "township": township_user, **reviewers}
    for i, n in enumerate(noms):
        _pass_review(n.candidate, users, on)
        _check(services.record_inspection, township_user, n, inspected_on=inspected, competent=26 - i, basic=2 + i,
               incompetent=i % 2, talks=15, visits="走访党员群众10户")
    return noms


def play_party(campaign: Campaign, villages: list[Region]) -> dict:
    """Villages 0 and 1 of the demo's order; returns ``{index: PartyElection}``."""
    from huanjie.demo.scenarios import _department_accounts
    from huanjie.elections import services as elections
    from huanjie.elections.models import Election, Post
    from huanjie.elections.voting import counting, results
    from huanjie.elections.voting import services as voting
    from huanjie.elections.voting.models import ElectedMember
    from huanjie.party import services
    from huanjie.party.models import PartyElection

    township = User.objects.get(username="township_a")
    police = User.objects.get(username="dept_police")
    reviewers = {u.department.code: u for u in User.objects.filter(role="department").select_related("department")}
    if len(reviewers) < 2:
        reviewers = _department_accounts(campaign, police)
    played = {}

    # ---- village 0: 两推一选, complete
    v0 = villages[0]
    clerk = User.objects.get(username="village_a1")
    director = (
        ElectedMember.objects.filter(election__campaign=campaign, election__organization=v0,
                                     election__kind=Election.VILLAGE_COMMITTEE, post__code=Post.DIRECTOR)
        .select_related("person").first()
    )
    first = [director.person] if director and director.person.political_status == "cpc" else []
    branch, members = _roll(clerk, v0, first)
    pe = _check(services.create_party_election, township, campaign, v0, D(2026, 11, 12), committee_seats=3)
    voting_members = [m for m in members if services.vote_of(m, pe.election.election_date).has_vote]
    people = _nominable([m.person for m in voting_members])
    _check(services.record_recommendation, clerk, pe, "members", held_on=D(2026, 11, 2),
           expected=len(voting_members), present=len(voting_members) - 2,
           tallies={p: max(0, len(voting_members) - 3 - 2 * i) for i, p in enumerate(people)})
    _check(services.record_recommendation, clerk, pe, "villagers", held_on=D(2026, 11, 3), expected=45, present=41,
           tallies={p: 38 - 4 * i for i, p in enumerate(people)})
    noms = _candidates(pe, clerk, township, reviewers, people, D(2026, 11, 4), D(2026, 11, 5))
    _check(services.decide_preliminary, clerk, pe, noms[:4], D(2026, 11, 5))
    _check(services.publish_notice, clerk, pe, D(2026, 11, 5))
    _check(services.record_approval, township, pe, request_number="东山党支〔2026〕3号", request_date=D(2026, 11, 10),
           approval_number="清溪党〔2026〕41号", approval_date=D(2026, 11, 11))
    e = pe.election
    for m in voting_members[-2:]:
        _check(services.record_exclusion, clerk, e, m, "elderly_infirm", township_agreed_on=D(2026, 11, 9),
               assembly_approved_on=D(2026, 11, 12))
    attending = voting_members[:-2]
    present = attending[: len(attending) - len(attending) // 10]  # about nine in ten come
    for m in present:
        _check(services.sign_in, clerk, e, m)
    _check(elections.open_voting, township, e)
    e.refresh_from_db()
    station = _check(voting.add_station, township, e, name="党员大会会场")
    rnd = e.rounds.get(number=1)
    post = e.posts.get()
    n = len(present)
    names = [x.candidate.person.name for x in noms[:4]]
    shares = (92, 81, 70, 30)
    lines = [counting.LineData(post.pk, name, n * s // 100) for name, s in zip(names, shares, strict=True)]
    _check(counting.save_form, clerk, rnd, station, counting.FormData(n, n, n, 0, 0, lines))
    _check(results.compute_result, clerk, rnd)
    committee = [x.candidate.person for x in noms[:3]]
    _check(services.propose_plenary, clerk, pe, {"secretary": committee[0]})
    plenary = pe.plenary
    _check(elections.open_voting, township, plenary)
    plenary.refresh_from_db()
    _check(services.record_plenary_present, clerk, pe, 3)
    pst = _check(voting.add_station, township, plenary, name="全体会议会场")
    prnd = plenary.rounds.get(number=1)
    ppost = plenary.posts.get()
    _check(counting.save_form, clerk, prnd, pst,
           counting.FormData(3, 3, 3, 0, 0, [counting.LineData(ppost.pk, committee[0].name, 3)]))
    _check(results.compute_result, clerk, prnd)
    _check(services.record_result_approval, township, pe, number="清溪党〔2026〕47号", on=D(2026, 11, 13))
    played[0] = PartyElection.objects.get(pk=pe.pk)

    # ---- village 1: 公推直选, the preliminary list published, waiting for the 批复
    v1 = villages[1]
    clerk1 = User.objects.get(username=f"village_{v1.code}")
    branch1, members1 = _roll(clerk1, v1, [])
    pe1 = _check(services.create_party_election, township, campaign, v1, D(2026, 12, 10),
                 method=PartyElection.PUBLIC_DIRECT, committee_seats=3)
    voting1 = [m for m in members1 if services.vote_of(m, pe1.election.election_date).has_vote]
    people1 = _nominable([m.person for m in voting1])
    _check(services.record_recommendation, clerk1, pe1, "open_round", held_on=D(2026, 11, 16),
           expected=len(voting1) + 40, present=len(voting1) + 31,
           tallies={p: 30 - 3 * i for i, p in enumerate(people1)})
    _check(services.record_recommendation, clerk1, pe1, "directed_round", held_on=D(2026, 11, 19),
           expected=len(voting1), present=len(voting1) - 1,
           tallies={p: max(0, len(voting1) - 2 - 2 * i) for i, p in enumerate(people1)})
    noms1 = _candidates(pe1, clerk1, township, reviewers, people1, D(2026, 11, 20), D(2026, 11, 21))
    _check(services.decide_preliminary, clerk1, pe1, noms1[:4], D(2026, 11, 22))
    _check(services.publish_notice, clerk1, pe1, D(2026, 11, 23))
    played[1] = PartyElection.objects.get(pk=pe1.pk)
    return played
