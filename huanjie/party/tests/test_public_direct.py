"""公推直选 (seed 001): 海推 then 定向推荐, three 公示 (the 海推 result, the inspected initial
candidates, the preliminary candidates) as PDF documents, and the register of objections received
during a 公示 with the township's handling; the 批复 waits until every objection is answered."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from pypdf import PdfReader

from huanjie.party import documents, services
from huanjie.party.models import PartyElection

from .helpers import add_members, dates, pass_review

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, keep_as: str = "") -> str:
    import os
    from pathlib import Path

    if keep_as and os.environ.get("HUANJIE_SHOTS"):  # kept for the eye (pdftoppm)
        Path(os.environ["HUANJIE_SHOTS"], keep_as).write_bytes(pdf)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def test_public_direct_three_notices_and_the_objection_register(world):
    d = dates(world)
    township, village = world.users["township_a"], world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    roll = add_members(village, branch, 20)
    pe = services.create_party_election(township, world.campaign, world.village_a1, d["assembly"],
                                        method=PartyElection.PUBLIC_DIRECT)
    assert [c for c, _ in services.notices(pe)] == ["open_round", "initial", "preliminary"]
    keys = [s.key for s in services.elections.timeline(pe.election)]
    assert keys.index("open_round_notice") < keys.index("villagers_recommend") < keys.index("initial_notice")
    people = [m.person for m in roll[:5]]
    with pytest.raises(services.PartyError, match="尚未登记海推结果"):
        services.publish_notice(village, pe, d["members_meeting"], "open_round")
    services.record_recommendation(village, pe, "open_round", held_on=d["members_meeting"], expected=60, present=52,
                                   tallies={p: 40 - 3 * i for i, p in enumerate(people)})
    services.publish_notice(village, pe, d["members_meeting"], "open_round")
    text = _text(documents.open_round_notice_pdf(pe), "open_round_notice.pdf")
    assert "海推结果公示" in text and people[0].name in text
    assert "应到60人，实到52人" in text and "40票" in text
    start, end = services.notice_windows(pe)["open_round"]
    with pytest.raises(services.PartyError, match="不在公示期"):
        services.record_objection(village, pe, "open_round", received_on=end + dt.timedelta(days=1), content="x")
    obj = services.record_objection(village, pe, "open_round", received_on=start + dt.timedelta(days=1),
                                    content="反映其长期在外务工，不了解村情", about=people[2])
    with pytest.raises(services.PartyError, match="由乡镇党委办理"):
        services.answer_objection(village, obj, handled_on=end, outcome="not_upheld", handling="经核实")
    with pytest.raises(services.PartyError, match="早于收到日期"):
        services.answer_objection(township, obj, handled_on=start, outcome="not_upheld", handling="经核实")
    services.answer_objection(township, obj, handled_on=end, outcome="not_upheld",
                              handling="经核实，本人近三年在村居住，反映不属实")
    services.record_recommendation(village, pe, "directed_round", held_on=d["villagers_meeting"], expected=45,
                                   present=41, tallies={p: 38 - 4 * i for i, p in enumerate(people)})
    noms = [services.add_nominee(village, pe, p) for p in people]
    with pytest.raises(services.PartyError, match="尚未全部考察"):
        services.publish_notice(village, pe, d["inspected"], "initial")
    for n in noms:
        pass_review(world, n.candidate)
        services.record_inspection(township, n, inspected_on=d["inspected"], competent=18, basic=2,
                                   incompetent=0, talks=12)
    services.publish_notice(village, pe, d["inspected"], "initial")
    text = _text(documents.initial_notice_pdf(pe), "initial_notice.pdf")
    assert "候选人初步人选考察公示" in text and "称职18、基本称职2、不称职0" in text
    services.decide_preliminary(village, pe, noms[:4], d["preliminary"])
    services.publish_notice(village, pe, d["notice"], "preliminary")
    late = services.record_objection(village, pe, "preliminary", received_on=d["notice"] + dt.timedelta(days=2),
                                     content="反映其家属违规占地建房", about=people[1], from_whom="村民甲")
    with pytest.raises(services.PartyError, match="反映有1件尚未办结"):
        services.record_approval(township, pe, request_number="1号", request_date=d["request"],
                                 approval_number="2号", approval_date=d["approval"])
    services.answer_objection(township, late, handled_on=d["request"], outcome="partly",
                              handling="经核实已整改到位，不影响提名")
    services.record_approval(township, pe, request_number="1号", request_date=d["request"],
                             approval_number="2号", approval_date=d["approval"])
    xlsx = documents.objections_xlsx(pe)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    assert "反映其家属违规占地建房" in strings and "部分属实" in strings and "反映不属实" in strings


def test_an_upheld_objection_keeps_the_person_from_the_approval(world):
    """A 公示 objection found true (反映属实) about a preliminary candidate: the township cannot approve
    the list while that person is on it, and the re-decided list cannot take them back."""
    d = dates(world)
    township, village = world.users["township_a"], world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    roll = add_members(village, branch, 20)
    pe = services.create_party_election(township, world.campaign, world.village_a1, d["assembly"])
    people = [m.person for m in roll[:6]]
    noms = [services.add_nominee(village, pe, p) for p in people]
    for n in noms:
        pass_review(world, n.candidate)
        services.record_inspection(township, n, inspected_on=d["inspected"], competent=18, basic=2,
                                   incompetent=0, talks=12)
    seats = services._committee_post(pe).seats
    chosen = noms[:seats + 1]
    services.decide_preliminary(village, pe, chosen, d["preliminary"])
    services.publish_notice(village, pe, d["notice"], "preliminary")
    accused = chosen[1].candidate.person
    obj = services.record_objection(village, pe, "preliminary", received_on=d["notice"] + dt.timedelta(days=1),
                                    content="反映其拉票贿选", about=accused)
    services.answer_objection(township, obj, handled_on=d["request"], outcome="upheld", handling="经核查属实")
    with pytest.raises(services.PartyError, match=f"{accused.name}：公示期间反映的“反映其拉票贿选”经核查属实.*须先重新确定预备人选"):
        services.record_approval(township, pe, request_number="1号", request_date=d["request"],
                                 approval_number="2号", approval_date=d["approval"])
    with pytest.raises(services.PartyError, match=f"{accused.name}：.*不能列为预备人选"):
        services.decide_preliminary(village, pe, chosen, d["preliminary"])
    replaced = [n for n in chosen if n.candidate.person != accused] + [noms[seats + 1]]
    services.decide_preliminary(village, pe, replaced, d["preliminary"])
    services.record_approval(township, pe, request_number="1号", request_date=d["request"],
                             approval_number="2号", approval_date=d["approval"])
