"""The demo county at work: a few villages of township A played through the real services, so a
county office opening the demo sees villages at every stage of the election.

* village 0 (东山村): complete — election committee, open nomination, candidates, the qualification
  review at every tier, formal list, two stations with staff, counting forms, a tie re-vote (R29),
  submission (locked), 分工 with 一肩挑, handover.
* village 1 (柳塘村): candidates decided; the review waits for one county department (公安).
* village 2: nominations counted, candidates not yet decided.
* village 3: counted with a warning acknowledged (W.01); one 委员 seat open → 另行选举 round created.

Every step goes through the service a county, township or village office would use, in the order a
real election goes; the services check the dates against the engine's calendar and refuse any day
after today. The demo's other villages keep their January 2027 election day, but these four must
have done their steps already, so their election day is moved (by the township, through
``move_election_date``) into the first weeks of the campaign — fixed dates, so the demo stays
deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from huanjie.accounts.models import User
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Person, Region, Relation

D = dt.date


@dataclass(frozen=True)
class Plan:
    """The days of one village's election, in the order the steps happen."""

    election_day: dt.date
    list_published: dt.date  # R10: at least 20 days before the election day
    committee_on: dt.date | None = None  # R11: the committee presides over the registration
    nominated_on: dt.date | None = None  # after the objection period (publication + 5 days)
    decided_on: dt.date | None = None
    village_review: dt.date | None = None
    township_review: dt.date | None = None
    county_review: dt.date | None = None
    list_on: dt.date | None = None  # R15: the county plan says 5 days before the election day
    arrangements_on: dt.date | None = None  # R16: 3 days before
    handover_on: dt.date | None = None  # R41: within 10 days of the new committee


PLANS = {
    0: Plan(
        D(2026, 11, 21),
        D(2026, 11, 1),
        D(2026, 10, 28),
        D(2026, 11, 8),
        D(2026, 11, 9),
        D(2026, 11, 9),
        D(2026, 11, 10),
        D(2026, 11, 12),
        D(2026, 11, 14),
        D(2026, 11, 17),
        D(2026, 11, 22),
    ),
    1: Plan(
        D(2026, 12, 5),
        D(2026, 11, 10),
        D(2026, 11, 6),
        D(2026, 11, 17),
        D(2026, 11, 18),
        D(2026, 11, 18),
        D(2026, 11, 19),
        D(2026, 11, 20),
    ),
    2: Plan(D(2026, 12, 12), D(2026, 11, 15), D(2026, 11, 12), D(2026, 11, 21)),
    3: Plan(
        D(2026, 11, 22),
        D(2026, 11, 1),
        D(2026, 10, 29),
        D(2026, 11, 8),
        D(2026, 11, 9),
        D(2026, 11, 10),
        D(2026, 11, 11),
        D(2026, 11, 13),
        D(2026, 11, 15),
        D(2026, 11, 18),
    ),
}

# Nomination votes per post, in percent of those taking part, best first (distinct: no stroke tie-break).
NOMINATION_SHARES = {"director": (56, 31, 6), "deputy": (52, 33, 7), "member": (61, 55, 49, 43, 12, 7)}
# First-round votes in percent of the valid ballots, by list order. 东山村: the two last 委员
# candidates tie above the threshold (R29 re-vote). Village 3: only two 委员 pass half (R31 另行选举).
VOTE_SHARES = {
    0: {"director": (70, 24, 3), "deputy": (62, 31, 4), "member": (78, 71, 58, 58, 12, 8)},
    3: {"director": (66, 28, 3), "deputy": (64, 30, 3), "member": (74, 70, 45, 40, 10, 8)},
}
GOOD_EDUCATION = ("21", "31", "41", "61")  # 本科, 大专, 中专, 高中
ACK_REASON = "经村党组织和乡镇党委研究，人选在群众中威信较高，符合换届有关规定，予以说明。"
TEAM_REASON = "本村符合条件的人选有限，经乡镇党委研究，下一步通过后备力量培养逐步优化班子结构。"
ASSIGNMENTS = [
    "主持村民委员会全面工作",
    "分管经济发展和集体“三资”",
    "分管妇女儿童和计划生育",
    "分管治安调解和综合治理",
    "分管民政和社会保障",
    "分管农业生产和环境整治",
]


class ScenarioError(RuntimeError):
    """A service refused a step of the demo scenario (the demo data or a service changed)."""


