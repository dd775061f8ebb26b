"""The township party congress (乡镇党代会, seeds 002 三 and 003 篇7; rules R62–R65).

A congress belongs to a township in a campaign. Its delegates are elected by election units (选举
单位): the township's party organisations (独立的总支、支部), one each or several grouped into one
unit; each unit's party members are its branches' rolls (:mod:`huanjie.party`). The seats of each
unit are the engine's allocation (:func:`huanjie.rules.allocation.allocate_delegates`) unless the
office set them by hand with a reason.
"""

from __future__ import annotations

from django.db import models

from huanjie.campaigns.models import Campaign
from huanjie.party.models import Branch
from huanjie.people.models import Region
from huanjie.rules.congress import CATEGORIES


class Congress(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="congresses")
    township = models.ForeignKey(Region, verbose_name="乡镇", on_delete=models.PROTECT, related_name="congresses")
    number = models.PositiveSmallIntegerField("第几次代表大会")
    convene_on = models.DateField("拟召开日期")
    delegates_planned = models.PositiveSmallIntegerField("代表名额")
    # R62: the county approves the number of delegates.
    size_approval_number = models.CharField("县委批准代表名额文号", max_length=60, blank=True)
    size_approved_on = models.DateField("县委批准代表名额日期", null=True, blank=True)
    # the previous congress's delegates and candidates: each unit's initial candidates keep at
    # least its margin share (seed 003 篇7 step 12, R63)
    previous_delegates = models.PositiveSmallIntegerField("上次党代会代表名额", null=True, blank=True)
    previous_candidates = models.PositiveSmallIntegerField("上次代表候选人数", null=True, blank=True)
    # The county's 实施方案 may set other guiding shares than the seeds' (rules.congress.STRUCTURE_TARGETS):
    # only the keys set here differ from them.
    structure_targets = models.JSONField("代表结构指导性比例", default=dict, blank=True)
    # seed 002 三: where the county asks for it, the congress elects the township's delegates to the
    # county congress (0: not this time)
    county_delegate_seats = models.PositiveSmallIntegerField("出席县党代会代表名额", default=0)
    county_delegates_election = models.OneToOneField("elections.Election", on_delete=models.PROTECT, null=True,
                                                     blank=True, related_name="congress_county_delegates_of")
    committee_seats = models.PositiveSmallIntegerField("党委委员名额", default=9)
    deputy_secretaries = models.PositiveSmallIntegerField("副书记名额", default=2)
    discipline_seats = models.PositiveSmallIntegerField("纪委委员名额", default=5)
    # seed 003 step 6 (附例1): the township committee's 请示 to the county and the county's 批复
    request_number = models.CharField("请示文号", max_length=60, blank=True)
    request_date = models.DateField("请示日期", null=True, blank=True)
    approval_number = models.CharField("批复文号", max_length=60, blank=True)
    approval_date = models.DateField("批复日期", null=True, blank=True)
    # the congress's elections (kinds township_party_committee / township_discipline_commission) and
    # the new committees' first plenaries (R61), all of the one election machinery
    committee_election = models.OneToOneField("elections.Election", on_delete=models.PROTECT, null=True, blank=True,
                                              related_name="congress_committee_of")
    discipline_election = models.OneToOneField("elections.Election", on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="congress_discipline_of")
    committee_plenary = models.OneToOneField("elections.Election", on_delete=models.PROTECT, null=True, blank=True,
                                             related_name="congress_committee_plenary_of")
    discipline_plenary = models.OneToOneField("elections.Election", on_delete=models.PROTECT, null=True, blank=True,
                                              related_name="congress_discipline_plenary_of")
    # the county's approval of both preliminary candidate lists (seed 003 steps 19–20)
    candidates_approval_number = models.CharField("县委批复候选人预备人选文号", max_length=60, blank=True)
    candidates_approval_date = models.DateField("县委批复候选人预备人选日期", null=True, blank=True)
    committee_plenary_present = models.PositiveSmallIntegerField("党委全体会议到会委员", null=True, blank=True)
    discipline_plenary_present = models.PositiveSmallIntegerField("纪委全体会议到会委员", null=True, blank=True)
    # 预备会议 (seed 003 step 45): agenda, presidium, secretary-general; the credentials report heard
    prep_held_on = models.DateField("预备会议日期", null=True, blank=True)
    agenda = models.TextField("大会议程", blank=True)
    presidium = models.TextField("主席团成员（每行一人）", blank=True)
    secretary_general = models.CharField("秘书长", max_length=40, blank=True)
    # 清点人数报告单: delegates present at the election meeting (应到 = delegates with credentials)
    present_delegates = models.PositiveSmallIntegerField("实到会代表", null=True, blank=True)
    # the county's approval of the plenaries' results (seed 003 steps 29–30, 58)
    result_approval_number = models.CharField("县委批复选举结果文号", max_length=60, blank=True)
    result_approval_date = models.DateField("县委批复选举结果日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["township__code"]
        verbose_name = "乡镇党代会"
        constraints = [models.UniqueConstraint(fields=["campaign", "township"], name="congress_once_per_township")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        from huanjie.elections.services import zh_number

        return f"中国共产党{self.township.name}第{zh_number(self.number)}次代表大会"

    @property
    def committee_name(self) -> str:
        return f"中共{self.township.name}委员会"

    @property
    def audit_region_code(self) -> str:
        return self.township.code

    @property
    def approved(self) -> bool:
        return bool(self.approval_number and self.approval_date)


class ElectionUnit(models.Model):
    """A 选举单位: one or more of the township's party organisations electing delegates together."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="units")
    number = models.PositiveSmallIntegerField("编号")
    name = models.CharField("名称", max_length=80)
    branches = models.ManyToManyField(Branch, through="UnitBranch", related_name="+")
    # seats for candidates the township committee nominates to this unit (seed 002 分配原则二)
    reserved = models.PositiveSmallIntegerField("党委提名保留名额", default=0)
    # seats set by hand instead of the engine's allocation, with the reason (audited)
    seats_set = models.PositiveSmallIntegerField("调整后名额", null=True, blank=True)
    seats_reason = models.CharField("调整理由", max_length=200, blank=True)
    # the 代表团（组） its delegates sit in at the congress (seed 003 step 24: 代表编团（组）名册)
    delegation = models.CharField("代表团（组）", max_length=40, blank=True)

    class Meta:
        ordering = ["number", "id"]
        verbose_name = "选举单位"
        constraints = [models.UniqueConstraint(fields=["congress", "number"], name="unit_number_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.congress.township.code

    @property
    def delegate_election(self):
        """The unit's first delegate election (by-elections replacing a delegate are the others)."""
        return self.delegate_elections.filter(replaces__isnull=True).first()


class UnitBranch(models.Model):
    unit = models.ForeignKey(ElectionUnit, on_delete=models.CASCADE, related_name="memberships")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["branch__village__code"]
        # a branch elects in one unit of a congress
        constraints = [models.UniqueConstraint(fields=["congress", "branch"], name="branch_once_per_congress")]


class DelegateElection(models.Model):
    """What a unit's delegate election adds to its Election (kind ``township_congress_delegates``):
    the township's approval of the candidate list and the unit's meetings (R63–R64).

    A unit has its first election and, for each delegate the 代表资格审查小组 found unqualified
    (R65 "责令原选举单位撤换"), a by-election (补选) of one seat on the same machinery; ``replaces``
    names the delegate it replaces."""

    unit = models.ForeignKey(ElectionUnit, on_delete=models.PROTECT, related_name="delegate_elections")
    election = models.OneToOneField("elections.Election", on_delete=models.PROTECT, related_name="congress_unit")
    replaces = models.OneToOneField("elections.ElectedMember", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="congress_replaced_by", verbose_name="撤换的代表")
    # the township committee's approval of the unit's candidate list (seed 003 steps 15, 17)
    approval_number = models.CharField("乡镇党委审批文号", max_length=60, blank=True)
    approval_date = models.DateField("乡镇党委审批日期", null=True, blank=True)

    class Meta:
        verbose_name = "代表选举"
        constraints = [models.UniqueConstraint(fields=["unit"], condition=models.Q(replaces__isnull=True),
                                               name="unit_first_delegate_election_once")]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code

    @property
    def approved(self) -> bool:
        return bool(self.approval_number and self.approval_date)

    @property
    def meeting(self):
        """The meeting on the (current) election day, if recorded."""
        return self.meetings.filter(held_on=self.election.election_date).first()


class UnitMeeting(models.Model):
    """One members' assembly of a unit (R64): 应到 (members with the vote on the day) and 实到. A
    meeting short of its quorum elects nobody; the unit meets again on a new day (re-election)."""

    delegate_election = models.ForeignKey(DelegateElection, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("召开日期")
    expected = models.PositiveIntegerField("应到会有选举权的党员")
    present = models.PositiveIntegerField("实到会有选举权的党员")
    quorum_met = models.BooleanField("超过应到会人数的五分之四")

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["delegate_election", "held_on"], name="unit_meeting_once_a_day")]

    @property
    def audit_region_code(self) -> str:
        return self.delegate_election.election.organization.code


class CredentialDecision(models.Model):
    """The 代表资格审查小组's decision on one elected delegate (R65, the engine's ``credentials``)."""

    CONFIRMED, RE_ELECT, REPLACE = "confirmed", "unit_must_re_elect", "unit_must_replace"
    STATUS_CHOICES = [(CONFIRMED, "资格有效"), (RE_ELECT, "责令选举单位重新选举"), (REPLACE, "责令选举单位撤换")]

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="credentials")
    unit = models.ForeignKey(ElectionUnit, on_delete=models.CASCADE, related_name="+")
    elected = models.ForeignKey("elections.ElectedMember", on_delete=models.CASCADE, related_name="+")
    status = models.CharField("审查结论", max_length=30, choices=STATUS_CHOICES)
    reason = models.CharField("理由", max_length=400)
    decided_on = models.DateField("审查日期")
    # 签到 at the election meeting: the delegate came in person (实到 counted one by one, R52).
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        ordering = ["unit__number", "id"]
        constraints = [models.UniqueConstraint(fields=["congress", "elected"], name="credential_once")]

    @property
    def audit_region_code(self) -> str:
        return self.congress.township.code


