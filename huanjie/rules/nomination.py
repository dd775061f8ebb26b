"""Village nomination (海选) and the formal candidate list: R13, R14, R15, R36 (women), R69/R70.

Pure Python, no Django. People are identified by a ``key`` (the web application passes the
person's id, because names repeat in a village) and carry their ``name`` for stroke-order
sorting (R69).

Counting nomination ballots (R13)
    :func:`count_nominations` counts ballot by ballot (:class:`NominationBallot`) or takes the
    aggregated counts per post. Its rules:

    * a ballot nominating more people for a post than the post has seats has every nomination
      for *that post* void (ZJ Art. 17; [INTERPRETATION] applied in every jurisdiction, by
      analogy with an over-filled ballot, R25) — the ballot's other posts still count;
    * a ballot filled in by proxy is void (ZJ Art. 17 "不得委托提名"; VCL Art. 15 ¶1 "由登记参加
      选举的村民直接提名" — [INTERPRETATION]: "directly" excludes proxies everywhere);
    * the same person nominated for two posts on one ballot: where the jurisdiction voids it
      (``ballot.same_person_two_posts_invalid``, Zhejiang: ZJ Art. 17) both of those nominations
      on that ballot are void; elsewhere both count and the person must choose a post in writing;
    * the same name twice for one post on one ballot counts once [INTERPRETATION];
    * where the jurisdiction requires it (Zhejiang ZJ Art. 18, Beijing BJ Art. 16) the nomination
      is valid only if more than half of the registered voters took part
      (:func:`huanjie.rules.nomination_turnout`, ``participated*2 > registered``).

Fixing the formal candidates (R14, R15, R36, R70)
    :func:`select_candidates` takes the nominees per post and returns the candidates per post
    in list order:

    * how many: ``seats + lo`` to ``seats + hi`` from ``candidates.margin.director`` (主任、副主任)
      or ``candidates.margin.member`` (委员), checked by :func:`huanjie.rules.margin_ok`
      (national/ZJ: more than seats; SH 主任/副主任 seats + 1 exactly, 委员 + 1..3; BJ + 1..2;
      HA 主任/副主任 + 1, 委员 + 1..2). The election committee picks the number inside the range;
      the default is the smallest;
    * who: by nomination votes, most first (R15, R70). A tie at the cut-off is resolved by R70's
      default, the stroke order of the names (R69), and reported in ``ties`` so that the list
      says openly who was taken by strokes. A women-only post (妇女委员) takes women only;
    * a person nominated for two posts who would be a candidate on both must choose one in
      writing (ZJ Art. 18); until the choice is recorded the selection reports ``choice_required``;
    * the women rule (R36; domain brief §5 "if no woman is among the candidates, the woman with
      the most nomination votes becomes a candidate"). [INTERPRETATION]: the rule looks at all
      the committee's candidates together. If none is a woman, the woman nominee with the most
      nomination votes on any single post (ties by strokes) is added as an *extra* candidate on
      the 委员 post (the post where a woman joins the committee without displacing anyone), even
      above the margin's maximum, and the selection says so. Where a women-only post exists it
      already guarantees a woman candidate whenever a woman was nominated;
    * ZJ self-nominated direct elections (ZJ Art. 20): ``method="self_nomination"`` lists every
      自荐人 of the post, ordered by strokes (R15, R70) with no cut.

Filling a gap (R15, ZJ Art. 19)
    :func:`next_nominees` gives the nominees of a post not yet taken, in the same order, so a
    withdrawn or disqualified candidate is replaced by the next nominee.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .counting import margin_ok, post_rank
from .errors import EngineError
from .profiles import Profile, get_profile
from .recall import nomination_turnout
from .strokes import stroke_sort_key

__all__ = [
    "JOINT_NOMINATION_MIN_SIGNATURES",
    "TURNOUT_JURISDICTIONS",
    "NominationBallot",
    "NominationCount",
    "NominationPost",
    "Nominee",
    "PostSelection",
    "Selection",
    "candidate_range",
    "count_nominations",
    "joint_nomination_valid",
    "next_nominees",
    "nominee_order",
    "select_candidates",
    "turnout_required",
]

# R13: ZJ Art. 18 (formal candidates by nomination votes, more than half took part) and BJ Art. 16
# (the nomination meeting needs more than half of the registered voters present).
TURNOUT_JURISDICTIONS = frozenset({"zhejiang", "beijing"})

# The channel is called 十人联名: ten registered voters sign (HAU Art. 9 / BJU Art. 13 use the same
# number for residents, ``residents.nomination_min_voters``). 以上 includes the number (R2).
JOINT_NOMINATION_MIN_SIGNATURES = 10


@dataclass(frozen=True)
class NominationPost:
    """A post to nominate for: ``key`` as used in ballots, ``name`` (主任, 委员 …) for R14's margin."""

    key: str
    name: str
    seats: int
    women_only: bool = False


