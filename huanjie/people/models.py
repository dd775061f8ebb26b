from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

import huanjie.core.lookups  # noqa: F401  (registers __in_ids, used by the scope filter below)


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        prefix = user.scope_prefix
        if prefix is None:
            return self.none()
        return self.filter(code__startswith=prefix)

    def current(self):
        return self.filter(valid_until__isnull=True)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        prefix = user.scope_prefix
        if prefix is None or user.role not in {"county", "township", "village", "admin"}:
            return self.none()
        # The villages in scope as ids first (an InitPlan on PostgreSQL): each side of the OR is then
        # an index scan on the village column instead of a join with the region codes, which scanned
        # the whole people table for a village's 2,000 people (issue 17).
        villages = Region.objects.filter(code__startswith=prefix).order_by().values("id")
        return self.filter(Q(hukou_village_id__in_ids=villages) | Q(residence_village_id__in_ids=villages))

    def in_list_order(self, user, village_code: str = ""):
        """By village code, 村民小组, name. On PostgreSQL, ``ORDER BY region.code … LIMIT 50`` is
        planned as a walk over every region in code order, filtering each region's people: instant
        for a whole county (its first village fills the page), but for one village or a township late
        in the code order it filters the people of every village before it (measured 190–435 ms at a
        million people). Below the county (or for one village), the same order is asked for as an
        expression no index gives, so the scope's own people are fetched by the village indexes and
        sorted (issue 17)."""
        from django.db.models import Value
        from django.db.models.functions import Coalesce

        tail = ("group_name", "name", "id")
        if user.role in ("county", "admin") and not village_code:
            return self.order_by("hukou_village__code", *tail)
        return self.order_by(Coalesce("hukou_village__code", Value("")), *tail)

    def search(self, text: str):
        text = (text or "").strip().replace(" ", "")
        if not text:
            return self
        upper = text.upper()
        if upper.rstrip("X").isdigit():
            if len(upper) == 18:
                return self.filter(id_number=upper)
            return self.filter(id_number__endswith=upper)
        return self.filter(name__contains=text)


