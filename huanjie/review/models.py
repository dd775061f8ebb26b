"""Qualification review (资格审查 / 资格联审, P3, P17) for candidates of any election kind.

Three tiers in order: village pre-check, township check, county joint review; in the joint review
every department the campaign names records its own verdict ("谁审核、谁负责").
"""

from __future__ import annotations

from django.db import models


class ReviewCase(models.Model):
    """The review of one candidate."""

    VILLAGE, TOWNSHIP, COUNTY, PASSED, FAILED = "village", "township", "county", "passed", "failed"
    STAGE_CHOICES = [
        (VILLAGE, "村级预审"),
        (TOWNSHIP, "乡镇初审"),
        (COUNTY, "县级联审"),
        (PASSED, "审查通过"),
        (FAILED, "审查未通过"),
    ]

    candidate = models.OneToOneField("elections.Candidate", on_delete=models.CASCADE, related_name="review")
    stage = models.CharField("阶段", max_length=20, choices=STAGE_CHOICES, default=VILLAGE)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    @property
    def audit_region_code(self) -> str:
        return self.candidate.election.organization.code


class ReviewVerdict(models.Model):
    """One tier's verdict, or one department's verdict in the county joint review."""

    PENDING, PASS, FAIL = "pending", "pass", "fail"
    VERDICT_CHOICES = [(PENDING, "待审查"), (PASS, "通过"), (FAIL, "不通过")]

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="verdicts")
    tier = models.CharField("层级", max_length=20, choices=ReviewCase.STAGE_CHOICES[:3])
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts"
    )
    verdict = models.CharField("结论", max_length=20, choices=VERDICT_CHOICES, default=PENDING)
    negative_item = models.CharField("负面清单事项（十不选）", max_length=40, blank=True)
    comment = models.CharField("意见", max_length=500, blank=True)
    document_number = models.CharField("部门文号", max_length=60, blank=True)
    reviewer = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer_name = models.CharField("审查人", max_length=80, blank=True)
    decided_on = models.DateField("审查日期", null=True, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "tier", "department"], name="verdict_once_per_tier_department"
            ),
        ]
        indexes = [models.Index(fields=["department", "verdict"])]


class Notification(models.Model):
    """A message inside the system (e.g. a township's reminder to a department that has not reviewed)."""

    recipient_user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient_department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    sender = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
