"""A realistic, deterministic demo county: regions, people with valid ID numbers, families with
relations, a campaign under the national profile, and one account per role.

Deterministic for a seed (names, ID numbers, families); the account passwords are random and
printed once, never stored in plain text.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.accounts.models import Department, User
from huanjie.accounts.services import generate_password
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.elections.registration import counts as voter_counts
from huanjie.people import stats as people_stats
from huanjie.people.models import Person, Region, Relation
from huanjie.rules.dates import check_fact_date
from huanjie.rules.idnumber import make_id

COUNTY_CODE = "130731000000"
COUNTY_NAME = "安平县"
TOWNSHIPS = [("130731100000", "清溪镇", "town"), ("130731201000", "石桥乡", "xiang")]
VILLAGE_NAMES = [
    ["东山村", "柳塘村", "杨家庄村", "河西村", "桃园村", "清溪社区"],
    ["石桥村", "南岗村", "马家湾村", "白沙村", "枣林村", "龙泉村"],
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_M = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林国建文志永春海东兴德福贵成荣"
GIVEN_F = "芳娜敏静丽艳娟霞秀英华慧巧美娥兰凤洁琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼桂娣叶璐玉红梅"
ETHNICITIES = ["汉族"] * 96 + ["回族", "满族", "蒙古族", "土家族"]
DEPARTMENTS = [
    ("jiwei", "县纪委监委"), ("zuzhi", "县委组织部"), ("zhengfa", "县委政法委"), ("tongzhan", "县委统战部"),
    ("xinfang", "县信访局"), ("fayuan", "县人民法院"), ("jianchayuan", "县人民检察院"), ("gongan", "县公安局"),
    ("sifa", "县司法局"), ("ziran", "县自然资源局"), ("shengtai", "县生态环境分局"), ("nongye", "县农业农村局"),
    ("zhujian", "县住建局"), ("weijian", "县卫健局"),
]
SIZES = {"county": 2500, "small": 250}


@dataclass
class DemoResult:
    people: int = 0
    relations: int = 0
    villages: int = 0
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, password, role, scope
    campaign_slug: str = ""
    voters: int = 0


def _school_level(age: int) -> str | None:
    """A child's school level follows from the age alone (None from sixteen: drawn at random)."""
    if age < 7:
        return ""
    if age < 13:
        return "80"
    if age < 16:
        return "70"
    return None


def _education(rng: random.Random, age: int) -> str:
    level = _school_level(age)
    if level is not None:
        return level
    roll = rng.random()
    if age > 60:
        return "81" if roll < 0.55 else ("71" if roll < 0.9 else "61")
    if age > 40:
        return "71" if roll < 0.5 else ("61" if roll < 0.75 else ("41" if roll < 0.88 else "31"))
    return "71" if roll < 0.25 else ("61" if roll < 0.45 else ("41" if roll < 0.6 else ("31" if roll < 0.82 else "21")))


def _fit_to_age(person: Person, reference: dt.date) -> None:
    """A child made younger (to be born after the parents) loses what only an adult has: party
    membership, a phone, work away from home, a school level beyond the new age. No random draw
    here, so that the rest of a seed's county stays as it was."""
    age = reference.year - person.birth_date.year
    if age >= 18:
        return
    if person.political_status in ("cpc", "cpc_probationary") or (person.political_status == "cyl" and age < 14):
        person.political_status = "none"
    person.phone = ""
    if person.residence_village_id is None:
        person.residence_village = person.hukou_village
        person.address = f"{person.hukou_village.name}{person.group_name[:-4]}组"
    if age < 16:
        person.education = _school_level(age)
    person.deprived_from = person.deprived_until = None