class Region(models.Model):
    """A county, township or village/community with its 12-digit statistical division code.

    A region that is merged or renamed between terms is not edited in place: the old row gets
    ``valid_until`` and ``successor``, a new row is made, so earlier campaigns keep their history.
    """

    COUNTY, TOWNSHIP, VILLAGE = "county", "township", "village"
    LEVEL_CHOICES = [(COUNTY, "县（市、区）"), (TOWNSHIP, "乡镇（街道）"), (VILLAGE, "村（社区）")]
    URBAN_RURAL_CHOICES = [
        ("111", "主城区"), ("112", "城乡结合区"), ("121", "镇中心区"), ("122", "镇乡结合区"),
        ("123", "特殊区域"), ("210", "乡中心区"), ("220", "村庄"),
    ]
    KIND_CHOICES = [
        ("county", "县"), ("city", "县级市"), ("district", "区"),
        ("town", "镇"), ("xiang", "乡"), ("subdistrict", "街道"),
        ("village", "村"), ("community", "社区"),
    ]

    code = models.CharField("统计用区划代码", max_length=12)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=LEVEL_CHOICES)
    kind = models.CharField("类型", max_length=12, choices=KIND_CHOICES)
    parent = models.ForeignKey("self", verbose_name="上级", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children")
    # 统计用城乡划分代码 (国家统计局): 111 主城区 … 220 村庄; blank for counties and townships.
    urban_rural_code = models.CharField("城乡分类代码", max_length=3, blank=True)
    population = models.PositiveIntegerField("户籍人口", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    valid_from = models.DateField("启用日期", default=dt.date(2000, 1, 1))
    valid_until = models.DateField("停用日期", null=True, blank=True)
    successor = models.ForeignKey("self", verbose_name="合并或更名后", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="predecessors")

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = "区域"
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="region_code_valid_from_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(valid_until__isnull=True),
                                    name="region_one_current_per_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        return {self.COUNTY: self.code[:6], self.TOWNSHIP: self.code[:9]}.get(self.level, self.code)

    @property
    def audit_region_code(self) -> str:
        return self.code

    @property
    def is_current(self) -> bool:
        return self.valid_until is None

    def full_name(self) -> str:
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Person(models.Model):
    """One natural person, one record: the ID number is unique across the database."""

    GENDER_CHOICES = [("M", "男"), ("F", "女")]
    POLITICAL_CHOICES = [
        ("cpc", "中共党员"), ("cpc_probationary", "中共预备党员"), ("cyl", "共青团员"),
        ("democratic", "民主党派"), ("none", "群众"),
    ]

    # No index on name alone: searches use name__contains, which a btree cannot serve, and every
    # index costs each bulk roster import (200,000 rows) its maintenance.
    name = models.CharField("姓名", max_length=40)
    id_number = models.CharField("公民身份号码", max_length=18, unique=True, null=True, blank=True)
    gender = models.CharField("性别", max_length=1, choices=GENDER_CHOICES)
    birth_date = models.DateField("出生日期")
    manual_birth_data = models.BooleanField(
        "性别和出生日期为手工录入", default=False,
        help_text="没有身份证号码时手工录入的性别和出生日期，需要核对户口簿。",
    )
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("文化程度（GB/T 4658 代码）", max_length=2, blank=True)
    political_status = models.CharField("政治面貌", max_length=20, choices=POLITICAL_CHOICES, default="none")
    # db_index=False: the (hukou_village, name) index below already serves lookups by village.
    hukou_village = models.ForeignKey(Region, verbose_name="户籍所在村（社区）", on_delete=models.PROTECT,
                                      related_name="hukou_people", db_index=False)
    residence_village = models.ForeignKey(Region, verbose_name="居住地村（社区）", on_delete=models.PROTECT,
                                          related_name="resident_people", null=True, blank=True)
    group_name = models.CharField("村民小组", max_length=30, blank=True)
    address = models.CharField("家庭住址", max_length=120, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    deprived_from = models.DateField("剥夺政治权利起", null=True, blank=True)
    deprived_until = models.DateField("剥夺政治权利止", null=True, blank=True)
    deprived_lifetime = models.BooleanField("剥夺政治权利终身", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["hukou_village__code", "name", "id"]
        verbose_name = "人员"
        indexes = [models.Index(fields=["hukou_village", "name"])]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        # The village a save moves the person away from: its cached counts change too.
        person._loaded_hukou_village_id = person.__dict__.get("hukou_village_id")
        return person

    @property
    def audit_region_code(self) -> str:
        return self.hukou_village.code if self.hukou_village_id else ""

    @property
    def id_tail(self) -> str:
        return (self.id_number or "")[-4:]

    @property
    def masked_id(self) -> str:
        if not self.id_number:
            return "（无）"
        return self.id_number[:6] + "********" + self.id_number[-4:]

    def age_on(self, on: dt.date) -> int:
        from huanjie.rules.dates import age_on

        return age_on(self.birth_date, on)

    def relations(self) -> list[tuple[str, Person, Relation]]:
        """Every stored relation of this person, labelled from this person's side."""
        out = []
        for rel in Relation.objects.filter(Q(elder=self) | Q(younger=self)).select_related("elder", "younger"):
            other = rel.younger if rel.elder_id == self.pk else rel.elder
            out.append((rel.label_for(self), other, rel))
        out.sort(key=lambda t: (Relation.ORDER.index(t[2].kind), t[1].birth_date))
        return out


class Relation(models.Model):
    """A near-relative relation (民法典第1045条), stored once and read from both sides.

    ``elder`` is the parent or grandparent; for spouses and siblings the pair is stored with the
    smaller id first, so a pair can be stored only once.
    """

    SPOUSE, PARENT, SIBLING, GRANDPARENT, MATERNAL_GRANDPARENT = (
        "spouse", "parent", "sibling", "grandparent", "maternal_grandparent")
    URBAN_RURAL_CHOICES = [
        ("111", "主城区"), ("112", "城乡结合区"), ("121", "镇中心区"), ("122", "镇乡结合区"),
        ("123", "特殊区域"), ("210", "乡中心区"), ("220", "村庄"),
    ]
    KIND_CHOICES = [
        (SPOUSE, "配偶"), (PARENT, "父母/子女"), (SIBLING, "兄弟姐妹"),
        (GRANDPARENT, "祖父母/孙子女"), (MATERNAL_GRANDPARENT, "外祖父母/外孙子女"),
    ]
    ORDER = [SPOUSE, PARENT, SIBLING, GRANDPARENT, MATERNAL_GRANDPARENT]
    SYMMETRIC = {SPOUSE, SIBLING}
    # The relation names the rules engine understands (engine.md §1).
    ENGINE_NAMES = {
        SPOUSE: "spouses", PARENT: "parent-child", SIBLING: "siblings",
        GRANDPARENT: "grandparent-grandchild", MATERNAL_GRANDPARENT: "grandparent-grandchild",
    }

    elder = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    younger = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("关系", max_length=24, choices=KIND_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "亲属关系"
        constraints = [
            models.UniqueConstraint(fields=["elder", "younger", "kind"], name="relation_once"),
            models.CheckConstraint(condition=~Q(elder=models.F("younger")), name="relation_not_self"),
        ]
        indexes = [models.Index(fields=["younger"])]

    def __str__(self) -> str:
        return f"{self.elder} — {self.younger}（{self.get_kind_display()}）"

    @property
    def engine_name(self) -> str:
        return self.ENGINE_NAMES[self.kind]

    def label_for(self, person: Person) -> str:
        """What the *other* person is to ``person``: 配偶, 父亲, 女儿, 外祖母 …"""
        other = self.younger if self.elder_id == person.pk else self.elder
        male = other.gender == "M"
        if self.kind == self.SPOUSE:
            return "配偶"
        if self.kind == self.SIBLING:
            older = other.birth_date < person.birth_date
            return ("哥哥" if older else "弟弟") if male else ("姐姐" if older else "妹妹")
        if self.kind == self.PARENT:
            if other.pk == self.elder_id:
                return "父亲" if male else "母亲"
            return "儿子" if male else "女儿"
        if self.kind == self.GRANDPARENT:
            if other.pk == self.elder_id:
                return "祖父" if male else "祖母"
            return "孙子" if male else "孙女"
        if other.pk == self.elder_id:
            return "外祖父" if male else "外祖母"
        return "外孙子" if male else "外孙女"


class VillageStats(models.Model):
    """People counts of one village (by 户籍), kept so that township and county pages sum a few
    hundred rows instead of counting a million people on every request. A row is deleted whenever a
    write may change it (see ``huanjie.people.stats``) and computed again on the next read."""

    village = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="+")
    total = models.PositiveIntegerField(default=0)
    men = models.PositiveIntegerField(default=0)
    women = models.PositiveIntegerField(default=0)
    party = models.PositiveIntegerField(default=0)
    manual = models.PositiveIntegerField(default=0)
    # The 村民小组 names its people carry (the village posts page lists them for a whole county:
    # a DISTINCT over a million people was 0.3 s of SQL per request; issue 17).
    groups = models.JSONField(default=list)

    class Meta:
        verbose_name = "村人员统计（缓存）"
