"""People: eligibility (R5–R7), registration (R8–R9), proxies (R20), relations (R11, R12, R37)."""

from __future__ import annotations

from datetime import date

import pytest

from huanjie.rules import (
    EngineError,
    PersonRecord,
    ProxyRequest,
    RegistrationRecord,
    Relation,
    VoterApplicant,
    check_counting_staff,
    check_election_committee,
    check_proxies,
    eligibility,
    get_profile,
    registration_conflicts,
    relation_conflicts,
    voter_registration_decision,
)

D = date.fromisoformat
E = D("2026-05-10")


@pytest.mark.parametrize(
    ("person", "eligible", "code"),
    [
        pytest.param(PersonRecord("甲", birth_date=D("2008-05-10")), True, None, id="R5-18-on-election-day"),
        pytest.param(
            PersonRecord("乙", birth_date=D("2008-05-11")), False, "under_age", id="R5-one-day-short"
        ),
        pytest.param(PersonRecord("丙", id="11010519491231002X"), True, None, id="R5-from-id"),
        pytest.param(PersonRecord("丁", id="110105194912310021"), False, "id_checksum", id="R67-bad-id"),
        pytest.param(PersonRecord("戊"), False, "birth_date_unknown", id="R5-no-birth-data"),
        pytest.param(
            PersonRecord(
                "己",
                birth_date=D("1980-01-01"),
                deprived_from=D("2023-05-10"),
                deprived_until=D("2026-05-10"),
            ),
            False,
            "deprived",
            id="R7-last-day-of-deprivation-inclusive",
        ),
        pytest.param(
            PersonRecord(
                "庚",
                birth_date=D("1980-01-01"),
                deprived_from=D("2023-05-10"),
                deprived_until=D("2026-05-09"),
            ),
            True,
            None,
            id="R7-deprivation-ended-day-before",
        ),
        pytest.param(
            PersonRecord(
                "辛",
                birth_date=D("1980-01-01"),
                deprived_from=D("2026-05-10"),
                deprived_until=D("2028-01-01"),
            ),
            False,
            "deprived",
            id="R7-first-day-inclusive",
        ),
        pytest.param(
            PersonRecord("壬", birth_date=D("1950-01-01"), deprived_lifetime=True),
            False,
            "deprived",
            id="R7-lifetime",
        ),
    ],
)
def test_R5_R6_R7_eligibility(person, eligible, code):
    decision = eligibility([person], E)[0]
    assert decision.eligible is eligible
    assert decision.code == code


def test_R7_incomplete_deprivation_is_an_error():
    with pytest.raises(EngineError) as exc:
        eligibility([PersonRecord("甲", birth_date=D("1980-01-01"), deprived_from=D("2025-01-01"))], E)
    assert exc.value.code == "incomplete_deprivation"


def test_R5_SH_household_register_first():
    # ID says 1949-12-31 (F); the register says 2008-05-11 → Shanghai uses the register
    person = PersonRecord("甲", id="11010519491231002X", birth_date=D("2008-05-11"))
    assert eligibility([person], E, get_profile("national"))[0].eligible is True
    sh = eligibility([person], E, get_profile("shanghai"))[0]
    assert sh.eligible is False and sh.birth_date == D("2008-05-11")


REG = D("2026-04-01")


