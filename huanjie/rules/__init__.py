"""换届通 rules engine: the law (rules.md R1–R70) and campaign policy (policy.md P1–P13).

Pure Python: no Django, no other part of ``huanjie``, no I/O (except :func:`engine.main`),
integer arithmetic only. Every function raises :class:`EngineError` (``code``, Chinese
``message``, ``path``) on bad input.

Public API
----------
Profiles (rules.md §5) and their dated versions (issue 16)
    ``get_profile(name="national", overrides=None, on=None) -> Profile``; ``profile_for(name,
    election_day, overrides=None)`` (the version in force that day; ``profile.version``);
    ``PROFILES`` (the five built-in profiles, newest versions); ``SWITCHES`` (every switch with its
    rule id); ``profile["proxy.max_per_agent"]``; ``version_for(name, day)``;
    ``cite(rule_id, profile_version) -> "《村民委员会组织法》第十五条第二款"``; ``explain(name, day)``
    (every rule with its sources and status). Sources are data: ``rules/data/law_sources.py``.
Dates (R2, R4, R5, R10, R15, R16, R20, R34, R41)
    ``age_on(birth, on) -> int``; ``is_of_age(birth, election, years=18) -> bool``;
    ``add_months``, ``add_years``, ``within_days_after``, ``latest_day_before``, ``parse_date``;
    ``election_calendar(election_date, profile, *, list_published=None, objection_filed=None,
    objection_received=None, took_office=None, holidays=(), working_days=()) -> CalendarResult``
    (``.steps``: ``CalendarStep(key, label_zh, rule, latest_date, earliest_date, on_date)``).
People (R5–R12, R20, R37)
    ``eligibility(persons: [PersonRecord], election_date, profile) -> [EligibilityDecision]``;
    ``voter_registration_decision(persons: [VoterApplicant], election_date, registration_date=None,
    profile=None) -> [VoterDecision]``; ``registration_conflicts([RegistrationRecord])``;
    ``check_proxies([ProxyRequest], election_date, profile) -> ([ProxyDecision], publish_by)``;
    ``relation_conflicts([Relation], profile) -> ({"a/b": bool}, resolution)``;
    ``check_election_committee(members, candidates, relations, profile)`` (R11);
    ``check_counting_staff(staff, candidates, relations, profile)`` (R12).
Counting (R23–R37, R48, R52–R61, R63–R64)
    ``count_vote(VoteCount, profile) -> CountResult`` (``.as_dict()`` = engine output);
    ``count_village_election(...)``, ``count_party_election(...)``;
    ``validate_ballot(ballot: Ballot | Sheet, races, kind, profile, *, stage, committee_members)``;
    ``majority_threshold(base)``, ``runoff_threshold(base)``, ``margin_ok(...)``, ``quorum_met(...)``;
    input dataclasses ``VoteCount``, ``Race``, ``Candidate``, ``Ballot``, ``Sheet``, ``SeatedMember``.
Party (R49–R52, R62–R65)
    ``party_attendance(present_with_vote, *, members_total, probationary, on_probation_discipline,
    rights_suspended, excluded_with_approval: [Exclusion], absent_not_excluded, expected_attendance,
    profile) -> AttendanceResult``; ``credentials([DelegateRecord], profile)``;
    ``congress_size(delegates_planned, unit_seats, candidates, profile)``;
    ``allocate_delegates([UnitShare], total, minimum) -> Allocation`` (seats per election unit by
    party members, largest remainder, reserved seats; ``largest_remainder`` is the shared method).
Recall, residents, mobile boxes, meetings (R13, R21, R38, R42–R47, R50)
    ``recall(registered_voters, petitions, votes, reps_total, profile)``;
    ``residents_nomination(seats, nominations, size_proposals, profile)``;
    ``residents_meeting(members, present, in_favour)``; ``mobile_boxes(boxes, profile, *, candidates, relations)``;
    ``representatives_meeting(members, present, in_favour, *, representatives, women)`` (R38);
    ``villagers_meeting(adults, present, *, households, households_present, in_favour)`` (R71);
    ``meeting_quorum(Meeting(body, members, present, ...))`` (R71 or R38, with the arithmetic);
    ``nomination_turnout(registered, participated)``, ``nomination_ballot_valid(nominees, seats)`` (R13);
    ``by_election_turnout(body, members, voted)`` (R44); ``party_congress_possible(members)`` (R50).
Village posts (R38; seed 004 §二(二)4), in ``huanjie.rules.villageposts``
    ``representatives_check([Representative], committee_members, basis, groups, party_share_min)``;
    ``meeting_makeup(members, representatives, women)``; ``four_in_one(groups, [GroupLeader])``.
Policy (P1–P13)
    ``DEFAULT_POLICY``, ``get_policy(overrides) -> Policy`` (``.as_dict()`` to store per campaign);
    ``candidate_policy_decisions([PolicyCandidate], cutoff_date, policy, *, relations,
    villagers_committee_members) -> [PolicyDecision]``; ``team_checks(candidates, cutoff_date, policy,
    *, candidate_counts, population, paid_posts, team_size, team_size_reason, previous_term)``;
    ``campaign_targets(secretaries, previous, policy)``; ``policy_age(birth, cutoff)``;
    ``initial_candidates_minimum(seats, policy)``.
Engine
    ``run_case(case: dict) -> dict``; ``main(argv) -> int`` (``python -m huanjie.rules.engine CASE.json``).
"""

