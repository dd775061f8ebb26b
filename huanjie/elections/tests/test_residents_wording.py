"""A walk found 清溪社区 (a 居民委员会 election) reading 村民选举委员会, 村民小组, 户籍在本村 and citing
《村民委员会组织法》 on its pages and notices: a residents' committee election says residents' words
everywhere, from the one Wording of ``elections.kinds``; a village's pages keep the village's."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from huanjie.elections import services
from huanjie.elections.models import Election
from huanjie.elections.registration import documents
from huanjie.elections.todos import election_todos

from .workflow_helpers import make_person, register

pytestmark = pytest.mark.django_db

VILLAGE_WORDS = ("村民选举委员会", "村民小组", "户籍在本村", "村民委员会组织法", "本村")


def _election(world, kind):
    campaign = world.campaign
    campaign.starts_on = timezone.localdate() - dt.timedelta(days=90)
    campaign.ends_on = timezone.localdate() + dt.timedelta(days=200)
    campaign.save()
    e = services.create_election(world.users["township_a"], campaign, world.village_a1,
                                 timezone.localdate() + dt.timedelta(days=60), kind=kind)
    p = make_person("王居民", "M", dt.date(1980, 1, 1), world.village_a1, 901, group="第一小组")
    register(e, p)
    return e


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(pdf)).pages))


def _pages(client, e):
    out = {}
    for path in ("", "committee/", "voters/", "voters/add/", "proxies/", "voters/import/"):
        body = client.get(f"/elections/{e.pk}/{path}").content.decode()
        out[path or "detail"] = body.split("<main", 1)[-1]
    return out


def test_a_residents_committee_election_says_residents_words(world, client_for):
    e = _election(world, Election.RESIDENTS_COMMITTEE)
    c = client_for("village_a1")
    pages = _pages(c, e)
    for name, body in pages.items():
        # The calendar's citations come from the rules' sources (R10 …), not the page's words.
        body = re.sub(r'<table class="grid" id="timeline".*?</table>', "", body, flags=re.S)
        body = re.sub(r"期限由规则引擎.*?</p>", "", body, flags=re.S)
        body = re.sub(r"年龄按选举日当天计算.*?</p>", "", body, flags=re.S)
        found = [w for w in ("村民选举委员会", "村民小组", "户籍在本村") if w in body]
        assert not found, (name, found)
    assert "居民选举委员会" in pages["committee/"] and "居民小组" in pages["voters/"]
    assert "户籍在本社区并在本社区居住" in pages["voters/add/"]
    notice = _text(documents.voter_notice_pdf(e))
    assert "《中华人民共和国城市居民委员会组织法》" in notice and "村民委员会组织法" not in notice
    assert "居民小组公布" in notice and "村民" not in notice
    cards = _text(documents.voter_cards_pdf(e))
    assert "居民小组" in cards and "村民小组" not in cards
    assert all("村民选举委员会" not in t.text for t in election_todos(e))


def test_a_villages_election_keeps_the_village_words(world, client_for):
    e = _election(world, None)
    pages = _pages(client_for("village_a1"), e)
    assert "东山村村民选举委员会" in pages["committee/"] and "村民小组" in pages["voters/"]
    assert "户籍在本村并在本村居住" in pages["voters/add/"]
    assert "《中华人民共和国村民委员会组织法》" in _text(documents.voter_notice_pdf(e))
