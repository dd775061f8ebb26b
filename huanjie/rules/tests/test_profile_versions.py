"""Dated profile versions and citations (issue 16): which text each rule rests on, on which day."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.rules import EngineError
from huanjie.rules.data import law_sources
from huanjie.rules.profile_versions import (
    VERSIONS,
    chinese_number,
    cite,
    cite_text,
    load_versions,
    version_for,
    versions_of,
)
from huanjie.rules.profiles import JURISDICTIONS, SWITCHES, get_profile, profile_for

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("n", "zh"),
    [
        (1, "一"), (6, "六"), (10, "十"), (11, "十一"), (15, "十五"), (20, "二十"), (29, "二十九"),
        (100, "一百"), (101, "一百零一"), (110, "一百一十"), (203, "二百零三"), (1045, "一千零四十五"),
        (1259, "一千二百五十九"), (1000, "一千"), (1001, "一千零一"),
    ],
)
def test_chinese_numbers_as_in_article_citations(n, zh):
    assert chinese_number(n) == zh


@pytest.mark.parametrize("bad", [0, -1, 10000, 1.5, "3", True])
def test_chinese_number_refuses_what_is_not_an_article_number(bad):
    with pytest.raises(ValueError):
        chinese_number(bad)


@pytest.mark.parametrize(
    ("profile", "day", "version"),
    [
        ("national", "2025-12-31", "national-2018"),
        ("national", "2026-01-01", "national-2026"),  # in force from that day (含本日)
        ("national", "2026-01-02", "national-2026"),
        ("national", "2021-05-01", "national-2018"),
        ("zhejiang", "2025-12-31", "zhejiang-2020"),
        ("zhejiang", "2026-01-02", "zhejiang-2026"),
        ("zhejiang", "2019-03-01", "zhejiang-2020"),  # before the first version: the oldest held
        ("shanghai", "2026-06-30", "shanghai-2026"),
        ("beijing", "2025-12-31", "beijing-2018"),
        ("henan", "2026-01-02", "henan-2026"),
    ],
)
def test_the_version_in_force_on_the_election_day(profile, day, version):
    assert version_for(profile, D(day)).id == version
    p = profile_for(profile, D(day))
    assert (p.name, p.version) == (profile, version)


def test_every_profile_has_a_2018_reading_and_a_2026_version():
    for name in JURISDICTIONS:
        found = versions_of(name)
        assert found[-1].effective == D("2026-01-01")
        assert found[0].effective < D("2026-01-01")
        assert version_for(name).id == found[-1].id  # no day: the newest
        assert get_profile(name).version == found[-1].id


@pytest.mark.parametrize(
    ("rule", "profile", "day", "citation"),
    [
        ("R24", "national", "2025-12-31", "《村民委员会组织法》第十五条第二款"),
        ("R24", "national", "2026-01-02", "《村民委员会组织法》（2018年修正文本）第十五条第二款"),
        (
            "R24",
            "zhejiang",
            "2025-12-31",
            "《村民委员会组织法》第十五条第二款；《浙江省村民委员会选举办法》第二十七条第一款",
        ),
        (
            "R36",
            "zhejiang",
            "2025-12-31",
            "《村民委员会组织法》第六条第二款；《浙江省村民委员会选举办法》第二十一条第三款、第二十九条第四款",
        ),
        (
            "R36",
            "national",
            "2026-01-02",
            "《村民委员会组织法》（2018年修正文本）第六条第二款；《村民委员会组织法》（2025年修正，条文未取得）",
        ),
        ("R8", "zhejiang", "2021-01-01", "《村民委员会组织法》第十三条第二款；《浙江省村民委员会选举办法》第十三条第三项"),
        # our own reading of a 2018 article still names the 2018 text once the law has changed
        ("R35", "national", "2026-01-02", "《村民委员会组织法》（2018年修正文本）第六条第一款"),
        ("R35", "national", "2025-12-31", "《村民委员会组织法》第六条第一款"),
        ("R7", "national", "2021-01-01", "《刑法》第五十四条、第五十五条、第五十七条、第五十八条"),
        ("R2", "national", "2026-02-01", "《民法典》第一千二百五十九条"),  # not amended: still checked
        ("R3", "national", "2021-01-01", "法规未明文规定（本系统的理解）"),
        ("R52", "national", "2021-01-01", "《中国共产党基层组织选举工作暂行条例》（1990年，已废止）；中组部答问（共产党员网）"),
    ],
)
def test_cite(rule, profile, day, citation):
    assert cite(rule, profile_for(profile, D(day))) == citation


def test_cite_accepts_a_version_or_its_id_and_refuses_unknown_ones():
    assert cite("R24", "national-2018") == cite("R24", VERSIONS["national-2018"])
    with pytest.raises(EngineError) as exc:
        cite("R24", "national-1999")
    assert exc.value.code == "unknown_profile_version"
    with pytest.raises(EngineError) as exc:
        cite("R99", "national-2018")
    assert exc.value.code == "unknown_rule"


def test_cite_text_joins_several_rules_each_document_once():
    assert cite_text("R31、R32", "national-2018") == (
        "《村民委员会组织法》第十五条第二款；"
        "《全国人民代表大会和地方各级人民代表大会选举法》（类推参照）第四十五条"
    )


def test_2026_marks_every_organic_law_source_unchecked_and_the_known_changes():
    old, new = VERSIONS["national-2018"], VERSIONS["national-2026"]
    for rid, sources in new.sources.items():
        for s, was in zip(sources, old.sources.get(rid, ()), strict=False):
            if s.document in ("VCL", "URCL") and was.status == "checked":
                assert s.status == "unchecked", (rid, s)
    # our own reading of a 2018 article stays marked as our reading
    assert [(s.document, s.status) for s in new.sources["R35"]] == [("VCL", "interpretation")]
    # what rules.md §0 reports as changed is marked, with the 2018 behaviour kept beside it
    for rid in ("R6", "R8", "R11", "R36", "R45", "R48", "P12"):
        statuses = [s.status for s in new.sources[rid]]
        assert "changed_unknown" in statuses, rid
    assert [s.status for s in old.sources["R24"]] == ["checked"]
    # the Civil Code and the Party texts did not change on 2026-01-01
    assert old.sources["R2"] == new.sources["R2"]
    assert old.sources["R58"] == new.sources["R58"]


def test_where_the_wording_is_unknown_the_2018_behaviour_stays():
    for name in JURISDICTIONS:
        before = profile_for(name, D("2025-12-31"))
        after = profile_for(name, D("2026-01-02"))
        assert before.values == after.values, name


def test_every_switch_rule_and_every_rule_has_a_source_in_every_version():
    for version in VERSIONS.values():
        for spec in SWITCHES.values():
            assert version.sources.get(spec.rule), (version.id, spec.rule)
        for rid, _title, sources in version.rules():
            assert sources, (version.id, rid)


def test_provincial_sources_come_after_the_national_ones():
    zj = VERSIONS["zhejiang-2020"].sources["R24"]
    assert [s.document for s in zj] == ["VCL", "ZJ"]
    sh = VERSIONS["shanghai-2026"].sources["R35"]
    assert [(s.document, s.status) for s in sh] == [("VCL", "interpretation"), ("SH", "unchecked")]


def _one(**extra):
    return [{"profile": "x", "id": "x-1", "effective": "2026-01-01", "sources": {"R1": [("CC", "1259", "checked")]},
             **extra}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_one(sources={"R1": [("NOPE", "1", "checked")]}), "未在 DOCUMENTS 中登记"),
        (_one(sources={"R1": [("CC", "1", "maybe")]}), "不在 STATUSES 中"),
        (_one(sources={"R1": [("CC", "第一条", "checked")]}), "应写成 条.款.项"),
        (_one(sources={"R1": [("", "", "checked")]}), "只能是 interpretation"),
        (_one(sources={"R999": [("CC", "1", "checked")]}), "未在 RULES 中登记"),
        (_one(effective="2026/01/01"), "YYYY-MM-DD"),
        (_one(base="x-0"), "应为前面已列出的版本"),
        (_one(extra_key=1), "未知的键"),
        (_one() + [{"profile": "x", "id": "x-2", "effective": "2025-01-01"}], "应晚于"),
        (_one() + _one(), "重复"),
    ],
)
def test_bad_version_data_is_refused_with_a_chinese_reason(data, message):
    with pytest.raises(EngineError) as exc:
        load_versions(data)
    assert exc.value.code == "invalid_law_data"
    assert message in exc.value.message


def test_a_new_provincial_version_is_data_only():
    """How a province's new rules go in: a version with its date, sources and changed switches."""
    data = list(law_sources.VERSIONS) + [
        {
            "profile": "zhejiang",
            "id": "zhejiang-2027",
            "effective": "2027-03-01",
            "base": "zhejiang-2026",
            "sources": {"R20": [("ZJ", "26", "checked")]},
            "restatus": {"ZJ": "checked"},
            "switches": {"proxy.deadline_days_before": 5},
        }
    ]
    versions = load_versions(data)
    new = versions["zhejiang-2027"]
    assert new.switches == {"proxy.deadline_days_before": 5}
    assert [s.citation() for s in new.sources["R20"] if s.document == "ZJ"] == [
        "《浙江省村民委员会选举办法》第二十五条",
        "《浙江省村民委员会选举办法》第二十六条",
    ]
