"""Nomination, candidates and proxies (issue: village committee election, part 2).

Shared by every election kind: party elections use Candidate and the review in the same way.
"""

from __future__ import annotations

from django.db import models

from huanjie.people.models import Person


class Nomination(models.Model):
    """A person nominated for a post, with the nomination votes and the channel (R13–R15)."""

    OPEN_VOTE, JOINT_10, SELF, PARTY_ORG = "open_vote", "joint_10", "self", "party_org"
    CHANNEL_CHOICES = [
        (OPEN_VOTE, "海选提名"),
        (JOINT_10, "十人联名"),
        (SELF, "自荐"),
        (PARTY_ORG, "党组织推荐"),
    ]
    NOMINEE, CANDIDATE, NOT_SELECTED, DECLINED, WITHDRAWN = (
        "nominee",
        "candidate",
        "not_selected",
        "declined",
        "withdrawn",
    )
    STATUS_CHOICES = [
        (NOMINEE, "被提名人"),
        (CANDIDATE, "确定为候选人"),
        (NOT_SELECTED, "未进入候选人"),
        (DECLINED, "书面放弃"),
        (WITHDRAWN, "退出"),
    ]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="nominations")
    post = models.ForeignKey("elections.Post", on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("提名方式", max_length=20, choices=CHANNEL_CHOICES, default=OPEN_VOTE)
    nomination_votes = models.PositiveIntegerField("提名票数", default=0)
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=NOMINEE)
    written_choice_on = models.DateField("被提名两个职位时书面选择日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    # The post held in the outgoing committee ("" = not in it): newcomer and new-head checks (P2).
    current_post = models.CharField("现任职务", max_length=20, blank=True)
    # A recorded exception to an age limit (P2), recorded before the candidates are fixed.
    exception_body = models.CharField("破格批准机关", max_length=100, blank=True)
    exception_reason = models.CharField("破格理由", max_length=300, blank=True)
    # Why the committee did not take this nominee (a policy refusal, avoidance between relatives).
    excluded_reason = models.CharField("不确定为候选人的原因", max_length=300, blank=True)

    class Meta:
        ordering = ["post__rank", "-nomination_votes", "id"]
        verbose_name = "提名"
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="nomination_once_per_post")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.post.name}被提名人）"

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class NominationCount(models.Model):
    """The count of the nomination vote (海选) of an election: who took part and the void ballots (R13)."""

    AGGREGATED, BALLOTS = "aggregated", "ballots"
    METHOD_CHOICES = [(AGGREGATED, "按职位汇总"), (BALLOTS, "逐张录入")]

    election = models.OneToOneField(
        "elections.Election", on_delete=models.CASCADE, related_name="nomination_count"
    )
    method = models.CharField("录入方式", max_length=20, choices=METHOD_CHOICES)
    held_on = models.DateField("提名日期")
    registered_voters = models.PositiveIntegerField("登记选民数")
    participated = models.PositiveIntegerField("参加提名人数")
    ballots = models.PositiveIntegerField("提名票张数", default=0)
    turnout_required = models.BooleanField("法规要求过半数选民参加", default=False)
    turnout_ok = models.BooleanField("过半数选民参加", null=True)
    void = models.JSONField("无效提名", default=list, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class NominationSignature(models.Model):
    """A signatory of a 十人联名 nomination: must be a registered voter of the village."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="signatures")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "person"], name="signature_once")]


class Candidate(models.Model):
    """A candidate for a post of an election (formal candidate list, ballots, counting)."""

    ACTIVE, WITHDRAWN, DISQUALIFIED = "active", "withdrawn", "disqualified"
    # Party elections: an initial candidate (初步人选) not taken onto the preliminary list (预备人选).
    NOT_SELECTED = "not_selected"
    STATUS_CHOICES = [(ACTIVE, "有效"), (WITHDRAWN, "书面退出"), (DISQUALIFIED, "资格审查未通过"),
                      (NOT_SELECTED, "未列为预备人选")]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="candidates")
    post = models.ForeignKey("elections.Post", on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    list_order = models.PositiveSmallIntegerField("名单顺序", default=0)
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=ACTIVE)
    withdrawn_on = models.DateField("退出日期", null=True, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Policy warnings acknowledged with a reason: {code: {"reason": …, "by": …, "on": …}}
    acknowledged_warnings = models.JSONField("已说明的提示", default=dict, blank=True)
    # A recorded exception to an age limit (P2): approving body and reason.
    exception_body = models.CharField("破格批准机关", max_length=100, blank=True)
    exception_reason = models.CharField("破格理由", max_length=300, blank=True)
    # How the candidate came onto the list beyond plain vote order (tie by strokes, women rule, a fill).
    selection_note = models.CharField("确定方式说明", max_length=300, blank=True)
    # Added by the women rule (R36) beyond the margin: not counted against R14's range.
    women_rule = models.BooleanField("按妇女候选人规定增列", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post__rank", "list_order", "id"]
        verbose_name = "候选人"
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="candidate_once_per_post")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.post.name}）"

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class CandidateListPublication(models.Model):
    """A publication (or re-publication after a withdrawal) of the formal candidate list (R15)."""

    election = models.ForeignKey(
        "elections.Election", on_delete=models.CASCADE, related_name="list_publications"
    )
    version = models.PositiveSmallIntegerField("版次")
    published_on = models.DateField("公布日期")
    snapshot = models.JSONField("名单", default=list)
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["election", "version"], name="list_version_once")]


class TeamExplanation(models.Model):
    """The township's written explanation for a structure target the candidate list cannot meet (P11)."""

    election = models.ForeignKey(
        "elections.Election", on_delete=models.CASCADE, related_name="team_explanations"
    )
    code = models.CharField("目标", max_length=60)
    text = models.TextField("专项说明")
    written_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField("日期")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="team_explanation_once")]


class Proxy(models.Model):
    """A written proxy authorization (委托投票, R20)."""

    ACCEPTED, REFUSED, REVOKED = "accepted", "refused", "revoked"
    STATUS_CHOICES = [(ACCEPTED, "已登记"), (REFUSED, "不予登记"), (REVOKED, "已撤销")]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="proxies")
    principal = models.ForeignKey(Person, verbose_name="委托人", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Person, verbose_name="受委托人", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField("关系", max_length=40)
    relation_declared = models.BooleanField("关系为表上声明、待核实", default=False)
    filed_on = models.DateField("书面委托日期")
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=ACCEPTED)
    reason = models.CharField("不予登记原因", max_length=300, blank=True)

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = "委托投票"

    def __str__(self) -> str:
        return f"{self.principal.name}委托{self.agent.name}"

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code
