"""Reports of a campaign: weekly snapshots kept as reported, and the previous term's cadres that the
structure statistics compare with."""

from __future__ import annotations

from django.db import models

from huanjie.campaigns.models import Campaign
from huanjie.people.models import Region


class WeeklySnapshot(models.Model):
    """每周统计上报: the figures of one week for a county or township, frozen when taken."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, verbose_name="填报单位", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField("统计周（周一）")
    as_of = models.DateField("统计截止日")
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    rows = models.JSONField("各村数据", default=list)
    totals = models.JSONField("合计", default=dict)

    class Meta:
        ordering = ["-week_start"]
        verbose_name = "每周统计"
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "week_start"], name="snapshot_once")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.week_start} 周报"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class PreviousCadre(models.Model):
    """A cadre of the previous term (上届), imported from the office's Excel."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=40)
    id_number = models.CharField("身份证号码", max_length=18)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    birth_date = models.DateField("出生日期")
    posts = models.CharField("职务", max_length=60)
    party_committee = models.BooleanField("村党组织成员", default=False)
    villagers_committee = models.BooleanField("村民委员会成员", default=False)
    secretary = models.BooleanField("村党组织书记", default=False)
    director = models.BooleanField("村民委员会主任", default=False)
    party_member = models.BooleanField("中共党员", default=False)
    education = models.CharField("文化程度", max_length=20, blank=True)

    class Meta:
        ordering = ["village__code", "id"]
        verbose_name = "上届村干部"
        constraints = [models.UniqueConstraint(fields=["campaign", "id_number"], name="previous_cadre_once")]

    @property
    def audit_region_code(self) -> str:
        return self.village.code


class SummaryText(models.Model):
    """The words of the summary report that only a person can write; every number in the report is
    computed and inserted, never typed here."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=100, blank=True)
    overview = models.TextField("总体情况", blank=True)
    practice = models.TextField("主要做法", blank=True)
    problems = models.TextField("存在问题和下一步工作", blank=True)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "region"], name="summary_text_once")]

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class Placement(models.Model):
    """另行安排 of a cadre who left office (seed 000/003: "退出103名，另行安排62名"): recorded by the
    township with where the person went. Keyed by the ID number, not the previous-term row, so a
    re-import of the previous term's list keeps what was recorded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("公民身份号码", max_length=18)
    name = models.CharField("姓名", max_length=40)
    placed = models.BooleanField("已另行安排", default=False)
    placed_where = models.CharField("安排去向", max_length=120, blank=True)
    placed_on = models.DateField("安排日期", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "离任村干部安排"
        constraints = [models.UniqueConstraint(fields=["campaign", "id_number"], name="placement_once")]

    @property
    def audit_region_code(self) -> str:
        return self.village.code


class Talk(models.Model):
    """谈心谈话 with a person not elected or leaving office (seed 004 §二(三))."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("公民身份号码", max_length=18)
    name = models.CharField("姓名", max_length=40)
    talked_on = models.DateField("谈话日期")
    talked_by = models.CharField("谈话人", max_length=60)
    content = models.TextField("谈话情况")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "谈心谈话"
        constraints = [models.UniqueConstraint(fields=["campaign", "id_number"], name="talk_once")]

    @property
    def audit_region_code(self) -> str:
        return self.village.code


class ReserveCadre(models.Model):
    """后备干部 of a village: a person of the register, found in the survey or in the elections."""

    SURVEY, ELECTION, OTHER = "survey", "election", "other"
    SOURCE_CHOICES = [(SURVEY, "调查摸底"), (ELECTION, "参加本次选举未当选"), (OTHER, "其他途径")]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源", max_length=20, choices=SOURCE_CHOICES)
    note = models.CharField("培养方向", max_length=200, blank=True)
    added_on = models.DateField("列入日期")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["village__code", "id"]
        verbose_name = "后备干部"
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="reserve_once")]

    @property
    def audit_region_code(self) -> str:
        return self.village.code