class Scrutineer(models.Model):
    """总监票人 / 监票人 elected at the preparatory meeting from the delegates; never a candidate."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="scrutineers")
    elected = models.ForeignKey("elections.ElectedMember", on_delete=models.PROTECT, related_name="+")
    chief = models.BooleanField("总监票人", default=False)

    class Meta:
        ordering = ["-chief", "id"]
        constraints = [models.UniqueConstraint(fields=["congress", "elected"], name="scrutineer_once")]

    @property
    def audit_region_code(self) -> str:
        return self.congress.township.code


class CongressStep(models.Model):
    """A step of the congress's timeline (seed 003 篇7, 59 steps) marked done by the office."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField("步骤")
    done_on = models.DateField("完成日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["congress", "number"], name="congress_step_once")]

    @property
    def audit_region_code(self) -> str:
        return self.congress.township.code


class CandidateCategory(models.Model):
    """A delegate candidate's category for the structure targets (seeds 002/003: 领导干部, 专业技术
    人员, 先进模范人物, 生产一线党员, 其他), recorded when the candidate is added and editable by the
    township until the unit's list is approved."""

    candidate = models.OneToOneField("elections.Candidate", on_delete=models.CASCADE,
                                     related_name="delegate_category")
    category = models.CharField("代表候选人类别", max_length=20, choices=list(CATEGORIES.items()))

    @property
    def audit_region_code(self) -> str:
        return self.candidate.election.organization.code