class _Builder:
    def __init__(self, seed: int, reference: dt.date):
        self.rng = random.Random(seed)
        self.reference = reference
        self.seq_by_birth: dict[tuple[str, dt.date], int] = {}

    def name(self, surname: str, gender: str) -> str:
        pool = GIVEN_M if gender == "M" else GIVEN_F
        given = self.rng.choice(pool) + (self.rng.choice(pool) if self.rng.random() < 0.7 else "")
        return surname + given

    def birth(self, min_age: int, max_age: int) -> dt.date:
        start = self.reference.replace(year=self.reference.year - max_age - 1) + dt.timedelta(days=1)
        span = (self.reference.replace(year=self.reference.year - min_age) - start).days
        return start + dt.timedelta(days=self.rng.randrange(max(span, 1)))

    def id_number(self, gender: str, birth: dt.date) -> str:
        key = (gender, birth)
        n = self.seq_by_birth.get(key, 0)
        self.seq_by_birth[key] = n + 1
        seq = n * 2 + (1 if gender == "M" else 2)  # odd sequence = male (GB 11643)
        if seq > 999:
            raise RuntimeError("too many people born on one day for the demo's address code")
        return make_id(COUNTY_CODE[:6], birth, seq)


def build_demo(seed: int = 1, size: str = "county", reference: dt.date | None = None) -> DemoResult:
    """Build the demo county in one transaction. The database must be empty of regions."""
    if size not in SIZES:
        raise ValueError(f"size 只能是 {'、'.join(SIZES)}")
    if Region.objects.exists():
        raise ValueError("数据库中已有区域数据，演示数据只能装入空数据库。")
    reference = reference or dt.date(2026, 11, 1)
    b = _Builder(seed, reference)
    rng = b.rng
    result = DemoResult()
    per_village = SIZES[size]
    with transaction.atomic():
        county = Region.objects.create(code=COUNTY_CODE, name=COUNTY_NAME, level=Region.COUNTY, kind="county")
        villages: list[Region] = []
        townships: list[Region] = []
        for t_index, (code, name, kind) in enumerate(TOWNSHIPS):
            township = Region.objects.create(code=code, name=name, level=Region.TOWNSHIP, kind=kind, parent=county)
            townships.append(township)
            for v_index, v_name in enumerate(VILLAGE_NAMES[t_index]):
                v_code = code[:9] + f"{(v_index + 1) * 2 + (200 if v_name.endswith('社区') else 0):03d}"
                villages.append(Region(
                    code=v_code, name=v_name, level=Region.VILLAGE,
                    kind="community" if v_name.endswith("社区") else "village", parent=township))
        Region.objects.bulk_create(villages)
        villages = list(Region.objects.filter(level=Region.VILLAGE).order_by("code"))
        # A village merged into 东山村 in 2019 keeps its history.
        old = Region.objects.create(code=villages[0].code[:9] + "099", name="北坡村", level=Region.VILLAGE,
                                    kind="village", parent=townships[0], valid_from=dt.date(2000, 1, 1),
                                    valid_until=dt.date(2019, 6, 30), successor=villages[0], population=640,
                                    households=190)
        del old

        people: list[Person] = []
        families: list[list[tuple[int, str]]] = []  # indexes into people with a role tag
        for village in villages:
            target = per_village + rng.randrange(-per_village // 5, per_village // 5 + 1)
            groups = max(3, target // 400)
            surnames = rng.sample(SURNAMES, 6) + list(SURNAMES[:4])
            count_before = len(people)
            households = 0
            while len(people) - count_before < target:
                households += 1
                # A community's groups are 居民小组 (城市居民委员会组织法), a village's 村民小组.
                group = f"第{'一二三四五六七八九十'[rng.randrange(groups)]}{'居民' if village.kind == 'community' else '村民'}小组"
                surname = rng.choice(surnames)
                family: list[tuple[int, str]] = []

                def add(gender: str, min_age: int, max_age: int, role: str, family_name: str | None = None,
                        _village=village, _group=group, _family=family, _surname=surname,
                        near: dt.date | None = None):
                    birth = b.birth(min_age, max_age)
                    if near is not None:  # a spouse: within a few years of the partner
                        birth = near + dt.timedelta(days=rng.randrange(-1100, 2200))
                    age = reference.year - birth.year
                    person = Person(
                        name=b.name(family_name or _surname, gender), gender=gender, birth_date=birth,
                        id_number=b.id_number(gender, birth), ethnicity=rng.choice(ETHNICITIES),
                        education=_education(rng, age), hukou_village=_village, group_name=_group,
                        address=f"{_village.name}{_group[:-4]}组{rng.randrange(1, 99)}号",
                        phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}" if age >= 18 else "",
                        political_status="none",
                    )
                    if age >= 18 and rng.random() < 0.075:
                        person.political_status = "cpc"
                    elif age >= 18 and rng.random() < 0.004:
                        person.political_status = "cpc_probationary"
                    elif 14 <= age <= 28 and rng.random() < 0.3:
                        person.political_status = "cyl"
                    if age >= 18 and rng.random() < 0.06:
                        person.residence_village = None  # 人户分离: lives outside the county
                        person.address = "外出务工"
                    else:
                        person.residence_village = _village
                    if age >= 25 and rng.random() < 0.0015:
                        person.deprived_from = reference - dt.timedelta(days=rng.randrange(100, 900))
                        person.deprived_until = person.deprived_from + dt.timedelta(days=365 * rng.randrange(1, 5))
                    people.append(person)
                    _family.append((len(people) - 1, role))

                shape = rng.random()
                add("M", 28, 62, "father")
                add("F", 26, 60, "mother", rng.choice(surnames), near=people[-1].birth_date)
                for _ in range(rng.choice([1, 1, 2, 2, 2, 3])):
                    add(rng.choice("MF"), 0, 26, "child")
                if shape < 0.45:
                    add("M", 63, 88, "grandfather")
                    add("F", 60, 85, "grandmother", rng.choice(surnames), near=people[-1].birth_date)
                elif shape < 0.55:
                    add("F", 62, 90, "grandmother", rng.choice(surnames))
                families.append(family)
            village.households = households
            village.population = len(people) - count_before
        Region.objects.bulk_update(villages, ["households", "population"])
        for township in townships:
            kids = [v for v in villages if v.parent_id == township.pk]
            township.population = sum(v.population for v in kids)
            township.households = sum(v.households for v in kids)
            township.save(update_fields=["population", "households"])
        county.population = sum(t.population for t in townships)
        county.households = sum(t.households for t in townships)
        county.save(update_fields=["population", "households"])

        # Parents must be older than children; grandparents older than parents.
        for family in families:
            roles = {role: idx for idx, role in family if role != "child"}
            children = [idx for idx, role in family if role == "child"]
            for parent_role in ("father", "mother"):
                p = people[roles[parent_role]]
                for c in children:
                    child = people[c]
                    if child.birth_date.year - p.birth_date.year < 19:
                        child.birth_date = p.birth_date.replace(month=1, day=1).replace(
                            year=p.birth_date.year + 20 + rng.randrange(6)) + dt.timedelta(days=rng.randrange(365))
                        if child.birth_date > reference:
                            child.birth_date = reference - dt.timedelta(days=rng.randrange(30, 3000))
                        child.id_number = b.id_number(child.gender, child.birth_date)
                        _fit_to_age(child, reference)
            for gp_role in ("grandfather", "grandmother"):
                if gp_role in roles:
                    gp = people[roles[gp_role]]
                    father = people[roles["father"]]
                    if gp.birth_date.year > father.birth_date.year - 20:
                        gp.birth_date = father.birth_date.replace(month=1, day=1, year=father.birth_date.year - 26) \
                            + dt.timedelta(days=rng.randrange(365))
                        gp.id_number = b.id_number(gp.gender, gp.birth_date)
        Person.objects.bulk_create(people, batch_size=2000)
        people_stats.forget(*{p.hukou_village_id for p in people})
        relations: list[Relation] = []
        for family in families:
            roles = {role: people[idx] for idx, role in family if role != "child"}
            children = [people[idx] for idx, role in family if role == "child"]
            father, mother = roles["father"], roles["mother"]
            pair = sorted([father, mother], key=lambda p: p.pk)
            relations.append(Relation(elder=pair[0], younger=pair[1], kind=Relation.SPOUSE))
            for child in children:
                relations.append(Relation(elder=father, younger=child, kind=Relation.PARENT))
                relations.append(Relation(elder=mother, younger=child, kind=Relation.PARENT))
            for i, a in enumerate(children):
                for c in children[i + 1:]:
                    x, y = sorted([a, c], key=lambda p: p.pk)
                    relations.append(Relation(elder=x, younger=y, kind=Relation.SIBLING))
            gf, gm = roles.get("grandfather"), roles.get("grandmother")
            if gf and gm:
                x, y = sorted([gf, gm], key=lambda p: p.pk)
                relations.append(Relation(elder=x, younger=y, kind=Relation.SPOUSE))
            for gp in (gf, gm):
                if gp:
                    relations.append(Relation(elder=gp, younger=father, kind=Relation.PARENT))
                    for child in children:
                        relations.append(Relation(elder=gp, younger=child, kind=Relation.GRANDPARENT))
        Relation.objects.bulk_create(relations, batch_size=4000)
        result.people = len(people)
        result.relations = len(relations)
        result.villages = len(villages)

        campaign = Campaign.objects.create(
            name=f"{COUNTY_NAME}2026年村（社区）“两委”换届选举", slug="anping-2026", county=county,
            term_number=12, term_start=dt.date(2027, 1, 1), term_years=5, jurisdiction="national",
            cutoff_date=dt.date(2027, 1, 1), starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 4, 30),
            # The national law sets no day for these; the county's implementation plan does (seed 004:
            # the formal candidate list "在选举日的五日前" published; voting notice 3 days before).
            profile_overrides={"calendar.candidate_list_days_before": 5,
                               "calendar.voting_arrangements_days_before": 3,
                               "calendar.withdrawal_days_before": 3},
        )
        result.campaign_slug = campaign.slug
        entries = []
        for i, village in enumerate(villages):
            entry = CampaignVillage(campaign=campaign, village=village, complicated=(i % 5 == 3))
            if i == 4:
                entry.state, entry.state_reason = CampaignVillage.CONSOLIDATION, "村党支部软弱涣散，集中整顿中"
            elif i == 10:
                entry.state, entry.state_reason = CampaignVillage.POSTPONED, "征地纠纷未化解，经县换届办研究暂缓换届"
            entries.append(entry)
        CampaignVillage.objects.bulk_create(entries)

        departments = [Department(code=c, name=n, sort_order=i) for i, (c, n) in enumerate(DEPARTMENTS)]
        Department.objects.bulk_create(departments)
        police = Department.objects.get(code="gongan")
        village_a = villages[0]
        specs = [
            ("county_office", "县换届办 刘建国", "county", county, None),
            ("township_a", "清溪镇换届办 陈丽", "township", townships[0], None),
            ("township_b", "石桥乡换届办 赵强", "township", townships[1], None),
            ("village_a1", f"{village_a.name}选委会 王红梅", "village", village_a, None),
            ("dept_police", "县公安局 审查员 孙志刚", "department", county, police),
            ("observer", "县人大代表 周文", "observer", county, None),
            ("sysadmin", "系统管理员", "admin", county, None),
        ]
        for username, display, role, region, department in specs:
            password = generate_password()
            user = User(username=username, display_name=display, role=role, region=region, department=department)
            user.set_password(password)
            result.accounts.append((username, password, role, region.name + (f" · {department.name}" if department else "")))
            user.save()
        county_user = User.objects.get(username="county_office")
        entries = list(CampaignVillage.objects.filter(campaign=campaign).select_related("village").order_by("village__code"))
        _preparation(county_user, campaign, entries)
        result.voters = _demo_elections(county_user, campaign, villages, entries, people, rng)
        from huanjie.demo.scenarios import play_scenarios

        play_scenarios(campaign, villages, rng)
        from huanjie.demo.party import play_party

        play_party(campaign, villages)
        from huanjie.demo.congress import play_congress

        play_congress(campaign, villages)
        from huanjie.demo.oversight import play_oversight

        play_oversight(campaign, villages)
        # The supervision committee is chosen (2026-11-26) before the new teams' 岗前培训, which its
        # 主任 attends with the heads (P24).
        from huanjie.demo.supervision import play_supervision

        play_supervision(campaign, villages)
        from huanjie.demo.villageposts import play_villageposts

        play_villageposts(campaign, villages)
        audit.record(None, "demo.load", county, changes={
            "people": [None, result.people], "relations": [None, result.relations],
            "villages": [None, result.villages], "seed": [None, seed], "size": [None, size]})
    return result


