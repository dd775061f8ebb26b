"""The two elections of one party election keep one calendar between them: the assembly's
preparation (两推 … 批复, the assembly) and the plenary's own steps (the first plenary, the
township's 批复 of the result). A step is shown, and listed as work to do, once."""

from __future__ import annotations

import pytest

from huanjie.elections import services as elections
from huanjie.elections.todos import election_todos
from huanjie.party import services

from .helpers import approved_election, dates

pytestmark = pytest.mark.django_db

PREPARATION = {"members_recommend", "villagers_recommend", "initial_candidates", "joint_review", "inspection",
               "preliminary_candidates", "preliminary_notice", "request_sent", "approval_received"}


def test_the_plenary_timeline_has_only_its_own_steps_and_none_overdue(world):
    # Everything of the preparation is recorded (on the assembly) and the assembly day is past.
    pe, roll, noms, d = approved_election(world)
    assembly = {s.key: s for s in elections.timeline(pe.election)}
    assert PREPARATION <= set(assembly) and all(assembly[k].status == "done" for k in PREPARATION)
    plenary = {s.key: s for s in elections.timeline(pe.plenary)}
    assert not PREPARATION & set(plenary), "the plenary repeats the assembly's preparation steps"
    assert "result_approved" in plenary and "result_approved" not in assembly
    assert not [s.label for s in plenary.values() if s.status == "overdue"]


def test_todos_list_each_step_of_the_party_election_once(world):
    d = dates(world)
    pe = services.create_party_election(world.users["township_a"], world.campaign, world.village_a1,
                                        d["assembly"])  # nothing done, the assembly three days ago
    todos = election_todos(pe.election) + election_todos(pe.plenary)
    texts = [t.text for t in todos]
    assert len(texts) == len(set(texts)), texts
    overdue = [t.text for t in todos if t.overdue]
    assert any("党员推荐" in t for t in overdue)
    assert sum("党员推荐" in t for t in texts) == 1
    # the party's work is done on the party election's page, not the villagers' committee pages
    assert all(t.url == f"/party/{pe.election.pk}/" for t in todos), [t.url for t in todos]


def test_the_result_approval_is_recorded_on_the_plenary_after_its_submission(world):
    """The township approves the result after it is reported: a submitted (locked) plenary still
    takes the 批复 step, and the party page shows both elections' steps."""
    from django.utils import timezone

    from huanjie.elections.models import ElectedMember
    from huanjie.elections.voting.models import ResultSubmission

    pe, roll, noms, d = approved_election(world)
    rnd = pe.plenary.rounds.get(number=1)
    secretary = noms[0].candidate.person
    ElectedMember.objects.create(election=pe.plenary, round=rnd, post=pe.plenary.posts.get(code="secretary"),
                                 person=secretary, name=secretary.name, votes=3)
    for e in (pe.election, pe.plenary):
        ResultSubmission.objects.create(election=e, locked=True, submitted_at=timezone.now(),
                                        submitted_by=world.users["village_a1"])
    services.record_result_approval(world.users["township_a"], pe, number="清溪党〔2026〕20号",
                                    on=d["result_approved"])
    plenary = {s.key: s for s in elections.timeline(pe.plenary)}
    assert plenary["result_approved"].done_on == d["result_approved"]
    assert plenary["result_approved"].status == "done"


def test_every_party_step_cites_its_source(world):
    """The basis of each step is printed as a citation (P2020's articles, the campaign's plan), never
    as a bare code the citation tag does not know."""
    from huanjie.core.templatetags.law import cite
    from huanjie.rules.profile_versions import cite_text

    pe, roll, noms, d = approved_election(world)
    steps = elections.timeline(pe.election) + elections.timeline(pe.plenary)
    version = pe.election.profile().version
    for s in steps:
        assert cite_text(s.rule, version), (s.key, s.rule)
    by_key = {s.key: cite_text(s.rule, version) for s in steps}
    assert "《中国共产党基层组织选举工作条例》第十四条" in by_key["members_recommend"]
    assert "实施方案" in by_key["preliminary_notice"] and "第十四条" in by_key["approval_received"]
    assert "《中国共产党基层组织选举工作条例》第十三条" in by_key["preliminary_candidates"]
    html = str(cite("P7", pe.election))
    assert "本系统的理解" not in html and "P7" in html


def test_a_villages_party_and_committee_todos_name_their_election(world):
    """A walk found a village's party to-dos and its villagers' committee to-dos reading alike on
    the 工作台: each names its election."""
    import datetime as dt

    d = dates(world)
    pe = services.create_party_election(world.users["township_a"], world.campaign, world.village_a1, d["assembly"])
    vc = elections.create_election(world.users["township_a"], world.campaign, world.village_a1,
                                   d["assembly"] + dt.timedelta(days=20))
    party = [t.text for t in election_todos(pe.election) + election_todos(pe.plenary)]
    committee = [t.text for t in election_todos(vc)]
    assert party and committee
    assert all(t.startswith("东山村·党组织换届：") for t in party), party
    assert all(t.startswith("东山村·村民委员会选举：") for t in committee), committee
