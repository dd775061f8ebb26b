from __future__ import annotations

from django.db import models

from huanjie.people.models import Region

JURISDICTION_CHOICES = [
    ("national", "全国通用（村民委员会组织法）"),
    ("zhejiang", "浙江省"),
    ("shanghai", "上海市"),
    ("beijing", "北京市"),
    ("henan", "河南省"),
]


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every account inside a campaign's county sees the campaign (its villages are scoped)."""
        prefix = user.scope_prefix
        if prefix is None:
            return self.none()
        return self.filter(county__code__startswith=prefix[:6])


class Campaign(models.Model):
    """One re-election campaign (换届) of a county: its profile, policy and villages in scope."""

    name = models.CharField("名称", max_length=100)
    slug = models.SlugField("标识", max_length=60, unique=True)
    county = models.ForeignKey(Region, verbose_name="组织县（市、区）", on_delete=models.PROTECT,
                               related_name="campaigns", limit_choices_to={"level": Region.COUNTY})
    term_number = models.PositiveSmallIntegerField("届次", help_text="如第十二届填 12")
    term_start = models.DateField("任期开始")
    term_years = models.PositiveSmallIntegerField("任期（年）", default=5)
    jurisdiction = models.CharField("适用法规", max_length=20, choices=JURISDICTION_CHOICES, default="national")
    profile_overrides = models.JSONField("法规开关覆盖", default=dict, blank=True)
    cutoff_date = models.DateField("年龄计算截止日", help_text="候选人年龄按此日计算（P1）")
    policy = models.JSONField("换届政策（与默认值不同的项）", default=dict, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "slug"]
        verbose_name = "换届工作"

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.county.code

    def effective_policy(self) -> dict:
        """The campaign's policy values: the defaults of policy.md overlaid with this campaign's."""
        from huanjie.rules import DEFAULT_POLICY

        base = DEFAULT_POLICY.as_dict()
        base.update(self.policy or {})
        return base

    def profile(self, on=None):
        """The rules profile in force on ``on`` — an election's day (issue 16: the law changed on
        2026-01-01, so an election uses the version in force on its own day). Without a day, the
        version in force when the campaign starts. The one place the app resolves a profile."""
        from huanjie.rules.profiles import profile_for

        return profile_for(self.jurisdiction, on or self.starts_on, self.profile_overrides or {})


class CampaignVillage(models.Model):
    """A village in a campaign's scope, with its state and the preconditions P14–P16."""

    IN_SCOPE, CONSOLIDATION, POSTPONED = "in_scope", "consolidation", "postponed"
    STATE_CHOICES = [(IN_SCOPE, "正常换届"), (CONSOLIDATION, "集中整顿中"), (POSTPONED, "暂缓换届")]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="campaign_entries",
                                limit_choices_to={"level": Region.VILLAGE})
    state = models.CharField("状态", max_length=20, choices=STATE_CHOICES, default=IN_SCOPE)
    state_reason = models.CharField("状态说明", max_length=200, blank=True)
    complicated = models.BooleanField("选情复杂村", default=False)
    audit_done_on = models.DateField("离任审计完成日期", null=True, blank=True)
    training_done_on = models.DateField("业务培训完成日期", null=True, blank=True)

    class Meta:
        ordering = ["village__code"]
        verbose_name = "换届村（社区）"
        constraints = [models.UniqueConstraint(fields=["campaign", "village"], name="campaign_village_once")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.village}"

    @property
    def audit_region_code(self) -> str:
        return self.village.code