@dataclass(frozen=True)
class NominationBallot:
    """One nomination ballot: ``nominations`` maps a post key to the keys of the people named."""

    id: str
    nominations: Mapping[str, Sequence[str]]
    by_proxy: bool = False


@dataclass(frozen=True)
class Nominee:
    key: str
    name: str
    votes: int = 0
    gender: str | None = None  # "M" / "F"


@dataclass
class NominationCount:
    """The count of a nomination vote (R13)."""

    tally: dict[str, dict[str, int]]
    void: list[dict]
    ballots: int
    participated: int | None
    registered: int | None
    turnout_required: bool
    turnout_ok: bool | None
    two_posts: list[dict]

    def as_dict(self) -> dict:
        return {
            "tally": self.tally,
            "void": self.void,
            "ballots": self.ballots,
            "participated": self.participated,
            "registered": self.registered,
            "turnout_required": self.turnout_required,
            "turnout_ok": self.turnout_ok,
            "two_posts": self.two_posts,
        }


def _nonneg(value: object, path: str, what: str) -> int:
    if type(value) is not int or value < 0:  # type: ignore[operator]
        raise EngineError(
            "wrong_type" if type(value) is not int else "negative_number", f"{what}应为非负整数", path
        )
    return value  # type: ignore[return-value]


def turnout_required(profile: Profile) -> bool:
    """R13 — does the jurisdiction require more than half of the voters to take part in nomination?"""
    return profile.name in TURNOUT_JURISDICTIONS


def joint_nomination_valid(signatures: int, minimum: int = JOINT_NOMINATION_MIN_SIGNATURES) -> bool:
    """十人联名: at least ``minimum`` valid signatures (以上 includes the number, R2)."""
    return _nonneg(signatures, "signatures", "联名人数") >= minimum


def _check_posts(posts: Sequence[NominationPost]) -> dict[str, NominationPost]:
    by_key: dict[str, NominationPost] = {}
    for i, p in enumerate(posts):
        _nonneg(p.seats, f"inputs.posts[{i}].seats", "应选名额")
        if p.key in by_key:
            raise EngineError("duplicate_post", f"职位“{p.name}”重复", f"inputs.posts[{i}]")
        by_key[p.key] = p
    return by_key


