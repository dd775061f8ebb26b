"""Issue 17: the complaint form lists the candidates of the village chosen, not every candidate of
the county (thousands of options, 0.5 s of rendering), with a query count that does not grow with
the villages; the choice still names the candidate the complaint is about."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huanjie.campaigns.models import CampaignVillage
from huanjie.oversight.models import Complaint
from huanjie.people.models import Region
from huanjie.review.tests.review_helpers import candidate, election_in

pytestmark = pytest.mark.django_db


def _villages_with_candidates(world, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        v = Region.objects.create(code=f"130731100{200 + i:03d}", name=f"候选村{i}", level="village",
                                  kind="village", parent=world.township_a)
        CampaignVillage.objects.create(campaign=world.campaign, village=v)
        e = election_in(world, v)
        for k in range(3):
            candidate(e, f"候选{i}-{k}")


def test_form_lists_no_candidate_until_a_village_is_chosen(world, client_for):
    _villages_with_candidates(world, 3)
    html = client_for("county").get(reverse("oversight:complaint_new")).content.decode()
    assert "候选0-0" not in html
    assert "先选择村" in html
    assert "oversight/complaints/new/candidates/" in html  # the village choice reloads the list


def test_candidate_choices_are_the_chosen_villages_only_and_in_scope(world, client_for):
    e = election_in(world, world.village_a1)
    mine = candidate(e, "甲候选", post_code="director")
    _villages_with_candidates(world, 2)
    url = reverse("oversight:complaint_candidates") + f"?village={world.village_a1.code}"
    html = client_for("township_a").get(url).content.decode()
    assert f'value="{mine.pk}"' in html and "甲候选" in html
    assert "候选0-0" not in html
    # Township B's office may not see township A's candidates.
    assert "甲候选" not in client_for("township_b").get(url).content.decode()


def test_candidate_choices_query_count_does_not_grow_with_the_villages(world, client_for,
                                                                       django_assert_max_num_queries):
    e = election_in(world, world.village_a1)
    candidate(e, "甲候选")
    client = client_for("county")
    urls = [reverse("oversight:complaint_new"),
            reverse("oversight:complaint_candidates") + f"?village={world.village_a1.code}"]
    for url in urls:
        client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = [count(u) for u in urls]
    _villages_with_candidates(world, 10)
    assert [count(u) for u in urls] == before
    with django_assert_max_num_queries(10):
        client.get(urls[0])


def test_complaint_about_a_candidate_is_registered_after_choosing_the_village(world, client_for):
    e = election_in(world, world.village_a1)
    c = candidate(e, "甲候选", post_code="director")
    client = client_for("township_a")
    resp = client.post(reverse("oversight:complaint_new"), {
        "channel": "letter", "received_on": "2026-11-30", "village": world.village_a1.code, "matter": "threats",
        "content": "威胁村民", "anonymous": "on", "candidate": str(c.pk)})
    assert resp.status_code in (200, 302)
    complaint = Complaint.objects.get()
    assert complaint.candidate == c and complaint.election == e


def test_risk_signals_query_count_does_not_grow_with_the_candidates(world):
    """The write-in check reads the candidates' names by primary key (issue 17: joined with the
    people table it was planned as a scan of a county's million people)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huanjie.oversight import services

    e = election_in(world, world.village_a1)
    candidate(e, "甲候选")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            services.detect_signals(world.campaign, world.county.scope_prefix)
        return len(ctx.captured_queries)

    count()
    before = count()
    _villages_with_candidates(world, 8)
    assert count() == before


def test_commitments_page_query_count_does_not_grow_with_the_villages(world, client_for):
    """三个100%: the people who must sign are read by primary key, one query for all of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huanjie.oversight import commitments

    e = election_in(world, world.village_a1)
    candidate(e, "甲候选")
    client = client_for("county")
    url = reverse("oversight:commitments")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    _villages_with_candidates(world, 8)
    assert count() == before
    rows = {r["village"].name: r for r in commitments.village_rows(world.campaign, world.county.scope_prefix)}
    assert [(n.person.name, n.role) for n in rows["候选村3"]["missing"]] == [
        ("候选3-0", "委员候选人"), ("候选3-1", "委员候选人"), ("候选3-2", "委员候选人")]


def test_signing_again_keeps_the_signed_copy(world):
    """The list reads the signatures without their copies; correcting the date keeps the copy."""
    import datetime as dt

    from django.utils import timezone

    from huanjie.oversight import commitments

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    e = election_in(world, world.village_a1)
    c = candidate(e, "甲候选")
    ta, today = world.users["township_a"], timezone.localdate()
    commitments.record_signed(ta, world.campaign, world.village_a1, "pledge", c.person.pk,
                              today - dt.timedelta(days=1), png, "承诺书.png")
    rec = commitments.record_signed(ta, world.campaign, world.village_a1, "pledge", c.person.pk, today)
    rec.refresh_from_db()
    assert rec.signed_on == today and bytes(rec.copy) == png and rec.copy_name == "承诺书.png"
