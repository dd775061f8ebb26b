"""Dashboards and the pages after the vote: who may open what, and the figures they show."""

from __future__ import annotations

import json
import re

import pytest

from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import Election
from huanjie.elections.voting.models import ElectedMember, ResultSubmission

from .aftervote_helpers import counted_election, make_election

pytestmark = pytest.mark.django_db

SLUG = "anping-2026"


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-village="(\d+)">(.*?)</tr>', html, re.S))


def test_dashboard_permissions(world, client_for):
    counted_election(world)
    county_url = f"/elections/campaign/{SLUG}/results/county/"
    township_url = f"/elections/campaign/{SLUG}/results/township/"
    assert client_for("county").get(county_url).status_code == 200
    assert client_for("observer").get(county_url).status_code == 200
    assert client_for("township_a").get(county_url).status_code == 403
    assert client_for("village_a1").get(county_url).status_code == 403
    assert client_for("village_a1").get(township_url).status_code == 403
    assert client_for("department").get(township_url).status_code == 403
    assert client_for("township_a").get(township_url).status_code == 200
    assert client_for("outsider").get(county_url).status_code == 404  # another county's campaign


def test_township_dashboard_shows_only_its_villages_with_turnout_and_results(world, client_for):
    a1 = counted_election(world)
    aftervote.submit_result(world.users["village_a1"], a1.election)
    director = ElectedMember.objects.get(election=a1.election, name="张国强")
    director.is_party_secretary = True
    director.save()
    b1 = make_election(world, world.village_b1, voters=4)

    html = client_for("township_a").get(f"/elections/campaign/{SLUG}/results/township/").content.decode()
    rows = _rows(html)
    assert set(rows) == {world.village_a1.code}
    row = rows[world.village_a1.code]
    # 36 ballots returned of 40 registered: 36*100/40 = 90 %
    assert "90.00%" in row and "36/40" in row
    assert "已报送锁定" in row
    assert "主任：张国强" in row and "副主任：陈秀兰" in row and "委员：杨光" in row
    assert "是" in row  # 一肩挑
    assert f"/elections/{a1.election.pk}/results/notice.pdf" in row
    assert b1.organization.code not in html and "石桥村" not in html

    county = client_for("county").get(f"/elections/campaign/{SLUG}/results/county/").content.decode()
    rows = _rows(county)
    assert set(rows) == {world.village_a1.code, world.village_b1.code}
    assert "未计票" in rows[world.village_b1.code] and "0/4" in rows[world.village_b1.code]
    chart = json.loads(
        re.search(r'<script id="turnout-chart" type="application/json">(.*?)</script>', county).group(1)
    )
    assert chart["categories"] == ["东山村", "石桥村"] and chart["series"][0]["data"] == [90.0, 0]
    # totals over the villages that have voted only: 36 returned of 40 → 90 % (the other village's 4
    # registered voters have not voted yet and do not lower the figure); 1 woman of 3 elected → 33.33 %
    totals = re.search(r'<div class="tiles" id="totals">(.*?)</div>\s*<section', county, re.S).group(1)
    assert "90.00%" in totals and "36/40" in totals and "33.33%" in totals


def test_dashboard_search_township_filter_and_pagination(world, client_for):
    counted_election(world)
    make_election(world, world.village_b1, voters=2)
    client = client_for("county")
    url = f"/elections/campaign/{SLUG}/results/county/"
    assert set(_rows(client.get(url, {"q": "石桥"}).content.decode())) == {world.village_b1.code}
    only_a = client.get(url, {"township": world.township_a.code}).content.decode()
    assert set(_rows(only_a)) == {world.village_a1.code}
    assert client.get(url, {"township": "999999999999"}).status_code == 404
    page = client.get(url, {"page": "2"})  # past the end: the last page
    assert page.status_code == 200


def test_dashboard_paginates_300_villages(world, client_for, django_assert_max_num_queries):
    from huanjie.people.models import Region

    township = world.township_a
    elections = []
    for i in range(300):
        v = Region.objects.create(
            code=f"130731100{i + 100:03d}",
            name=f"测试{i:03d}村",
            level="village",
            kind="village",
            parent=township,
        )
        elections.append(
            Election(
                campaign=world.campaign,
                organization=v,
                title=f"{v.name}选举",
                election_date=world.campaign.starts_on,
            )
        )
    Election.objects.bulk_create(elections)
    client = client_for("county")
    client.get(f"/elections/campaign/{SLUG}/results/county/")  # warm caches (session, user)
    with django_assert_max_num_queries(20):
        html = client.get(f"/elections/campaign/{SLUG}/results/county/").content.decode()
    assert len(_rows(html)) == 50 and "共 300 条" in html


def test_result_page_and_submit_through_the_view(world, client_for):
    counted = counted_election(world)
    url = f"/elections/{counted.election.pk}/results/"
    html = client_for("village_a1").get(url).content.decode()
    assert "data-confirm" in html and 'id="submit-result"' in html
    assert "19 票（超过参选人数 36 的半数）" in html
    assert client_for("township_b").get(url).status_code == 404
    assert client_for("township_a").post(url).status_code == 302
    assert not ResultSubmission.objects.exists()  # the township cannot submit for the committee
    assert client_for("village_a1").post(url).status_code == 302
    assert ResultSubmission.objects.get(election=counted.election).locked
    html = client_for("township_a").get(url).content.decode()
    assert "已报送并锁定" in html and f"/elections/{counted.election.pk}/results/unlock/" in html