from .allocation import Allocation, UnitShare, allocate_delegates, largest_remainder
from .counting import (
    Ballot,
    Candidate,
    CountResult,
    Race,
    SeatedMember,
    Sheet,
    VoteCount,
    count_party_election,
    count_village_election,
    count_vote,
    majority_threshold,
    margin_ok,
    post_rank,
    quorum_met,
    runoff_threshold,
    validate_ballot,
)
from .dates import (
    CalendarResult,
    CalendarStep,
    add_months,
    add_years,
    age_on,
    election_calendar,
    is_of_age,
    latest_day_before,
    parse_date,
    within_days_after,
)
from .errors import EngineError, RulesError
from .party import (
    AttendanceResult,
    DelegateRecord,
    Exclusion,
    congress_size,
    credentials,
    party_attendance,
)
from .people import (
    EligibilityDecision,
    PersonRecord,
    ProxyDecision,
    ProxyRequest,
    RegistrationRecord,
    Relation,
    VoterApplicant,
    VoterDecision,
    check_counting_staff,
    check_election_committee,
    check_proxies,
    eligibility,
    registration_conflicts,
    relation_conflicts,
    voter_registration_decision,
)
from .policy import (
    DEFAULT_POLICY,
    AgeException,
    NegativeFinding,
    Policy,
    PolicyCandidate,
    PolicyDecision,
    campaign_targets,
    candidate_policy_decisions,
    get_policy,
    initial_candidates_minimum,
    policy_age,
    team_checks,
)
from .profile_versions import cite, explain, version_for
from .profiles import PROFILES, SWITCHES, Profile, get_profile, profile_for
from .recall import (
    Meeting,
    MobileBox,
    Nomination,
    RecallPetition,
    RecallVote,
    by_election_turnout,
    meeting_quorum,
    mobile_boxes,
    nomination_ballot_valid,
    nomination_turnout,
    party_congress_possible,
    recall,
    representatives_meeting,
    residents_meeting,
    residents_nomination,
    villagers_meeting,
)

__all__ = [
    "DEFAULT_POLICY",
    "PROFILES",
    "SWITCHES",
    "AgeException",
    "AttendanceResult",
    "Ballot",
    "CalendarResult",
    "CalendarStep",
    "Candidate",
    "CountResult",
    "DelegateRecord",
    "EligibilityDecision",
    "EngineError",
    "Exclusion",
    "Meeting",
    "MobileBox",
    "NegativeFinding",
    "Nomination",
    "PersonRecord",
    "Policy",
    "PolicyCandidate",
    "PolicyDecision",
    "Profile",
    "ProxyDecision",
    "ProxyRequest",
    "Race",
    "RecallPetition",
    "RecallVote",
    "RegistrationRecord",
    "Relation",
    "RulesError",
    "SeatedMember",
    "Sheet",
    "VoteCount",
    "VoterApplicant",
    "VoterDecision",
    "Allocation",
    "UnitShare",
    "add_months",
    "allocate_delegates",
    "largest_remainder",
    "add_years",
    "age_on",
    "by_election_turnout",
    "campaign_targets",
    "candidate_policy_decisions",
    "check_counting_staff",
    "check_election_committee",
    "check_proxies",
    "cite",
    "congress_size",
    "count_party_election",
    "count_village_election",
    "count_vote",
    "credentials",
    "election_calendar",
    "eligibility",
    "explain",
    "get_policy",
    "get_profile",
    "initial_candidates_minimum",
    "is_of_age",
    "latest_day_before",
    "main",
    "majority_threshold",
    "margin_ok",
    "mobile_boxes",
    "nomination_ballot_valid",
    "nomination_turnout",
    "parse_date",
    "party_attendance",
    "party_congress_possible",
    "policy_age",
    "post_rank",
    "profile_for",
    "quorum_met",
    "recall",
    "registration_conflicts",
    "relation_conflicts",
    "representatives_meeting",
    "residents_meeting",
    "villagers_meeting",
    "meeting_quorum",
    "residents_nomination",
    "run_case",
    "runoff_threshold",
    "team_checks",
    "validate_ballot",
    "version_for",
    "voter_registration_decision",
    "within_days_after",
]


def __getattr__(name: str):
    # The engine is imported lazily so that ``python -m huanjie.rules.engine`` does not find it
    # already imported by this package (runpy warns about that).
    if name in ("run_case", "main"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
