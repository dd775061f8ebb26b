"""Issue 9 §4: a submitted result stays as submitted.

Found: after 报送并锁定 removing a voter still worked and the locked result report's registered-voter
figure changed (2126 → 2125); committee changes, card numbers and timeline steps were accepted too.
Every write service of the election packages now carries the one guard
(:func:`huanjie.elections.aftervote.locking.guarded`); these tests list the services from the modules
themselves, so a new write service that forgets the guard fails here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest

import huanjie.elections
from huanjie.accounts.models import AuditRecord
from huanjie.elections.aftervote import locking
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import CommitteeMember, Election, Objection, StepRecord, VoterRegistration
from huanjie.elections.nomination.models import Candidate, Nomination, Proxy
from huanjie.elections.voting.models import CountingForm, ElectedMember, StationStaff, VotingStation

from .aftervote_helpers import counted_election
from .workflow_helpers import past_campaign

SKIP_MODULES = {"models", "views", "urls", "urls_election", "view_helpers", "apps", "locking"}


def _election_modules():
    for info in pkgutil.walk_packages(huanjie.elections.__path__, "huanjie.elections."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts or "management" in parts or info.ispkg:
            continue
        if parts[-1] in SKIP_MODULES:
            continue
        yield importlib.import_module(info.name)


def write_services() -> dict[str, object]:
    """Every public function of the election packages whose first parameter is the acting account."""
    found = {}
    for module in _election_modules():
        for name, func in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(func) or func.__module__ != module.__name__:
                continue
            params = list(inspect.signature(func).parameters.values())
            if (
                [p.name for p in params[:1]] == ["actor"]
                and len(params) > 1
                and params[1].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            ):
                found[f"{module.__name__}.{name}"] = func
    return found


def test_every_write_service_carries_the_guard_or_says_why_not():
    services = write_services()
    assert len(services) > 40  # the walk found the services (not an empty, vacuous list)
    missing = [n for n, f in services.items() if not locking.is_guarded(f) and n not in locking.UNGUARDED]
    assert missing == []
    # The exemptions name real services and none of them is guarded anyway.
    assert set(locking.UNGUARDED) <= set(services)
    assert not [n for n in locking.UNGUARDED if locking.is_guarded(services[n])]


@pytest.fixture
def locked(world):
    past_campaign(world)
    counted = counted_election(world)
    aftervote.submit_result(world.users["village_a1"], counted.election)
    return counted


def _subjects(counted) -> dict[str, object]:
    """One row of each kind a write service takes, all of the locked election (unsaved where the
    guard needs no more than the row's election)."""
    election = Election.objects.get(pk=counted.election.pk)
    station = VotingStation.objects.filter(election=election).first()
    person = counted.members[0].person
    return {
        "Election": election,
        "Round": counted.round,
        "VotingStation": station,
        "CountingForm": CountingForm.objects.get(pk=counted.form.pk),
        "ElectedMember": ElectedMember.objects.get(pk=counted.members[0].pk),
        "CommitteeMember": CommitteeMember(election=election, person=person),
        "VoterRegistration": VoterRegistration.objects.filter(election=election).first(),
        "Objection": Objection(election=election),
        "Nomination": Nomination(election=election, person=person),
        "Candidate": Candidate.objects.filter(election=election).first(),
        "Proxy": Proxy(election=election),
        "StationStaff": StationStaff(station=station, person=person),
    }


def _subject_for(func, subjects):
    param = list(inspect.signature(func).parameters.values())[1]
    annotation = param.annotation if isinstance(param.annotation, str) else ""
    key = annotation.split(".")[-1].split(" ")[0] or {"election": "Election"}.get(param.name, "")
    return subjects[key]


def _frozen_state(election) -> tuple:
    return (
        AuditRecord.objects.count(),
        VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).count(),
        CommitteeMember.objects.filter(election=election).count(),
        StepRecord.objects.filter(election=election).count(),
        VotingStation.objects.filter(election=election).count(),
        CountingForm.objects.filter(round__election=election).count(),
        ElectedMember.objects.filter(election=election).count(),
        election.rounds.count(),
    )


GUARDED = sorted(n for n, f in write_services().items() if locking.is_guarded(f))


