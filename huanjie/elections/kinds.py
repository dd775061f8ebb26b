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


def ballot_blockers(election) -> list[str]:
    own = hooks_for(election.kind).ballot_blockers
    return own(election) if own is not None else []


_REGISTRY: dict[str, KindHooks] = {}
_NONE = KindHooks(posts=MappingProxyType({}))


def register(kind: str, hooks: KindHooks) -> None:
    _REGISTRY[kind] = hooks


def hooks_for(kind: str) -> KindHooks:
    return _REGISTRY.get(kind, _NONE)