def test_documents_and_archive_permissions(world, client_for):
    counted = counted_election(world)
    pk = counted.election.pk
    for name in ("notice.pdf", "report.pdf", "certificates.pdf"):
        response = client_for("observer").get(f"/elections/{pk}/results/{name}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert client_for("township_b").get(f"/elections/{pk}/results/{name}").status_code == 404
        assert client_for("department").get(f"/elections/{pk}/results/{name}").status_code == 403
    form_url = f"/elections/counting-forms/{counted.form.pk}/form.pdf"
    assert client_for("village_a1").get(form_url).status_code == 200
    assert client_for("township_b").get(form_url).status_code == 404
    archive = client_for("township_a").get(f"/elections/{pk}/results/archive.zip")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    assert client_for("observer").get(f"/elections/{pk}/results/archive.zip").status_code == 403


def test_assign_posts_and_handover_views(world, client_for):
    counted = counted_election(world)
    pk = counted.election.pk
    director = ElectedMember.objects.get(election=counted.election, name="张国强")
    response = client_for("village_a1").post(
        f"/elections/{pk}/results/posts/",
        {f"assigned_{director.pk}": "全面工作", "party_secretary": director.pk},
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.assigned_post == "全面工作" and director.is_party_secretary
    assert client_for("observer").post(f"/elections/{pk}/results/posts/", {}).status_code == 403

    url = f"/elections/{pk}/results/handover/"
    html = client_for("village_a1").get(url).content.decode()
    # took office on the election day 2026-03-20, deadline 10 days later (R41)
    assert "2026-03-20" in html and "2026-03-30" in html and "data-confirm" in html
    bad = client_for("village_a1").post(url, {"kind": "seals", "signed": "on", "handed_by": "老主任"})
    assert "已签字的移交必须填写移交日期、接收人" in bad.content.decode()
    ok = client_for("village_a1").post(
        url,
        {
            "kind": "seals",
            "handed_over_on": "2026-03-25",
            "handed_by": "老主任",
            "received_by": "张国强",
            "signed": "on",
        },
    )
    assert ok.status_code == 302


def test_election_detail_links_to_the_results(world, client_for):
    counted = counted_election(world)
    html = client_for("village_a1").get(f"/elections/{counted.election.pk}/").content.decode()
    assert 'id="aftervote"' in html and f"/elections/{counted.election.pk}/results/" in html
    assert "结果未报送" in html


def test_counting_form_api_saves_counts_and_respects_the_lock(world, client_for):
    import datetime as dt

    from huanjie.elections.models import Post, Round
    from huanjie.elections.nomination.models import Candidate
    from huanjie.elections.voting.models import CountingForm, VotingStation

    from .workflow_helpers import make_person

    election = make_election(world, voters=10)
    rnd = Round.objects.create(election=election, number=1, held_on=election.election_date)
    station = VotingStation.objects.create(election=election, name="中心会场")
    posts = {p.code: p for p in election.posts.all()}
    lines = []
    for i, (code, name, votes) in enumerate(
        [
            (Post.DIRECTOR, "张国强", 6),
            (Post.DIRECTOR, "刘德明", 2),
            (Post.DEPUTY, "陈秀兰", 5),
            (Post.DEPUTY, "周海", 3),
            (Post.MEMBER, "杨光", 7),
            (Post.MEMBER, "黄志", 1),
        ]
    ):
        person = make_person(name, "M", dt.date(1971, 2, 3), world.village_a1, 601 + 2 * i)
        Candidate.objects.create(election=election, post=posts[code], person=person, list_order=i)
        lines.append({"post": posts[code].pk, "name": name, "votes": votes})
    # 10 registered, 9 issued, 8 returned, all valid: 8*2 > 10 valid; threshold v*2 > 8 → 5 votes.
    body = {
        "station": station.pk,
        "issued": 9,
        "returned": 8,
        "valid": 8,
        "blank": 0,
        "invalid": 0,
        "lines": lines,
        "compute": True,
    }
    url = f"/elections/{election.pk}/results/api/counting-form/"
    clerk = client_for("village_a1")
    response = clerk.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content.decode()
    data = response.json()
    assert data["status"] == "accepted" and data["result"]["threshold"] == 5
    assert [(e["post"], e["name"]) for e in data["result"]["elected"]] == [
        ("主任", "张国强"),
        ("副主任", "陈秀兰"),
        ("委员", "杨光"),
    ]
    assert CountingForm.objects.filter(round=rnd).count() == 1
    assert client_for("township_b").post(url, body, content_type="application/json").status_code == 404
    bad = clerk.post(url, {**body, "returned": 10}, content_type="application/json")  # more than issued
    assert bad.status_code == 422 and bad.json()["findings"]

    aftervote.submit_result(world.users["village_a1"], election)
    locked = clerk.post(url, body, content_type="application/json")
    assert locked.status_code == 409 and "锁定" in locked.json()["errors"][0]
