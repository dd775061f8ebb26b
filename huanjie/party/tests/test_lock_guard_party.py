"""The one lock guard over the party's writes: the member roll feeds the assembly's 应到会人数 and
the plenary's candidates and attendance feed the plenary's result, so a submitted (locked) result
refuses them as the villagers' committee's services are refused, and nothing is saved."""

from __future__ import annotations

import inspect

import pytest
from django.utils import timezone

from huanjie.elections.aftervote import locking
from huanjie.elections.aftervote.locking import ResultLocked
from huanjie.elections.models import ElectedMember
from huanjie.elections.voting.models import ResultSubmission
from huanjie.party import services
from huanjie.party.models import Branch, Member

from .helpers import approved_election, new_person, roll_row, roll_xlsx

pytestmark = pytest.mark.django_db


def _lock(world, election):
    ResultSubmission.objects.create(election=election, locked=True, submitted_at=timezone.now(),
                                    submitted_by=world.users["village_a1"])


def test_every_party_write_service_is_guarded_or_says_why_not():
    found = {}
    for name, func in vars(services).items():
        if name.startswith("_") or not inspect.isfunction(func) or func.__module__ != services.__name__:
            continue
        params = list(inspect.signature(func).parameters)
        if params[:1] == ["actor"] and len(params) > 1:
            found[name] = func
    assert {"add_member", "import_members", "sign_in", "propose_plenary"} <= set(found)
    missing = [n for n, f in found.items() if not locking.is_guarded(f) and n not in services.UNGUARDED]
    assert missing == []
    assert set(services.UNGUARDED) <= set(found)
    assert not [n for n in services.UNGUARDED if locking.is_guarded(found[n])]


def test_a_locked_assembly_freezes_the_member_roll_and_the_branch(world):
    import datetime as dt

    pe, roll, noms, d = approved_election(world)
    village = world.users["village_a1"]
    _lock(world, pe.election)
    before = Member.objects.filter(branch=pe.branch).count()
    with pytest.raises(ResultLocked, match="已报送并锁定"):
        services.add_member(village, pe.branch, new_person(world.village_a1, "迟到某"))
    data = roll_xlsx([roll_row(1, "名册某", "男", dt.date(1970, 3, 3), 901)])
    with pytest.raises(ResultLocked):
        services.import_members(village, pe.branch, data, "名册.xlsx")
    with pytest.raises(ResultLocked):
        services.set_branch(village, pe.branch, Branch.GENERAL_BRANCH, True)
    assert Member.objects.filter(branch=pe.branch).count() == before
    assert Branch.objects.get(pk=pe.branch.pk).org_type == Branch.BRANCH
    # the township unlocks (with its reason): the roll takes changes again
    ResultSubmission.objects.filter(election=pe.election).update(locked=False)
    services.add_member(village, pe.branch, new_person(world.village_a1, "迟到某"))
    assert Member.objects.filter(branch=pe.branch).count() == before + 1


def test_a_past_campaigns_locked_result_does_not_freeze_the_next_terms_roll(world):
    import datetime as dt

    pe, roll, noms, d = approved_election(world)
    _lock(world, pe.election)
    c = world.campaign
    c.ends_on = timezone.localdate() - dt.timedelta(days=1)
    c.save(update_fields=["ends_on"])
    services.add_member(world.users["village_a1"], pe.branch, new_person(world.village_a1, "新党员"))


def test_the_plenary_follows_its_own_lock_not_the_assemblys(world):
    pe, roll, noms, d = approved_election(world)
    village = world.users["village_a1"]
    rnd = pe.election.rounds.get(number=1)
    post = pe.election.posts.get()
    for n in noms[:3]:
        p = n.candidate.person
        ElectedMember.objects.create(election=pe.election, round=rnd, post=post, person=p, name=p.name, votes=15)
    secretary, deputy = noms[0].candidate.person, noms[1].candidate.person
    _lock(world, pe.election)  # the assembly's result is reported before the plenary sits
    services.propose_plenary(village, pe, {"secretary": secretary, "deputy_secretary": deputy})
    services.record_plenary_present(village, pe, 3)
    _lock(world, pe.plenary)
    with pytest.raises(ResultLocked):
        services.record_plenary_present(village, pe, 2)
    with pytest.raises(ResultLocked):
        services.propose_plenary(village, pe, {"secretary": deputy, "deputy_secretary": secretary})
    pe.refresh_from_db()
    assert pe.plenary_present == 3
    assert pe.plenary.candidates.get(post__code="secretary").person == secretary
