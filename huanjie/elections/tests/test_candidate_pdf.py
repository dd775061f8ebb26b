"""正式候选人名单公告 and 委托投票公告 PDFs: A4, text extracted with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from huanjie.elections.nomination import proxies
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Candidate

from .candidate_helpers import nominate_basic, pass_review, setup_village

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    # Table cells and wrapped lines come out on separate lines: compare without any whitespace.
    return re.sub(r"\s+", "", text), reader


def published(world):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=dt.date(2026, 3, 1))
    for c in Candidate.objects.all():
        pass_review(world, c)
    cs.explain_team_check(world.users["township_a"], v.election, "P11-women-share", "说明")
    return v, cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 10))


def test_candidate_notice_lists_posts_in_order_with_age_and_status(world):
    v, pub = published(world)
    content = cs.notice_pdf(v.election, pub)
    text, reader = text_of(content)
    page = reader.pages[0].mediabox
    assert (round(float(page.width)), round(float(page.height))) == (595, 842)  # A4 in points
    assert "东山村正式候选人名单公告" in text
    assert "主任候选人（应选1名）" in text and "委员候选人（应选3名）" in text
    # 王建国: born 1970-03-05, 56 on the election day 2026-03-20; 中共党员
    assert re.search(r"1王建国男56中共党员", text)
    # 周明 born 1988-05-01 → 37 on 2026-03-20
    assert re.search(r"2周明男37中共党员", text)
    # 委员 in nomination-vote order: 张伟 15, 杨洋 14, 黄磊 12, 吴静 11
    order = [text.index(n) for n in ("张伟", "杨洋", "黄磊", "吴静")]
    assert order == sorted(order)
    assert "东山村村民选举委员会" in text and "2026年3月10日" in text
    # no ID number is printed on a posted notice
    assert v.p["wang"].id_number not in text


def test_republished_notice_says_why(world):
    v, _ = published(world)
    change = cs.withdraw(v.actor, Candidate.objects.get(person=v.p["yang"]), dt.date(2026, 3, 12))
    pass_review(world, change.replacement)
    pub = cs.publish_candidate_list(v.actor, v.election, dt.date(2026, 3, 13), "杨洋书面退出，徐亮递补")
    text, _ = text_of(cs.notice_pdf(v.election, pub))
    assert "第2版" in text and "杨洋书面退出，徐亮递补" in text
    assert "徐亮" in text


def test_proxy_notice(world):
    v = setup_village(world)
    proxies.register_proxy(v.actor, v.election, v.p["li"], v.p["wang"], dt.date(2026, 3, 10))
    proxies.register_proxy(v.actor, v.election, v.p["zhou"], v.p["chen"], dt.date(2026, 3, 10))  # refused
    text, _ = text_of(proxies.proxy_notice_pdf(v.election, dt.date(2026, 3, 16)))
    assert "东山村委托投票公告" in text
    assert re.search(r"1李秀英王建国配偶3月10日", text)
    assert "周明" not in text  # a refused request is not on the notice
    assert "委托投票共1人" in text
    # the source is cited from the profile version of the election day (2026: the 2018 text of the
    # village law, not yet checked against the amended one), never typed into the notice
    assert "根据《村民委员会组织法》（2018年修正文本）第十五条第四款、《民法典》第一千零四十五条第二款" in text


def test_proxy_notice_without_proxies_is_refused(world):
    v = setup_village(world)
    with pytest.raises(proxies.ProxyError):
        proxies.proxy_notice_pdf(v.election)
