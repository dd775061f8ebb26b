"""What the 村务监督委员会's choice adds to its Election (kind ``village_supervision``).

The election itself — posts (主任, 委员), round, candidates, counting form, result, lock,
documents — is the elections app's. Here: which meeting chooses (村民会议 or 村民代表会议) and who
came (its quorum is the engine's, R71/R38), how it votes (ballots or a show of hands), and per
candidate the posts that may bar them (P6) with the finding of the last check.
"""

from __future__ import annotations

from django.db import models


class Supervision(models.Model):
    VILLAGERS_MEETING, REPRESENTATIVES_MEETING = "villagers_meeting", "representatives_meeting"
    BODY_CHOICES = [(VILLAGERS_MEETING, "村民会议"), (REPRESENTATIVES_MEETING, "村民代表会议")]
    BALLOT, HANDS = "ballot", "hands"
    METHOD_CHOICES = [(BALLOT, "无记名投票"), (HANDS, "举手表决")]

    election = models.OneToOneField("elections.Election", on_delete=models.CASCADE, related_name="supervision")
    body = models.CharField("推选会议", max_length=30, choices=BODY_CHOICES)
    method = models.CharField("表决方式", max_length=20, choices=METHOD_CHOICES, default=BALLOT)
    # 村民会议: villagers aged 18 or over; 村民代表会议: its members (组成人员).
    members = models.PositiveIntegerField("会议组成人员数", null=True, blank=True)
    present = models.PositiveIntegerField("到会人数", null=True, blank=True)
    households = models.PositiveIntegerField("本村户数（村民会议按户计算时）", null=True, blank=True)
    households_present = models.PositiveIntegerField("到会户代表数", null=True, blank=True)
    list_checked_on = models.DateField("候选人名单资格把关日期", null=True, blank=True)

    class Meta:
        verbose_name = "村务监督委员会推选"

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class Nominee(models.Model):
    """A candidate for the supervision committee, with the posts held that P6 asks about and the
    reasons of the last check (empty when none applies)."""

    ROLE_CHOICES = [
        ("accountant", "村会计（报账员）"),
        ("clerk", "村文书"),
        ("collective_head", "村集体经济组织负责人"),
        ("appointed", "由组织或个人指定、委派"),
    ]

    candidate = models.OneToOneField("elections.Candidate", on_delete=models.CASCADE, related_name="supervision_nominee")
    roles = models.JSONField("现任职务（不得担任的情形）", default=list, blank=True)
    accounting = models.BooleanField("具备财会、管理知识", default=False)
    refusals = models.JSONField("不得担任的原因", default=list, blank=True)
    checked_on = models.DateField("资格把关日期", null=True, blank=True)

    class Meta:
        ordering = ["candidate__post__rank", "candidate__list_order", "id"]
        verbose_name = "村务监督委员会成员候选人"

    @property
    def audit_region_code(self) -> str:
        return self.candidate.election.organization.code

    @property
    def role_labels(self) -> list[str]:
        labels = dict(self.ROLE_CHOICES)
        return [labels.get(r, r) for r in self.roles]