def play_scenarios(campaign: Campaign, villages: list[Region], rng: random.Random) -> dict:
    """Play villages 0–3 of ``villages`` (the demo's order) through the services; returns
    ``{village index: election}`` of the villages played."""
    from huanjie.elections.models import Election

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["county_office", "township_a", "village_a1", "dept_police"]
        )
    }
    township = villages[0].parent
    reviewers = _department_accounts(campaign, users["dept_police"])
    played = {}
    for index, plan in PLANS.items():
        village = villages[index]
        election = Election.objects.get(
            campaign=campaign, organization=village, kind=Election.VILLAGE_COMMITTEE
        )
        clerk = users["village_a1"] if index == 0 else _village_account(village)
        s = _Scenario(election, plan, rng, clerk, users["township_a"], township, reviewers)
        s.redate()
        if index == 3:
            _training_done(users["township_a"], campaign, village, D(2026, 11, 15))
        s.committee()
        s.nominate()
        if index == 2:
            played[index] = election
            continue
        s.decide()
        if index == 1:
            s.review(skip={"gongan"})
            played[index] = election
            continue
        s.review()
        s.acknowledge()
        s.publish()
        s.stations(two=index == 0)
        if index == 0:
            s.vote_with_tie()
            s.submit_and_hand_over()
        else:
            s.vote_with_open_seat()
        played[index] = election
    return played


def _department_accounts(campaign, police_user: User) -> dict[str, User]:
    """One reviewing account per joint-review department (the demo prints only the 公安 login; the
    others cannot log in: they record the verdicts the departments gave)."""
    from huanjie.review.services import departments_for

    out = {}
    for dept in departments_for(campaign):
        if dept.pk == police_user.department_id:
            out[dept.code] = police_user
            continue
        user = User(
            username=f"review_{dept.code}",
            display_name=f"{dept.name} 审查员",
            role="department",
            region=campaign.county,
            department=dept,
        )
        user.set_unusable_password()
        user.save()
        out[dept.code] = user
    return out


def _village_account(village: Region) -> User:
    user = User(
        username=f"village_{village.code}",
        display_name=f"{village.name}选委会",
        role="village",
        region=village,
    )
    user.set_unusable_password()
    user.save()
    return user


def _training_done(actor, campaign, village, on: dt.date) -> None:
    # P15: the township records the session its election committee and staff attended.
    from huanjie.preparation import services as preparation

    entry = CampaignVillage.objects.select_related("village").get(campaign=campaign, village=village)
    _check(preparation.record_training, actor, campaign, held_on=on, organiser=f"{village.parent.name}换届办",
           topic="补训", attended=[preparation.Attended(entry, committee_all=True, staff=True)])


def _check(call, *args, **kwargs):
    from huanjie.elections.services import ElectionError
    from huanjie.preparation.services import PreparationRefused
    from huanjie.review.services import ReviewError

    try:
        return call(*args, **kwargs)
    except (ElectionError, ReviewError, PreparationRefused) as exc:
        raise ScenarioError(f"演示场景：{getattr(call, '__name__', call)} 被拒绝：{exc}") from exc


