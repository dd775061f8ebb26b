"""Issue 17: the county's command page, its live panel, the summary report and the handover
overview read every village with a fixed number of queries. Each village here has what a real
county has by the end of the campaign: a voter list published (its calendar reads the objections
received after it), an objection, a counted election and a handover item, so a per-village query
anywhere on these pages shows as a count that grows with the villages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huanjie.campaigns.models import CampaignVillage
from huanjie.elections.models import Election, Objection, StepRecord
from huanjie.elections.voting.models import HandoverItem
from huanjie.people.models import Region
from huanjie.review.tests.review_helpers import ELECTION_DAY, candidate, election_in

pytestmark = pytest.mark.django_db

PAGES = ["/oversight/", "/oversight/live/", "/reports/summary/", "/oversight/handover/"]


def _villages(world, n: int, first: int, township=None) -> None:
    township = township or world.township_a
    for i in range(first, first + n):
        v = Region.objects.create(code=f"{township.code[:9]}{300 + i:03d}", name=f"规模村{i}", level="village",
                                  kind="village", parent=township)
        CampaignVillage.objects.create(campaign=world.campaign, village=v)
        e = election_in(world, v)
        c = candidate(e, f"规模候选{i}")
        published = ELECTION_DAY - dt.timedelta(days=20)
        StepRecord.objects.create(election=e, key="voter_list_published", done_on=published)
        Objection.objects.create(election=e, objector_name="异议人", about=c.person, kind=Objection.REMOVE,
                                 content="已迁出", filed_on=published + dt.timedelta(days=1),
                                 received_on=published + dt.timedelta(days=1 + i % 3))
        # half of them counted, with a handover item recorded (the handover overview reads them)
        if i % 2 == 0:
            Election.objects.filter(pk=e.pk).update(stage=Election.COUNTED)
            HandoverItem.objects.create(election=e, kind="seals", handed_over_on=ELECTION_DAY, signed=True)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
        assert resp.status_code == 200, url
    return len(ctx.captured_queries)


def test_command_summary_and_handover_queries_do_not_grow_with_the_villages(world, client_for,
                                                                           django_assert_max_num_queries):
    client = client_for("county")
    _villages(world, 3, 0)
    for url in PAGES:
        client.get(url)
    before = {url: _count(client, url) for url in PAGES}
    _villages(world, 12, 3)
    # and townships: the summary's table by township reads them all at once
    for t in range(3):
        tw = Region.objects.create(code=f"130731{120 + t:03d}000", name=f"规模镇{t}", level="township",
                                   kind="town", parent=world.county)
        _villages(world, 2, 20 + 2 * t, township=tw)
    for url in PAGES:  # the new villages' voter counts are cached by the first read (one query for all)
        client.get(url)
    after = {url: _count(client, url) for url in PAGES}
    assert after == before
    with django_assert_max_num_queries(45):
        client.get("/oversight/live/")


def test_calendar_counts_the_objection_received_after_publication(world):
    """The objection deadline follows the last objection received (R10) whether the objections were
    read one election at a time or for the whole county at once."""
    from huanjie.elections import services as election_services

    _villages(world, 3, 0)
    for e in Election.objects.filter(organization__name__startswith="规模村"):
        one = election_services.calendar_for(e)
        many = election_services.calendar_for(
            Election.objects.prefetch_related("steps", "objections").get(pk=e.pk))
        assert [(s.key, s.earliest_date, s.latest_date) for s in one.steps] == \
               [(s.key, s.earliest_date, s.latest_date) for s in many.steps]
