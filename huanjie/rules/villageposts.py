"""村民代表, 村民小组长 and the other village posts (R38; seed 004 §二(二)4).

Integer arithmetic only; every share is a :class:`statistics.Percent` computed from its counts.

* R38 — VCL Art. 25 ¶1: "村民代表应当占村民代表会议组成人员的五分之四以上，妇女村民代表应当占
  村民代表会议组成人员的三分之一以上". The 村民代表会议 is made of the villagers' committee members
  and the representatives, so both shares are taken of that whole (``reps*5 >= members*4``,
  ``women*3 >= members``; 以上 includes the number, R2).
* VCL Art. 25 ¶2: representatives are chosen "按每五户至十五户推选一人，或者由各村民小组推选若干人"
  — the village's choice of basis. A household group outside 5–15, or a 村民小组 without a
  representative, is a finding.
* Seed 004 §二(二)4: "代表中党员应当占一定比例" — a campaign policy value (a warning below it,
  never a refusal: the law sets no number); "村民小组长一般由党小组长兼任……推行党小组长、村民小组长、
  网格长、村民理事会理事长'四长合一'" — shares for the statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import EngineError
from .statistics import Percent, percent

__all__ = [
    "BASES",
    "HOUSEHOLDS_PER_REPRESENTATIVE",
    "GroupLeader",
    "Representative",
    "four_in_one",
    "meeting_makeup",
    "representatives_check",
    "representatives_share_ok",
    "women_share_ok",
]

# VCL Art. 25 ¶2: one representative for every five to fifteen households (both ends included, R2).
HOUSEHOLDS_PER_REPRESENTATIVE = (5, 15)
BASES = ("group", "households")


def _count(value: object, path: str, what: str) -> int:
    if type(value) is not int:
        raise EngineError("wrong_type", f"{what}应为非负整数", path)
    if value < 0:  # type: ignore[operator]
        raise EngineError("negative_number", f"{what}应为非负整数", path)
    return value  # type: ignore[return-value]


def representatives_share_ok(representatives: int, members: int) -> bool:
    """R38 — VCL Art. 25 ¶1: 村民代表 五分之四以上 of the meeting (``reps*5 >= members*4``)."""
    return representatives * 5 >= members * 4


def women_share_ok(women: int, members: int) -> bool:
    """R38 — VCL Art. 25 ¶1: 妇女村民代表 三分之一以上 of the meeting (``women*3 >= members``)."""
    return women * 3 >= members


def meeting_makeup(members: int, representatives: int, women: int) -> dict:
    """R38 — VCL Art. 25 ¶1: the make-up of a 村民代表会议 of ``members`` (committee members plus
    representatives): ``representatives_ok`` when ``reps*5 >= members*4``, ``women_ok`` when the
    women representatives ``women*3 >= members`` (exactly 4/5 or 1/3 suffices, R2)."""
    members = _count(members, "members", "组成人员数")
    reps = _count(representatives, "representatives", "村民代表数")
    women = _count(women, "women", "妇女代表数")
    if reps > members or women > reps:
        raise EngineError("inconsistent_counts", "村民代表不得多于组成人员，妇女代表不得多于村民代表", "representatives")
    return {"representatives_ok": representatives_share_ok(reps, members), "women_ok": women_share_ok(women, members)}


@dataclass(frozen=True)
class Representative:
    """One representative as the check needs it: the 村民小组 and, on the households basis, how
    many households chose them."""

    group: str
    woman: bool
    party_member: bool
    households: int | None = None
    label: str = ""


def _share_ok(part: int, whole: int, minimum: Sequence[int]) -> bool:
    num, den = minimum
    return part * den >= whole * num


def representatives_check(
    representatives: Sequence[Representative],
    *,
    committee_members: int,
    basis: str,
    groups: Sequence[str] = (),
    party_share_min: Sequence[int] = (1, 5),
) -> dict:
    """R38 and VCL Art. 25 ¶2 for one village's list of representatives.

    ``committee_members``: the villagers' committee members who sit in the 村民代表会议;
    ``basis``: ``"group"`` (each 村民小组 chooses some) or ``"households"`` (one per 5–15
    households); ``groups``: every 村民小组 of the village (a group without a representative is a
    finding on the group basis); ``party_share_min``: the campaign's [numerator, denominator].

    Returns the counts, the shares (``Percent``), ``findings`` — each ``{"code", "severity",
    "text"}`` with severity ``"statutory"`` (the law: the list may not be published) or
    ``"warning"`` (policy) — and ``publishable`` (no statutory finding).
    """
    committee = _count(committee_members, "committee_members", "村民委员会成员数")
    if basis not in BASES:
        raise EngineError("wrong_type", "推选方式应为 group（按村民小组）或 households（按户）", "basis")
    if not (
        isinstance(party_share_min, (list, tuple))
        and len(party_share_min) == 2
        and all(type(v) is int for v in party_share_min)
        and party_share_min[1] > 0
        and 0 <= party_share_min[0] <= party_share_min[1]
    ):
        raise EngineError("invalid_policy_value", "党员比例应为 [分子, 分母]", "party_share_min")
    reps = list(representatives)
    n = len(reps)
    women = sum(1 for r in reps if r.woman)
    party = sum(1 for r in reps if r.party_member)
    members = n + committee
    findings: list[dict] = []
    makeup = meeting_makeup(members, n, women)
    if n == 0:
        findings.append({"code": "no_representatives", "severity": "statutory", "text": "尚未登记村民代表。"})
    else:
        if not makeup["representatives_ok"]:
            need = 4 * committee  # reps*5 >= (reps+committee)*4  ⇔  reps >= 4*committee
            findings.append({
                "code": "representatives_share", "severity": "statutory",
                "text": f"村民代表{n}人，占村民代表会议组成人员{members}人的{percent(n, members).text}，"
                        f"不足五分之四：村民委员会{committee}人时至少需要{need}名村民代表（R38）。"})
        if not makeup["women_ok"]:
            need = -(-members // 3)
            findings.append({
                "code": "women_share", "severity": "statutory",
                "text": f"妇女村民代表{women}人，占村民代表会议组成人员{members}人的{percent(women, members).text}，"
                        f"不足三分之一：至少需要{need}人（R38）。"})
        if not _share_ok(party, n, party_share_min):
            num, den = party_share_min
            findings.append({
                "code": "party_share", "severity": "warning",
                "text": f"村民代表中党员{party}人，占{percent(party, n).text}，低于本次换届政策要求的"
                        f"{num}/{den}（代表中党员应当占一定比例）。"})
    low, high = HOUSEHOLDS_PER_REPRESENTATIVE
    if basis == "households":
        for i, r in enumerate(reps):
            who = r.label or f"第{i + 1}名代表"
            if r.households is None:
                findings.append({"code": "households_missing", "severity": "statutory",
                                 "text": f"{who}：按户推选时应填写推选的户数。"})
                continue
            hh = _count(r.households, f"representatives[{i}].households", "户数")
            if not low <= hh <= high:
                findings.append({
                    "code": "households_range", "severity": "statutory",
                    "text": f"{who}：由{hh}户推选，应为每{low}户至{high}户推选一人（R38）。"})
    else:
        covered = {r.group for r in reps}
        for g in groups:
            if g not in covered:
                findings.append({"code": "group_without_representative", "severity": "statutory",
                                 "text": f"{g}尚未推选村民代表（按村民小组推选时各组推选若干人）。"})
    return {
        "representatives": n,
        "women": women,
        "party_members": party,
        "committee_members": committee,
        "meeting_members": members,
        "representatives_share": percent(n, members),
        "women_share": percent(women, members),
        "party_share": percent(party, n),
        "representatives_ok": bool(n) and makeup["representatives_ok"],
        "women_ok": bool(n) and makeup["women_ok"],
        "party_ok": bool(n) and _share_ok(party, n, party_share_min),
        "findings": findings,
        "publishable": not any(f["severity"] == "statutory" for f in findings),
    }


@dataclass(frozen=True)
class GroupLeader:
    """The 村民小组长 of one group and the other heads they also are (seed 004 §二(二)4)."""

    group: str
    party_member: bool = False
    party_group_leader: bool = False  # 党小组长
    grid_leader: bool = False  # 网格长
    council_head: bool = False  # 村民理事会理事长


def four_in_one(groups: Sequence[str], leaders: Sequence[GroupLeader]) -> dict:
    """Seed 004 §二(二)4 for the statistics: of the village's 村民小组, how many have a 村民小组长;
    of those leaders, the party members ("党员担任村民小组长比例"), the 党小组长 ("一般由党小组长
    兼任") and those holding all four heads ("四长合一"). One leader per group (a second is an
    error)."""
    names = list(groups)
    seen: dict[str, GroupLeader] = {}
    for i, leader in enumerate(leaders):
        if leader.group in seen:
            raise EngineError("duplicate_name", f"{leader.group}有两名村民小组长", f"leaders[{i}].group")
        seen[leader.group] = leader
    for g in seen:
        if g not in names:
            names.append(g)
    led = list(seen.values())
    with_leader = len(led)
    party = sum(1 for x in led if x.party_member)
    pgl = sum(1 for x in led if x.party_group_leader)
    four = sum(1 for x in led if x.party_group_leader and x.grid_leader and x.council_head)
    shares: dict[str, Percent] = {
        "leader_share": percent(with_leader, len(names)),
        "party_share": percent(party, with_leader),
        "party_group_leader_share": percent(pgl, with_leader),
        "four_in_one_share": percent(four, with_leader),
    }
    return {
        "groups": len(names),
        "with_leader": with_leader,
        "without_leader": [g for g in names if g not in seen],
        "party_members": party,
        "party_group_leaders": pgl,
        "four_in_one": four,
        **shares,
    }