@pytest.mark.parametrize("name", GUARDED)
def test_every_guarded_service_refuses_a_locked_election(world, locked, name):
    func = write_services()[name]
    subjects = _subjects(locked)
    subject = _subject_for(func, subjects)
    params = list(inspect.signature(func).parameters.values())[2:]
    # The guard refuses before the service reads anything else: the remaining arguments may be junk.
    args = [None for p in params if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    kwargs = {p.name: None for p in params if p.default is inspect.Parameter.empty and p.kind is p.KEYWORD_ONLY}
    before = _frozen_state(locked.election)
    with pytest.raises(locking.ResultLocked, match="已报送并锁定"):
        func(world.users["township_a"], subject, *args, **kwargs)
    assert _frozen_state(locked.election) == before


def test_the_found_case_removing_a_voter_after_submission(world, locked):
    """The voter list, committee, card numbers and steps of the issue, through the real calls."""
    from huanjie.elections import services as election_services
    from huanjie.elections.registration import services as registration
    from huanjie.elections.registration.documents import assign_card_numbers
    from huanjie.elections.voting.counting import registered_count

    clerk = world.users["village_a1"]
    election = locked.election
    registered = registered_count(election)
    reg = VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).first()
    with pytest.raises(locking.ResultLocked):
        registration.remove_voter(clerk, reg, "迁出")
    with pytest.raises(locking.ResultLocked):
        election_services.add_committee_member(
            clerk, election, world.people["wang"], chosen_by="villagers_meeting", vote_order=9
        )
    with pytest.raises(locking.ResultLocked):
        assign_card_numbers(clerk, election)
    with pytest.raises(locking.ResultLocked):
        election_services.record_step(clerk, election, "voter_list_published", dt.date(2026, 2, 1))
    assert registered_count(election) == registered
    # The township unlocks with a reason: the same removal now goes through (and is audited).
    aftervote.unlock(world.users["township_a"], election, "核实选民资格")
    registration.remove_voter(clerk, VoterRegistration.objects.get(pk=reg.pk), "迁出")
    assert registered_count(election) == registered - 1


def test_a_locked_election_refuses_the_remove_voter_page_with_a_chinese_message(world, locked, client_for):
    reg = VoterRegistration.objects.filter(election=locked.election, status=VoterRegistration.REGISTERED).first()
    from django.urls import reverse

    url = reverse("elections:voters_remove", args=[locked.election.pk, reg.pk])
    response = client_for("village_a1").post(url, {"reason": "迁出"})
    assert response.status_code == 403
    assert "已报送并锁定" in response.content.decode()
    assert VoterRegistration.objects.get(pk=reg.pk).status == VoterRegistration.REGISTERED


@pytest.mark.django_db(transaction=True)
def test_the_lock_guard_does_not_hold_up_rows_that_only_refer_to_the_election(world):
    """Issue 17: the guard locks the election row against other writers of that election, not
    against a row elsewhere that merely refers to it. On election night the dashboards store each
    election's voter counts (a foreign key to the election) while clerks hold their elections'
    guard locks; with a FOR UPDATE lock every such COMMIT queued behind a clerk (bench: 160 of 567
    pg_stat_activity samples). With FOR NO KEY UPDATE the key-share check does not wait."""
    import threading

    from django.db import OperationalError, connection, connections, transaction

    from huanjie.elections.aftervote.locking import ensure_unlocked
    from huanjie.elections.models import VoterCounts

    if connection.vendor != "postgresql":
        pytest.skip("row lock strengths are a PostgreSQL matter; SQLite has one writer at a time")
    election = counted_election(world).election
    holding, release = threading.Event(), threading.Event()

    def clerk():
        try:
            with transaction.atomic():
                ensure_unlocked(election)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    t = threading.Thread(target=clerk)
    t.start()
    try:
        assert holding.wait(30)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '1s'")
            VoterCounts.objects.create(election=election, data={"total": 1})
        # … while a second writer of the same election still waits for the guard.
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '300ms'")
            ensure_unlocked(election)
    finally:
        release.set()
        t.join(30)
    assert VoterCounts.objects.filter(election=election).exists()