@pytest.mark.parametrize(
    ("applicant", "jurisdiction", "registered", "category"),
    [
        pytest.param(
            VoterApplicant("甲", hukou_here=True),
            "national",
            True,
            "hukou_resident",
            id="R8-1-hukou-and-lives",
        ),
        pytest.param(
            VoterApplicant("乙", hukou_here=True, lives_here=False, expressed_intent=True),
            "national",
            True,
            "hukou_absent_intent",
            id="R8-2-intent",
        ),
        pytest.param(
            VoterApplicant("丙", hukou_here=True, lives_here=False),
            "national",
            False,
            None,
            id="R8-2-no-intent",
        ),
        pytest.param(
            VoterApplicant(
                "丁", hukou_here=False, resident_since=D("2025-04-01"), applied=True, assembly_approved=True
            ),
            "national",
            True,
            "non_hukou_resident",
            id="R8-3-R2-exactly-one-year",
        ),
        pytest.param(
            VoterApplicant(
                "戊", hukou_here=False, resident_since=D("2025-04-02"), applied=True, assembly_approved=True
            ),
            "national",
            False,
            None,
            id="R8-3-one-day-short",
        ),
        pytest.param(
            VoterApplicant(
                "己", hukou_here=False, resident_since=D("2024-01-01"), applied=True, assembly_approved=False
            ),
            "national",
            False,
            None,
            id="R8-3-not-approved",
        ),
        pytest.param(
            VoterApplicant(
                "庚",
                hukou_here=False,
                lives_here=False,
                village_work_since=D("2025-04-01"),
                applied=True,
                assembly_approved=True,
            ),
            "zhejiang",
            True,
            "village_work",
            id="R8-ZJ-village-work",
        ),
        pytest.param(
            VoterApplicant(
                "辛",
                hukou_here=False,
                lives_here=False,
                village_work_since=D("2025-04-01"),
                applied=True,
                assembly_approved=True,
            ),
            "national",
            False,
            None,
            id="R8-national-no-village-work-category",
        ),
        pytest.param(
            VoterApplicant(
                "壬", hukou_here=False, resident_since=D("2020-01-01"), applied=True, assembly_approved=True
            ),
            "henan",
            False,
            None,
            id="R8-HA-needs-certificate",
        ),
        pytest.param(
            VoterApplicant(
                "癸", hukou_here=False, married_in_spouse=True, applied=True, committee_confirmed=True
            ),
            "shanghai",
            True,
            "married_in_spouse",
            id="R8-SH-married-in-spouse",
        ),
        pytest.param(
            VoterApplicant("子", hukou_here=True, unreachable=True),
            "beijing",
            False,
            None,
            id="R8-BJ-unreachable",
        ),
        pytest.param(
            VoterApplicant("丑", hukou_here=True, birth_date=D("2008-05-11")),
            "national",
            False,
            None,
            id="R8-R5-under-age",
        ),
    ],
)
def test_R8_voter_registration(applicant, jurisdiction, registered, category):
    decision = voter_registration_decision([applicant], E, REG, get_profile(jurisdiction))[0]
    assert decision.registered is registered
    assert decision.category == category
    assert decision.reason


def test_R9_one_person_one_village():
    decisions = registration_conflicts(
        [
            RegistrationRecord("甲", "11010519491231002X", "东村", D("2026-03-02")),
            RegistrationRecord("甲", "11010519491231002x", "西村", D("2026-03-01")),
            RegistrationRecord("乙", "440524188001010014", "东村", D("2026-03-01")),
            RegistrationRecord("甲", "11010519491231002X", "西村", D("2026-03-05")),
        ]
    )
    # the West village registration (03-01) came first; lower-case x is the same ID
    assert [d.accepted for d in decisions] == [False, True, True, False]
    assert "已在西村登记" in decisions[0].reason
    assert "重复登记" in decisions[3].reason


def _proxy(pid, principal, agent, relation="siblings", filed="2026-05-01", **kw):
    return ProxyRequest(pid, principal, agent, relation, D(filed), **kw)


@pytest.mark.parametrize(
    ("jurisdiction", "filed", "accepted"),
    [
        pytest.param("zhejiang", "2026-05-07", True, id="R20-ZJ-3-days-before"),  # 10 - 7 = 3 >= 3
        pytest.param("zhejiang", "2026-05-08", False, id="R20-ZJ-2-days-too-late"),
        pytest.param("shanghai", "2026-05-05", True, id="R20-SH-5-days"),
        pytest.param("shanghai", "2026-05-06", False, id="R20-SH-4-days-late"),
        pytest.param("beijing", "2026-05-09", True, id="R20-BJ-day-before"),
        pytest.param("beijing", "2026-05-10", False, id="R20-BJ-on-election-day"),
        pytest.param("national", "2026-05-10", True, id="R20-national-no-deadline"),
        pytest.param("national", "2026-05-11", False, id="R20-after-election"),
    ],
)
def test_R20_deadline(jurisdiction, filed, accepted):
    decisions, _ = check_proxies([_proxy("A", "甲", "乙", filed=filed)], E, get_profile(jurisdiction))
    assert decisions[0].accepted is accepted


@pytest.mark.parametrize(
    ("relation", "accepted"),
    [
        pytest.param("siblings", True, id="R20-siblings"),
        pytest.param("外祖父母", True, id="R20-CC1045-maternal-grandparents"),
        pytest.param("neighbour", False, id="R20-neighbour"),
        pytest.param("叔侄", False, id="R20-uncle-not-near-relative"),
    ],
)
def test_R20_near_relatives(relation, accepted):
    decisions, _ = check_proxies([_proxy("A", "甲", "乙", relation)], E)
    assert decisions[0].accepted is accepted


