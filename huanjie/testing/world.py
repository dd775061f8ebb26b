"""A small hand-made county for tests: the persona accounts of the foundation issue.

County 安平县 → township A 清溪镇 (villages A1 东山村, A2 柳塘村) and township B 石桥乡 (village B1
石桥村), a few people per village with valid ID numbers, one campaign, and one account per persona.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from huanjie.accounts.models import Department, User
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Person, Region, Relation
from huanjie.rules.idnumber import make_id

PASSWORD = "Persona-Test-2026"
PERSONAS = ["county", "township_a", "township_b", "village_a1", "department", "observer", "admin", "outsider"]


@dataclass
class World:
    county: Region
    township_a: Region
    township_b: Region
    village_a1: Region
    village_a2: Region
    village_b1: Region
    other_county: Region
    campaign: Campaign
    people: dict[str, Person]
    users: dict[str, User]
    police: Department


def person(name, gender, birth, village, seq, **kw) -> Person:
    return Person.objects.create(
        name=name, gender=gender, birth_date=birth, id_number=make_id(village.code[:6], birth, seq),
        hukou_village=village, residence_village=village, **kw)


def build_world() -> World:
    county = Region.objects.create(code="130731000000", name="安平县", level="county", kind="county")
    ta = Region.objects.create(code="130731100000", name="清溪镇", level="township", kind="town", parent=county)
    tb = Region.objects.create(code="130731201000", name="石桥乡", level="township", kind="xiang", parent=county)
    a1 = Region.objects.create(code="130731100002", name="东山村", level="village", kind="village", parent=ta,
                               population=1200, households=380)
    a2 = Region.objects.create(code="130731100004", name="柳塘村", level="village", kind="village", parent=ta)
    b1 = Region.objects.create(code="130731201002", name="石桥村", level="village", kind="village", parent=tb)
    other = Region.objects.create(code="130732000000", name="邻县", level="county", kind="county")
    other_v = Region.objects.create(code="130732100001", name="邻村", level="village", kind="village",
                                    parent=other)
    people = {
        "wang": person("王建国", "M", dt.date(1970, 3, 5), a1, 11, political_status="cpc", group_name="第一村民小组"),
        "li": person("李秀英", "F", dt.date(1972, 8, 19), a1, 12, group_name="第一村民小组"),
        "wang_son": person("王小明", "M", dt.date(1998, 1, 2), a1, 13, group_name="第一村民小组"),
        "zhao": person("赵丽", "F", dt.date(1985, 6, 1), a2, 14, group_name="第二村民小组"),
        "sun": person("孙强", "M", dt.date(1980, 12, 30), b1, 15, group_name="第一村民小组"),
        "far": person("钱多", "M", dt.date(1966, 4, 4), other_v, 16),
    }
    Relation.objects.create(elder=people["wang"], younger=people["li"], kind="spouse")
    Relation.objects.create(elder=people["wang"], younger=people["wang_son"], kind="parent")
    campaign = Campaign.objects.create(
        name="安平县2026年村（社区）“两委”换届选举", slug="anping-2026", county=county, term_number=12,
        term_start=dt.date(2027, 1, 1), cutoff_date=dt.date(2027, 1, 1), starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2027, 4, 30))
    for v in (a1, a2, b1):
        CampaignVillage.objects.create(campaign=campaign, village=v)
    police = Department.objects.create(code="gongan", name="县公安局")
    specs = {
        "county": ("county", county, None), "township_a": ("township", ta, None),
        "township_b": ("township", tb, None), "village_a1": ("village", a1, None),
        "department": ("department", county, police), "observer": ("observer", county, None),
        "admin": ("admin", county, None), "outsider": ("county", other, None),
    }
    users = {}
    for key, (role, region, dept) in specs.items():
        u = User(username=key, display_name=key, role=role, region=region, department=dept)
        u.set_password(PASSWORD)
        u.save()
        users[key] = u
    return World(county, ta, tb, a1, a2, b1, other, campaign, people, users, police)
