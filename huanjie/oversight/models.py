"""The county's oversight of a campaign: the survey (调查摸底), risk plans (一村一策), complaints
(举报/信访) and incidents (突发事件, seed 003 篇6).

Every write goes through ``services.py`` (scope, role, audit). The elections' own data (stages,
results, candidates) is read from the elections app, never copied here, except where a record
links to a decision (a complaint to the candidate withdrawal or 当选无效 it caused).
"""

from __future__ import annotations

from django.db import models

from huanjie.campaigns.models import Campaign
from huanjie.people.models import Region

# Seed 000's list of what goes wrong in an election, in its order, and "other".
RISK_CHOICES = [
    ("low_turnout", "参选率不高"),
    ("head_not_elected", "村主要负责人候选人（自荐人）落选"),
    ("write_in", "票箱中跳出的人员当选"),
    ("wrong_post", "人选错位"),
    ("late_withdrawal", "候选人（自荐人）临时退出选举"),
    ("unfilled", "班子选不足、职位空缺"),
    ("disruption", "干扰选举、冲击会场"),
    ("petition", "信访举报、群体性事件"),
    ("other", "其他"),
]
RISK_LABELS = dict(RISK_CHOICES)


class Survey(models.Model):
    """调查摸底 of one village (seed 004 §二(一)2): the team, the reserve, the risks found."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    surveyed_on = models.DateField("摸底日期")
    team_situation = models.TextField("班子运行情况")
    reserve_total = models.PositiveSmallIntegerField("合适人选（后备力量）人数", default=0)
    reserve_women = models.PositiveSmallIntegerField("其中女性", default=0)
    reserve_young = models.PositiveSmallIntegerField("其中35周岁以下", default=0)
    reserve_college = models.PositiveSmallIntegerField("其中大专以上", default=0)
    risks_found = models.TextField("发现的不利因素和矛盾问题", blank=True)
    complicated = models.BooleanField("列为选情复杂村", default=False)
    complicated_reason = models.CharField("列为选情复杂村的原因", max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["village__code"]
        verbose_name = "调查摸底"
        constraints = [models.UniqueConstraint(fields=["campaign", "village"], name="survey_once")]

    def __str__(self) -> str:
        return f"{self.village.name}调查摸底"

    @property
    def audit_region_code(self) -> str:
        return self.village.code


class RiskPlan(models.Model):
    """一村一策: the plan for a village with a complicated situation."""

    OPEN, CONTROLLED, RESOLVED = "open", "controlled", "resolved"
    STATUS_CHOICES = [(OPEN, "风险未消除"), (CONTROLLED, "已落实措施、持续跟踪"), (RESOLVED, "风险已化解")]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("选情复杂的原因", max_length=300)
    risks = models.JSONField("风险类型", default=list)
    risk_detail = models.TextField("风险研判", blank=True)
    measures = models.TextField("应对措施")
    responsible = models.CharField("责任人（包村干部）", max_length=60)
    review_on = models.DateField("下次研判日期")
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=OPEN)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review_on", "village__code"]
        verbose_name = "一村一策"
        constraints = [models.UniqueConstraint(fields=["campaign", "village"], name="risk_plan_once")]

    def __str__(self) -> str:
        return f"{self.village.name}一村一策"

    @property
    def audit_region_code(self) -> str:
        return self.village.code

    @property
    def risk_labels(self) -> list[str]:
        return [RISK_LABELS.get(code, code) for code in self.risks]


class Complaint(models.Model):
    """举报 / 信访: registered by a township or the county, assigned, answered, closed."""

    CHANNEL_CHOICES = [("phone", "电话"), ("letter", "来信"), ("visit", "来访"), ("mailbox", "举报箱"),
                       ("online", "网上举报")]
    MATTER_CHOICES = [
        ("vote_buying", "拉票贿选"),
        ("bribery", "贿赂、许诺利益"),
        ("threats", "威胁、恐吓"),
        ("clan_gang", "宗族、黑恶势力干扰"),
        ("false_registration", "虚假登记、违规登记选民"),
        ("process", "违反选举程序"),
        ("other", "其他"),
    ]
    REGISTERED, HANDLING, ANSWERED = "registered", "handling", "answered"
    STATUS_CHOICES = [(REGISTERED, "已登记待交办"), (HANDLING, "办理中"), (ANSWERED, "已办结答复")]
    FINDING_CHOICES = [("substantiated", "属实"), ("partly", "部分属实"), ("unfounded", "不属实")]
    # the decision a substantiated complaint against a candidate led to
    CONSEQUENCE_CHOICES = [("withdrawn", "取消候选人资格（投票前）"), ("void", "确认当选无效（投票后）")]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    number = models.CharField("编号", max_length=30, unique=True)
    channel = models.CharField("来源渠道", max_length=20, choices=CHANNEL_CHOICES)
    received_on = models.DateField("受理日期")
    village = models.ForeignKey(Region, verbose_name="涉及村（社区）", on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey("elections.Election", verbose_name="涉及选举", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    candidate = models.ForeignKey("elections.Candidate", verbose_name="被举报候选人", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    concerned = models.CharField("被举报人（或涉及人员）", max_length=60, blank=True)
    matter = models.CharField("举报事项", max_length=30, choices=MATTER_CHOICES)
    content = models.TextField("举报内容")
    anonymous = models.BooleanField("要求对举报人身份保密", default=False)
    complainant_name = models.CharField("举报人姓名", max_length=40, blank=True)
    complainant_contact = models.CharField("举报人联系方式", max_length=60, blank=True)
    registered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    handler = models.ForeignKey("accounts.User", verbose_name="承办人", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    deadline = models.DateField("办结期限")
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=REGISTERED)
    finding = models.CharField("核查结论", max_length=20, choices=FINDING_CHOICES, blank=True)
    finding_text = models.TextField("核查情况", blank=True)
    answer = models.TextField("答复举报人", blank=True)
    answered_on = models.DateField("办结日期", null=True, blank=True)
    consequence = models.CharField("处理决定", max_length=20, choices=CONSEQUENCE_CHOICES, blank=True)
    elected_member = models.ForeignKey("elections.ElectedMember", verbose_name="当选无效的当选人",
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    consequence_note = models.CharField("处理决定说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "举报信访"

    def __str__(self) -> str:
        return f"{self.number} {self.get_matter_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.village.code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:complaint", args=[self.pk])

    def is_overdue(self, today) -> bool:
        return self.status != self.ANSWERED and today > self.deadline


class ComplaintNote(models.Model):
    """A progress note of the handler (办理进展)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("办理进展")

    class Meta:
        ordering = ["at", "id"]


