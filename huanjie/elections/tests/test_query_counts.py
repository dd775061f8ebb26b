"""Issue 17: the candidates page makes one query per list (it made 2 per candidate: 46 queries for 8),
and compute_result is one transaction with a fixed number of queries for the elected rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huanjie.accounts import audit
from huanjie.elections.models import Election
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Candidate, Nomination
from huanjie.elections.voting import counting, results
from huanjie.elections.voting.models import ElectedMember, RoundResult

from .candidate_helpers import nominate_basic, pass_review, setup_village
from .voting_helpers import NATIONAL_CANDIDATES, election_day, form_data

pytestmark = pytest.mark.django_db


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_candidates_page_query_count_does_not_grow_with_the_candidates(world, client_for):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=dt.date(2026, 3, 1))
    listed = list(Candidate.objects.filter(election=v.election))
    pass_review(world, listed[0])
    client = client_for("township_a")
    url = reverse("elections:candidates", args=[v.election.pk])
    client.get(url)  # warm the per-process caches (profiles, fonts) so both counts are like for like
    few = _page_queries(client, url)
    # Eight more on the list (registered voters of the village, nominated), two of them reviewed.
    member = v.election.posts.get(code="member")
    extra = []
    for i in range(8):
        person = v.p[f"v{i}"]
        n = Nomination.objects.create(election=v.election, post=member, person=person, nomination_votes=1)
        extra.append(
            Candidate.objects.create(
                election=v.election, post=member, person=person, nomination=n, list_order=20 + i
            )
        )
    for c in extra[:2]:
        cs._open_review(v.actor, c)
        pass_review(world, c)
    many = _page_queries(client, url)
    assert Candidate.objects.filter(election=v.election).count() == len(listed) + 8
    assert many == few, (few, many)


def test_candidates_page_stays_under_a_fixed_budget(world, client_for, django_assert_max_num_queries):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=dt.date(2026, 3, 1))
    assert Candidate.objects.filter(election=v.election).count() >= 8
    client = client_for("township_a")
    url = reverse("elections:candidates", args=[v.election.pk])
    client.get(url)
    with django_assert_max_num_queries(35):  # 46 before (2 per candidate), 31 now
        assert client.get(url).status_code == 200


HEAD = (16, 15, 14, 0, 1)
VOTES = {
    "director": {"张明": 9, "李华": 5},
    "deputy": {"王强": 10, "赵敏": 4},
    "member": {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3},
}


def _counted(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    counting.save_form(world.users["village_a1"], day.round, day.stations[0], form_data(day, day.round, HEAD, VOTES))
    return day


def test_compute_result_is_one_transaction(world, monkeypatch):
    """A failure at the very end (the audit record) leaves nothing behind: no result, no elected
    member, no stage change, no timeline step."""
    day = _counted(world)
    election = Election.objects.get(pk=day.election.pk)
    stage, steps = election.stage, election.steps.count()
    real = audit.record

    def failing(actor, action, *args, **kwargs):
        if action == "result.compute":
            raise RuntimeError("审计记录写入失败")
        return real(actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        results.compute_result(world.users["village_a1"], day.round)
    assert not RoundResult.objects.exists() and not ElectedMember.objects.exists()
    election.refresh_from_db()
    assert (election.stage, election.steps.count()) == (stage, steps)
    monkeypatch.setattr(audit, "record", real)
    results.compute_result(world.users["village_a1"], day.round)
    assert ElectedMember.objects.filter(election=election).count() == 5


def test_compute_result_writes_the_elected_rows_in_bulk(world):
    day = _counted(world)
    with CaptureQueriesContext(connection) as ctx:
        results.compute_result(world.users["village_a1"], day.round)
    elected = ElectedMember.objects.filter(election=day.election).count()
    assert elected == 5
    table = ElectedMember._meta.db_table
    writes = [q["sql"] for q in ctx.captured_queries if table in q["sql"] and not q["sql"].startswith("SELECT")]
    assert len(writes) == 1, writes  # one INSERT for all five, not one per member
    submission_reads = [q for q in ctx.captured_queries if "resultsubmission" in q["sql"]]
    assert len(submission_reads) <= 3  # the lock guard and the reopened check, not one per row
