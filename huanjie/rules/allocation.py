"""Dividing a township congress's delegate seats among its election units (R62; seed 002 三、第一步:
"把党员人数作为分配代表名额的一项重要依据"; "党委、纪委负责人和有关党员干部因工作需要，可以作为
党委提名的代表候选人分配到有关选举单位选举"; seed 003 篇7 step 9 "划分代表选举单位，分配名额").

The method (``METHOD``), integer arithmetic only:

1. Seats reserved for candidates the township committee nominates to a unit (保留名额) are taken
   out of the total first; the rest (the pool) is divided by party members.
2. Every unit gets at least ``minimum`` seats of the pool (default 1: each unit elects at least
   one of its own members). A unit whose exact share of the pool (pool × members / all members) is
   below the minimum gets the minimum and leaves the division; the shares of the others are
   computed again on what remains, until every remaining share reaches the minimum.
3. The remaining units get the whole part of their share; the seats still missing go one each to
   the largest remainders (largest remainder / Hamilton method).
4. Ties in remainders: the unit with more party members first, then the unit listed first (the
   order of the units' numbers). The rows involved in such a tie are marked so the page can say so.

The rules are from the seeds (policy documents), not from a law: the method is our interpretation
of "mainly by the number of members" **[INTERPRETATION]**; the result is the office's proposal and
may be changed by hand with a reason (the application records it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import EngineError

__all__ = ["METHOD", "TIE_RULE", "Allocation", "UnitSeats", "UnitShare", "allocate_delegates", "largest_remainder"]

METHOD = "按党员人数以最大余数法分配（先扣除党委提名的保留名额，每个选举单位至少1名）"
TIE_RULE = "余数相同时党员人数多的单位优先，党员人数也相同时按选举单位编号在前的优先"


def largest_remainder(weights: Sequence[int], seats: int) -> tuple[list[int], list[int], list[int]]:
    """Hamilton's method: ``seats`` divided in proportion to ``weights`` (all > 0 in total).

    Returns ``(allocated, remainders, order)``: the seats of each weight, the remainder of each
    share as a numerator over ``sum(weights)`` (integer), and the indexes in the order the
    remaining seats were given out (remainder descending, then weight descending, then index).
    Used for delegate seats here and for shares adding up to 100 % in :mod:`statistics`.
    """
    whole = sum(weights)
    floors, remainders = [], []
    for w in weights:
        q, r = divmod(w * seats, whole)
        floors.append(q)
        remainders.append(r)
    missing = seats - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors, remainders, order


@dataclass(frozen=True)
class UnitShare:
    """An election unit as the allocation sees it: its key, its party members, its reserved seats."""

    key: str
    members: int
    reserved: int = 0


@dataclass(frozen=True)
class UnitSeats:
    key: str
    members: int
    reserved: int
    # the unit's exact share of the pool as a fraction (None for a unit given the minimum)
    quota_numerator: int | None
    quota_denominator: int | None
    minimum_applied: bool  # the unit's share was below the minimum: it got the minimum
    whole: int  # the whole part of the share (the minimum for a unit given it)
    remainder_seat: bool  # one more seat for a large remainder
    tie_broken: bool  # its remainder equalled another's at the cut and the tie rule decided
    elected: int  # seats of the pool (elected from among the unit's members)
    seats: int  # elected + reserved: the unit's delegate seats

    @property
    def quota_text(self) -> str:
        """The exact share with two decimals, rounded down ("12.47"), or "—"."""
        if self.quota_numerator is None or not self.quota_denominator:
            return "—"
        hundredths = self.quota_numerator * 100 // self.quota_denominator
        return f"{hundredths // 100}.{hundredths % 100:02d}"

    def as_dict(self) -> dict:
        return {
            "unit": self.key, "members": self.members, "reserved": self.reserved, "quota": self.quota_text,
            "minimum_applied": self.minimum_applied, "whole": self.whole, "remainder_seat": self.remainder_seat,
            "tie_broken": self.tie_broken, "elected": self.elected, "seats": self.seats,
        }


@dataclass(frozen=True)
class Allocation:
    total: int
    reserved: int
    pool: int
    members: int
    minimum: int
    rows: tuple[UnitSeats, ...]
    method: str = METHOD
    tie_rule: str = TIE_RULE

    @property
    def ties(self) -> list[str]:
        return [r.key for r in self.rows if r.tie_broken]

    def as_dict(self) -> dict:
        return {
            "total": self.total, "reserved": self.reserved, "pool": self.pool, "members": self.members,
            "minimum": self.minimum, "method": self.method, "tie_rule": self.tie_rule,
            "units": [r.as_dict() for r in self.rows],
        }


def _int(value, path: str, label: str, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise EngineError("wrong_type", f"{label}应为不小于{low}的整数", path)
    return value


def allocate_delegates(units: Sequence[UnitShare], total: int, minimum: int = 1) -> Allocation:
    """R62 with seed 002 — the seats of each election unit (see the module text for the method).

    ``units`` in the order of their numbers (the order decides the last tie). Raises
    :class:`EngineError` naming the unit and field on bad input.
    """
    total = _int(total, "inputs.total", "代表名额", 1)
    minimum = _int(minimum, "inputs.minimum", "每个选举单位最少名额", 0)
    if not units:
        raise EngineError("no_units", "没有选举单位，不能分配代表名额", "inputs.units")
    seen: set[str] = set()
    for i, u in enumerate(units):
        path = f"inputs.units[{i}]"
        if not isinstance(u.key, str) or not u.key.strip():
            raise EngineError("wrong_type", f"第{i + 1}个选举单位没有名称", f"{path}.key")
        if u.key in seen:
            raise EngineError("duplicate_unit", f"选举单位“{u.key}”重复", f"{path}.key")
        seen.add(u.key)
        _int(u.members, f"{path}.members", f"选举单位“{u.key}”的党员人数", 1)
        _int(u.reserved, f"{path}.reserved", f"选举单位“{u.key}”的保留名额", 0)
    reserved = sum(u.reserved for u in units)
    pool = total - reserved
    if pool < minimum * len(units):
        raise EngineError(
            "pool_too_small",
            f"代表名额{total}名减去保留名额{reserved}名后为{pool}名，不足{len(units)}个选举单位每个至少{minimum}名",
            "inputs.total",
        )
    # step 2: units whose share is below the minimum get the minimum, until none is left below it
    fixed: set[int] = set()
    while True:
        rest = [i for i in range(len(units)) if i not in fixed]
        rest_pool = pool - minimum * len(fixed)
        rest_members = sum(units[i].members for i in rest)
        below = {i for i in rest if rest_pool * units[i].members < minimum * rest_members}
        if not below:
            break
        fixed |= below
    allocated, remainders, order = largest_remainder([units[i].members for i in rest], rest_pool)
    wholes = [units[i].members * rest_pool // rest_members for i in rest]
    extra_count = rest_pool - sum(wholes)
    # a tie at the cut: the last unit given a remainder seat and the first not given one have the
    # same remainder; every unit with that remainder was decided by the tie rule
    tied_positions: set[int] = set()
    if 0 < extra_count < len(rest):
        cut = remainders[order[extra_count - 1]]
        if remainders[order[extra_count]] == cut:
            tied_positions = {p for p in range(len(rest)) if remainders[p] == cut}
    position = {i: p for p, i in enumerate(rest)}
    rows = []
    for i, u in enumerate(units):
        if i in fixed:
            rows.append(UnitSeats(u.key, u.members, u.reserved, None, None, True, minimum, False, False,
                                  minimum, minimum + u.reserved))
            continue
        p = position[i]
        whole = wholes[p]
        rows.append(UnitSeats(
            u.key, u.members, u.reserved, u.members * rest_pool, rest_members, False, whole,
            allocated[p] > whole, p in tied_positions, allocated[p], allocated[p] + u.reserved,
        ))
    return Allocation(total, reserved, pool, sum(u.members for u in units), minimum, tuple(rows))
