"""The demo's 村务监督委员会 (issue 13): chosen by the 村民代表会议 with one incompatibility refused."""

from __future__ import annotations

import pytest

from huanjie.elections.aftervote import documents as result_documents
from huanjie.elections.models import Candidate, ElectedMember, Election
from huanjie.supervision import documents, services
from huanjie.supervision.models import Nominee, Supervision

pytestmark = pytest.mark.django_db


def test_the_supervision_committee_is_chosen_with_one_refusal(demo_county):
    sv = Supervision.objects.select_related("election__organization").get()
    e = sv.election
    assert e.stage == Election.SUBMITTED and sv.body == Supervision.REPRESENTATIVES_MEETING
    refused = Nominee.objects.filter(candidate__election=e).exclude(refusals=[])
    assert refused.count() == 1
    reason = refused.get().refusals[0]
    assert reason.startswith("与村民委员会成员") and "不得担任村务监督委员会成员" in reason
    assert refused.get().candidate.status == Candidate.DISQUALIFIED
    q = services.quorum(sv)
    assert q["quorum_met"] and "38×3=114 ≥ 45×2=90" in q["text"]
    elected = ElectedMember.objects.filter(election=e, status=ElectedMember.ELECTED).order_by("post__rank", "-votes")
    assert [(m.post.name, m.votes) for m in elected] == [("主任", 35), ("委员", 33), ("委员", 27)]
    party = ElectedMember.objects.filter(election__organization=e.organization, election__kind=Election.PARTY_BRANCH,
                                         status=ElectedMember.ELECTED).values_list("person_id", flat=True)
    assert elected[0].person_id in set(party)  # the 主任 sits on the new party committee (seed 004)
    assert services.result_findings(e)["refused"] == [] and services.result_findings(e)["warnings"] == []
    for make in (result_documents.results_notice_pdf, result_documents.report_pdf, result_documents.certificates_pdf,
                 documents.candidates_pdf):
        assert make(e)[:4] == b"%PDF"