def _preparation(actor, campaign, entries) -> None:
    """离任审计 for two villages in three and one training that most villages attended (P14, P15),
    recorded through the services as a county office would, so the gates have their records."""
    from huanjie.preparation import services as preparation

    for i, entry in enumerate(entries):
        if i % 3 != 2:
            preparation.record_audit(actor, entry, audited_on=dt.date(2026, 11, 10) + dt.timedelta(days=i),
                                     auditor=f"{COUNTY_NAME}审计局", conclusion="clean" if i % 4 else "rectified")
    preparation.record_training(
        actor, campaign, held_on=dt.date(2026, 11, 15), organiser=f"{COUNTY_NAME}换届办", topic="村民委员会选举程序",
        attended=[preparation.Attended(e, committee_all=True, staff=True) for i, e in enumerate(entries) if i % 4 != 3])


def _demo_elections(actor, campaign, villages, entries, people, rng) -> int:
    """Every village gets its committee election in January 2027; the villages in scope get their voter
    list, decided person by person by the rules engine (age and political rights R5–R7, category R8)."""
    from huanjie.elections.models import Election, StepRecord, VoterRegistration
    from huanjie.elections.registration.services import ENGINE_TO_MODEL
    from huanjie.elections.services import create_election
    from huanjie.rules import PersonRecord, VoterApplicant, eligibility, voter_registration_decision

    profile = campaign.profile()
    by_village: dict[int, list[Person]] = {}
    for person in people:
        by_village.setdefault(person.hukou_village_id, []).append(person)
    registrations = []
    for i, (village, entry) in enumerate(zip(villages, entries, strict=True)):
        election_date = dt.date(2027, 1, 8) + dt.timedelta(days=2 * i)
        election = create_election(actor, campaign, village, election_date)
        if entry.state != CampaignVillage.IN_SCOPE:
            continue
        residents = by_village.get(village.pk, [])
        rights = eligibility([PersonRecord(name=str(p.pk), birth_date=p.birth_date, deprived_from=p.deprived_from,
                                           deprived_until=p.deprived_until, deprived_lifetime=p.deprived_lifetime)
                              for p in residents], election_date, profile)
        adults = [p for p, d in zip(residents, rights, strict=True) if d.eligible]
        # 人户分离: about two thirds of those living elsewhere said in writing they take part.
        intents = {p.pk: rng.random() < 0.67 for p in adults if p.residence_village_id is None}
        decisions = voter_registration_decision(
            [VoterApplicant(name=str(p.pk), hukou_here=True, lives_here=p.residence_village_id is not None,
                            expressed_intent=intents.get(p.pk, False)) for p in adults],
            election_date, profile=profile)
        # The demo obeys the date rule of every service (rules.dates.check_fact_date): a list is
        # marked published only on a day that has come; until then it is prepared, not published,
        # and nobody is registered or declares intent on a day still ahead.
        today = timezone.localdate()
        published = election_date - dt.timedelta(days=25)
        can_publish = check_fact_date("公布选民名单", published, today=today, election_day=election_date,
                                      before_election_day=True).ok
        prepared_on = min(published - dt.timedelta(days=5), today)
        declared_on = min(published - dt.timedelta(days=10), today)
        for person, decision in zip(adults, decisions, strict=True):
            if decision.registered:
                registrations.append(VoterRegistration(
                    campaign=campaign, election=election, person=person,
                    category=ENGINE_TO_MODEL.get(decision.category, decision.category), reason=decision.reason[:200],
                    group_name=person.group_name, registered_on=prepared_on,
                    intent_declared_on=declared_on if intents.get(person.pk) else None))
        if can_publish:
            StepRecord.objects.create(election=election, key="voter_list_published", done_on=published,
                                      note="在村委会所在地和各村民小组张榜公布")
        Election.objects.filter(pk=election.pk).update(stage=Election.REGISTRATION)
    VoterRegistration.objects.bulk_create(registrations, batch_size=4000)
    voter_counts.forget(*{r.election_id for r in registrations})
    return len(registrations)