def count_nominations(
    posts: Sequence[NominationPost],
    *,
    ballots: Sequence[NominationBallot] | None = None,
    aggregated: Mapping[str, Mapping[str, int]] | None = None,
    registered: int | None = None,
    participated: int | None = None,
    profile: Profile | None = None,
) -> NominationCount:
    """R13 — count a nomination vote ballot by ballot or from aggregated counts per post.

    With ``ballots`` every ballot handed in counts as taking part (``participated`` defaults to the
    number of ballots, void ones included, as R23 counts them for an election). With
    ``aggregated`` (``{post key: {person key: votes}}``) give ``participated``. ``two_posts`` lists
    the people with votes for more than one post (they choose one in writing, ZJ Art. 18).
    """
    profile = profile or get_profile("national")
    by_key = _check_posts(posts)
    if (ballots is None) == (aggregated is None):
        raise EngineError("wrong_type", "须提供逐张提名票或按职位汇总的提名票数之一", "inputs")
    tally: dict[str, dict[str, int]] = {p.key: {} for p in posts}
    void: list[dict] = []
    two_posts_void = bool(profile["ballot.same_person_two_posts_invalid"])
    n_ballots = 0
    if ballots is not None:
        seen_ids: set[str] = set()
        for b_i, b in enumerate(ballots):
            path = f"inputs.ballots[{b_i}]"
            if b.id in seen_ids:
                raise EngineError("duplicate_ballot", f"提名票编号“{b.id}”重复", f"{path}.id")
            seen_ids.add(b.id)
            n_ballots += 1
            if b.by_proxy:
                void.append(
                    {
                        "ballot": b.id,
                        "post": None,
                        "key": None,
                        "code": "by_proxy",
                        "reason": "委托他人提名，提名票无效",
                    }
                )
                continue
            named: dict[str, list[str]] = {}
            for post_key, keys in b.nominations.items():
                if post_key not in by_key:
                    raise EngineError(
                        "unknown_post", f"提名票“{b.id}”中的职位“{post_key}”不存在", f"{path}.nominations"
                    )
                named[post_key] = list(dict.fromkeys(k for k in keys if k))
            valid: dict[str, list[str]] = {}
            for post_key, keys in named.items():
                post = by_key[post_key]
                if len(keys) > post.seats:
                    void.append(
                        {
                            "ballot": b.id,
                            "post": post_key,
                            "key": None,
                            "code": "over_nomination",
                            "reason": f"{post.name}提名{len(keys)}人，超过应选名额{post.seats}名，该职位的提名无效",
                        }
                    )
                    continue
                valid[post_key] = keys
            if two_posts_void:
                where: dict[str, list[str]] = {}
                for post_key, keys in valid.items():
                    for k in keys:
                        where.setdefault(k, []).append(post_key)
                for k, post_keys in where.items():
                    if len(post_keys) < 2:
                        continue
                    names = "、".join(by_key[pk].name for pk in post_keys)
                    for pk in post_keys:
                        valid[pk] = [x for x in valid[pk] if x != k]
                        void.append(
                            {
                                "ballot": b.id,
                                "post": pk,
                                "key": k,
                                "code": "same_person_two_posts",
                                "reason": f"同一人被提名为{names}两个以上职务，对该人的提名无效",
                            }
                        )
            for post_key, keys in valid.items():
                for k in keys:
                    tally[post_key][k] = tally[post_key].get(k, 0) + 1
        if participated is None:
            participated = n_ballots
    else:
        for post_key, votes in (aggregated or {}).items():
            if post_key not in by_key:
                raise EngineError("unknown_post", f"职位“{post_key}”不存在", f"inputs.aggregated.{post_key}")
            for k, v in votes.items():
                v = _nonneg(v, f"inputs.aggregated.{post_key}.{k}", "提名票数")
                if v:
                    tally[post_key][k] = v
        if participated is not None:
            _nonneg(participated, "inputs.participated", "参加提名的人数")
            for post_key, votes in tally.items():
                for k, v in votes.items():
                    if v > participated:
                        raise EngineError(
                            "too_many_votes",
                            f"{by_key[post_key].name}的被提名人{k}得{v}票，超过参加提名的{participated}人",
                            f"inputs.aggregated.{post_key}.{k}",
                        )
                # Every participant nominates at most ``seats`` people for a post.
                cap = participated * by_key[post_key].seats
                if sum(votes.values()) > cap:
                    raise EngineError(
                        "too_many_votes",
                        f"{by_key[post_key].name}提名票合计{sum(votes.values())}票，超过参加提名的"
                        f"{participated}人每人最多提名{by_key[post_key].seats}人的{cap}票",
                        f"inputs.aggregated.{post_key}",
                    )
    required = turnout_required(profile)
    turnout_ok = None
    if registered is not None and participated is not None:
        _nonneg(registered, "inputs.registered", "登记选民数")
        if participated > registered:
            raise EngineError(
                "inconsistent_counts", "参加提名的人数不得多于登记选民数", "inputs.participated"
            )
        turnout_ok = nomination_turnout(registered, participated)
    multi: dict[str, list[str]] = {}
    for post_key, votes in tally.items():
        for k in votes:
            multi.setdefault(k, []).append(post_key)
    two_posts = [{"key": k, "posts": ps} for k, ps in multi.items() if len(ps) > 1]
    return NominationCount(
        tally=tally,
        void=void,
        ballots=n_ballots,
        participated=participated,
        registered=registered,
        turnout_required=required,
        turnout_ok=turnout_ok,
        two_posts=two_posts,
    )


def nominee_order(nominees: Iterable[Nominee], method: str = "votes") -> list[Nominee]:
    """R15, R70 — nomination votes descending, ties by stroke order (R69); ``self_nomination``:
    stroke order only (ZJ Art. 20). The key breaks a tie between identical names."""
    if method == "self_nomination":
        return sorted(nominees, key=lambda n: (stroke_sort_key(n.name), n.key))
    if method != "votes":
        raise EngineError("wrong_type", "method 应为 votes 或 self_nomination", "inputs.method")
    return sorted(nominees, key=lambda n: (-n.votes, stroke_sort_key(n.name), n.key))