class Incident(models.Model):
    """突发事件 (seed 003 篇6): reported at once, first response, escalation, closing."""

    CATEGORY_CHOICES = [
        ("threat_bribery", "威胁、贿赂选民或候选人"),
        ("violence_forgery", "暴力事件、伪造选票"),
        ("clan_gang", "宗族、黑恶势力干扰"),
        ("collective_petition", "集体上访"),
        ("venue_disorder", "会场秩序混乱"),
        ("destruction", "毁坏公告、票箱"),
        ("other", "其他"),
    ]
    REPORTED, RESPONDING, ESCALATED, CLOSED = "reported", "responding", "escalated", "closed"
    STATUS_CHOICES = [(REPORTED, "已报告"), (RESPONDING, "先期处置中"), (ESCALATED, "已启动应急响应"),
                      (CLOSED, "已处置完毕")]
    LEVEL_CHOICES = [("village", "村"), ("township", "乡镇"), ("county", "县")]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    number = models.CharField("编号", max_length=30, unique=True)
    village = models.ForeignKey(Region, verbose_name="发生地村（社区）", on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey("elections.Election", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    category = models.CharField("事件类别", max_length=30, choices=CATEGORY_CHOICES)
    place = models.CharField("地点", max_length=120)
    occurred_at = models.DateTimeField("发生时间")
    description = models.TextField("事件经过")
    reported_at = models.DateTimeField("报告时间")
    reported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=REPORTED)
    level = models.CharField("处置层级", max_length=20, choices=LEVEL_CHOICES, default="township")
    first_response = models.TextField("先期处置情况", blank=True)
    first_response_at = models.DateTimeField("先期处置时间", null=True, blank=True)
    escalated_at = models.DateTimeField("启动应急响应时间", null=True, blank=True)
    escalation_reason = models.TextField("升级原因", blank=True)
    closed_at = models.DateTimeField("处置完毕时间", null=True, blank=True)
    outcome = models.TextField("处置结果", blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "突发事件"

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.village.code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("oversight:incident", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.CLOSED


class IncidentStep(models.Model):
    """Each step of an incident, timestamped, for the record of who did what when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField()
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    label = models.CharField(max_length=40)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class Commitment(models.Model):
    """三个100% (P19): a signed responsibility letter, commitment or guarantee, with its signed copy."""

    RESPONSIBILITY, PLEDGE, GUARANTEE = "responsibility", "pledge", "guarantee"
    KIND_CHOICES = [(RESPONSIBILITY, "换届工作责任书（村党组织书记）"), (PLEDGE, "候选人承诺书"),
                    (GUARANTEE, "选举工作人员保证书")]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=20, choices=KIND_CHOICES)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("身份", max_length=60)
    signed_on = models.DateField("签订日期")
    copy = models.BinaryField("签字件", null=True, blank=True)
    copy_name = models.CharField("签字件文件名", max_length=120, blank=True)
    copy_type = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["village__code", "kind", "id"]
        verbose_name = "三个100%签订"
        constraints = [models.UniqueConstraint(fields=["campaign", "village", "kind", "person"],
                                               name="commitment_once")]

    @property
    def audit_region_code(self) -> str:
        return self.village.code


class TownshipLetter(models.Model):
    """三个100% (P19) for a township: its party secretary's responsibility letter (责任书). The
    system keeps no register of township leaders, so the secretary's name is recorded here."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    township = models.ForeignKey(Region, verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    secretary = models.CharField("乡镇党委书记", max_length=40)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    copy = models.BinaryField("签字件", null=True, blank=True)
    copy_name = models.CharField("签字件文件名", max_length=120, blank=True)
    copy_type = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["township__code"]
        verbose_name = "乡镇党委书记责任书"
        constraints = [models.UniqueConstraint(fields=["campaign", "township"], name="township_letter_once")]

    @property
    def audit_region_code(self) -> str:
        return self.township.code
