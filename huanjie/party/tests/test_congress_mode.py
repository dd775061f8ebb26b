"""R50: a branch of 500 members or more, or with scattered units, may elect its committee at a
党员代表大会 with the higher organisation's approval. The delegates are then the electorate:
应到会人数, sign-in and the 4/5 quorum (R51–R52) count delegates, and the count uses them."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.elections.voting import results
from huanjie.elections.voting.counting import FormData, LineData, save_form
from huanjie.party import services
from huanjie.party.models import Branch, Member, PartyElection

from .helpers import approved_election, new_person
from .test_election import _vote

pytestmark = pytest.mark.django_db


def _congress(world, pe, d):
    township = world.users["township_a"]
    services.set_branch(township, pe.branch, Branch.BRANCH, True)  # members live scattered
    return services.set_body(township, pe, PartyElection.CONGRESS, approval_number="清溪党〔2026〕3号",
                             approved_on=d["request"])


def test_a_congress_needs_the_size_or_scattered_units_and_the_approval(world):
    pe, roll, noms, d = approved_election(world, members=20)
    township = world.users["township_a"]
    with pytest.raises(services.PartyError, match="党员20人.*不能召开党员代表大会（R50）"):
        services.set_body(township, pe, PartyElection.CONGRESS, approval_number="1号", approved_on=d["request"])
    services.set_branch(township, pe.branch, Branch.BRANCH, True)
    with pytest.raises(services.PartyError, match="上级党组织批准"):
        services.set_body(township, pe, PartyElection.CONGRESS)
    with pytest.raises(services.PartyError, match="不能确定选举机构"):
        services.set_body(world.users["village_a1"], pe, PartyElection.CONGRESS, approval_number="1号",
                          approved_on=d["request"])
    pe = services.set_body(township, pe, PartyElection.CONGRESS, approval_number="清溪党〔2026〕3号",
                           approved_on=d["request"])
    assert PartyElection.objects.get(pk=pe.pk).get_body_display() == "党员代表大会"
    # no delegates yet: nothing can be issued
    assert "党员代表大会尚未登记代表名单" in services.ballot_blockers(pe.election)


def test_delegates_are_the_electorate_of_attendance_sign_in_and_quorum(world):
    pe, roll, noms, d = approved_election(world, members=20)
    _congress(world, pe, d)
    village = world.users["village_a1"]
    prob = services.add_member(village, pe.branch, new_person(world.village_a1, "预备某"),
                               status=Member.PROBATIONARY, joined_on=dt.date(2026, 7, 1))
    with pytest.raises(services.PartyError, match="预备某.*不能担任代表（R49）"):
        services.add_delegates(village, pe, [roll[0], prob])
    assert not pe.election.party_delegates.exists()  # all or nothing
    services.add_delegates(village, pe, roll[:10], unit="第一党小组")
    with pytest.raises(services.PartyError, match="已是代表"):
        services.add_delegates(village, pe, [roll[0]])
    with pytest.raises(services.PartyError, match="不是本次党员代表大会的代表"):
        services.sign_in(village, pe.election, roll[15])
    for m in roll[:8]:
        services.sign_in(village, pe.election, m)
    result = services.attendance(pe.election)
    assert (result.with_vote, result.expected_attendance, result.present_with_vote) == (10, 10, 8)
    assert not result.quorum_met  # 8×5 = 40 is not more than 10×4 = 40
    text = services.quorum_text(result, delegates=True)
    assert "应到会代表10人，实到会有选举权的代表8人：8×5=40 ≤ 10×4=40" in text
    assert any("代表8人" in b for b in services.ballot_blockers(pe.election))
    with pytest.raises(services.PartyError, match="已签到"):
        services.remove_delegate(village, pe, roll[0])
    with pytest.raises(services.PartyError, match="已有党员签到"):
        services.set_body(world.users["township_a"], pe, PartyElection.ASSEMBLY)
    services.sign_in(village, pe.election, roll[8])
    assert services.attendance(pe.election).quorum_met


def test_the_congress_counts_against_its_delegates(world):
    import io

    from pypdf import PdfReader

    from huanjie.elections.aftervote import documents as result_documents
    from huanjie.party import documents

    pe, roll, noms, d = approved_election(world, members=20, seats=3, preliminary=4)
    _congress(world, pe, d)
    village = world.users["village_a1"]
    services.add_delegates(village, pe, roll[:10])
    station = _vote(world, pe, present=9)  # signs in the first 9 of the electorate (the delegates)
    rnd = pe.election.rounds.get(number=1)
    post = pe.election.posts.get()
    names = [n.candidate.person.name for n in noms[:4]]
    save_form(village, rnd, station, FormData(9, 9, 9, 0, 0, [LineData(post.pk, names[0], 9), LineData(
        post.pk, names[1], 7), LineData(post.pk, names[2], 5), LineData(post.pk, names[3], 4)]))
    out = results.compute_result(village, rnd).output
    assert out["input"]["expected_attendance"] == 10 and out["input"]["present_with_vote"] == 9
    assert [e["name"] for e in out["elected"]] == names[:3]  # 5×2 = 10 > 9
    report = "".join(p.extract_text() for p in PdfReader(io.BytesIO(result_documents.report_pdf(pe.election))).pages)
    assert "应到会有选举权的代表" in report.replace(" ", "")
    count = "".join(p.extract_text() for p in PdfReader(io.BytesIO(documents.attendance_report_pdf(pe))).pages)
    count = count.replace(" ", "").replace("\n", "")
    assert "党员代表大会清点人数报告" in count and "代表总数10人" in count
    assert "（R52）" not in count and "基层组织选举工作暂行条例" in count  # the rule printed as its source
