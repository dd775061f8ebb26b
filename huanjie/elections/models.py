"""One election model for every kind of election the system runs.

An election belongs to a campaign and an organization (a region: village, community or township),
has posts with seats, and rounds (the first vote, tie re-votes, 另行选举). Villagers' committee
elections use all of it; party branch elections, committee plenaries and township congress delegate
elections use the same tables with another ``kind``.
"""

from __future__ import annotations

from django.db import models

from huanjie.campaigns.models import Campaign
from huanjie.people.models import Person, Region


class Election(models.Model):
    VILLAGE_COMMITTEE = "village_committee"
    RESIDENTS_COMMITTEE = "residents_committee"
    PARTY_BRANCH = "party_branch"
    PARTY_PLENARY = "party_plenary"
    CONGRESS_DELEGATES = "township_congress_delegates"
    # the township congress electing the new party committee and discipline commission, and the
    # first plenaries of both (issue 15)
    TOWNSHIP_COMMITTEE = "township_party_committee"
    DISCIPLINE_COMMISSION = "township_discipline_commission"
    TOWNSHIP_COMMITTEE_PLENARY = "township_committee_plenary"
    DISCIPLINE_PLENARY = "township_discipline_plenary"
    # the township congress electing the township's delegates to the county congress (seed 002 三)
    COUNTY_DELEGATES = "township_county_delegates"
    VILLAGE_SUPERVISION = "village_supervision"
    KIND_CHOICES = [
        (VILLAGE_COMMITTEE, "村民委员会选举"),
        (RESIDENTS_COMMITTEE, "居民委员会选举"),
        (PARTY_BRANCH, "村党组织选举"),
        (PARTY_PLENARY, "党组织委员会全体会议选举书记、副书记"),
        (CONGRESS_DELEGATES, "乡镇党代会代表选举"),
        (TOWNSHIP_COMMITTEE, "乡镇党代会选举党委委员"),
        (DISCIPLINE_COMMISSION, "乡镇党代会选举纪委委员"),
        (TOWNSHIP_COMMITTEE_PLENARY, "乡镇党委第一次全体会议选举书记、副书记"),
        (DISCIPLINE_PLENARY, "乡镇纪委第一次全体会议选举书记"),
        (COUNTY_DELEGATES, "乡镇党代会选举出席县党代会代表"),
        (VILLAGE_SUPERVISION, "村务监督委员会推选"),
    ]
    SETUP, REGISTRATION, NOMINATION, CANDIDATES, VOTING, COUNTED, SUBMITTED = (
        "setup", "registration", "nomination", "candidates", "voting", "counted", "submitted")
    STAGE_CHOICES = [
        (SETUP, "筹备"), (REGISTRATION, "选民登记"), (NOMINATION, "提名"), (CANDIDATES, "确定候选人"),
        (VOTING, "投票"), (COUNTED, "已计票"), (SUBMITTED, "已报送"),
    ]

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="elections")
    organization = models.ForeignKey(Region, verbose_name="选举单位", on_delete=models.PROTECT,
                                     related_name="elections")
    kind = models.CharField("选举类型", max_length=40, choices=KIND_CHOICES, default=VILLAGE_COMMITTEE)
    title = models.CharField("名称", max_length=120)
    election_date = models.DateField("选举日")
    stage = models.CharField("阶段", max_length=20, choices=STAGE_CHOICES, default=SETUP)
    ballot_layout = models.CharField("选票形式", max_length=20, default="single_sheet",
                                     choices=[("single_sheet", "一张选票"), ("per_post", "每个职位一张选票")])
    # Double entry of counting forms (two clerks type the same paper form independently). Kept here,
    # not in Campaign.policy: the policy layer refuses keys it does not know.
    double_entry = models.BooleanField("计票单双人录入", default=False)
    # A by-election (补选) fills seats of an election of the same kind and organisation held earlier
    # in the campaign; only such a one may repeat the kind (a congress unit replacing a delegate, R65).
    fills = models.ForeignKey("self", verbose_name="补选所补的选举", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="by_elections")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__code", "election_date"]
        verbose_name = "选举"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization", "kind"], name="election_once_per_kind",
                                    condition=models.Q(fills__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.organization.code

    @property
    def jurisdiction(self) -> str:
        return self.campaign.jurisdiction

    def profile(self):
        return self.campaign.profile(self.election_date)


class Post(models.Model):
    """A post with its seats: 主任 1, 副主任 1, 委员 3, 妇女委员 1 (where the profile has one)."""

    DIRECTOR, DEPUTY, MEMBER, WOMEN_MEMBER = "director", "deputy", "member", "women_member"
    CODE_CHOICES = [(DIRECTOR, "主任"), (DEPUTY, "副主任"), (MEMBER, "委员"), (WOMEN_MEMBER, "妇女委员"),
                    ("secretary", "书记"), ("deputy_secretary", "副书记"), ("committee_member", "委员（党组织）"),
                    ("discipline_member", "纪检委员"), ("delegate", "代表"),
                    ("supervision_director", "村务监督委员会主任"), ("supervision_member", "村务监督委员会委员"),
                    ("commission_member", "纪委委员"), ("discipline_secretary", "纪委书记")]

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="posts")
    code = models.CharField("职位", max_length=30, choices=CODE_CHOICES)
    name = models.CharField("职位名称", max_length=30)
    seats = models.PositiveSmallIntegerField("应选名额")
    women_only = models.BooleanField("仅限女性", default=False)
    rank = models.PositiveSmallIntegerField("职位高低（越小越高）", default=0)

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = "职位"
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="post_once_per_election")]

    def __str__(self) -> str:
        return f"{self.name}（{self.seats} 名）"