def test_R20_fourth_proxy_of_an_agent_refused_in_filing_order():
    proxies = [
        _proxy("D", "丁", "乙", filed="2026-05-04"),
        _proxy("A", "甲", "乙", filed="2026-05-01"),
        _proxy("B", "丙", "乙", filed="2026-05-02"),
        _proxy("C", "戊", "乙", filed="2026-05-03"),
    ]
    decisions, _ = check_proxies(proxies, E, get_profile("zhejiang"))
    assert [(d.id, d.accepted) for d in decisions] == [("D", False), ("A", True), ("B", True), ("C", True)]
    assert decisions[0].code == "agent_limit"
    national, _ = check_proxies(proxies, E)
    assert all(d.accepted for d in national)  # no limit stated nationally


def test_R20_candidate_agent_and_subdelegation():
    zj, _ = check_proxies([_proxy("A", "甲", "乙", agent_is_candidate=True)], E, get_profile("zhejiang"))
    assert zj[0].code == "agent_is_candidate"
    nat, _ = check_proxies([_proxy("A", "甲", "乙", agent_is_candidate=True)], E)
    assert nat[0].accepted is True
    chain, _ = check_proxies([_proxy("A", "甲", "乙"), _proxy("B", "乙", "丙")], E)
    assert [(d.accepted, d.code) for d in chain] == [(False, "agent_is_principal"), (True, None)]
    dup, _ = check_proxies([_proxy("A", "甲", "乙"), _proxy("B", "甲", "丙", filed="2026-05-02")], E)
    assert [d.code for d in dup] == [None, "duplicate_principal"]


def test_R20_SH_lists_published_two_days_before():
    _, by = check_proxies([], E, get_profile("shanghai"))
    assert by == D("2026-05-08")


@pytest.mark.parametrize(
    ("jurisdiction", "relation", "conflict", "resolution"),
    [
        pytest.param("zhejiang", "siblings", True, "by_post_then_votes", id="R37-ZJ-siblings"),
        pytest.param(
            "zhejiang",
            "grandparent-grandchild",
            False,
            "by_post_then_votes",
            id="R37-ZJ-grandparents-not-listed",
        ),
        pytest.param("shanghai", "siblings", False, "flag_for_committee", id="R37-SH-siblings-not-lineal"),
        pytest.param("shanghai", "祖父母", True, "flag_for_committee", id="R37-SH-grandparents-lineal"),
        pytest.param("national", "spouses", False, None, id="R37-national-none"),
        pytest.param("henan", "夫妻", True, "by_post_then_votes", id="R37-HA-spouses"),
    ],
)
def test_R37_relation_conflicts(jurisdiction, relation, conflict, resolution):
    conflicts, res = relation_conflicts([Relation("甲", "乙", relation)], get_profile(jurisdiction))
    assert conflicts == {"甲/乙": conflict}
    assert res == resolution


def test_R11_election_committee():
    rels = [Relation("委员丙", "候选人甲", "兄弟姐妹")]
    members = ["候选人甲", "委员乙", "委员丙", "委员丁", "委员戊"]
    zj = check_election_committee(members, ["候选人甲"], rels, get_profile("zhejiang"))
    assert zj["size_ok"] is True  # 5 within 5–9
    assert [(m["name"], m["code"]) for m in zj["must_leave"]] == [
        ("候选人甲", "is_candidate"),
        ("委员丙", "relative_of_candidate"),
    ]
    sh = check_election_committee(members, ["候选人甲"], rels, get_profile("shanghai"))
    assert sh["size_ok"] is False  # SH needs 7–9
    assert [m["name"] for m in sh["must_leave"]] == ["候选人甲"]


def test_R12_counting_staff():
    rels = [Relation("乙", "甲", "spouses"), Relation("丙", "甲", "siblings")]
    zj = check_counting_staff(["甲", "乙", "丙", "丁"], ["甲"], rels, get_profile("zhejiang"))
    assert [s["name"] for s in zj] == ["甲", "乙", "丙"]
    bj = check_counting_staff(["甲", "乙", "丙", "丁"], ["甲"], rels, get_profile("beijing"))
    assert [s["name"] for s in bj] == ["甲", "乙"]  # siblings are not 直系亲属
