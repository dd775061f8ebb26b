"""The demo's township congress (issue 15): allocation with a grouped unit, a reserved seat and hand
changes, the county's approval of the number, the 请示 and the 批复."""

from __future__ import annotations

import pytest

from huanjie.congress import documents, services
from huanjie.congress.models import Congress

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_county):
    return Congress.objects.select_related("township").get()


def test_the_congress_is_planned_and_approved(demo):
    congress = demo
    assert congress.township.name == "清溪镇" and congress.approved and congress.size_approved_on
    table = services.allocation_table(congress)
    assert table.problems == [] and table.total_seats == congress.delegates_planned == 30
    grouped = [r for r in table.rows if len(r.branch_names) == 2]
    assert len(grouped) == 1 and "联合选举单位" in grouped[0].unit.name
    changed = [r for r in table.rows if r.changed]
    assert len(changed) == 2 and all(r.unit.seats_reason for r in changed)
    assert sum(r.unit.reserved for r in table.rows) == 1
    for name in ("allocation.pdf", "request.pdf", "request.docx", "approval.pdf", "approval.docx"):
        assert documents.DOCUMENTS[name][1](congress)[:2] in (b"%P", b"PK"), name


def test_a_unit_re_elected_and_the_congress_elected_its_committees(demo):
    from huanjie.congress.models import CredentialDecision, DelegateElection
    from huanjie.elections.models import ElectedMember

    congress = demo
    first = DelegateElection.objects.get(unit__congress=congress, unit__number=1)
    meetings = list(first.meetings.all())
    assert [m.quorum_met for m in meetings] == [False, True]
    assert all(de.election.stage == "counted" for de in DelegateElection.objects.filter(unit__congress=congress))
    assert congress.credentials.filter(status=CredentialDecision.CONFIRMED).count() == 30
    assert services.headcount(congress)["met"]
    assert len(services.headcount(congress)["signed"]) == congress.present_delegates == 29  # signed in one by one
    assert ElectedMember.objects.filter(election=congress.committee_election).count() == 9
    assert ElectedMember.objects.filter(election=congress.discipline_election).count() == 5
    assert ElectedMember.objects.filter(election=congress.county_delegates_election).count() == 3
    assert (congress.previous_delegates, congress.previous_candidates) == (28, 34)
    for de in DelegateElection.objects.filter(unit__congress=congress):
        check = services.candidate_check(de)
        assert check["ok"] and check["previous"].ok, check["text"]
    assert ElectedMember.objects.get(election=congress.discipline_plenary).post.code == "discipline_secretary"
    assert congress.result_approval_number == "安委〔2026〕81号"
    for name, (_, make) in documents.DOCUMENTS.items():
        assert make(congress)[:2] in (b"%P", b"PK"), name
    rows = services.timeline(congress)
    assert sum(1 for r in rows if r.done_on) >= 25


def test_every_demo_delegate_has_a_category_so_the_figures_show(demo):
    """Issue 15: the cadres (≤ 50 %) and front-line (≥ 30 %) figures on the congress page come from
    categories the demo recorded for every candidate."""
    s = services.structure(demo)
    for side in ("candidates", "delegates"):
        rows = {r.key: r for r in s[side]}
        assert rows["cadre"].share.numerator > 0 and rows["front_line"].share.numerator > 0, side
        assert rows["cadre"].ok is not None and rows["front_line"].ok is not None, side