class Round(models.Model):
    """One vote of an election: the first, a tie re-vote, or a further round (另行选举)."""

    FIRST, TIE_REVOTE, RUNOFF = "first", "tie_revote", "runoff"
    KIND_CHOICES = [(FIRST, "正式选举"), (TIE_REVOTE, "得票相等再次投票"), (RUNOFF, "另行选举")]

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField("轮次")
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES, default=FIRST)
    held_on = models.DateField("投票日期", null=True, blank=True)
    created_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="follow_ups")

    class Meta:
        ordering = ["number"]
        verbose_name = "投票轮次"
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="round_number_once")]


class StepRecord(models.Model):
    """A calendar step that has been done (the voter list published on …), for the timeline."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField("步骤", max_length=40)
    done_on = models.DateField("完成日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "key"], name="step_once")]


class CommitteeMember(models.Model):
    """A member of the village election committee (村民选举委员会), R11."""

    POST_CHOICES = [("director", "主任"), ("deputy", "副主任"), ("member", "委员")]
    CHOSEN_BY_CHOICES = [("villagers_meeting", "村民会议"), ("representatives_meeting", "村民代表会议"),
                         ("group_meetings", "村民小组会议")]
    ACTIVE, LEFT_CANDIDATE, LEFT_RELATIVE, LEFT_OTHER = "active", "left_candidate", "left_relative", "left_other"
    STATUS_CHOICES = [(ACTIVE, "在任"), (LEFT_CANDIDATE, "成为候选人退出"), (LEFT_RELATIVE, "候选人近亲属回避退出"),
                      (LEFT_OTHER, "其他原因退出")]

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="committee")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职务", max_length=20, choices=POST_CHOICES, default="member")
    chosen_by = models.CharField("推选方式", max_length=30, choices=CHOSEN_BY_CHOICES)
    vote_order = models.PositiveSmallIntegerField("推选时的得票顺序")
    votes = models.PositiveIntegerField("推选得票", null=True, blank=True)
    is_reserve = models.BooleanField("候补（按原推选顺序递补）", default=False)
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=ACTIVE)
    joined_on = models.DateField("任职日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=200, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["vote_order"]
        verbose_name = "村民选举委员会成员"
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="committee_member_once"),
            models.UniqueConstraint(fields=["election", "vote_order"], name="committee_vote_order_once"),
        ]


class VoterRegistration(models.Model):
    """A person on an election's voter list (R8), once per campaign (R9)."""

    HUKOU_RESIDENT, HUKOU_AWAY_TAKING_PART, RESIDENT_APPROVED = (
        "hukou_resident", "hukou_away_taking_part", "resident_approved")
    CATEGORY_CHOICES = [
        (HUKOU_RESIDENT, "户籍在本村并在本村居住"),
        (HUKOU_AWAY_TAKING_PART, "户籍在本村、不在本村居住，本人表示参加选举"),
        (RESIDENT_APPROVED, "户籍不在本村、在本村居住一年以上，本人申请并经村民（代表）会议同意"),
        ("village_work", "在本村从事村务工作一年以上（浙江）"),
        ("spouse_married_in", "嫁入本村未迁户口的配偶（上海）"),
        ("former_villager_rights", "享有集体经济权益的原村民（上海）"),
        ("former_agricultural", "原农业户口村民，仍在本村居住或工作（北京）"),
    ]
    REGISTERED, REMOVED = "registered", "removed"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    category = models.CharField("登记类别", max_length=40, choices=CATEGORY_CHOICES, default=HUKOU_RESIDENT)
    reason = models.CharField("登记依据说明", max_length=200, blank=True)
    group_name = models.CharField("村民小组", max_length=30, blank=True)
    intent_declared_on = models.DateField("书面表示参加选举日期", null=True, blank=True)
    resident_since = models.DateField("在本村居住起始日期", null=True, blank=True)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    assembly_approved_on = models.DateField("村民（代表）会议同意日期", null=True, blank=True)
    registered_on = models.DateField("登记日期")
    status = models.CharField("状态", max_length=20, default=REGISTERED,
                              choices=[(REGISTERED, "已登记"), (REMOVED, "已除名")])
    removed_reason = models.CharField("除名原因", max_length=200, blank=True)
    card_number = models.CharField("选民证编号", max_length=20, blank=True)
    card_handed_over = models.BooleanField("选民证已交回（委托投票）", default=False)

    class Meta:
        ordering = ["group_name", "id"]
        verbose_name = "选民登记"
        constraints = [
            # R9: one person, one registration in a campaign (the first stands).
            models.UniqueConstraint(fields=["campaign", "person"], name="one_registration_per_campaign"),
        ]
        indexes = [models.Index(fields=["election", "status"])]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class Objection(models.Model):
    """An objection to the published voter list (R10) and the committee's decision."""

    ADD, REMOVE, CORRECT = "add", "remove", "correct"
    KIND_CHOICES = [(ADD, "应登记而未登记"), (REMOVE, "不应登记而登记"), (CORRECT, "登记信息有误")]
    PENDING, UPHELD, REJECTED, NOT_ACCEPTED = "pending", "upheld", "rejected", "not_accepted"
    DECISION_CHOICES = [(PENDING, "待处理"), (UPHELD, "异议成立"), (REJECTED, "异议不成立"),
                        (NOT_ACCEPTED, "超过期限不予受理")]

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="objections")
    objector_name = models.CharField("异议人", max_length=40)
    objector = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    about = models.ForeignKey(Person, verbose_name="涉及人员", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("异议类型", max_length=20, choices=KIND_CHOICES)
    content = models.TextField("异议内容")
    filed_on = models.DateField("提出日期")
    received_on = models.DateField("受理日期")
    decision = models.CharField("处理结果", max_length=20, choices=DECISION_CHOICES, default=PENDING)
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True)

    class Meta:
        ordering = ["-filed_on", "id"]
        verbose_name = "选民名单异议"