def candidate_range(post: NominationPost, profile: Profile) -> tuple[int, int | None]:
    """R14 — fewest and most candidates for the post (None: no upper limit)."""
    key = "candidates.margin.director" if post_rank(post.name) < 3 else "candidates.margin.member"
    lo, hi = profile[key]
    return post.seats + lo, None if hi is None else post.seats + hi


@dataclass
class PostSelection:
    post: str
    name: str
    seats: int
    minimum: int
    maximum: int | None
    number: int
    candidates: list[Nominee]
    margin_ok: bool | None
    ties: list[dict] = field(default_factory=list)
    not_counted: list[dict] = field(default_factory=list)
    added_woman: Nominee | None = None

    def as_dict(self) -> dict:
        return {
            "post": self.post,
            "name": self.name,
            "seats": self.seats,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "number": self.number,
            "candidates": [{"key": c.key, "name": c.name, "votes": c.votes} for c in self.candidates],
            "margin_ok": self.margin_ok,
            "ties": self.ties,
            "not_counted": self.not_counted,
            "added_woman": None if self.added_woman is None else self.added_woman.key,
        }


@dataclass
class Selection:
    posts: list[PostSelection]
    choice_required: list[dict]
    warnings: list[dict]
    problems: list[dict]

    @property
    def ok(self) -> bool:
        return not self.choice_required and not self.problems

    def as_dict(self) -> dict:
        return {
            "posts": [p.as_dict() for p in self.posts],
            "choice_required": self.choice_required,
            "warnings": self.warnings,
            "problems": self.problems,
            "ok": self.ok,
        }


def _cut(
    post: NominationPost, ordered: list[Nominee], number: int, method: str
) -> tuple[list[Nominee], list[dict]]:
    if method == "self_nomination" or len(ordered) <= number:
        return list(ordered), []
    taken = ordered[:number]
    last = taken[-1].votes
    tied = [n for n in ordered if n.votes == last]
    ties: list[dict] = []
    if any(n not in taken for n in tied):
        inside = [n for n in tied if n in taken]
        outside = [n for n in tied if n not in taken]
        ties.append(
            {
                "post": post.key,
                "votes": last,
                "tied": [n.key for n in tied],
                "taken": [n.key for n in inside],
                "left_out": [n.key for n in outside],
                "rule": "R70",
                "reason": (
                    f"{post.name}第{number}名与其后提名人同为{last}票："
                    + "、".join(n.name for n in tied)
                    + "；按姓氏笔画（R69，R70默认规则）确定"
                    + "、".join(n.name for n in inside)
                    + "为候选人"
                ),
            }
        )
    return taken, ties