class _Scenario:
    def __init__(self, election, plan: Plan, rng, clerk, township_user, township, reviewers):
        self.election = election
        self.plan = plan
        self.rng = rng
        self.clerk = clerk
        self.township_user = township_user
        self.township = township
        self.reviewers = reviewers
        self.village = election.organization
        self.used: set[int] = set()  # people given a role (candidate, committee, staff)
        self._people: list[Person] | None = None
        self._relatives: dict[int, set[int]] | None = None

    # ------------------------------------------------------------------ people

    def voters(self) -> list[Person]:
        if self._people is None:
            from huanjie.elections.models import VoterRegistration

            self._people = list(
                Person.objects.filter(
                    pk__in=VoterRegistration.objects.filter(
                        election=self.election, status="registered"
                    ).values("person_id")
                ).order_by("pk")
            )
        return self._people

    def relatives(self) -> dict[int, set[int]]:
        if self._relatives is None:
            ids = [p.pk for p in self.voters()]
            out: dict[int, set[int]] = {}
            for a, b in Relation.objects.filter(elder_id__in=ids).values_list("elder_id", "younger_id"):
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set()).add(a)
            self._relatives = out
        return self._relatives

    def pick(
        self, n: int, *, min_age=25, max_age=60, gender=None, party=False, educated=False
    ) -> list[Person]:
        """``n`` voters living here, none related to anyone already given a role; in a small demo
        village the education, the gender and then the party wish are dropped before giving up."""
        for edu, sex, cpc in (
            (educated, gender, party),
            (False, gender, party),
            (False, None, party),
            (False, None, False),
        ):
            chosen = self._pick(n, min_age, max_age, sex, cpc, edu)
            if chosen is not None:
                self.used.update(p.pk for p in chosen)
                return chosen
        raise ScenarioError(f"演示场景：{self.village.name}没有足够的合适人选。")

    def _pick(self, n, min_age, max_age, gender, party, educated) -> list[Person] | None:
        day = self.plan.election_day
        pool = []
        for p in self.voters():
            age = (
                day.year - p.birth_date.year - ((day.month, day.day) < (p.birth_date.month, p.birth_date.day))
            )
            if not min_age <= age <= max_age or p.residence_village_id != self.village.pk:
                continue
            if gender and p.gender != gender or party and p.political_status != "cpc":
                continue
            if educated and p.education not in GOOD_EDUCATION:
                continue
            pool.append(p)
        self.rng.shuffle(pool)
        chosen: list[Person] = []
        taken = set(self.used)
        for p in pool:
            if p.pk in taken or self.relatives().get(p.pk, set()) & taken:
                continue
            chosen.append(p)
            taken.add(p.pk)
            if len(chosen) == n:
                return chosen
        return None

    # ------------------------------------------------------------------ before the vote

    def redate(self) -> None:
        """Move the election day (township office) and publish the voter list 20+ days before it."""
        from huanjie.elections import services
        from huanjie.elections.models import VoterRegistration

        p = self.plan
        _check(services.move_election_date, self.township_user, self.election, p.election_day)
        _check(
            services.record_step,
            self.township_user,
            self.election,
            "voter_list_published",
            p.list_published,
            "在村委会所在地和各村民小组张榜公布",
        )
        # The registrations were made for the old calendar; they were taken before publication.
        regs = VoterRegistration.objects.filter(election=self.election)
        regs.update(registered_on=p.list_published - dt.timedelta(days=5))
        regs.exclude(intent_declared_on=None).update(
            intent_declared_on=p.list_published - dt.timedelta(days=10)
        )
        self.election.refresh_from_db()

    def committee(self) -> None:
        """R11: five members (a 主任 first) and two reserves chosen by the villagers' meeting."""
        from huanjie.elections import services

        self.nominees = {  # chosen first so the committee can be kept apart from them and their families
            # P2 ages on the campaign's cut-off day (2027-01-01): the serving 主任 under 55 (a woman's
            # limit), new heads up to 45, 副职 women up to 50; newcomers preferably under 45.
            "director": self.pick(1, min_age=34, max_age=53, gender="M", party=True, educated=True)
            + self.pick(2, min_age=30, max_age=43, educated=True),
            # One woman leads the 副主任 and one the 委员 nominations (at least one woman on the
            # committee, P10); the others are men, so about two in five elected are women.
            "deputy": self.pick(1, min_age=30, max_age=43, gender="F", educated=True)
            + self.pick(2, min_age=28, max_age=43, gender="M", educated=True),
            "member": self.pick(1, min_age=26, max_age=43, gender="F", educated=True)
            + self.pick(5, min_age=26, max_age=43, gender="M", educated=True),
        }
        people = self.pick(7, min_age=35, max_age=68)
        votes = sorted((self.rng.randrange(60, 180) for _ in people), reverse=True)
        for order, (person, n) in enumerate(zip(people, votes, strict=True), 1):
            _check(
                services.add_committee_member,
                self.clerk,
                self.election,
                person,
                post="director" if order == 1 else "member",
                chosen_by="villagers_meeting",
                vote_order=order,
                votes=n,
                is_reserve=order > 5,
                joined_on=self.plan.committee_on,
            )
        self.committee_people = people

    def nominate(self) -> None:
        """Open nomination counted per post (R13), with more than half the voters taking part."""
        from huanjie.elections.nomination import services as cs
        from huanjie.elections.nomination.models import Nomination

        participated = len(self.voters()) * 62 // 100
        aggregated = {
            code: {
                p: max(1, participated * share // 100)
                for p, share in zip(people, NOMINATION_SHARES[code], strict=True)
            }
            for code, people in self.nominees.items()
        }
        _check(
            cs.record_nomination_count,
            self.clerk,
            self.election,
            held_on=self.plan.nominated_on,
            aggregated=aggregated,
            participated=participated,
        )
        # The best-placed director nominee is the serving 主任 (and Party secretary): not a newcomer (P2).
        head = Nomination.objects.get(election=self.election, person=self.nominees["director"][0])
        _check(cs.update_nominee, self.clerk, head, current_post="主任")

    def decide(self) -> None:
        from huanjie.elections.nomination import services as cs

        _check(cs.decide_candidates, self.clerk, self.election, on=self.plan.decided_on)

    def review(self, skip: set[str] = frozenset()) -> None:
        """Village pre-check, township check, then each county department in one bulk action."""
        from huanjie.elections.nomination.models import Candidate
        from huanjie.review import services as review
        from huanjie.review.models import ReviewVerdict

        cands = list(Candidate.objects.filter(election=self.election, status=Candidate.ACTIVE).order_by("pk"))
        for tier, actor, day in (
            ("village", self.clerk, self.plan.village_review),
            ("township", self.township_user, self.plan.township_review),
        ):
            for c in cands:
                v = ReviewVerdict.objects.get(case__candidate=c, tier=tier)
                _check(review.record_verdict, actor, v, True, comment="经核查，无不宜人选情形", on=day)
        for code, actor in self.reviewers.items():
            if code in skip:
                continue
            ids = list(
                ReviewVerdict.objects.filter(
                    case__candidate__in=cands,
                    tier="county",
                    department__code=code,
                    verdict=ReviewVerdict.PENDING,
                ).values_list("pk", flat=True)
            )
            _check(
                review.bulk_verdict,
                actor,
                self.township,
                verdict_ids=ids,
                on=self.plan.county_review,
                document_number=f"{actor.department.name[1:3]}审〔2026〕{11 + len(code)}号",
                comment="经比对本部门掌握的情况，未发现不宜人选情形",
            )

    def acknowledge(self) -> None:
        """P1–P6 warnings acknowledged by the village; P10–P11 targets explained by the township."""
        from huanjie.elections.nomination import services as cs
        from huanjie.elections.nomination.models import Candidate

        for cid, checks in cs.candidate_checks(self.election).items():
            for w in checks["warnings"]:
                if not w["ack"]:
                    _check(
                        cs.acknowledge_warning,
                        self.clerk,
                        Candidate.objects.get(pk=cid),
                        w["code"],
                        ACK_REASON,
                    )
        for t in cs.team_check_results(self.election):
            if t["met"] is False and t["explanation"] is None:
                _check(
                    cs.explain_team_check,
                    self.township_user,
                    self.election,
                    t["code"],
                    TEAM_REASON,
                    on=self.plan.county_review,
                )

    def publish(self) -> None:
        from huanjie.elections.nomination import services as cs

        _check(cs.publish_candidate_list, self.clerk, self.election, self.plan.list_on)

    def stations(self, two: bool) -> None:
        """The central meeting (and a polling station) with staff kept apart from the candidates (R12)."""
        from huanjie.elections import services
        from huanjie.elections.voting import services as voting
        from huanjie.elections.voting.models import VotingStation

        specs = [("中心会场", VotingStation.CENTRAL, "村委会大院")]
        if two:
            specs.append(("第二投票站", VotingStation.STATION, "村小学操场"))
        self.station_list = []
        for name, kind, place in specs:
            station = _check(
                voting.add_station,
                self.clerk,
                self.election,
                name=name,
                kind=kind,
                location=place,
                opens_at=dt.time(8, 0),
                closes_at=dt.time(12, 0) if kind == "station" else dt.time(16, 0),
            )
            roles = ["issuer", "writer", "reader", "counter", "scrutineer"]
            for person, role in zip(self.pick(len(roles), min_age=22, max_age=65), roles, strict=True):
                _check(voting.add_staff, self.clerk, station, person, role)
            self.station_list.append(station)
        _check(voting.publish_arrangements, self.clerk, self.election, self.plan.arrangements_on)
        self.election = _check(services.open_voting, self.clerk, self.election)

    # ------------------------------------------------------------------ the vote

    def _form(self, rnd, station, issued: int, returned: int, shares: dict, *, invalid_pct=2, ack=()):
        from huanjie.elections.voting import counting
        from huanjie.elections.voting.services import round_races

        invalid = max(1, returned * invalid_pct // 100)
        blank = max(1, returned // 80)
        valid = returned - invalid - blank
        lines = []
        for race in round_races(rnd):
            for cand, share in zip(race.candidates, shares[race.post.code], strict=False):
                lines.append(counting.LineData(race.post.pk, cand["name"], valid * share // 100))
        data = counting.FormData(issued, returned, valid, blank, invalid, lines)
        return _check(counting.save_form, self.clerk, rnd, station, data, acknowledge=ack)

    def vote_with_tie(self) -> None:
        """Two stations; the last 委员 seat is tied above the threshold → re-vote (R29) the same day."""
        from huanjie.elections.models import Round
        from huanjie.elections.voting import results

        n = len(self.voters())
        first = self.election.rounds.get(number=1)
        sizes = [(n * 55 // 100, n * 55 // 100 - 1), (n * 33 // 100, n * 33 // 100)]
        for station, (issued, returned) in zip(self.station_list, sizes, strict=True):
            self._form(first, station, issued, returned, VOTE_SHARES[0])
        _check(results.compute_result, self.clerk, first)
        self.voted()
        revote = _check(results.create_follow_up_round, self.clerk, first, kind=Round.TIE_REVOTE)
        for station, (_issued, returned) in zip(self.station_list, sizes, strict=True):
            back = returned - returned // 20
            self._form(revote, station, back, back, {"member": (57, 40)})
        _check(results.compute_result, self.clerk, revote)

    def vote_with_open_seat(self) -> None:
        """One station; many invalid ballots (W.01 acknowledged); a 委员 seat stays open → 另行选举."""
        from huanjie.elections.models import Round
        from huanjie.elections.voting import results

        n = len(self.voters())
        first = self.election.rounds.get(number=1)
        issued = n * 85 // 100
        self._form(
            first, self.station_list[0], issued, issued - 2, VOTE_SHARES[3], invalid_pct=12, ack=("W.01",)
        )
        _check(results.compute_result, self.clerk, first)
        self.voted()
        _check(results.create_follow_up_round, self.clerk, first, kind=Round.RUNOFF)

    def voted(self) -> None:
        from huanjie.elections import services

        _check(
            services.record_step,
            self.clerk,
            self.election,
            "election_day",
            self.plan.election_day,
            "投票选举大会按时举行",
        )

    # ------------------------------------------------------------------ after the vote

    def submit_and_hand_over(self) -> None:
        from huanjie.elections.aftervote import services as aftervote
        from huanjie.elections.models import Post
        from huanjie.elections.voting.models import ElectedMember

        _check_after(aftervote.submit_result, self.clerk, self.election)
        members = list(
            ElectedMember.objects.filter(election=self.election, status=ElectedMember.ELECTED)
            .select_related("post")
            .order_by("post__rank", "-votes", "pk")
        )
        director = next(m for m in members if m.post.code == Post.DIRECTOR)
        _check_after(
            aftervote.assign_posts,
            self.clerk,
            self.election,
            {m: text for m, text in zip(members, ASSIGNMENTS, strict=False)},
            party_secretary=director,
        )
        outgoing = self.committee_people[0].name  # stands for the outgoing committee's head in the demo
        for kind, text in (
            ("seals", "村民委员会印章 1 枚、财务专用章 1 枚"),
            ("files", "2022—2026 年村务档案 36 卷、会议记录 12 本"),
            ("assets", "集体资金账户 2 个、资产台账 1 册、资源合同 18 份"),
        ):
            _check_after(
                aftervote.save_handover,
                self.clerk,
                self.election,
                kind,
                {
                    "description": text,
                    "handed_over_on": self.plan.handover_on,
                    "handed_by": outgoing,
                    "received_by": director.name,
                    "supervised_by": "清溪镇换届办 陈丽",
                    "signed": True,
                },
            )


def _check_after(call, *args, **kwargs):
    from huanjie.elections.aftervote.services import AfterVoteError

    try:
        return _check(call, *args, **kwargs)
    except AfterVoteError as exc:
        raise ScenarioError(f"演示场景：{call.__name__} 被拒绝：{exc}") from exc


__all__ = ["PLANS", "ScenarioError", "play_scenarios"]