class Job(models.Model):
    """A long piece of work run in the background (a large roster import) with its progress."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUS_CHOICES = [(QUEUED, "排队中"), (RUNNING, "进行中"), (DONE, "已完成"), (FAILED, "失败")]

    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=QUEUED)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    region_code = models.CharField(max_length=12, blank=True)
    params = models.JSONField(default=dict)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who runs it ("host:pid") and when it last said so: a job whose worker died is found by these.
    worker = models.CharField(max_length=80, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When the uploaded file was removed after the retention period (its SHA-256 stays in params
    # and in the audit record of the import).
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"])]

    @property
    def percent(self) -> int:
        return 100 if self.status == self.DONE else (self.progress * 100 // self.total if self.total else 0)



class VoterCounts(models.Model):
    """An election's registered-voter counts (total, sex, categories, age bands on its election day),
    kept so that township and county pages read one row per village instead of counting a million
    registrations per request. Deleted by every write that may change it
    (``huanjie.elections.registration.counts``) and computed again on the next read."""

    election = models.OneToOneField(Election, on_delete=models.CASCADE, primary_key=True, related_name="+")
    data = models.JSONField()

    class Meta:
        verbose_name = "选民人数统计（缓存）"


# Models of the later stages live in their own modules; importing them here registers them.
from huanjie.elections.nomination.models import (  # noqa: E402, F401
    Candidate,
    CandidateListPublication,
    Nomination,
    NominationSignature,
    Proxy,
    TeamExplanation,
)
from huanjie.elections.voting.models import (  # noqa: E402, F401
    BallotEntry,
    CountingForm,
    CountingLine,
    ElectedMember,
    HandoverItem,
    ResultSubmission,
    RoundRace,
    RoundResult,
    StationStaff,
    VotingStation,
)