def select_candidates(
    posts: Sequence[NominationPost],
    nominees: Mapping[str, Sequence[Nominee]],
    profile: Profile | None = None,
    *,
    numbers: Mapping[str, int] | None = None,
    choices: Mapping[str, str] | None = None,
    unavailable: Iterable[str] = (),
    method: str = "votes",
    women_rule: bool = True,
) -> Selection:
    """R14, R15, R36, R70 — the formal candidates per post (see the module docstring).

    ``nominees`` maps a post key to its nominees with their nomination votes; ``numbers`` the
    number of candidates the committee chose per post (default: the smallest the margin allows);
    ``choices`` the post each person chose in writing (they are dropped from the other posts);
    ``unavailable`` people who declined, withdrew or were refused.
    """
    profile = profile or get_profile("national")
    by_key = _check_posts(posts)
    numbers = dict(numbers or {})
    choices = dict(choices or {})
    gone = set(unavailable)
    for post_key in list(nominees) + list(numbers):
        if post_key not in by_key:
            raise EngineError("unknown_post", f"职位“{post_key}”不存在", "inputs.nominees")
    for k, post_key in choices.items():
        if post_key not in by_key:
            raise EngineError("unknown_post", f"书面选择的职位“{post_key}”不存在", f"inputs.choices.{k}")

    out: list[PostSelection] = []
    problems: list[dict] = []
    all_nominees: dict[str, Nominee] = {}
    for post in posts:
        lo, hi = candidate_range(post, profile)
        number = numbers.get(post.key, lo)
        number = _nonneg(number, f"inputs.numbers.{post.key}", "候选人数")
        if number < lo or (hi is not None and number > hi):
            span = f"{lo}名以上" if hi is None else (f"{lo}名" if lo == hi else f"{lo}至{hi}名")
            raise EngineError(
                "margin_out_of_range",
                f"{post.name}应选{post.seats}名，候选人数应为{span}（R14），收到{number}名",
                f"inputs.numbers.{post.key}",
            )
        pool: list[Nominee] = []
        not_counted: list[dict] = []
        for n in nominees.get(post.key, ()):
            all_nominees.setdefault(n.key, n)
            if n.key in gone or (n.key in choices and choices[n.key] != post.key):
                continue
            if post.women_only and n.gender != "F":
                not_counted.append(
                    {
                        "key": n.key,
                        "code": "man_on_women_post",
                        "reason": f"{n.name}不是女性，不能作为{post.name}候选人",
                    }
                )
                continue
            pool.append(n)
        ordered = nominee_order(pool, method)
        taken, ties = _cut(post, ordered, number, method)
        out.append(
            PostSelection(
                post=post.key,
                name=post.name,
                seats=post.seats,
                minimum=lo,
                maximum=hi,
                number=number,
                candidates=taken,
                margin_ok=None,
                ties=ties,
                not_counted=not_counted,
            )
        )

    # ZJ Art. 18: one person, one post; the written choice decides.
    where: dict[str, list[str]] = {}
    for sel in out:
        for c in sel.candidates:
            where.setdefault(c.key, []).append(sel.post)
    choice_required = [
        {
            "key": k,
            "name": all_nominees[k].name,
            "posts": ps,
            "reason": f"{all_nominees[k].name}同时进入"
            + "、".join(by_key[p].name for p in ps)
            + "候选人，须书面选择其中一个职务",
        }
        for k, ps in where.items()
        if len(ps) > 1
    ]

    warnings: list[dict] = []
    if women_rule and not choice_required:
        everyone = [c for sel in out for c in sel.candidates]
        if everyone and not any(c.gender == "F" for c in everyone):
            member_post = next(
                (sel for sel in out if post_rank(sel.name) == 3 and not by_key[sel.post].women_only), None
            )
            women: dict[str, Nominee] = {}
            for post in posts:
                for n in nominees.get(post.key, ()):
                    if n.gender == "F" and n.key not in gone and n.votes > 0:
                        best = women.get(n.key)
                        if best is None or n.votes > best.votes:
                            women[n.key] = n
            if not women:
                warnings.append(
                    {
                        "code": "no_woman_nominated",
                        "reason": "候选人中没有妇女，且没有妇女被提名，无法按规定确定妇女候选人",
                    }
                )
            elif member_post is None:
                warnings.append(
                    {"code": "no_member_post", "reason": "候选人中没有妇女，但本次选举没有委员职位可以增列"}
                )
            else:
                woman = nominee_order(women.values())[0]
                own = next((n for n in nominees.get(member_post.post, ()) if n.key == woman.key), None)
                added = Nominee(woman.key, woman.name, own.votes if own else 0, "F")
                member_post.candidates = nominee_order([*member_post.candidates, added])
                member_post.added_woman = added
                warnings.append(
                    {
                        "code": "woman_added",
                        "key": woman.key,
                        "reason": f"候选人中没有妇女，提名得票最多的妇女{woman.name}（{woman.votes}票）"
                        f"增列为{member_post.name}候选人",
                    }
                )

    for sel in out:
        count = len(sel.candidates) - (1 if sel.added_woman else 0)
        sel.margin_ok = margin_ok("village_committee", "first", sel.name, sel.seats, count, profile)
        if method == "self_nomination":
            if len(sel.candidates) <= sel.seats:
                problems.append(
                    {
                        "post": sel.post,
                        "code": "too_few_nominees",
                        "reason": f"{sel.name}应选{sel.seats}名，自荐人只有{len(sel.candidates)}名，不能差额选举（R14）",
                    }
                )
        elif count < sel.number:
            problems.append(
                {
                    "post": sel.post,
                    "code": "too_few_nominees",
                    "reason": f"{sel.name}应选{sel.seats}名，需候选人{sel.number}名，可确定的被提名人只有{count}名（R14）",
                }
            )
    return Selection(out, choice_required, warnings, problems)


def next_nominees(
    nominees: Sequence[Nominee],
    taken: Iterable[str] = (),
    unavailable: Iterable[str] = (),
    method: str = "votes",
) -> list[Nominee]:
    """R15, ZJ Art. 19 — the nominees of a post who may fill a gap, in list order."""
    skip = set(taken) | set(unavailable)
    return [n for n in nominee_order(nominees, method) if n.key not in skip]
