"""Planning a township congress: size and the county's approval (R62), election units from the
branches' rolls, the allocation table with hand changes, the 请示 and 批复 (guards and documents)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.accounts.models import AuditRecord
from huanjie.congress import documents, services
from huanjie.party import services as party
from huanjie.party.tests.helpers import add_members
from huanjie.people.models import Region

pytestmark = pytest.mark.django_db


def _village(world, code, name):
    return Region.objects.create(code=code, name=name, level="village", kind="village", parent=world.township_a)


@pytest.fixture
def town(world):
    """清溪镇 with four branches: 东山村 50 members, 柳塘村 30, 河西村 20, 北岭村 2."""
    c = world.campaign
    today = timezone.localdate()
    c.starts_on, c.ends_on = today - dt.timedelta(days=60), today + dt.timedelta(days=120)
    c.save()
    actor = world.users["township_a"]
    villages = [world.village_a1, world.village_a2, _village(world, "130731100006", "河西村"),
                _village(world, "130731100008", "北岭村")]
    branches = []
    for v, n in zip(villages, (50, 30, 20, 2), strict=True):
        b = party.branch_of(actor, v)
        add_members(actor, b, n, prefix=v.name)
        branches.append(b)
    congress = services.create_congress(actor, c, world.township_a, number=3, convene_on=today + dt.timedelta(days=60),
                                        delegates_planned=10)
    return congress, branches


def test_create_refuses_bad_fields_and_saves_nothing(world):
    actor = world.users["township_a"]
    c = world.campaign
    with pytest.raises(services.CongressInvalid) as e:
        services.create_congress(actor, c, world.township_a, number=0, convene_on=c.ends_on + dt.timedelta(days=1),
                                 delegates_planned=301, committee_seats=2)
    # 2 deputies are not fewer than 2 committee members either
    assert set(e.value.errors) == {"number", "convene_on", "delegates_planned", "committee_seats", "deputy_secretaries"}
    assert "最多300名" in e.value.errors["delegates_planned"]
    assert not services.Congress.objects.exists()
    # another township's office cannot plan this one's congress
    with pytest.raises(services.CongressError, match="管辖范围"):
        services.create_congress(world.users["township_b"], c, world.township_a, number=1, convene_on=c.starts_on,
                                 delegates_planned=120)


def test_units_from_branches_and_allocation(town, world):
    congress, branches = town
    actor = world.users["township_a"]
    units = services.units_from_branches(actor, congress)
    assert [u.name for u in units] == [b.name for b in branches]
    services.set_reserved(actor, units[2], 1)
    table = services.allocation_table(congress)
    # the engine's hand-computed case (test_allocation): 4, 2, 2+1, 1
    assert [(r.members, r.computed, r.seats) for r in table.rows] == [(50, 4, 4), (30, 2, 2), (20, 3, 3), (2, 1, 1)]
    assert table.total_seats == 10 and table.matches and table.problems == []
    # the unit whose share was under one seat is shown as given the minimum
    assert table.rows[3].detail.minimum_applied


def test_grouping_branches_into_one_unit(town, world):
    congress, branches = town
    actor = world.users["township_a"]
    services.add_unit(actor, congress, "北部联合选举单位", [branches[2], branches[3]])
    with pytest.raises(services.CongressInvalid) as e:
        services.add_unit(actor, congress, "重复", [branches[3]])
    assert "已在选举单位“北部联合选举单位”中" in e.value.errors["branches"]
    with pytest.raises(services.CongressInvalid) as e:
        services.add_unit(actor, congress, "", [branches[0], branches[1]])
    assert "name" in e.value.errors
    table = services.allocation_table(congress)
    assert table.rows[0].members == 22
    assert {b.name for b in table.unassigned} == {branches[0].name, branches[1].name}
    assert any("未划入选举单位" in p for p in table.problems)


def test_hand_change_needs_a_reason_and_is_audited(town, world):
    congress, _ = town
    actor = world.users["township_a"]
    units = services.units_from_branches(actor, congress)
    with pytest.raises(services.CongressInvalid) as e:
        services.set_unit_seats(actor, units[0], 3, "")
    assert "理由" in e.value.errors["reason"]
    services.set_unit_seats(actor, units[0], 3, "东山村有 2 名党员长期外出")
    table = services.allocation_table(congress)
    assert table.rows[0].seats == 3 and table.rows[0].computed == 4 and table.rows[0].changed
    assert not table.matches and "合计9名，与代表名额10名不一致" in table.problems[0]
    rec = AuditRecord.objects.filter(action="congress.unit_seats").latest("seq")
    assert rec.changes["seats_set"] == [None, 3]
    # the request cannot go to the county while the seats do not add up
    with pytest.raises(services.CongressError, match="不一致"):
        services.record_request(actor, congress, "清委〔2027〕1号", timezone.localdate())
    # pool 10 over 102: 北岭村 1; then 9 over 100: 4.5, 2.7, 1.8 → 4, 3, 2 (remainders .8 and .7)
    assert [r.computed for r in table.rows] == [4, 3, 2, 1]
    services.set_unit_seats(actor, units[2], 3, "河西村含两个党小组")
    assert services.allocation_table(congress).matches


def test_request_approval_and_lock(town, world):
    congress, _ = town
    township, county = world.users["township_a"], world.users["county"]
    services.units_from_branches(township, congress)
    today = timezone.localdate()
    with pytest.raises(services.CongressError, match="不能批准代表名额"):
        services.approve_size(township, congress, "安组〔2027〕3号", today)
    with pytest.raises(services.CongressInvalid, match="晚于今天"):
        services.approve_size(county, congress, "安组〔2027〕3号", today + dt.timedelta(days=1))
    services.approve_size(county, congress, "安组〔2027〕3号", today - dt.timedelta(days=3))
    with pytest.raises(services.CongressError, match="尚未报送"):
        services.record_approval(county, congress, "安委〔2027〕9号", today)
    services.record_request(township, congress, "清委〔2027〕1号", today - dt.timedelta(days=2))
    with pytest.raises(services.CongressInvalid, match="早于"):
        services.record_approval(county, congress, "安委〔2027〕9号", today - dt.timedelta(days=5))
    with pytest.raises(services.CongressError, match="不能批复"):
        services.record_approval(township, congress, "安委〔2027〕9号", today)
    services.record_approval(county, congress, "安委〔2027〕9号", today)
    congress.refresh_from_db()
    assert congress.approved
    unit = congress.units.first()
    for write in (lambda: services.set_unit_seats(township, unit, 5, "晚了"),
                  lambda: services.set_size(township, congress, 12),
                  lambda: services.add_unit(township, congress, "新单位", []),
                  lambda: services.remove_unit(township, unit)):
        with pytest.raises(services.CongressError, match="县委已批复"):
            write()
    assert AuditRecord.objects.filter(action="congress.approve").get().changes["seats"]["中共东山村支部委员会"] == 4


def test_changing_the_number_drops_the_county_approval(town, world):
    congress, _ = town
    services.approve_size(world.users["county"], congress, "安组〔2027〕3号", timezone.localdate())
    services.set_size(world.users["township_a"], congress, 12)
    congress.refresh_from_db()
    assert congress.delegates_planned == 12 and congress.size_approved_on is None


def test_documents_are_made_from_the_data(town, world):
    congress, _ = town
    township, county = world.users["township_a"], world.users["county"]
    with pytest.raises(documents.DocumentError, match="尚未划分选举单位"):
        documents.request_pdf(congress)
    services.units_from_branches(township, congress)
    today = timezone.localdate()
    services.approve_size(county, congress, "安组〔2027〕3号", today)
    services.record_request(township, congress, "清委〔2027〕1号", today)
    services.record_approval(county, congress, "安委〔2027〕9号", today)
    for name, (_, make) in documents.DOCUMENTS.items():
        if name not in ("allocation.pdf", "request.pdf", "request.docx", "approval.pdf", "approval.docx"):
            # nothing elected yet: the later documents say why they cannot be made (test_congress_meeting)
            with pytest.raises(documents.DocumentError):
                make(congress)
            continue
        content = make(congress)
        assert content[:4] == (b"%PDF" if name.endswith(".pdf") else b"PK\x03\x04"), name
    title, paragraphs, tables = documents._request_parts(congress)
    assert "中国共产党清溪镇第三次代表大会" in title
    assert any("代表名额为10名" in p and "共4个选举单位、党员102名" in p for p in paragraphs)
    assert tables[0].rows[-1] == ["", "合计", "102", "10"]
