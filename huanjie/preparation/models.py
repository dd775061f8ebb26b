"""The preparation records the voting stage waits for: 离任审计 (P14) and training (P15).

``CampaignVillage.audit_done_on`` and ``training_done_on`` are the gate the voting stage reads
(:mod:`huanjie.preparation.readiness`); :mod:`huanjie.preparation.services` writes them from these
records, in the same transaction as the record and its audit entry, and nothing else does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.people.models import Region


class OutgoingAudit(models.Model):
    """The audit of the outgoing village team (离任审计), one per village and campaign (P14)."""

    CLEAN, RECTIFIED, REFERRED = "clean", "rectified", "referred"
    CONCLUSION_CHOICES = [
        (CLEAN, "未发现问题"),
        (RECTIFIED, "发现问题，已整改"),
        (REFERRED, "发现问题，已移交有关部门处理"),
    ]

    entry = models.OneToOneField(CampaignVillage, on_delete=models.CASCADE, related_name="outgoing_audit")
    audited_on = models.DateField("审计完成日期")
    auditor = models.CharField("审计单位", max_length=100)
    conclusion = models.CharField("审计结论", max_length=20, choices=CONCLUSION_CHOICES)
    findings = models.TextField("结论摘要", blank=True)
    # The report itself (PDF or photo), kept in the database so that backups hold it with the record.
    attachment_name = models.CharField("附件文件名", max_length=120, blank=True)
    attachment_type = models.CharField("附件类型", max_length=40, blank=True)
    attachment = models.BinaryField("审计报告附件", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "离任审计"

    def __str__(self) -> str:
        return f"{self.entry.village.name}离任审计"

    @property
    def audit_region_code(self) -> str:
        return self.entry.village.code


class TrainingSession(models.Model):
    """One training session organised for some villages of a campaign: before the vote the
    业务培训 of the election committees and staff (P15); after it the 岗前培训 of the new teams
    (seed 004 §二(三)3, P24), whose level is the organising office's (county or township)."""

    ELECTION, INDUCTION = "election", "induction"
    PURPOSE_CHOICES = [(ELECTION, "换届选举业务培训"), (INDUCTION, "岗前培训")]

    purpose = models.CharField("培训类别", max_length=20, choices=PURPOSE_CHOICES, default=ELECTION)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="training_sessions")
    region = models.ForeignKey(Region, verbose_name="组织区域", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("培训日期")
    organiser = models.CharField("组织单位", max_length=100)
    topic = models.CharField("培训内容", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "培训"

    def __str__(self) -> str:
        return f"{self.held_on} {self.organiser}{'岗前培训' if self.purpose == self.INDUCTION else '业务培训'}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code


class TrainingAttendance(models.Model):
    """Who of one village attended a session: the election committee (all members?) and the staff."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    entry = models.ForeignKey(CampaignVillage, on_delete=models.CASCADE, related_name="training_attendance")
    committee_all = models.BooleanField("村民选举委员会成员全部参加", default=False)
    staff = models.BooleanField("选举工作人员参加", default=False)
    trainees = models.TextField("参训人员", blank=True, help_text="每行一人")
    trainee_count = models.PositiveIntegerField("参训人数", default=0)

    class Meta:
        verbose_name = "参训情况"
        constraints = [models.UniqueConstraint(fields=["session", "entry"], name="training_attendance_once")]


class InductionAttendance(models.Model):
    """One member of a new team at a 岗前培训 session (seed 004 §二(三)3)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="inductees")
    entry = models.ForeignKey(CampaignVillage, on_delete=models.CASCADE, related_name="induction_attendance")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    posts = models.CharField("职务", max_length=80, blank=True)

    class Meta:
        verbose_name = "岗前培训参训人员"
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="induction_attendance_once")]
