"""P1–P2 and P11 of the campaign policy on the party's candidates, by the villagers' committee's
candidate checks: the age limits by the post proposed for and gender at the cut-off date, the
newcomers' age and education, the team's young member with college education — each reason with
its figures; a refusal keeps the person off the preliminary list."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.party import services

from .helpers import add_members, dates, new_person, pass_review

pytestmark = pytest.mark.django_db


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def test_party_candidates_pass_the_policy_checks_with_their_figures(world):
    d = dates(world)
    township, village = world.users["township_a"], world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    cutoff = world.campaign.cutoff_date
    old_man = new_person(world.village_a1, "老书记", "M", _years_before(cutoff, 63))  # 62 at the cut-off's eve
    newcomer = new_person(world.village_a1, "新党员", "F", _years_before(cutoff, 50))
    newcomer.education = "71"  # 初中毕业
    newcomer.save()
    incumbent = new_person(world.village_a1, "老委员", "M", _years_before(cutoff, 50))
    incumbent.education = "71"
    incumbent.save()
    for p in (old_man, newcomer, incumbent):
        services.add_member(village, branch, p, joined_on=dt.date(2000, 7, 1))
    others = add_members(village, branch, 4, prefix="青年", )
    pe = services.create_party_election(township, world.campaign, world.village_a1, d["assembly"])
    n_old = services.add_nominee(village, pe, old_man, proposed_post="secretary", current_post="书记")
    n_new = services.add_nominee(village, pe, newcomer)
    n_inc = services.add_nominee(village, pe, incumbent, current_post="委员")
    with pytest.raises(services.PartyError, match="现任职务"):
        services.add_nominee(village, pe, others[0].person, current_post="村长")
    checks = services.policy_checks(pe)
    refusals = [r["reason"] for r in checks[n_old.pk]["refusals"]]
    assert any("男60周岁以上不再提名为书记、主任初步候选人（62周岁）" in r for r in refusals), refusals
    new_warnings = " ".join(w["reason"] for w in checks[n_new.pk]["warnings"])
    assert "（49周岁）" in new_warnings or "（50周岁）" in new_warnings
    assert not checks[n_new.pk]["refusals"]
    # the same age and education as a sitting member is no newcomer: no newcomer warning
    assert not [w for w in checks[n_inc.pk]["warnings"] if w["code"].startswith("P2-newcomer")]
    # P11 on the list: nobody of 35 or under with college education
    structure = services.structure_checks(pe)
    young = [c for c in structure if "35" in c["reason"]]
    assert young and young[0]["met"] is False
    # a refused candidate cannot be on the preliminary list
    extra = [services.add_nominee(village, pe, m.person) for m in others[:2]]
    noms = [n_old, n_new, n_inc, *extra]
    for n in noms:
        pass_review(world, n.candidate)
        services.record_inspection(township, n, inspected_on=d["inspected"], competent=18, basic=2,
                                   incompetent=0, talks=12)
    with pytest.raises(services.PartyError, match="老书记：男60周岁以上"):
        services.decide_preliminary(village, pe, noms[:4], d["preliminary"])
    # P2: a sitting secretary over the limit stays with the county's recorded approval (then a warning)
    with pytest.raises(services.PartyError, match="由乡镇或县登记"):
        services.record_age_exception(village, n_old, reason="实绩突出", approved_by="县委组织部")
    services.record_age_exception(township, n_old, reason="实绩突出，群众公认", approved_by="县委组织部")
    checks = services.policy_checks(pe)[n_old.pk]
    assert not checks["refusals"] and any("经县委组织部同意留任" in w["reason"] for w in checks["warnings"])
    services.decide_preliminary(village, pe, noms[:4], d["preliminary"])
