"""Clerks read the law's sources in Chinese, not our rule codes (issue 16).

A whole election day — first round with a shortfall, a 另行选举 that leaves the seat empty, a
refused 当选无效 — is walked page by page; no page may show a bare "（R24）": every reference is
the citation from the profile version in force on the election day, with our code only as
``<small class="rule-ref">``.
"""

from __future__ import annotations

import re

import pytest

from huanjie.elections.models import Post
from huanjie.elections.voting import counting, results
from huanjie.elections.voting.models import ElectedMember

from .voting_helpers import NATIONAL_CANDIDATES, election_day, form_data

pytestmark = pytest.mark.django_db

D, DEP, M = Post.DIRECTOR, Post.DEPUTY, Post.MEMBER
HEAD = (16, 15, 14, 0, 1)
TOP = {D: {"张明": 9, "李华": 5}, DEP: {"王强": 10, "赵敏": 4}}
BARE_CODE = re.compile(r"[（(][^（）()<>]*\bR\d{1,2}(?!\d)[^（）()<>]*[）)]")
SMALL_REF = re.compile(r'<small class="rule-ref">[^<]*</small>')


def bare_codes(html: str) -> list[str]:
    return BARE_CODE.findall(SMALL_REF.sub("", html))


@pytest.fixture
def walked(world):
    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    user = world.users["village_a1"]
    form = form_data(day, day.round, HEAD, {**TOP, M: {"孙立": 12, "周芳": 11, "吴刚": 5, "郑丽": 4, "冯伟": 2}})
    counting.save_form(user, day.round, day.stations[0], form)
    results.compute_result(user, day.round)
    r2 = results.create_follow_up_round(user, day.round)
    counting.save_form(user, r2, day.stations[0], form_data(day, r2, (16, 15, 7, 7, 1), {M: {"吴刚": 4, "郑丽": 3}}))
    results.compute_result(user, r2)
    return day, r2


def pages(day, r2):
    e, r1 = day.election.pk, day.round.pk
    return [
        f"/elections/campaign/{day.election.campaign.slug}/",
        f"/elections/{e}/",
        f"/elections/{e}/committee/",
        f"/elections/{e}/voters/",
        f"/elections/{e}/objections/",
        f"/elections/{e}/nominations/",
        f"/elections/{e}/candidates/",
        f"/elections/{e}/proxies/",
        f"/elections/{e}/voting/",
        f"/elections/{e}/voting/staff/",
        f"/elections/{e}/voting/ballots/",
        f"/elections/round/{r1}/counting/",
        f"/elections/round/{r1}/counting/{day.stations[0].pk}/",
        f"/elections/round/{r1}/result/",
        f"/elections/round/{r2.pk}/counting/",
        f"/elections/round/{r2.pk}/counting/{day.stations[0].pk}/",
        f"/elections/round/{r2.pk}/result/",
        "/elections/counting-codes/",
        f"/elections/{e}/results/",
        f"/elections/{e}/results/handover/",
    ]


def test_no_page_of_an_election_shows_a_bare_rule_code(world, client_for, walked):
    day, r2 = walked
    for persona in ("village_a1", "township_a"):
        client = client_for(persona)
        for url in pages(day, r2):
            response = client.get(url)
            assert response.status_code == 200, (persona, url, response.status_code)
            assert bare_codes(response.content.decode()) == [], (persona, url)


def test_result_pages_cite_the_law_of_the_election_day(world, client_for, walked):
    day, r2 = walked
    client = client_for("village_a1")
    first = client.get(f"/elections/round/{day.round.pk}/result/").content.decode()
    # the election day is 2027-01-15: the 2026 version, whose village-law sources are the 2018
    # text not yet checked against the amended law
    assert day.election.profile().version == "national-2026"
    assert "《村民委员会组织法》（2018年修正文本）第十五条第二款" in first
    assert '<small class="rule-ref">R24</small>' in first
    second = client.get(f"/elections/round/{r2.pk}/result/").content.decode()
    # R35 (national: a committee of 3–7, VCL Art. 6) and the by-election of R44 (VCL Art. 19)
    assert "不再另行选举：空缺职位可以暂缺，由村民会议或者村民代表会议决定暂缺或者日后补选" in second
    assert "《村民委员会组织法》（2018年修正文本）第六条第一款、第十九条" in second
    assert '<small class="rule-ref">R35、R44</small>' in second
    assert 'id="create-runoff"' not in second  # no further 另行选举 is offered


def test_a_refusal_message_cites_the_law(world, client_for, walked):
    day, _r2 = walked
    member = ElectedMember.objects.filter(election=day.election).first()
    response = client_for("township_a").post(
        f"/elections/elected/{member.pk}/void/", {"reason": "", "document_number": ""}, follow=True
    )
    body = response.content.decode()
    assert bare_codes(body) == []
    assert "《村民委员会组织法》（2018年修正文本）第十七条" in body and '<small class="rule-ref">R39</small>' in body
